package events

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server/sim"
)

// appendJSON must produce exactly what encoding/json produces for an Event: the stored JSON is read back
// with json.Unmarshal and served as is.
func TestEncodeMatchesEncodingJSON(t *testing.T) {
	at := time.Date(2026, 11, 27, 4, 5, 6, 789000, time.UTC)
	for _, e := range []Event{
		{},
		{ID: 42, At: at, Kind: "token.issued", LaunchID: "L1", FlowID: "f1", ClientID: "c1", Decision: "authorization_code granted openid",
			Request: map[string]any{"grant_type": "authorization_code", "code": Redact("abcdefgh"), "redirect_uri": "http://app.example/cb?a=1&b=<2>"},
			Response: map[string]any{"access_token": "h.c.REDACTED", "expires_in": 3600, "need_patient_banner": true, "n64": int64(-7),
				"fhirContext": []any{map[string]any{"reference": "Patient/p1", "role": nil}, "x", 1.5, false},
				"float":       1e21, "small": 1e-7, "nested": map[string]any{"z": []string{"a", "b"}, "a": map[string]any{}}, "nilmap": map[string]any(nil),
				"nilslice": []any(nil), "raw": json.RawMessage(`{"k": [1, 2]}`), "uint": uint8(3)}},
		{Kind: "quotes \" and \\ and \b\f\n\r\t\x00\x1f\x7f", Decision: "html <script>&amp;</script>", ClientID: "bad utf-8 \xff\xfe end",
			FlowID: "js \u2028 \u2029 é 日本 😀", Request: map[string]any{"": "", "ü": "\u2028"}},
		{At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)), Kind: "zone"},
		{Kind: "fhir.simulated", Simulated: &sim.Mark{ID: "a<b", Kind: "fhir.rate_limited"}, Decision: "429"},
	} {
		want, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.appendJSON(nil)
		if err != nil || string(got) != string(want) {
			t.Errorf("appendJSON(%+v) =\n%s, %v\nwant\n%s", e, got, err, want)
		}
	}
	if _, err := (&Event{Response: map[string]any{"nan": math.NaN()}}).appendJSON(nil); err == nil {
		t.Error("appendJSON of NaN: no error")
	}
}

func FuzzEncodeString(f *testing.F) {
	for _, s := range []string{"", "a", "\x00", "<>&", "\u2028", "\xff", "é\xc3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := Event{Kind: s, Request: map[string]any{s: s}}
		want, _ := json.Marshal(e)
		if got, err := e.appendJSON(nil); err != nil || string(got) != string(want) {
			t.Errorf("appendJSON(%q) = %s, %v; want %s", s, got, err, want)
		}
	})
}

func BenchmarkEncode(b *testing.B) {
	e := Event{ID: 1, At: time.Now(), Kind: "token.issued", FlowID: "0192f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6", ClientID: "abcdefghijklmnop",
		Request:  map[string]any{"grant_type": "authorization_code", "code": "abcd…REDACTED", "redirect_uri": "http://app.example/cb", "client_id": "abcdefghijklmnop", "code_verifier": "abcd…REDACTED"},
		Response: map[string]any{"token_type": "Bearer", "expires_in": 3600, "scope": "launch/patient openid fhirUser offline_access patient/*.rs", "patient": "p1", "access_token": "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJodHRwOi8vMTI3LjAuMC4xL2ZoaXIifQ.REDACTED"}}
	b.Run("encoding/json", func(b *testing.B) {
		for b.Loop() {
			_, _ = json.Marshal(e)
		}
	})
	b.Run("appendJSON", func(b *testing.B) {
		var buf []byte
		for b.Loop() {
			buf, _ = e.appendJSON(buf[:0])
		}
	})
}

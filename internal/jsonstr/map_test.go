package jsonstr

import (
	"encoding/json"
	"math"
	"testing"
)

// AppendMap must write what json.Marshal writes: token responses and stored events are read back by
// clients and json.Unmarshal, and tests compare bytes.
func TestAppendMapIsEncodingJSON(t *testing.T) {
	for _, m := range []map[string]any{
		nil,
		{},
		{"token_type": "Bearer", "expires_in": 3600, "scope": "launch/patient openid fhirUser offline_access patient/*.rs",
			"access_token": "h.c.s", "refresh_token": "0192f1a2b3c4.abc-_", "patient": "p1", "need_patient_banner": true,
			"smart_style_url": "http://127.0.0.1:8080/auth/style.json?a=1&b=<2>"},
		{"fhirContext": []any{map[string]any{"reference": "Patient/p1", "role": nil}, "x", 1.5, false}, "float": 1e21, "small": 1e-7,
			"n64": int64(-7), "nested": map[string]any{"z": []string{"a", "b"}, "a": map[string]any{}}, "nilmap": map[string]any(nil),
			"nilslice": []any(nil), "raw": json.RawMessage(`{"k": [1, 2]}`), "uint": uint8(3)},
		{"": "", "ü": "\u2028", "bad": "\xff\xfe", "ctl": "\x00\x1f\x7f\"\\"},
	} {
		want, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := AppendMap([]byte("prefix"), m)
		if err != nil || string(got) != "prefix"+string(want) {
			t.Errorf("AppendMap(%v) =\n%s, %v\nwant\n%s", m, got, err, want)
		}
	}
	if _, err := AppendMap(nil, map[string]any{"nan": math.NaN()}); err == nil {
		t.Error("AppendMap of NaN: no error")
	}
}

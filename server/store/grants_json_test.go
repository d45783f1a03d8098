package store

import (
	"encoding/json"
	"github.com/valet-sandbox/valet/server/ref"
	"testing"
	"time"
)

// Grant.marshal must write what json.Marshal writes (the stored JSON is read back with json.Unmarshal).
func TestGrantMarshalIsEncodingJSON(t *testing.T) {
	at := time.Date(2026, 11, 27, 4, 5, 6, 789000, time.UTC)
	for _, g := range []Grant{
		{},
		{ID: "0192f1a2b3c4abc-_", ClientID: "c", Scope: "openid", CreatedAt: at},
		{ID: "g", ClientID: "c<&>", Subject: "Practitioner/dr1", FHIRUser: ref.Reference{Type: "Practitioner", ID: "dr1"}, Patient: "p1", Encounter: "e1",
			Scope: "launch/patient openid fhirUser offline_access patient/*.rs", SessionID: "s", LaunchID: "L", FlowID: "f",
			AccessTokenLifetime: 1, RefreshTokenLifetime: 86400,
			Context:  json.RawMessage(`{"need_patient_banner":true,"smart_style_url":"http://127.0.0.1:1/auth/style.json?a=1&b=<2>"}`),
			AuthTime: at, CreatedAt: at.Add(time.Second), RevokedAt: at},
		{ID: "q\\\"\u2028\xff", Scope: "x", Context: json.RawMessage(` { "fhirContext" : [ {"reference": "Encounter/e1"} ] } `),
			AuthTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)), CreatedAt: at},
	} {
		want, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		got, err := g.marshal()
		if err != nil || string(got) != string(want) {
			t.Errorf("marshal(%+v) =\n%s, %v\nwant\n%s", g, got, err, want)
		}
	}
	if _, err := (&Grant{CreatedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}).marshal(); err == nil {
		t.Error("a time past the year 9999: no error (json.Marshal refuses it)")
	}
	if _, err := (&Grant{Context: json.RawMessage(`{bad`)}).marshal(); err == nil {
		t.Error("invalid context JSON: no error")
	}
}

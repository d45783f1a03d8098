package fhir

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/synth"
)

// The generator's resources are stored as it wrote them with the stamped meta spliced in: what a client
// reads decodes to exactly the stamped resource the loader indexed.
func TestStampedBytesDecodeToTheStampedResource(t *testing.T) {
	at := time.Date(2026, 11, 27, 10, 0, 0, 123456000, time.UTC)
	n := 0
	err := synth.Generate(context.Background(), synth.Options{Patients: 10, Seed: 3, Personas: true}, func(rs []synth.Resource) error {
		for _, r := range rs {
			m, o := decode(r.JSON)
			if o != nil {
				t.Fatalf("%s/%s: %v", r.Type, r.ID, o)
			}
			stamp(m, r.ID, 1, at)
			b, ok := stampedBytes(r.JSON, m["meta"].(object))
			if !ok {
				t.Fatalf("%s/%s: no meta to splice: %s", r.Type, r.ID, r.JSON)
			}
			got, o := decode(b)
			if o != nil || !reflect.DeepEqual(got, m) {
				t.Fatalf("%s/%s: spliced %s, want %s", r.Type, r.ID, b, encode(m))
			}
			n++
		}
		return nil
	}, nil)
	if err != nil || n < 500 {
		t.Fatal(n, err)
	}
}

func TestStampedBytesFindsTheTopLevelMeta(t *testing.T) {
	meta := object{"versionId": "1"}
	for _, tc := range []struct{ in, want string }{
		{`{"resourceType":"Patient","meta":{"profile":["p"]},"id":"x"}`, `{"resourceType":"Patient","meta":{"versionId":"1"},"id":"x"}`},
		{`{"a":"meta","b":["meta",{"meta":{}}],"meta":{"tag":[{"code":"a\"}"}]},"z":1}`, `{"a":"meta","b":["meta",{"meta":{}}],"meta":{"versionId":"1"},"z":1}`},
		{`{"contained":[{"resourceType":"Patient","meta":{"x":1}}],"meta":{}}`, `{"contained":[{"resourceType":"Patient","meta":{"x":1}}],"meta":{"versionId":"1"}}`},
		{`{"text":"\"meta\":{","meta":{"s":"}]"}}`, `{"text":"\"meta\":{","meta":{"versionId":"1"}}`},
		{`{"resourceType":"Patient","id":"x"}`, ""},
		{`{"meta":"not an object"}`, ""},
		{`{"meta":{"unterminated":`, ""},
		{`[{"meta":{}}]`, ""},
	} {
		b, ok := stampedBytes([]byte(tc.in), meta)
		if tc.want == "" {
			if ok {
				t.Errorf("%s: spliced %s, want a refusal", tc.in, b)
			}
			continue
		}
		if !ok || string(b) != tc.want || !json.Valid(b) {
			t.Errorf("%s: %s %v, want %s", tc.in, b, ok, tc.want)
		}
	}
}

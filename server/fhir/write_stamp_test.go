package fhir

import (
	"bytes"
	"testing"
	"time"
)

// A template filled in gives the bytes stamping and encoding give, and leaves the resource untouched.
func TestStampTemplateFillsWhatStampAndEncodeGive(t *testing.T) {
	at := time.Date(2026, 11, 27, 8, 5, 6, 789000, time.FixedZone("x", 3600))
	for _, src := range []string{
		`{"resourceType":"Patient","name":[{"family":"Ünïcode \"quoted\""}]}`,
		`{"resourceType":"Observation","id":"o1","meta":{"versionId":"7","source":"#x","profile":["http://p"]},"status":"final","code":{"text":"a"}}`,
		`{"resourceType":"Observation","meta":"not an object","status":"final","code":{"text":"a"}}`,
		`{"resourceType":"Basic","meta":{"lastUpdated":"2020-01-01T00:00:00Z"},"code":{"text":"z"},"zzz":[1,2.50,true,null]}`,
	} {
		for _, version := range []int64{1, 12, 1234567} {
			m, o := decode([]byte(src))
			if o != nil {
				t.Fatal(o)
			}
			before := encode(m)
			tmpl := templateFor(m, "id-1")
			if tmpl == nil {
				t.Fatalf("no template for %s", src)
			}
			if !bytes.Equal(encode(m), before) {
				t.Fatalf("templateFor changed the resource: %s", encode(m))
			}
			got := tmpl.fill(version, at)
			stamp(m, "id-1", version, at)
			if want := encode(m); !bytes.Equal(got, want) {
				t.Errorf("version %d of %s:\n got %s\nwant %s", version, src, got, want)
			}
		}
	}
}

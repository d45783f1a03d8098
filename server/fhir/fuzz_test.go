package fhir

import (
	"net/url"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server/fhir/search"
)

func FuzzSearchParams(f *testing.F) {
	for _, s := range []string{"patient=p1&category=laboratory", "date=ge2020-01-01T00:00:00+02:00", "code:text=a,b\\,c",
		"_has:Observation:patient:code=1", "patient.name=x", "value-quantity=ap5.5|http://u|mg", "_sort=-date,_id", "_include=Observation:patient:iterate"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		vals, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		_, _ = search.Parse("Observation", vals, search.Options{Base: "http://x/fhir", Now: time.Unix(0, 0)})
	})
}

func FuzzValidate(f *testing.F) {
	for _, s := range []string{`{"resourceType":"Patient","birthDate":"2020"}`, `{"resourceType":"Observation","status":"final","code":{}}`,
		`{"resourceType":"Patient","contained":[{"resourceType":"X"}],"_given":[null]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, o := decode(b)
		if o != nil {
			return
		}
		if o := validate(m, "Patient", false); o == nil {
			encode(m)
		}
	})
}

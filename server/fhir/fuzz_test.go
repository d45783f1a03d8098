package fhir

import (
	"net/url"
	"strings"
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
		`{"resourceType":"Patient","contained":[{"resourceType":"X"}],"_given":[null]}`,
		`{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1.5},"component":[{"code":{},"valueString":"a"}]}`,
		`{"resourceType":"Patient","name":[{"given":["a",null],"_given":[null,{"id":"x"}]}],"_gender":{"extension":[{"url":"u","valueCode":"c"}]}}`,
		`{"resourceType":"Observation","contained":[{"resourceType":"Patient","id":"p","contained":[]}],"subject":{"reference":"#p"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, o := decode(b)
		if o != nil {
			return
		}
		typ, _ := m["resourceType"].(string)
		if typ == "" {
			typ = "Patient"
		}
		o = validate(m, typ, false)
		if o == nil {
			encode(m)
			return
		}
		// Every problem is reported with an expression and a 400 or 422.
		if o.Status != 400 && o.Status != 422 || len(o.Issues) == 0 {
			t.Fatalf("status %d with %d issues", o.Status, len(o.Issues))
		}
		for _, is := range o.Issues {
			if len(is.Expression) == 0 || !strings.HasPrefix(is.Expression[0], typ) {
				t.Fatalf("issue without an expression rooted at %s: %+v", typ, is)
			}
		}
	})
}

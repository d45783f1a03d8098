package fhir

import (
	"strings"
	"testing"
)

// TestUnsupportedModifiers: modifiers the server cannot evaluate honestly are a 400 naming the parameter,
// never silently ignored (which would widen the result).
func TestUnsupportedModifiers(t *testing.T) {
	e := newEnv(t)
	for _, q := range []string{"subject:identifier=urn:mrn|1", "code:below=http://loinc.org|2345", "code:above=x", "code:in=http://vs", "code:not-in=http://vs"} {
		r := e.do("GET", "/Observation?"+q, "admin", nil)
		param, _, _ := strings.Cut(q, "=")
		if r.status != 400 || !strings.Contains(string(r.raw), param) {
			t.Errorf("%s: %d %s", q, r.status, r.raw)
		}
	}
}

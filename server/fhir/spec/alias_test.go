package spec

import (
	"slices"
	"testing"
)

func TestParametersStoredAsOthersRows(t *testing.T) {
	for _, c := range []struct {
		typ, param, rows, only string
	}{
		{"Observation", "patient", "subject", "Patient"},
		{"Observation", "subject", "subject", ""},
		{"Observation", "performer", "performer", ""},
		{"Coverage", "patient", "beneficiary", "Patient"},
		{"Provenance", "patient", "target", "Patient"},
		{"Encounter", "practitioner", "participant", "Practitioner"},
		{"Immunization", "patient", "patient", ""}, // no unlimited twin
	} {
		p, _ := Lookup(c.typ, c.param)
		if rows, only := RefRows(c.typ, p); rows != c.rows || only != c.only {
			t.Errorf("%s.%s: RefRows %s %q, want %s %q", c.typ, c.param, rows, only, c.rows, c.only)
		}
	}
	p, _ := Lookup("Observation", "combo-code")
	if u := TokenUnion("Observation", p); !slices.Equal(u, []string{"code", "component-code"}) {
		t.Errorf("combo-code: %v", u)
	}
	p, _ = Lookup("Observation", "code")
	if u := TokenUnion("Observation", p); u != nil {
		t.Errorf("code: %v", u)
	}
}

package spec

import "testing"

func TestCompartmentLink(t *testing.T) {
	for _, c := range []struct {
		typ, param string
		want       bool
	}{
		{"Observation", "patient", true},
		{"Observation", "subject", true},
		{"Observation", "performer", true},
		{"Observation", "encounter", false},
		{"Observation", "code", false}, // not a reference
		{"Coverage", "patient", true},  // beneficiary
		{"Immunization", "patient", true},
		{"Practitioner", "name", false}, // no compartment
	} {
		p, ok := Lookup(c.typ, c.param)
		if !ok {
			t.Fatalf("%s.%s: no such parameter", c.typ, c.param)
		}
		if got := CompartmentLink(c.typ, p); got != c.want {
			t.Errorf("%s.%s: CompartmentLink %v, want %v", c.typ, c.param, got, c.want)
		}
	}
}

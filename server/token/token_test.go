package token

import "testing"

func TestUserParts(t *testing.T) {
	for _, c := range []struct{ fhirUser, typ, id string }{
		{"Practitioner/abc-1", "Practitioner", "abc-1"},
		{"Patient/9", "Patient", "9"},
		{"", "", ""},
	} {
		a := &Access{FHIRUser: c.fhirUser}
		if a.UserType() != c.typ || a.UserID() != c.id {
			t.Errorf("%q → %q %q, want %q %q", c.fhirUser, a.UserType(), a.UserID(), c.typ, c.id)
		}
	}
}

// Package ref is a FHIR relative reference to a person ("Practitioner/123", "Patient/456"): the user who
// signs in (fhirUser), a preset user of a client or launch, the patient a patient user is. It is parsed
// once where it enters Valet (registration, a launch, a token's claims) and passed on as a value, so no
// code splits "Type/id" by hand. It imports nothing.
package ref

import (
	"errors"
	"fmt"
	"strings"
)

// Reference is Type/ID. The zero value is "no one".
type Reference struct {
	Type, ID string
}

// Patient is the reference to the patient with this id.
func Patient(id string) Reference { return Reference{Type: "Patient", ID: id} }

// ErrNotUser is Parse's answer for a value that is not Practitioner/{id} or Patient/{id}.
var ErrNotUser = errors.New("must be Practitioner/{id} or Patient/{id}")

// ParseUser parses the reference of a user who can sign in: Practitioner/{id} or Patient/{id}, with a
// FHIR id (R4 §2.1.4: [A-Za-z0-9\-\.]{1,64}). "" is the zero Reference.
func ParseUser(s string) (Reference, error) {
	if s == "" {
		return Reference{}, nil
	}
	typ, id, _ := strings.Cut(s, "/")
	if (typ != "Practitioner" && typ != "Patient") || !isID(id) {
		return Reference{}, fmt.Errorf("%q %w", s, ErrNotUser)
	}
	return Reference{Type: typ, ID: id}, nil
}

// String is "Type/ID", or "" for the zero Reference.
func (r Reference) String() string {
	if r.IsZero() {
		return ""
	}
	return r.Type + "/" + r.ID
}

// IsZero reports whether r names no one (encoding/json's omitzero uses it).
func (r Reference) IsZero() bool { return r.Type == "" && r.ID == "" }

// IsPatient reports whether r is a Patient: a patient who signs in is their own patient context.
func (r Reference) IsPatient() bool { return r.Type == "Patient" }

// MarshalText writes r as "Type/ID", so a Reference is a plain string on the wire and in stored JSON.
func (r Reference) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads "Type/ID" (any type; "" is the zero Reference).
func (r *Reference) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*r = Reference{}
		return nil
	}
	typ, id, ok := strings.Cut(string(b), "/")
	if !ok || typ == "" || id == "" {
		return fmt.Errorf("reference %q is not Type/id", b)
	}
	*r = Reference{Type: typ, ID: id}
	return nil
}

func isID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

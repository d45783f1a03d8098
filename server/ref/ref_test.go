package ref

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestParseUser(t *testing.T) {
	for s, want := range map[string]Reference{
		"Practitioner/dr-1": {"Practitioner", "dr-1"}, "Patient/p.1": {"Patient", "p.1"}, "": {},
	} {
		if got, err := ParseUser(s); err != nil || got != want || got.String() != s {
			t.Errorf("ParseUser(%q) = %+v, %v", s, got, err)
		}
	}
	for _, s := range []string{"Practitioner/", "Organization/o1", "p1", "Patient/a/b", "Patient/a b", "patient/p1"} {
		if _, err := ParseUser(s); !errors.Is(err, ErrNotUser) {
			t.Errorf("ParseUser(%q): %v, want ErrNotUser", s, err)
		}
	}
}

func TestJSON(t *testing.T) {
	type rec struct {
		User Reference `json:"user,omitzero"`
	}
	for _, tc := range []struct {
		v    rec
		wire string
	}{{rec{Reference{"Patient", "p1"}}, `{"user":"Patient/p1"}`}, {rec{}, `{}`}} {
		b, _ := json.Marshal(tc.v)
		var back rec
		if string(b) != tc.wire || json.Unmarshal(b, &back) != nil || back != tc.v {
			t.Errorf("%+v ↔ %s (got %s, back %+v)", tc.v, tc.wire, b, back)
		}
	}
	var r rec
	if err := json.Unmarshal([]byte(`{"user":"nope"}`), &r); err == nil {
		t.Error("a reference without a slash was accepted")
	}
}

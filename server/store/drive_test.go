package store

import (
	"strings"
	"testing"
)

func TestRidOnly(t *testing.T) {
	tok := Token("Observation", "category", TokenValue{Code: "laboratory"})
	for _, c := range []struct {
		name string
		cond Cond
		want bool
	}{
		{"token", tok, true},
		{"reference", Ref("Observation", "patient", "Patient", "p1"), true},
		{"compartment", InCompartment("p1"), true},
		{"or of tokens", Or(tok, Token("Observation", "code", TokenValue{Code: "x"})), true},
		{"not token", Not(tok), true},
		{"lastUpdated", LastUpdated("ge", 1, 1), false},
		{"ids", IDs("Observation", "a"), false},
		{"type", OfType("Observation"), false},
		{"or with type", Or(tok, OfType("Patient")), false},
	} {
		if got := ridOnly(c.cond); got != c.want {
			t.Errorf("%s: ridOnly %v, want %v", c.name, got, c.want)
		}
	}
	// patient+category: the category is checked inside the subquery driven by the patient reference.
	q := Query{Types: []string{"Observation"}, Where: []Cond{Ref("Observation", "patient", "Patient", "p1"), tok, LastUpdated("ge", 1, 1)}}
	b := &sqlBuf{}
	q.where(b, true)
	sql := b.String()
	inner, outer, _ := strings.Cut(sql, ") AND +r.type")
	if !strings.Contains(inner, "idx_token") || strings.Contains(outer, "idx_token") || !strings.Contains(outer, "r.last_updated") {
		t.Errorf("where: %s", sql)
	}
}

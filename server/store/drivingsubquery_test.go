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
	// patient+category, counted (_total) or sorted: the category is checked inside the subquery driven by
	// the patient reference. (A page in rid order walks the reference's index instead: streamed.go.)
	q := Query{Types: []string{"Observation"}, Where: []Cond{Ref("Observation", "patient", "Patient", "p1"), tok, LastUpdated("ge", 1, 1)}}
	b := &sqlBuf{}
	q.where(b, false)
	sql := b.String()
	inner, outer, _ := strings.Cut(sql, ") AND +r.type")
	if !strings.Contains(inner, "idx_token") || strings.Contains(outer, "idx_token") || !strings.Contains(outer, "r.last_updated") {
		t.Errorf("where: %s", sql)
	}
}

// A patient (compartment link or compartment) and an exact token code start the search from the
// patient's token rows; anything else starts from the other drivers.
func TestPatientTokenDrives(t *testing.T) {
	tok := Token("Observation", "category", TokenValue{Code: "laboratory"})
	driver := func(types []string, where ...Cond) string {
		q := Query{Types: types, Where: where}
		b := &sqlBuf{}
		q.where(b, true)
		inner, _, _ := strings.Cut(b.String(), " WHERE EXISTS")
		return inner
	}
	O := []string{"Observation"}
	for _, c := range []struct {
		name  string
		types []string
		where []Cond
		want  bool
	}{
		{"compartment link", O, []Cond{Ref("Observation", "patient", "Patient", "p1").WithinCompartment("p1"), tok}, true},
		{"compartment", O, []Cond{InCompartment("p1"), tok}, true},
		{"plain reference", O, []Cond{Ref("Observation", "focus", "Patient", "p1"), tok}, false},
		{"text token", O, []Cond{InCompartment("p1"), Token("Observation", "category", TokenValue{Code: "lab", Text: true})}, false},
		{"token of another type", O, []Cond{InCompartment("p1"), Token("Condition", "category", TokenValue{Code: "x"})}, false},
		{"several types", []string{"Observation", "Condition"}, []Cond{InCompartment("p1"), tok}, false},
		{"resource-level token", O, []Cond{InCompartment("p1"), Token("Observation", "_profile", TokenValue{Code: "http://x"})}, false},
		{"ids outrank it", O, []Cond{IDs("Observation", "o1"), InCompartment("p1"), tok}, false},
	} {
		if got := strings.Contains(driver(c.types, c.where...), "FROM idx_token_patient"); got != c.want {
			t.Errorf("%s: drives from idx_token_patient %v, want %v: %s", c.name, got, c.want, driver(c.types, c.where...))
		}
	}
}

// The patient's token rows imply the token they were copied from and the compartment they were kept
// for, so neither is checked again; a compartment link is (other links also put a resource in it).
func TestPatientTokenLeavesOutWhatItImplies(t *testing.T) {
	tok := Token("Observation", "category", TokenValue{Code: "laboratory"})
	other := Token("Observation", "status", TokenValue{Code: "final"})
	render := func(where ...Cond) string {
		q := Query{Types: []string{"Observation"}, Where: where}
		b := &sqlBuf{}
		q.where(b, true)
		return b.String()
	}
	for _, c := range []struct {
		name      string
		where     []Cond
		has, hasn []string
	}{
		{"compartment link", []Cond{Ref("Observation", "patient", "Patient", "p1").WithinCompartment("p1"), tok},
			[]string{"FROM idx_token_patient", "FROM idx_ref"}, []string{"FROM idx_token ", "FROM compartment"}},
		{"compartment", []Cond{InCompartment("p1"), tok},
			[]string{"FROM idx_token_patient"}, []string{"FROM idx_token ", "FROM compartment", "FROM idx_ref"}},
		{"a second token", []Cond{InCompartment("p1"), tok, other},
			[]string{"FROM idx_token_patient", "FROM idx_token "}, []string{"FROM compartment"}},
	} {
		sql := render(c.where...)
		for _, s := range c.has {
			if !strings.Contains(sql, s) {
				t.Errorf("%s: no %q in %s", c.name, s, sql)
			}
		}
		for _, s := range c.hasn {
			if strings.Contains(sql, s) {
				t.Errorf("%s: %q in %s", c.name, s, sql)
			}
		}
		if n := strings.Count(sql, "FROM idx_token "); c.name == "a second token" && n != 1 {
			t.Errorf("%s: %d idx_token checks, want 1 (status): %s", c.name, n, sql)
		}
	}
}

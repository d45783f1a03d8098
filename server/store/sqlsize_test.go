package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/valet-sandbox/valet/server/store"
)

func TestTerms(t *testing.T) {
	tok := store.Token("Observation", "code", store.TokenValue{Code: "1"})
	date := store.Date("Observation", "date", "ge", 1, 2)
	for _, tc := range []struct {
		name string
		c    store.Cond
		want int
	}{
		{"token", tok, 1},
		{"or", store.Or(tok, tok, date), 3},
		{"and of ors", store.And(store.Or(tok, tok), store.Or(date, date, date)), 5},
		{"not", store.Not(store.Or(tok, tok)), 2},
		{"ids", store.IDs("Patient", "a", "b", "c"), 3},
		{"chain", store.Chain("Observation", "subject", "Patient", store.Or(tok, tok)), 3},
		{"has", store.Has("Patient", "Observation", "patient", tok), 2},
		{"uri above", store.URIAbove("Patient", "_profile", "http://x/a/b"), 6},
		{"ref identifier", store.RefIdentifier("Observation", "subject", []string{"Patient", "Group"}, store.TokenValue{Code: "1"}), 4},
		{"empty or", store.Or(), 1},
	} {
		if got := tc.c.Terms(); got != tc.want {
			t.Errorf("%s: %d terms, want %d", tc.name, got, tc.want)
		}
	}
}

// TestManyValuesDownAChain: 200 values four references down a chain, with 99 other criteria, are
// within SQLite's expression depth. Written as a OR b OR …, the values were 200 deep and each enclosing query counted them again:
// "Expression tree is too large (maximum depth 1000)" (issue #13).
func TestManyValuesDownAChain(t *testing.T) {
	db := openFileDB(t)
	putObservation(t, db, "o1", "c1")
	or := make([]store.Cond, 200)
	for i := range or {
		or[i] = store.Token("Observation", "code", store.TokenValue{Code: fmt.Sprint("c", i)})
	}
	c := store.Or(or...)
	for range 4 {
		c = store.Chain("Observation", "has-member", "Observation", c)
	}
	where := []store.Cond{c}
	for range 99 {
		where = append(where, store.Or(or[:10]...))
	}
	if _, err := db.Search(context.Background(), store.Query{Types: []string{"Observation"}, Where: where, Limit: 10}); err != nil {
		t.Fatal(err)
	}
}

// TestIncludesOfALargePage: _include and _revinclude of a full page, and of what an :iterate round
// adds to it, stay within SQLite's 1,000-deep expressions and 32,766 parameters.
func TestIncludesOfALargePage(t *testing.T) {
	ctx := context.Background()
	db := openFileDB(t)
	putObservation(t, db, "o1", "c1")
	targets := make([]store.Resource, 5000)
	for i := range targets {
		targets[i] = store.Resource{Type: "Patient", ID: fmt.Sprint("p", i)}
	}
	targets[0].Type = "Group"
	if _, err := db.RevIncluded(ctx, targets, "Observation", "subject"); err != nil {
		t.Errorf("RevIncluded: %v", err)
	}
	rids := make([]int64, 40000)
	for i := range rids {
		rids[i] = int64(i + 1)
	}
	if _, err := db.Included(ctx, rids, "subject", ""); err != nil {
		t.Errorf("Included: %v", err)
	}
}

package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestStreamedPages walks every page of searches that stream (a token code with and without its
// system, a reference, a compartment, a type alone, _lastUpdated read both ways) forward and backward:
// each match comes once, in rid order, and the pages agree with the count. A code stored in two
// systems comes twice from the index; the page still lists its resource once.
func TestStreamedPages(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "valet.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	err = db.Tx(ctx, func(tx *Tx) error {
		for i := range 30 {
			x := Index{Tokens: []TokenKey{{Param: "code", System: "s1", Code: "c"}},
				Refs:     []RefKey{{Param: "subject", TargetType: "Patient", TargetID: fmt.Sprint("p", i%3)}},
				Patients: []string{fmt.Sprint("p", i%3)}}
			if i%3 == 0 {
				x.Tokens = append(x.Tokens, TokenKey{Param: "code", System: "s2", Code: "c"})
			}
			if i%5 == 0 {
				x.Tokens = x.Tokens[1:] // not every resource has the code in s1
			}
			typ := "Observation"
			if i%4 == 0 {
				typ = "Condition" // rows of another type between them
			}
			r := Resource{Type: typ, ID: fmt.Sprint("r", i), Version: 1, LastUpdated: t0.Add(time.Duration(i) * time.Second), JSON: []byte(`{}`)}
			if _, err := tx.PutIndexed(ctx, r, &x); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	O := []string{"Observation"}
	for _, c := range []struct {
		name  string
		where []Cond
		few   int
	}{
		{"code", []Cond{Token("Observation", "code", TokenValue{Code: "c"})}, 2000},
		{"system|code", []Cond{Token("Observation", "code", TokenValue{System: "s1", Code: "c", HasSystem: true})}, 2000},
		{"reference", []Cond{Ref("Observation", "subject", "Patient", "p1")}, 2000},
		{"compartment", []Cond{InCompartment("p2")}, 2000},
		{"compartment and code", []Cond{InCompartment("p0"), Token("Observation", "code", TokenValue{System: "s2", Code: "c", HasSystem: true})}, 2000},
		{"type alone", nil, 2000},
		{"_lastUpdated, few", []Cond{LastUpdated("ge", Micros(t0.Add(10*time.Second)), Micros(t0.Add(10*time.Second)))}, 2000},
		{"_lastUpdated, walked", []Cond{LastUpdated("ge", Micros(t0.Add(10*time.Second)), Micros(t0.Add(10*time.Second)))}, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func(n int) { updatedFew = n }(updatedFew)
			updatedFew = c.few
			all, err := db.Search(ctx, Query{Types: O, Where: c.where, Limit: 1000, Count: true})
			if err != nil {
				t.Fatal(err)
			}
			want := rowIDs(all.Resources)
			if len(want) != all.Total || len(want) == 0 || !slices.IsSorted(want) || len(slices.Compact(slices.Clone(want))) != len(want) {
				t.Fatalf("one page: %v, total %d", want, all.Total)
			}
			var fwd []int64
			for after := int64(0); ; {
				p, err := db.Search(ctx, Query{Types: O, Where: c.where, Limit: 4, After: after})
				if err != nil {
					t.Fatal(err)
				}
				fwd = append(fwd, rowIDs(p.Resources)...)
				if !p.More {
					break
				}
				after = p.Resources[len(p.Resources)-1].RowID
			}
			var back []int64
			for before := want[len(want)-1] + 1; ; {
				p, err := db.Search(ctx, Query{Types: O, Where: c.where, Limit: 4, Before: before})
				if err != nil {
					t.Fatal(err)
				}
				back = append(rowIDs(p.Resources), back...)
				if !p.More {
					break
				}
				before = p.Resources[0].RowID
			}
			if !slices.Equal(fwd, want) || !slices.Equal(back, want) {
				t.Errorf("pages forward %v, backward %v, want %v", fwd, back, want)
			}
		})
	}
}

func rowIDs(rs []Resource) []int64 {
	out := make([]int64, len(rs))
	for i, r := range rs {
		out[i] = r.RowID
	}
	return out
}

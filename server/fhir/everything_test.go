package fhir

import (
	"context"
	"slices"
	"testing"

	"github.com/valet-sandbox/valet/server/store"
)

// $everything's direct compartment walk returns exactly what the general search with InCompartment
// returns, page by page, with types, extra conditions and keyset paging.
func TestCompartmentPageMatchesSearch(t *testing.T) {
	e := loaded(t, 3)
	ctx := context.Background()
	rids := func(p store.Page) []int64 {
		var out []int64
		for _, r := range p.Resources {
			out = append(out, r.RowID)
		}
		return out
	}
	for _, patient := range []string{"p1", "p2", "p3", "nobody"} {
		for _, types := range [][]string{nil, {"Observation", "Condition"}, {"Patient"}} {
			for _, where := range [][]store.Cond{nil, {store.LastUpdated("ge", t0.UnixMicro(), t0.UnixMicro())},
				{store.Or(store.OfType("Observation"), store.OfType("Patient"))}, {store.LastUpdated("gt", t0.UnixMicro(), t0.UnixMicro())}} {
				for _, limit := range []int{3, 1000} {
					var after int64
					for page := 0; page < 50; page++ {
						got, err := e.db.CompartmentPage(ctx, patient, types, where, after, limit)
						if err != nil {
							t.Fatal(err)
						}
						want, err := e.db.Search(ctx, store.Query{Types: types, Where: append(slices.Clone(where), store.InCompartment(patient)), After: after, Limit: limit})
						if err != nil {
							t.Fatal(err)
						}
						if !slices.Equal(rids(got), rids(want)) || got.More != want.More {
							t.Fatalf("%s %v %d conds after %d: got %v (more %v), want %v (more %v)", patient, types, len(where), after, rids(got), got.More, rids(want), want.More)
						}
						if !got.More {
							break
						}
						after = got.Resources[len(got.Resources)-1].RowID
					}
				}
			}
		}
	}
}

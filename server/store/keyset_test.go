package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/valet-sandbox/valet/server/store"
)

// TestSortByManyKeys: the sort value columns are named for any number of keys. Column k10 once came
// out as "k:0", a syntax error that reached the client as a 500 (issue #13).
func TestSortByManyKeys(t *testing.T) {
	db := openFileDB(t)
	for i := range 3 {
		putObservation(t, db, fmt.Sprintf("o%d", i), "c")
	}
	for _, n := range []int{10, 101} {
		sort := make([]store.SortKey, n)
		for i := range sort {
			sort[i] = store.SortKey{Kind: store.KindToken, Param: "code", Desc: i%2 == 1}
		}
		q := store.Query{Types: []string{"Observation"}, Sort: sort, Limit: 2}
		p, err := db.Search(context.Background(), q)
		if err != nil {
			t.Fatalf("%d keys: %v", n, err)
		}
		q.AfterKey = &p.Last
		if p, err = db.Search(context.Background(), q); err != nil || len(p.Resources) != 1 {
			t.Fatalf("%d keys, second page: %d resources, %v", n, len(p.Resources), err)
		}
	}
}

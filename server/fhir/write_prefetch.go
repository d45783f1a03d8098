package fhir

import (
	"context"
	"net/http"

	"github.com/valet-sandbox/valet/server/store"
)

// prefetchHeads reads the current version of every resource the Bundle updates once, in a few queries
// instead of one per entry. A resource the Bundle writes more than once is left to read when its turn
// comes, after the earlier write.
func prefetchHeads(ctx context.Context, tx *store.Tx, entries []*entry) error {
	seen := map[[2]string]int{}
	for _, e := range entries {
		if e.w != nil && e.w.id != "" {
			seen[[2]string{e.w.typ, e.w.id}]++
		}
	}
	var keys [][2]string
	for _, e := range entries {
		if e.w != nil && e.method == http.MethodPut && seen[[2]string{e.w.typ, e.w.id}] == 1 {
			keys = append(keys, [2]string{e.w.typ, e.w.id})
		}
	}
	if len(keys) == 0 {
		return nil
	}
	heads, err := tx.Heads(ctx, keys)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.w == nil || e.method != http.MethodPut || seen[[2]string{e.w.typ, e.w.id}] != 1 {
			continue
		}
		h, ok := heads[[2]string{e.w.typ, e.w.id}]
		e.w.head = &prefetched{head: h, found: ok}
	}
	return nil
}

// prefetched is a resource's current version read ahead; found is false when there was none.
type prefetched struct {
	head  store.Head
	found bool
}

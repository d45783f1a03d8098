package fhir

import (
	"context"

	"github.com/valet-sandbox/valet/server/store"
)

// deferredWrites collects a transaction Bundle's versions so they are stored with one PutIndexedBatch
// (multi-row INSERTs) instead of one write per entry. Anything that must see an entry's write — a later
// entry reading the same resource, a Provenance joining its target's compartments — flushes first, and
// the checks that need the stored row (is it inside the token's view?) run after the flush, in entry
// order, so a Bundle fails with the same entry and error as when each entry was written on its own.
type deferredWrites struct {
	items []deferredWrite
	keys  map[[2]string]bool
}

type deferredWrite struct {
	store.Indexed
	w     *write
	check func(store.Resource) error // nil: nothing to check once stored
}

func (d *deferredWrites) add(r store.Resource, ix store.Index, w *write, check func(store.Resource) error) {
	if d.keys == nil {
		d.keys = map[[2]string]bool{}
	}
	d.keys[[2]string{r.Type, r.ID}] = true
	d.items = append(d.items, deferredWrite{Indexed: store.Indexed{Resource: r, Index: ix}, w: w, check: check})
}

// flushIf stores what is pending when type/id is among it. d may be nil (nothing deferred).
func (d *deferredWrites) flushIf(ctx context.Context, tx *store.Tx, typ, id string) error {
	if d == nil || !d.keys[[2]string{typ, id}] {
		return nil
	}
	return d.flush(ctx, tx)
}

// flush stores the pending versions and runs their checks.
func (d *deferredWrites) flush(ctx context.Context, tx *store.Tx) error {
	if d == nil || len(d.items) == 0 {
		return nil
	}
	batch := make([]store.Indexed, len(d.items))
	for i, it := range d.items {
		batch[i] = it.Indexed
	}
	items := d.items
	d.items, d.keys = nil, nil
	out, err := tx.PutIndexedBatch(ctx, batch)
	if err != nil {
		return err
	}
	for i, it := range items {
		if it.w.stored != nil {
			it.w.stored(out[i])
		}
		if it.check == nil {
			continue
		}
		if err := it.check(out[i]); err != nil {
			if it.w.wrap != nil {
				err = it.w.wrap(err)
			}
			return err
		}
	}
	return nil
}

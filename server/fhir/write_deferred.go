package fhir

import (
	"context"

	"github.com/valet-sandbox/valet/server/fhir/spec"
	"github.com/valet-sandbox/valet/server/store"
)

// deferredWrites collects a transaction Bundle's versions so they are stored with one PutIndexedBatch
// (multi-row INSERTs) instead of one write per entry. Anything that must see an entry's write — a later
// entry reading the same resource, a Provenance joining its target's compartments — flushes first, and
// the checks that need the stored row (is it inside the token's view?) run after the flush, in entry
// order, so a Bundle fails with the same entry and error as when each entry was written on its own.
//
// A version is kept as its decoded resource until the flush, which validates, stamps, indexes and
// encodes all of them at once on every core, rather than one entry after another inside the write
// transaction, in which nothing else can be written.
type deferredWrites struct {
	s     *Service
	items []deferredWrite
	keys  map[[2]string]bool
}

type deferredWrite struct {
	store.Indexed
	w     *write
	check func(store.Resource) error // nil: nothing to check once stored
	lazy  *lazyWrite                 // not nil: Indexed is made from it at the flush
}

// lazyWrite is a version still to validate, stamp, index and encode — or only to stamp and encode, when
// it was validated and indexed before the transaction (indexed).
type lazyWrite struct {
	m       object
	needID  bool  // an update: the resource must carry its id
	err     error // what validation found
	indexed bool
	tmpl    *stampTemplate // when indexed: m encoded but for the stamp
}

func (d *deferredWrites) add(r store.Resource, ix store.Index, w *write, check func(store.Resource) error) {
	d.push(deferredWrite{Indexed: store.Indexed{Resource: r, Index: ix}, w: w, check: check})
}

// addLazy defers version r of w (Type, ID, Version and LastUpdated set) as the decoded m.
func (d *deferredWrites) addLazy(r store.Resource, m object, needID bool, w *write, check func(store.Resource) error) {
	it := deferredWrite{Indexed: store.Indexed{Resource: r}, w: w, check: check, lazy: &lazyWrite{m: m, needID: needID}}
	if p := w.pre; p != nil {
		it.Indexed, it.lazy.err, it.lazy.indexed, it.lazy.tmpl = p.Indexed, p.err, true, p.tmpl
		it.Resource = r
	}
	d.push(it)
}

func (d *deferredWrites) push(it deferredWrite) {
	if d.keys == nil {
		d.keys = map[[2]string]bool{}
	}
	d.keys[[2]string{it.Resource.Type, it.Resource.ID}] = true
	d.items = append(d.items, it)
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
	items := d.items
	d.items, d.keys = nil, nil
	if err := d.s.materialize(ctx, tx, items); err != nil {
		return err
	}
	batch := make([]store.Indexed, len(items))
	for i, it := range items {
		batch[i] = it.Indexed
	}
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
			return it.w.wrapErr(err)
		}
	}
	return nil
}

// materialize turns the lazy items into stored versions, in parallel; the first invalid one, in entry
// order, fails the flush. A Provenance then joins the compartments of its targets, taken from this
// batch when they are in it, else from the store.
func (s *Service) materialize(ctx context.Context, tx *store.Tx, items []deferredWrite) error {
	var lazy []int
	for i := range items {
		if items[i].lazy != nil {
			lazy = append(lazy, i)
		}
	}
	s.forEachParallel(len(lazy), 16, func(k int) {
		it := &items[lazy[k]]
		r := &it.Resource
		if it.lazy.err != nil {
			return
		}
		if !it.lazy.indexed {
			if o := validate(it.lazy.m, r.Type, it.lazy.needID); o != nil {
				it.lazy.err = o
				return
			}
		}
		if it.lazy.tmpl != nil {
			r.JSON = it.lazy.tmpl.fill(r.Version, r.LastUpdated)
			return
		}
		stamp(it.lazy.m, r.ID, r.Version, r.LastUpdated)
		if !it.lazy.indexed {
			it.Index = spec.Extract(r.Type, r.ID, it.lazy.m, s.base)
			if r.Type != "Provenance" {
				it.Prepare()
			}
		}
		r.JSON = encode(it.lazy.m)
	})
	var patients map[[2]string][]string
	for _, i := range lazy {
		it := &items[i]
		if it.lazy.err != nil {
			return it.w.wrapErr(it.lazy.err)
		}
		if it.Resource.Type != "Provenance" {
			continue
		}
		if patients == nil {
			patients = map[[2]string][]string{}
			for _, x := range items {
				patients[[2]string{x.Resource.Type, x.Resource.ID}] = x.Index.Patients
			}
		}
		for _, ref := range it.Index.Refs {
			if ref.Param != "target" || ref.TargetType == "" || ref.TargetType == "Patient" {
				continue
			}
			ps, ok := patients[[2]string{ref.TargetType, ref.TargetID}]
			if !ok {
				var err error
				if ps, err = tx.Compartments(ctx, ref.TargetType, ref.TargetID); err != nil {
					return err
				}
			}
			it.Index.Patients = appendNew(it.Index.Patients, ps...)
		}
		it.Prepare()
	}
	return nil
}

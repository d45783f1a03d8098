package fhir

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"github.com/valet-sandbox/valet/internal/gctune"
	"github.com/valet-sandbox/valet/server/fhir/spec"
	"github.com/valet-sandbox/valet/server/store"
)

// Resource is one resource to ingest: its type, id and JSON.
type Resource struct {
	Type, ID string
	JSON     []byte
}

// Ingest validates, stamps, indexes and stores many resources in one transaction, with the sandbox's
// own authority (no token, no audit): the bulk path under the generator's Loader, for tests and tools.
// References must already be Type/id. A resource that exists gets a new version. Any invalid resource
// fails the whole batch, naming it.
func (s *Service) Ingest(ctx context.Context, rs []Resource) error {
	defer gctune.Less()()
	adm := s.admit()
	p, err := s.prepareParallel(rs)
	adm.release()
	if err != nil {
		return err
	}
	return s.cfg.Store.Tx(ctx, func(tx *store.Tx) error { return s.storeBatches(ctx, tx, []*preparedBatch{p}) })
}

// prepareParallel is prepareBatch over up to GOMAXPROCS slices of rs at once, on the calling goroutine
// and the cores free for more (store.Cores): preparing is about as much CPU as writing, and the writer
// is idle until it is done. The error is the first bad resource's, in order.
func (s *Service) prepareParallel(rs []Resource) (*preparedBatch, error) {
	n := min(runtime.GOMAXPROCS(0), len(rs)/32)
	if n <= 1 {
		return s.prepareBatch(rs, true)
	}
	parts := make([]*preparedBatch, n)
	errs := make([]error, n)
	size := (len(rs) + n - 1) / n
	s.forEachParallel(n, 1, func(i int) {
		parts[i], errs[i] = s.prepareBatch(rs[i*size:min((i+1)*size, len(rs))], true)
	})
	p := &preparedBatch{items: make([]store.Indexed, 0, len(rs)), keys: make([][2]string, 0, len(rs))}
	for i := range n {
		if errs[i] != nil {
			return nil, errs[i]
		}
		p.items = append(p.items, parts[i].items...)
		p.keys = append(p.keys, parts[i].keys...)
	}
	return p, nil
}

// preparedBatch is a batch validated, stamped, encoded and indexed: everything but numbering versions
// happens before the write transaction, so this CPU work runs in parallel with the single writer.
type preparedBatch struct {
	items []store.Indexed
	keys  [][2]string
}

// prepareBatch decodes each resource once; validation (when check is set) and index extraction share
// the decoded value. It is safe for concurrent use.
func (s *Service) prepareBatch(rs []Resource, check bool) (*preparedBatch, error) {
	now := s.now()
	updated := now.UTC().Format(lastUpdatedLayout)
	p := &preparedBatch{items: make([]store.Indexed, len(rs)), keys: make([][2]string, len(rs))}
	for i, r := range rs {
		m, o := decodeShared(r.JSON) // the decoded values live as long as the batch
		if o == nil && check {
			o = validate(m, r.Type, false)
		}
		if o == nil && r.ID != "" && !spec.ValidID(r.ID) {
			o = badRequest("invalid id %q", r.ID)
		}
		if o != nil {
			return nil, fmt.Errorf("%s/%s: %w", r.Type, r.ID, o)
		}
		id := r.ID
		if id == "" {
			id = s.ids.next(now)
		}
		p.keys[i] = [2]string{r.Type, id}
		written, _ := m["id"].(string)
		stampFormatted(m, id, "1", updated)
		var body []byte
		if !check && written == id { // a trusted producer's bytes, which already say the id: splice the stamp in
			if b, ok := stampedBytes(r.JSON, m["meta"].(object)); ok {
				body = b
			}
		}
		if body == nil {
			body = encode(m)
		}
		p.items[i] = store.Indexed{
			Resource: store.Resource{Type: r.Type, ID: id, Version: 1, LastUpdated: now, JSON: body},
			Index:    spec.Extract(r.Type, id, m, s.base),
		}
		p.items[i].Prepare()
	}
	return p, nil
}

// storeBatches stores prepared batches in tx. Most batches only create: they are written as creates
// first, and the current versions are read only when one of their resources exists already (that write
// fails on it and is rolled back); those resources are then re-stamped with their next version
// (re-decoding their JSON: rare on this path, so the decoded values are not kept). Reading every
// resource's version up front would hold the single writer for an answer that is almost always none.
func (s *Service) storeBatches(ctx context.Context, tx *store.Tx, ps []*preparedBatch) error {
	var batch []store.Indexed
	var keys [][2]string
	for _, p := range ps {
		batch = append(batch, p.items...)
		keys = append(keys, p.keys...)
	}
	if err := provenanceCompartments(ctx, tx, batch); err != nil {
		return err
	}
	err := tx.Savepoint(ctx, func() error { _, err := tx.PutIndexedBatch(ctx, batch); return err })
	if !errors.Is(err, store.ErrVersionConflict) {
		return err
	}
	versions, err := tx.CurrentVersions(ctx, keys)
	if err != nil {
		return err
	}
	for i := range batch {
		v, ok := versions[keys[i]]
		if !ok {
			continue
		}
		r := &batch[i].Resource
		m, o := decode(r.JSON)
		if o != nil {
			return o
		}
		stamp(m, r.ID, v+1, r.LastUpdated)
		r.Version, r.JSON = v+1, encode(m)
	}
	_, err = tx.PutIndexedBatch(ctx, batch)
	return err
}

// provenanceCompartments puts each Provenance of batch in the compartments of its targets, which may be
// in this same batch.
func provenanceCompartments(ctx context.Context, tx *store.Tx, batch []store.Indexed) error {
	patients := map[string][]string{}
	for _, b := range batch {
		patients[b.Resource.Type+"/"+b.Resource.ID] = b.Index.Patients
	}
	for i := range batch {
		if batch[i].Resource.Type != "Provenance" {
			continue
		}
		for _, ref := range batch[i].Index.Refs {
			if ref.Param != "target" || ref.TargetType == "" {
				continue
			}
			ps, ok := patients[ref.TargetType+"/"+ref.TargetID]
			if !ok {
				var err error
				if ps, err = tx.Compartments(ctx, ref.TargetType, ref.TargetID); err != nil {
					return err
				}
			}
			batch[i].Index.Patients = appendNew(batch[i].Index.Patients, ps...)
		}
		batch[i].Prepare()
	}
	return nil
}

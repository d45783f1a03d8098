package fhir

import (
	"context"
	"fmt"

	"github.com/valet-sandbox/valet/server/fhir/spec"
	"github.com/valet-sandbox/valet/server/store"
)

// Resource is one resource to ingest: its type, id and JSON.
type Resource struct {
	Type, ID string
	JSON     []byte
}

// Ingest validates, stamps, indexes and stores many resources in one transaction: the bulk path the
// generator and the importer use (no token, no audit). References must already be Type/id. A resource
// that exists gets a new version. Any invalid resource fails the whole batch, naming it.
func (s *Service) Ingest(ctx context.Context, rs []Resource) error {
	batch := make([]store.Indexed, len(rs))
	now := s.now()
	objs := make([]object, len(rs))
	for i, r := range rs {
		m, o := decode(r.JSON)
		if o == nil {
			o = validate(m, r.Type, false)
		}
		if o == nil && r.ID != "" && !spec.ValidID(r.ID) {
			o = badRequest("invalid id %q", r.ID)
		}
		if o != nil {
			return fmt.Errorf("%s/%s: %w", r.Type, r.ID, o)
		}
		objs[i] = m
	}
	// Everything but numbering versions happens before the write transaction, so concurrent callers
	// overlap this CPU work with the single writer. Resources that already exist are re-stamped inside.
	keys := make([][2]string, len(rs))
	for i, r := range rs {
		id := r.ID
		if id == "" {
			id = s.ids.next(now)
		}
		keys[i] = [2]string{r.Type, id}
		stamp(objs[i], id, 1, now)
		batch[i] = store.Indexed{
			Resource: store.Resource{Type: r.Type, ID: id, Version: 1, LastUpdated: now, JSON: encode(objs[i])},
			Index:    spec.Extract(r.Type, id, objs[i], s.base),
		}
	}
	return s.cfg.Store.Tx(ctx, func(tx *store.Tx) error {
		versions, err := tx.CurrentVersions(ctx, keys)
		if err != nil {
			return err
		}
		for i := range batch {
			if v, ok := versions[keys[i]]; ok {
				stamp(objs[i], keys[i][1], v+1, now)
				batch[i].Resource.Version, batch[i].Resource.JSON = v+1, encode(objs[i])
			}
		}
		// A Provenance joins the compartments of its targets, which may be in this same batch.
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
		}
		_, err = tx.PutIndexedBatch(ctx, batch)
		return err
	})
}

// TransactionBundle applies a transaction Bundle (JSON) with the sandbox's own authority — the CLI's
// import of Synthea or other bundles — and returns the transaction-response Bundle.
func (s *Service) TransactionBundle(ctx context.Context, bundle []byte) ([]byte, error) {
	m, o := decode(bundle)
	if o != nil {
		return nil, o
	}
	if t, _ := m["type"].(string); t != "transaction" && t != "batch" {
		return nil, badRequest("Bundle.type must be transaction or batch, not %q", t)
	}
	entries, o := parseEntries(m)
	if o != nil {
		return nil, o
	}
	out, o := s.transaction(ctx, nil, entries)
	if o != nil {
		return nil, o
	}
	return out, nil
}

package fhir

import (
	"context"
	"errors"
	"net/http"

	"github.com/valet-sandbox/valet/server/fhir/spec"
	"github.com/valet-sandbox/valet/server/store"
)

// write is one create, update or delete, from a plain request or a Bundle entry.
type write struct {
	method       string
	typ, id      string
	body         []byte
	obj          object // already decoded (Bundle entries)
	ifMatch      string
	ifNoneExist  string
	permit       permit
	createPermit *permit // update: what a create-on-update may do (nil: no create permission)
	// deferred, when set (transaction Bundles), collects the stored version instead of writing it at
	// once; stored then receives it, and errors found after the write are wrapped by wrap.
	deferred *deferredWrites
	stored   func(store.Resource)
	wrap     func(error) error
	// head, when set, is the current version (or its absence) as the transaction read it for many
	// entries at once; current uses it, once, instead of reading again.
	head *prefetched
	// pre, when set, is the resource validated and indexed before the transaction (resolveAhead).
	pre *preIndexed
}

// current returns the current version of w's resource (store.ErrNotFound when there is none), after
// storing what is pending for it. Only RowID, Version and Deleted are set when it was prefetched.
func (w *write) current(ctx context.Context, tx *store.Tx) (store.Resource, error) {
	if p := w.head; p != nil {
		w.head = nil // good for one read: a later write of the same resource changes it
		if !p.found {
			return store.Resource{}, store.ErrNotFound
		}
		return store.Resource{Type: w.typ, ID: w.id, RowID: p.head.RowID, Version: p.head.Version, Deleted: p.head.Deleted}, nil
	}
	if err := w.deferred.flushIf(ctx, tx, w.typ, w.id); err != nil {
		return store.Resource{}, err
	}
	return tx.Current(ctx, w.typ, w.id)
}

// wrapErr names w's Bundle entry in err, when w is one.
func (w *write) wrapErr(err error) error {
	if w.wrap != nil {
		return w.wrap(err)
	}
	return err
}

// apply performs w inside tx and reports whether it created a resource. Errors that are answers are
// *Outcome; any error rolls back the whole transaction.
func (s *Service) apply(ctx context.Context, tx *store.Tx, w *write) (store.Resource, bool, error) {
	if w.method == http.MethodDelete {
		if w.typ == appStateType {
			if err := s.checkAppStateDelete(ctx, tx, w); err != nil {
				return store.Resource{}, false, err
			}
		}
		return s.applyDelete(ctx, tx, w)
	}
	m := w.obj
	if m == nil {
		var o *Outcome
		if m, o = decode(w.body); o != nil {
			return store.Resource{}, false, o
		}
	}
	// In a transaction Bundle, validation waits for the flush, which does it for every entry at once
	// (write_deferred.go); an update whose id is not even a string is refused here, as validation would.
	_, idIsString := m["id"].(string)
	lazy := w.deferred != nil && w.typ != appStateType && (idIsString || w.method != http.MethodPut)
	if !lazy {
		if o := validate(m, w.typ, w.method == http.MethodPut); o != nil {
			return store.Resource{}, false, o
		}
	}
	if w.typ == appStateType {
		if err := s.checkAppStateWrite(ctx, tx, w, m); err != nil {
			return store.Resource{}, false, err
		}
	}
	version := int64(1)
	created := true
	p := w.permit
	switch w.method {
	case http.MethodPost:
		if w.ifNoneExist != "" {
			found, o := s.conditional(ctx, tx, w.typ, w.ifNoneExist, p)
			if o != nil {
				return store.Resource{}, false, o
			}
			if found != nil {
				return *found, false, nil
			}
		}
		if w.id == "" {
			w.id = s.ids.next(s.now())
		}
	case http.MethodPut:
		if id, _ := m["id"].(string); id != w.id {
			return store.Resource{}, false, &Outcome{Status: http.StatusBadRequest, Issues: []Issue{{Severity: "error", Code: "invalid",
				Diagnostics: "the resource id " + quote(id) + " does not match the id in the URL " + quote(w.id), Expression: []string{w.typ + ".id"}}}}
		}
		cur, err := w.current(ctx, tx)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return cur, false, err
		default:
			version, created = cur.Version+1, cur.Deleted
			if !cur.Deleted {
				if ok, err := p.visibleTx(ctx, tx, cur.RowID); err != nil || !ok {
					return cur, false, orErr(err, notFound(w.typ, w.id))
				}
			}
			if w.ifMatch != "" && w.ifMatch != etag(cur.Version) && !cur.Deleted {
				return cur, false, outcome(http.StatusPreconditionFailed, "conflict",
					"If-Match %s does not match the current version %s", w.ifMatch, etag(cur.Version))
			}
		}
		if created {
			if w.ifMatch != "" {
				return store.Resource{}, false, outcome(http.StatusPreconditionFailed, "conflict", "If-Match given but %s/%s does not exist", w.typ, w.id)
			}
			if w.createPermit == nil {
				return store.Resource{}, false, forbidden("%s/%s does not exist and the access token may not create %s", w.typ, w.id, w.typ)
			}
			p = *w.createPermit
		}
	}
	check := func(res store.Resource) error {
		if ok, err := p.visibleTx(ctx, tx, res.RowID); err != nil || !ok {
			return orErr(err, forbidden("%s/%s would be outside what the access token may write (patient compartment or scope restriction)", w.typ, w.id))
		}
		return nil
	}
	if lazy {
		r := store.Resource{Type: w.typ, ID: w.id, Version: version, LastUpdated: s.now()}
		w.deferred.addLazy(r, m, w.method == http.MethodPut, w, check)
		return r, created, nil
	}
	r, ix, err := s.indexed(ctx, tx, w, version, m)
	if err != nil {
		return store.Resource{}, false, err
	}
	if w.deferred != nil {
		w.deferred.add(r, ix, w, check)
		return r, created, nil
	}
	res, err := tx.PutIndexed(ctx, r, &ix)
	if err != nil {
		return res, false, err
	}
	if err := check(res); err != nil {
		return res, false, err
	}
	return res, created, nil
}

func (s *Service) applyDelete(ctx context.Context, tx *store.Tx, w *write) (store.Resource, bool, error) {
	if err := w.deferred.flushIf(ctx, tx, w.typ, w.id); err != nil {
		return store.Resource{}, false, err
	}
	cur, err := tx.Current(ctx, w.typ, w.id)
	if errors.Is(err, store.ErrNotFound) {
		return cur, false, notFound(w.typ, w.id)
	} else if err != nil {
		return cur, false, err
	}
	if cur.Deleted {
		return cur, false, nil // deleting a deleted resource changes nothing
	}
	if ok, err := w.permit.visibleTx(ctx, tx, cur.RowID); err != nil || !ok {
		return cur, false, orErr(err, notFound(w.typ, w.id))
	}
	cur.Version, cur.Deleted, cur.LastUpdated = cur.Version+1, true, s.now()
	if w.deferred != nil {
		w.deferred.add(cur, store.Index{}, w, nil)
		return cur, false, nil
	}
	res, err := tx.PutIndexed(ctx, cur, &store.Index{})
	return res, false, err
}

// indexed stamps meta on one version and extracts its index.
func (s *Service) indexed(ctx context.Context, tx *store.Tx, w *write, version int64, m object) (store.Resource, store.Index, error) {
	now := s.now()
	stamp(m, w.id, version, now)
	ix := spec.Extract(w.typ, w.id, m, s.base)
	if w.typ == "Provenance" {
		// A Provenance belongs to the compartments of what it is about (US Core's _revinclude=Provenance:target
		// must work for patient-scoped apps).
		for _, ref := range ix.Refs {
			if ref.Param == "target" && ref.TargetType != "" && ref.TargetType != "Patient" {
				if err := w.deferred.flushIf(ctx, tx, ref.TargetType, ref.TargetID); err != nil {
					return store.Resource{}, ix, err
				}
				ps, err := tx.Compartments(ctx, ref.TargetType, ref.TargetID)
				if err != nil {
					return store.Resource{}, ix, err
				}
				ix.Patients = appendNew(ix.Patients, ps...)
			}
		}
	}
	return store.Resource{Type: w.typ, ID: w.id, Version: version, LastUpdated: now, JSON: encode(m)}, ix, nil
}

func appendNew(list []string, xs ...string) []string {
	for _, x := range xs {
		if !contains(list, x) {
			list = append(list, x)
		}
	}
	return list
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func orErr(err error, o *Outcome) error {
	if err != nil {
		return err
	}
	return o
}

func quote(s string) string { return `"` + s + `"` }

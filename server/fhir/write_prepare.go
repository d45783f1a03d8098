package fhir

import (
	"context"
	"errors"
	"net/http"

	"github.com/valet-sandbox/valet/server/fhir/spec"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/token"
)

// What a transaction Bundle does before it takes the single writer (stage 4 in write_bundle.go): the
// writer is held only for what depends on stored data, and the rest runs beside it.

// resolveAhead does resolve's work before the write transaction when it can (no conditional create, and
// every conditional reference matching one resource on the read side), and then validates and indexes
// every entry on every core, so the single writer is held only for what depends on stored data: the
// transaction checks that the conditional references it returns still name the same resources. It
// reports false, having changed nothing resolve would not redo, when the store's answer is needed.
func (s *Service) resolveAhead(ctx context.Context, acc *token.Access, entries []*entry) (bool, *condRefs, error) {
	for _, e := range entries {
		if e.ifNone != "" {
			return false, nil, nil
		}
	}
	refs := map[string]string{}
	for _, e := range entries {
		if e.method == http.MethodPost {
			e.w.id = s.ids.next(s.now())
			if e.fullURL != "" {
				refs[e.fullURL] = e.w.typ + "/" + e.w.id
			}
		}
	}
	cond := &condRefs{acc: acc}
	for _, e := range entries {
		if e.w.obj == nil {
			continue
		}
		err := s.rewriteRefs(ctx, e.w.obj, refs, e, cond)
		if errors.Is(err, errNeedsStore) {
			// The references to entries rewritten so far stay rewritten (resolve keeps the ids); the
			// conditional ones are put back for resolve to answer inside the transaction.
			cond.undo()
			return false, nil, nil
		}
		if err != nil {
			return false, nil, err
		}
	}
	var pre []*write
	for _, e := range entries {
		if w := e.w; w.obj != nil && w.typ != appStateType && (e.method == http.MethodPost || e.method == http.MethodPut) {
			pre = append(pre, w)
		}
	}
	s.forEachParallel(len(pre), 16, func(i int) { pre[i].pre = s.preIndex(pre[i]) })
	return true, cond, nil
}

// preIndexed is a Bundle entry's resource validated and indexed ahead of the write transaction: what is
// left for the flush is stamping its version and encoding it.
type preIndexed struct {
	store.Indexed                // Index prepared; Resource holds only the type
	err           error          // what validation found
	tmpl          *stampTemplate // the resource encoded, but for its version and lastUpdated
}

// preIndex validates and indexes w's resource; it is safe for concurrent use on different writes.
func (s *Service) preIndex(w *write) *preIndexed {
	p := &preIndexed{}
	if o := validate(w.obj, w.typ, w.method == http.MethodPut); o != nil {
		p.err = o
		return p
	}
	p.Resource.Type = w.typ
	p.Index = spec.Extract(w.typ, w.id, w.obj, s.base)
	if w.typ != "Provenance" { // joins its targets' compartments at the flush, and is prepared then
		p.Prepare()
	}
	p.tmpl = templateFor(w.obj, w.id)
	return p
}

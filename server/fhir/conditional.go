package fhir

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/valet-sandbox/valet/server/fhir/search"
	"github.com/valet-sandbox/valet/server/scope"
	"github.com/valet-sandbox/valet/server/store"
)

// conditionalUpdate answers PUT /fhir/{type}?search (http://hl7.org/fhir/R4/http.html#cond-update):
// no match → create (with the body's id as update-as-create, else a server id); one match → update it
// (a body id naming another resource is a 400); several → 412. The search runs inside the write
// transaction, so two concurrent conditional updates cannot both create.
func (s *Service) conditionalUpdate(r *request) (*response, *Outcome) {
	typ := r.PathValue("type")
	r.auditType = typ
	if r.URL.RawQuery == "" {
		return nil, badRequest("PUT %s/%s needs an id (%s/[id]) or search parameters (conditional update)", s.base, typ, typ)
	}
	p, o := s.authorize(r.acc, typ, scope.Update)
	if o != nil {
		return nil, o
	}
	m, o := decode(r.body)
	if o != nil {
		return nil, o
	}
	var createPermit *permit
	if cp, o := s.authorize(r.acc, typ, scope.Create); o == nil {
		createPermit = &cp
	}
	var res store.Resource
	var created bool
	err := s.cfg.Store.Tx(r.ctx(), func(tx *store.Tx) error {
		found, o := s.conditional(r.ctx(), tx, typ, r.URL.RawQuery, p)
		if o != nil {
			return o
		}
		bodyID, _ := m["id"].(string)
		w := &write{method: http.MethodPut, typ: typ, obj: m, ifMatch: r.Header.Get("If-Match"), permit: p, createPermit: createPermit}
		switch {
		case found != nil && bodyID != "" && bodyID != found.ID:
			return structural(http.StatusBadRequest, "invalid", typ+".id",
				"the resource id "+quote(bodyID)+" is not the id of the resource the search matched ("+found.ID+")")
		case found != nil:
			w.id, m["id"] = found.ID, found.ID
		case bodyID != "":
			w.id = bodyID
		default:
			if createPermit == nil {
				return forbidden("no %s matches and the access token may not create %s", typ, typ)
			}
			w.method, w.permit = http.MethodPost, *createPermit
		}
		var err error
		res, created, err = s.apply(r.ctx(), tx, w)
		return err
	})
	if o := asOutcome(err); o != nil {
		return nil, o
	}
	r.auditID = res.ID
	return s.written(r, res, created), nil
}

// conditionalDelete answers DELETE /fhir/{type}?search (http://hl7.org/fhir/R4/http.html#cdelete):
// one match → deleted (204); none → 404 (R4 leaves "an ordinary delete" of nothing undefined; the
// CapabilityStatement says conditionalDelete = single); several → 412.
func (s *Service) conditionalDelete(r *request) (*response, *Outcome) {
	typ := r.PathValue("type")
	r.auditType = typ
	if r.URL.RawQuery == "" {
		return nil, badRequest("DELETE %s/%s needs an id or search parameters (conditional delete)", s.base, typ)
	}
	p, o := s.authorize(r.acc, typ, scope.Delete)
	if o != nil {
		return nil, o
	}
	err := s.cfg.Store.Tx(r.ctx(), func(tx *store.Tx) error {
		found, o := s.conditional(r.ctx(), tx, typ, r.URL.RawQuery, p)
		if o != nil {
			return o
		}
		if found == nil {
			return outcome(http.StatusNotFound, "not-found", "no %s matches %s", typ, r.URL.RawQuery)
		}
		r.auditID = found.ID
		_, _, err := s.apply(r.ctx(), tx, &write{method: http.MethodDelete, typ: typ, id: found.ID, permit: p})
		return err
	})
	if o := asOutcome(err); o != nil {
		return nil, o
	}
	return &response{status: http.StatusNoContent}, nil
}

// searcher runs a search: the write transaction, or the store's read side.
type searcher interface {
	Search(ctx context.Context, q store.Query) (store.Page, error)
}

// conditional finds the resource a conditional create or reference names (Type?query): nil when none,
// 412 when more than one.
func (s *Service) conditional(ctx context.Context, on searcher, typ, query string, p permit) (*store.Resource, *Outcome) {
	q, err := search.ParseQuery(strings.TrimPrefix(query, "?"))
	var se *search.Error
	if errors.As(err, &se) {
		return nil, searchOutcome(err, http.StatusBadRequest) // the request's own URL is checked in serve
	}
	if err != nil || len(q) == 0 {
		return nil, badRequest("the condition %q is not a search query", query)
	}
	req, err := search.Parse(typ, q, search.Options{Base: s.base, Now: s.now()})
	if err != nil {
		return nil, searchOutcome(err, http.StatusBadRequest)
	}
	if len(req.Unknown) > 0 {
		return nil, badRequest("the condition %q uses unknown search parameters %v", query, req.Unknown)
	}
	page, err := on.Search(ctx, store.Query{Types: []string{typ}, Where: append(req.Where, p.conds()...), Limit: 2})
	if err != nil {
		return nil, internal(err)
	}
	switch len(page.Resources) {
	case 0:
		return nil, nil
	case 1:
		return &page.Resources[0], nil
	}
	return nil, outcome(http.StatusPreconditionFailed, "multiple-matches", "the condition %s?%s matches more than one resource", typ, query)
}

package fhir

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/valet-sandbox/valet/server/scope"
	"github.com/valet-sandbox/valet/server/store"
)

func etag(v int64) string { return `W/"` + strconv.FormatInt(v, 10) + `"` }

// versionResponse answers with a stored version: its ETag and Last-Modified
// (http://hl7.org/fhir/R4/http.html#read) travel as fields, which finish writes, rather than in a header
// map of their own.
func versionResponse(status int, res store.Resource, body []byte) *response {
	return &response{status: status, body: body, etag: etag(res.Version), modified: res.LastUpdated}
}

func (s *Service) location(res store.Resource) string {
	return s.base + "/" + res.Type + "/" + res.ID + "/_history/" + strconv.FormatInt(res.Version, 10)
}

func (s *Service) read(r *request) (*response, *Outcome) {
	typ, id := r.PathValue("type"), r.PathValue("id")
	r.auditType, r.auditID = typ, id
	p, o := s.authorize(r.acc, typ, scope.Read)
	if o != nil {
		return nil, o
	}
	res, err := s.cfg.Store.ReadResource(r.ctx(), typ, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(typ, id)
	} else if err != nil {
		return nil, internal(err)
	}
	if res.Deleted {
		if p.restrict != nil {
			return nil, notFound(typ, id) // deleted rows have no index: a restricted view cannot tell
		}
		return nil, outcome(http.StatusGone, "deleted", "%s/%s was deleted", typ, id)
	}
	if ok, err := p.visible(r.ctx(), s.cfg.Store, res.RowID); err != nil {
		return nil, internal(err)
	} else if !ok {
		return nil, notFound(typ, id) // outside what the token may see: no existence leak
	}
	return s.resourceResponse(r, http.StatusOK, res)
}

func (s *Service) vread(r *request) (*response, *Outcome) {
	typ, id := r.PathValue("type"), r.PathValue("id")
	r.auditType, r.auditID = typ, id
	p, o := s.authorize(r.acc, typ, scope.Read)
	if o != nil {
		return nil, o
	}
	v, err := strconv.ParseInt(r.PathValue("vid"), 10, 64)
	if err != nil {
		return nil, notFound(typ, id+"/_history/"+r.PathValue("vid"))
	}
	cur, err := s.cfg.Store.ReadResource(r.ctx(), typ, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(typ, id)
	} else if err != nil {
		return nil, internal(err)
	}
	// Access follows the current version: a patient who may not see it now may not see its past.
	if ok, err := p.visible(r.ctx(), s.cfg.Store, cur.RowID); err != nil {
		return nil, internal(err)
	} else if !ok && !(cur.Deleted && p.restrict == nil) {
		return nil, notFound(typ, id)
	}
	res, err := s.cfg.Store.ReadVersion(r.ctx(), typ, id, v)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(typ, id+"/_history/"+r.PathValue("vid"))
	} else if err != nil {
		return nil, internal(err)
	}
	if res.Deleted {
		return nil, outcome(http.StatusGone, "deleted", "version %d of %s/%s is a deletion", v, typ, id)
	}
	return s.resourceResponse(r, http.StatusOK, res)
}

// resourceResponse answers with the stored bytes as they are, unless _summary or _elements ask for less.
func (s *Service) resourceResponse(r *request, status int, res store.Resource) (*response, *Outcome) {
	body := res.JSON
	if r.URL.RawQuery == "" {
		return versionResponse(status, res, body), nil
	}
	q := r.URL.Query()
	if el, sum := q.Get("_elements"), q.Get("_summary"); el != "" || sum != "" {
		var elements []string
		if el != "" {
			elements = strings.Split(el, ",")
		}
		body = subset(body, sum, elements)
	}
	return versionResponse(status, res, body), nil
}

// prefer applies Prefer: return=… to a write's answer (http://hl7.org/fhir/R4/http.html#ops).
func (s *Service) writeResponse(r *request, status int, res store.Resource, created bool) *response {
	resp := versionResponse(status, res, res.JSON)
	if created {
		resp.header = http.Header{"Location": {s.location(res)}}
	}
	switch preferReturn(r.Header.Get("Prefer")) {
	case "minimal":
		resp.body = nil
	case "OperationOutcome":
		o := &Outcome{Issues: []Issue{{Severity: "information", Code: "informational",
			Diagnostics: "stored " + res.Type + "/" + res.ID + " version " + strconv.FormatInt(res.Version, 10)}}}
		resp.body = o.resource()
	}
	return resp
}

func preferReturn(p string) string {
	for part := range strings.SplitSeq(p, ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "return="); ok {
			return v
		}
	}
	return ""
}

func (s *Service) create(r *request) (*response, *Outcome) {
	typ := r.PathValue("type")
	r.auditType = typ
	p, o := s.authorize(r.acc, typ, scope.Create)
	if o != nil {
		return nil, o
	}
	w := &write{method: http.MethodPost, typ: typ, body: r.body, ifNoneExist: r.Header.Get("If-None-Exist"), permit: p}
	return s.commit(r, w)
}

// commit applies w in one transaction and answers with the stored resource.
func (s *Service) commit(r *request, w *write) (*response, *Outcome) {
	var res store.Resource
	var created bool
	err := s.cfg.Store.Tx(r.ctx(), func(tx *store.Tx) error {
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

// written answers a create (201 with Location) or an update (200).
func (s *Service) written(r *request, res store.Resource, created bool) *response {
	if created {
		return s.writeResponse(r, http.StatusCreated, res, true)
	}
	return s.writeResponse(r, http.StatusOK, res, false)
}

func (s *Service) update(r *request) (*response, *Outcome) {
	typ, id := r.PathValue("type"), r.PathValue("id")
	r.auditType, r.auditID = typ, id
	p, o := s.authorize(r.acc, typ, scope.Update)
	if o != nil {
		return nil, o
	}
	w := &write{method: http.MethodPut, typ: typ, id: id, body: r.body, ifMatch: r.Header.Get("If-Match"), permit: p}
	// Creating through PUT needs the create permission too.
	if cp, o := s.authorize(r.acc, typ, scope.Create); o == nil {
		w.createPermit = &cp
	}
	return s.commit(r, w)
}

func (s *Service) delete(r *request) (*response, *Outcome) {
	typ, id := r.PathValue("type"), r.PathValue("id")
	r.auditType, r.auditID = typ, id
	p, o := s.authorize(r.acc, typ, scope.Delete)
	if o != nil {
		return nil, o
	}
	w := &write{method: http.MethodDelete, typ: typ, id: id, ifMatch: r.Header.Get("If-Match"), permit: p}
	err := s.cfg.Store.Tx(r.ctx(), func(tx *store.Tx) error {
		_, _, err := s.apply(r.ctx(), tx, w)
		return err
	})
	if o := asOutcome(err); o != nil {
		return nil, o
	}
	return &response{status: http.StatusNoContent}, nil
}

// asOutcome turns an error from a write transaction into its answer.
func asOutcome(err error) *Outcome {
	var o *Outcome
	switch {
	case err == nil:
		return nil
	case errors.As(err, &o):
		return o
	case errors.Is(err, store.ErrVersionConflict):
		return outcome(http.StatusConflict, "conflict", "the resource was changed concurrently; retry")
	}
	return internal(err)
}

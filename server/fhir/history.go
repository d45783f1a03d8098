package fhir

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/valet-sandbox/valet/server/fhir/spec"
	"github.com/valet-sandbox/valet/server/scope"
	"github.com/valet-sandbox/valet/server/store"
)

// historyParams reads _since, _count and the paging cursor (_after or _before) of a history request.
func historyParams(r *request) (since, before time.Time, count int, after, prior *store.HistoryKey, o *Outcome) {
	q := r.URL.Query()
	count = 50
	if v := q.Get("_count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return since, before, 0, nil, nil, badRequest("_count must be a positive integer")
		}
		count = min(n, 1000)
	}
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"_since", &since}, {"_at", &before}} {
		if v := q.Get(p.name); v != "" {
			lo, hi, err := spec.DateRange(v)
			if err != nil {
				return since, before, 0, nil, nil, badRequest("%s: %q is not an instant", p.name, v)
			}
			if p.name == "_since" {
				*p.t = store.FromMicros(lo)
			} else {
				*p.t = store.FromMicros(hi)
			}
		}
	}
	if v := q.Get("_after"); v != "" {
		after, o = parseHistoryCursor("_after", v)
	} else if v := q.Get("_before"); v != "" {
		prior, o = parseHistoryCursor("_before", v)
	}
	return since, before, count, after, prior, o
}

func (s *Service) typeHistory(r *request) (*response, *Outcome) {
	typ := r.PathValue("type")
	r.auditType = typ
	p, o := s.authorize(r.acc, typ, scope.Search)
	if o != nil {
		return nil, o
	}
	if p.restrict != nil {
		// History rows carry no index, so a compartment or restriction cannot be applied to them honestly.
		return nil, forbidden("type history needs an unrestricted user/ or system/ scope for %s", typ)
	}
	return s.history(r, store.HistoryQuery{Type: typ})
}

func (s *Service) instanceHistory(r *request) (*response, *Outcome) {
	typ, id := r.PathValue("type"), r.PathValue("id")
	r.auditType, r.auditID = typ, id
	p, o := s.authorize(r.acc, typ, scope.Read)
	if o != nil {
		return nil, o
	}
	cur, err := s.cfg.Store.ReadResource(r.ctx(), typ, id)
	if err != nil {
		return nil, notFound(typ, id)
	}
	if ok, err := p.visible(r.ctx(), s.cfg.Store, cur.RowID); err != nil || !ok {
		if !(cur.Deleted && p.restrict == nil) {
			return nil, notFound(typ, id)
		}
	}
	return s.history(r, store.HistoryQuery{Type: typ, ID: id})
}

func (s *Service) history(r *request, hq store.HistoryQuery) (*response, *Outcome) {
	since, before, count, after, prior, o := historyParams(r)
	if o != nil {
		return nil, o
	}
	if before.IsZero() {
		before = s.now() // the first page fixes the upper bound so later pages do not shift
	}
	hq.Since, hq.Before, hq.Limit, hq.After, hq.Prior = since, before, count, after, prior
	rs, more, err := s.cfg.Store.VersionHistory(r.ctx(), hq)
	if err != nil {
		return nil, internal(err)
	}
	b := newBundle("history")
	path := s.base + "/" + hq.Type
	if hq.ID != "" {
		path += "/" + hq.ID
	}
	path += "/_history?_count=" + strconv.Itoa(count) + "&_at=" + before.UTC().Format(time.RFC3339Nano)
	if !since.IsZero() {
		path += "&_since=" + since.UTC().Format(time.RFC3339Nano)
	}
	historyLinks(b, path, hq, rs, more)
	for _, res := range rs {
		full := strconv.Quote(s.base + "/" + res.Type + "/" + res.ID)
		req := `{"method":"PUT","url":` + strconv.Quote(res.Type+"/"+res.ID) + `}`
		status := "200"
		if res.Version == 1 {
			req, status = `{"method":"POST","url":`+strconv.Quote(res.Type)+`}`, "201"
		}
		resp := `{"status":"` + status + `","etag":` + strconv.Quote(etag(res.Version)) + `,"lastModified":"` +
			res.LastUpdated.UTC().Format(time.RFC3339Nano) + `"}`
		if res.Deleted {
			b.raw([]byte(`{"fullUrl":` + full + `,"request":{"method":"DELETE","url":` + strconv.Quote(res.Type+"/"+res.ID) +
				`},"response":{"status":"204"}}`))
			continue
		}
		b.raw([]byte(`{"fullUrl":` + full + `,"resource":` + string(res.JSON) + `,"request":` + req + `,"response":` + resp + `}`))
	}
	return &response{status: http.StatusOK, body: b.bytes()}, nil
}

// compartmentPager is the store's direct walk of a compartment (store.DB has it; other stores are
// searched with InCompartment).
type compartmentPager interface {
	CompartmentPage(ctx context.Context, patient string, types []string, where []store.Cond, after int64, limit int) (store.Page, error)
}

// everything answers Patient/{id}/$everything (http://hl7.org/fhir/R4/patient-operation-everything.html):
// the patient's compartment, paged by row id, with _since, _type and _count.
func (s *Service) everything(r *request) (*response, *Outcome) {
	id := r.PathValue("id")
	r.auditType, r.auditID = "Patient", id+"/$everything"
	p, o := s.authorize(r.acc, "Patient", scope.Read)
	if o != nil {
		return nil, o
	}
	pat, err := s.cfg.Store.ReadResource(r.ctx(), "Patient", id)
	if err != nil || pat.Deleted {
		return nil, notFound("Patient", id)
	}
	if ok, err := p.visible(r.ctx(), s.cfg.Store, pat.RowID); err != nil || !ok {
		return nil, notFound("Patient", id)
	}
	q := r.URL.Query()
	count := 50
	if v := q.Get("_count"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			count = min(n, 1000)
		}
	}
	var where []store.Cond
	if v := q.Get("_since"); v != "" {
		lo, _, err := spec.DateRange(v)
		if err != nil {
			return nil, badRequest("_since: %q is not an instant", v)
		}
		where = append(where, store.LastUpdated("ge", lo, lo))
	}
	types := splitList(q.Get("_type"))
	if len(types) == 0 {
		types = nil
	}
	// Each type needs its own read permission: keep the types the token may read, with their restrictions.
	var perType []store.Cond
	var allowed []string
	restricted := false
	candidates := types
	if candidates == nil {
		candidates = spec.CompartmentTypes()
	}
	for _, t := range candidates {
		if gt, o := s.authorize(r.acc, t, scope.Read); o == nil {
			allowed = append(allowed, t)
			if gt.restrict != nil {
				restricted = true
				perType = append(perType, store.And(store.OfType(t), *gt.restrict))
			} else {
				perType = append(perType, store.OfType(t))
			}
		}
	}
	if len(allowed) == 0 {
		return nil, forbidden("the access token may read none of the patient's resource types")
	}
	if contains(allowed, "AuditEvent") {
		if err := s.materialiseAudit(r.ctx(), id); err != nil {
			return nil, internal(err)
		}
	}
	if restricted || len(allowed) < len(candidates) {
		where = append(where, store.Or(perType...))
	}
	var after int64
	if v := q.Get("_after"); v != "" {
		after, _ = strconv.ParseInt(v, 10, 64)
	}
	var page store.Page
	if cp, ok := s.cfg.Store.(compartmentPager); ok {
		page, err = cp.CompartmentPage(r.ctx(), id, types, where, after, count)
	} else {
		page, err = s.cfg.Store.Search(r.ctx(), store.Query{Types: types, Where: append(where, store.InCompartment(id)), After: after, Limit: count})
	}
	if err != nil {
		return nil, internal(err)
	}
	b := newBundle("searchset")
	self := s.base + "/Patient/" + id + "/$everything?_count=" + strconv.Itoa(count)
	if v := q.Get("_type"); v != "" {
		self += "&_type=" + v
	}
	if v := q.Get("_since"); v != "" {
		self += "&_since=" + v
	}
	b.link("self", self)
	if page.More {
		b.link("next", self+"&_after="+strconv.FormatInt(page.Resources[len(page.Resources)-1].RowID, 10))
	}
	for _, res := range page.Resources {
		b.entry(s.base, res, "match", res.JSON)
	}
	return &response{status: http.StatusOK, body: b.bytes()}, nil
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

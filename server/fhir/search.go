package fhir

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/valet-sandbox/valet/server/fhir/search"
	"github.com/valet-sandbox/valet/server/scope"
	"github.com/valet-sandbox/valet/server/store"
)

func (s *Service) searchType(r *request) (*response, *Outcome) {
	typ := r.PathValue("type")
	q, o := searchQuery(r)
	if o != nil {
		return nil, o
	}
	r.auditType, r.auditID = typ, "?"+q.Encode()
	p, o := s.authorize(r.acc, typ, scope.Search)
	if o != nil {
		return nil, o
	}
	if typ == appStateType {
		if o := checkAppStateQuery(r.acc, q); o != nil {
			return nil, o
		}
	}
	req, err := search.Parse(typ, q, search.Options{Base: s.base, Now: s.now()})
	if err != nil {
		return nil, searchOutcome(err, http.StatusBadRequest)
	}
	var warnings []Issue
	for _, u := range req.Unknown {
		warnings = append(warnings, informational("search parameter "+u+" is not supported by this server for "+typ+" and was ignored"))
	}
	if len(req.Unknown) > 0 && strings.Contains(r.Header.Get("Prefer"), "handling=strict") {
		return nil, &Outcome{Status: http.StatusBadRequest, Issues: []Issue{{Severity: "error", Code: "not-supported",
			Diagnostics: "unknown search parameters with Prefer: handling=strict: " + strings.Join(req.Unknown, ", "),
			Expression:  req.Unknown}}}
	}
	sq := storeQuery(typ, req, p)
	page, err := s.cfg.Store.Search(r.ctx(), sq)
	if err != nil {
		return nil, internal(err)
	}
	b := newBundle("searchset")
	if page.Total >= 0 {
		b.total(page.Total)
	}
	s.pageLinks(b, typ, req, page)
	n := 0
	for _, res := range page.Resources {
		n += len(res.JSON) + len(s.base) + len(res.Type) + len(res.ID) + 64 // the entry's wrapping
	}
	b.grow(n)
	for _, res := range page.Resources {
		b.entry(s.base, res, "match", summarize(res.JSON, req))
	}
	incl, o := s.includes(r, req, page.Resources)
	if o != nil {
		return nil, o
	}
	for _, res := range incl {
		b.entry(s.base, res, "include", summarize(res.JSON, req))
	}
	if len(warnings) > 0 {
		b.outcome((&Outcome{Issues: warnings}).resource())
	}
	return &response{status: http.StatusOK, body: b.bytes()}, nil
}

// storeQuery is the store's query for the parsed search req of typ within the permit p.
func storeQuery(typ string, req *search.Request, p permit) store.Query {
	sq := store.Query{Types: []string{typ}, Where: append(req.Where, p.conds()...), Sort: req.Sort,
		After: req.After, Before: req.Before, AfterKey: req.AfterKey, BeforeKey: req.BeforeKey, Limit: req.Count,
		Count: req.Total == "accurate" || req.Total == "estimate" || req.Summary == "count"}
	if req.Summary == "count" {
		sq.Limit = 0
	}
	return sq
}

// searchQuery reads a search's parameters: the URL's, and for POST _search the form's as well
// (http://hl7.org/fhir/R4/http.html#search). A query longer than search.MaxQueryLength is a 414 URI Too
// Long in the URL (RFC 9110 §15.5.15: what HTTP clients and proxies know a long URL by) and a 413 Content
// Too Large in a form, whose length is the body's. A malformed pair in the URL is dropped, as
// url.URL.Query does; in a form it is a 400.
func searchQuery(r *request) (url.Values, *Outcome) {
	if r.Method != http.MethodPost {
		q, err := search.ParseQuery(r.URL.RawQuery)
		var se *search.Error
		if errors.As(err, &se) {
			return nil, searchOutcome(err, http.StatusRequestURITooLong)
		}
		return q, nil
	}
	raw := r.URL.RawQuery
	if isForm(r.Request) && len(r.body) > 0 {
		if raw != "" {
			raw += "&"
		}
		raw += string(r.body)
	}
	q, err := search.ParseQuery(raw)
	var se *search.Error
	if errors.As(err, &se) {
		return nil, searchOutcome(err, http.StatusRequestEntityTooLarge)
	} else if err != nil {
		return nil, badRequest("cannot read the search form: %v", err)
	}
	return q, nil
}

// searchOutcome answers a search that cannot be run (search.Error): a 400 with the error's issue type
// and the parameter as its expression, or tooLong for a query longer than search.MaxQueryLength.
func searchOutcome(err error, tooLong int) *Outcome {
	var se *search.Error
	if !errors.As(err, &se) {
		return badRequest("%v", err)
	}
	status := http.StatusBadRequest
	if se.Code == search.CodeTooLong {
		status = tooLong
	}
	is := Issue{Severity: "error", Code: se.Code, Diagnostics: se.Error()}
	if se.Param != "" {
		is.Expression = []string{se.Param}
	}
	return &Outcome{Status: status, Issues: []Issue{is}}
}

func summarize(body []byte, req *search.Request) []byte {
	if len(req.Elements) == 0 && (req.Summary == "" || req.Summary == "false") {
		return body
	}
	return subset(body, req.Summary, req.Elements)
}

// pageLinks adds self, next and previous. Pages are keyset cursors: on the row id without _sort, on the
// sort values and the row id with it (search/cursor.go), so a page never repeats or skips a resource
// while others write.
func (s *Service) pageLinks(b *bundleWriter, typ string, req *search.Request, page store.Page) {
	link := func(rel, key, cursor string) {
		v := url.Values{}
		for k, vs := range req.Params {
			v[k] = vs
		}
		if key != "" {
			v.Set(key, cursor)
		}
		u := s.base + "/" + typ
		if enc := v.Encode(); enc != "" {
			u += "?" + enc
		}
		b.link(rel, u)
	}
	sorted := len(req.Sort) > 0
	sortSpec := strings.Join(req.Params["_sort"], ",")
	switch {
	case req.After > 0:
		link("self", "_after", strconv.FormatInt(req.After, 10))
	case req.Before > 0:
		link("self", "_before", strconv.FormatInt(req.Before, 10))
	case req.AfterKey != nil:
		link("self", "_after", search.EncodeCursor(sortSpec, *req.AfterKey))
	case req.BeforeKey != nil:
		link("self", "_before", search.EncodeCursor(sortSpec, *req.BeforeKey))
	default:
		link("self", "", "")
	}
	n := len(page.Resources)
	if n == 0 {
		return
	}
	first, last := strconv.FormatInt(page.Resources[0].RowID, 10), strconv.FormatInt(page.Resources[n-1].RowID, 10)
	if sorted {
		first, last = search.EncodeCursor(sortSpec, page.First), search.EncodeCursor(sortSpec, page.Last)
	}
	// A page reached backwards always has a next page (the one it came from); More then means "more before".
	backward := req.Before > 0 || req.BeforeKey != nil
	forwardFromCursor := req.After > 0 || req.AfterKey != nil
	if page.More && !backward || backward {
		link("next", "_after", last)
	}
	if forwardFromCursor || backward && page.More {
		link("previous", "_before", first)
	}
}

// includes resolves _include and _revinclude (one :iterate level), each limited to what the token may read.
func (s *Service) includes(r *request, req *search.Request, matches []store.Resource) ([]store.Resource, *Outcome) {
	if len(matches) == 0 || (len(req.Includes) == 0 && len(req.RevIncludes) == 0) {
		return nil, nil
	}
	seen := map[int64]bool{}
	for _, m := range matches {
		seen[m.RowID] = true
	}
	var out []store.Resource
	add := func(rs []store.Resource) []store.Resource {
		var fresh []store.Resource
		for _, x := range rs {
			if !seen[x.RowID] {
				seen[x.RowID] = true
				fresh = append(fresh, x)
			}
		}
		out = append(out, fresh...)
		return fresh
	}
	round := func(from []store.Resource, iterate bool) ([]store.Resource, error) {
		var got []store.Resource
		for _, inc := range req.Includes {
			if inc.Iterate != iterate {
				continue
			}
			var rids []int64
			for _, f := range from {
				if f.Type == inc.Source {
					rids = append(rids, f.RowID)
				}
			}
			param, target := inc.Rows()
			rs, err := s.cfg.Store.Included(r.ctx(), rids, param, target)
			if err != nil {
				return nil, err
			}
			got = append(got, add(s.readable(r, rs))...)
		}
		for _, inc := range req.RevIncludes {
			if inc.Iterate != iterate {
				continue
			}
			p, o := s.authorize(r.acc, inc.Source, scope.Search)
			if o != nil {
				continue // not allowed to see that type: nothing to include
			}
			param, only := inc.RevRows()
			targets := from
			if only != "" {
				targets = nil
				for _, f := range from {
					if f.Type == only {
						targets = append(targets, f)
					}
				}
			}
			rs, err := s.cfg.Store.RevIncluded(r.ctx(), targets, inc.Source, param, p.conds()...)
			if err != nil {
				return nil, err
			}
			got = append(got, add(rs)...)
		}
		return got, nil
	}
	first, err := round(matches, false)
	if err == nil {
		_, err = round(append(append([]store.Resource(nil), matches...), first...), true)
	}
	if err != nil {
		return nil, internal(err)
	}
	return out, nil
}

// readable keeps the resources the token may read.
func (s *Service) readable(r *request, rs []store.Resource) []store.Resource {
	var out []store.Resource
	permits := map[string]*permit{}
	for _, x := range rs {
		p, ok := permits[x.Type]
		if !ok {
			if got, o := s.authorize(r.acc, x.Type, scope.Read); o == nil {
				p = &got
			}
			permits[x.Type] = p
		}
		if p == nil {
			continue
		}
		if vis, err := p.visible(r.ctx(), s.cfg.Store, x.RowID); err == nil && vis {
			out = append(out, x)
		}
	}
	return out
}

// bundleWriter writes a Bundle around stored resource bytes without decoding them.
type bundleWriter struct {
	buf     bytes.Buffer
	links   [][2]string
	entries bytes.Buffer
	n       int
	tot     int
	typ     string
}

func newBundle(typ string) *bundleWriter { return &bundleWriter{typ: typ, tot: -1} }

func (b *bundleWriter) total(n int)        { b.tot = n }
func (b *bundleWriter) link(rel, u string) { b.links = append(b.links, [2]string{rel, u}) }
func (b *bundleWriter) sep() {
	b.n++
	if b.n > 1 {
		b.entries.WriteByte(',')
	}
}
func (b *bundleWriter) raw(entry []byte) { b.sep(); b.entries.Write(entry) }
func (b *bundleWriter) outcome(res []byte) {
	b.sep()
	b.entries.WriteString(`{"resource":`)
	b.entries.Write(res)
	b.entries.WriteString(`,"search":{"mode":"outcome"}}`)
}

// grow makes room for n more bytes of entries, so that a page's entries are written into one allocation.
func (b *bundleWriter) grow(n int) { b.entries.Grow(n) }

func (b *bundleWriter) entry(base string, res store.Resource, mode string, body []byte) {
	b.sep()
	b.entries.WriteString(`{"fullUrl":`)
	b.entries.Write(strconv.AppendQuote(b.entries.AvailableBuffer(), base+"/"+res.Type+"/"+res.ID))
	b.entries.WriteString(`,"resource":`)
	b.entries.Write(body)
	if mode != "" {
		b.entries.WriteString(`,"search":{"mode":"` + mode + `"}}`)
	} else {
		b.entries.WriteString(`}`)
	}
}

func (b *bundleWriter) bytes() []byte {
	b.buf.WriteString(`{"resourceType":"Bundle","type":"` + b.typ + `"`)
	if b.tot >= 0 {
		b.buf.WriteString(`,"total":` + strconv.Itoa(b.tot))
	}
	if len(b.links) > 0 {
		b.buf.WriteString(`,"link":[`)
		for i, l := range b.links {
			if i > 0 {
				b.buf.WriteByte(',')
			}
			b.buf.WriteString(`{"relation":` + strconv.Quote(l[0]) + `,"url":` + strconv.Quote(l[1]) + `}`)
		}
		b.buf.WriteString(`]`)
	}
	if b.n > 0 {
		b.buf.WriteString(`,"entry":[`)
		b.buf.Write(b.entries.Bytes())
		b.buf.WriteString(`]`)
	}
	b.buf.WriteString(`}`)
	return b.buf.Bytes()
}

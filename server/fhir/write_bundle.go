package fhir

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/valet-sandbox/valet/internal/gctune"
	"github.com/valet-sandbox/valet/server/fhir/spec"
	"github.com/valet-sandbox/valet/server/scope"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/token"
)

// A transaction Bundle (http://hl7.org/fhir/R4/http.html#transaction) is written in these stages. This
// file is the protocol, what FHIR says the entries mean; the other write_*.go files are the machinery
// that keeps the single SQLite writer busy only with what needs it, with the same outcome.
//
//  1. Decode the Bundle and its entries (bundle, TransactionBundle, parseEntries) on a core taken beside
//     the writer (write_admission.go).
//  2. Check each entry against the token and turn it into a write (prepare), in the spec's order:
//     DELETE, POST, PUT.
//  3. Resolve references: POSTed entries get their ids; references to entries' fullUrls and conditional
//     references (Type?query, searched as the token) become Type/id (write_references.go).
//  4. Off the writer, on the free cores (resolveAhead, write_prepare.go): do 3 on the read side and
//     validate and index every resource, unless 3 needs the store's answer (a conditional create, a
//     conditional reference that does not name one resource); then give the core back.
//  5. In one write transaction: do 3 here (resolve) if 4 could not, or if a conditional reference now
//     names another resource; read the current versions of the updated resources at once
//     (write_prefetch.go); apply each entry (write.go: versions, If-Match, the token's permits); then
//     stamp meta.versionId and lastUpdated (write_stamp.go) and store the versions together
//     (write_deferred.go), each checked against what the token may write.
//  6. Answer with the transaction-response Bundle, in entry order (entryResponse).
//
// A batch Bundle (batch) takes each entry through 2, 3 and 5 in a transaction of its own. The bulk paths
// (write_ingest.go, write_loader.go) take resources without a Bundle.

// entry is one Bundle entry to process.
type entry struct {
	index    int
	fullURL  string
	method   string
	url      string
	resource object
	ifMatch  string
	ifNone   string
	w        *write
	res      store.Resource
	created  bool
	status   int
}

// order of processing in a transaction (http://hl7.org/fhir/R4/http.html#trules).
var methodOrder = map[string]int{http.MethodDelete: 0, http.MethodPost: 1, http.MethodPut: 2, http.MethodGet: 3}

// bundle answers POST [base] with a batch or transaction Bundle.
func (s *Service) bundle(r *request) (*response, *Outcome) {
	r.auditType = "Bundle"
	// Decoding, validating and indexing a Bundle is CPU work that feeds the writer: it takes a core
	// beside it (store.Cores), given back before the write transaction.
	adm := s.admit()
	defer adm.release()
	defer gctune.Less()() // a Bundle allocates several times its size in short-lived values
	m, o := decode(r.body)
	if o != nil {
		return nil, o
	}
	if rt, _ := m["resourceType"].(string); rt != "Bundle" {
		return nil, badRequest("POST %s expects a Bundle of type batch or transaction", s.base)
	}
	typ, _ := m["type"].(string)
	entries, o := parseEntries(m)
	if o != nil {
		return nil, o
	}
	switch typ {
	case "transaction":
		r.interaction = "transaction"
		body, o := s.transaction(r.ctx(), r.acc, entries, adm, preferReturn(r.Header.Get("Prefer")))
		if o != nil {
			return nil, o
		}
		return &response{status: http.StatusOK, body: body}, nil
	case "batch":
		adm.release() // each entry is a request of its own
		return &response{status: http.StatusOK, body: s.batch(r, entries)}, nil
	}
	return nil, badRequest("Bundle.type must be batch or transaction, not %q", typ)
}

// TransactionBundle applies a transaction Bundle (JSON) with the sandbox's own authority — the CLI's
// import of Synthea or other bundles — and returns the transaction-response Bundle.
func (s *Service) TransactionBundle(ctx context.Context, bundle []byte) ([]byte, error) {
	adm := s.admit()
	defer adm.release()
	defer gctune.Less()()
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
	out, o := s.transaction(ctx, nil, entries, adm, "")
	if o != nil {
		return nil, o
	}
	return out, nil
}

func parseEntries(m object) ([]*entry, *Outcome) {
	raw, _ := m["entry"].([]any)
	out := make([]*entry, 0, len(raw))
	for i, x := range raw {
		e, _ := x.(object)
		req, _ := e["request"].(object)
		if req == nil {
			return nil, &Outcome{Status: http.StatusBadRequest, Issues: []Issue{{Severity: "error", Code: "required",
				Diagnostics: "every entry needs a request", Expression: []string{"Bundle.entry[" + strconv.Itoa(i) + "].request"}}}}
		}
		en := &entry{index: i}
		en.fullURL, _ = e["fullUrl"].(string)
		en.method, _ = req["method"].(string)
		en.url, _ = req["url"].(string)
		en.ifMatch, _ = req["ifMatch"].(string)
		en.ifNone, _ = req["ifNoneExist"].(string)
		en.resource, _ = e["resource"].(object)
		if _, ok := methodOrder[en.method]; !ok {
			return nil, &Outcome{Status: http.StatusBadRequest, Issues: []Issue{{Severity: "error", Code: "not-supported",
				Diagnostics: "request.method " + quote(en.method) + " is not supported", Expression: []string{"Bundle.entry[" + strconv.Itoa(i) + "].request.method"}}}}
		}
		out = append(out, en)
	}
	return out, nil
}

// transaction applies the entries of a transaction Bundle atomically for acc (nil: the sandbox itself,
// as the CLI's import uses it) and returns the transaction-response Bundle. urn:uuid: and conditional
// references (Patient?identifier=…) are resolved to the stored resources; any failure stores nothing.
// adm, the core the caller holds for the work before the write (or nil), is released before it; ret is
// the client's Prefer: return=… for the response's entries.
func (s *Service) transaction(ctx context.Context, acc *token.Access, entries []*entry, adm *admission, ret string) ([]byte, *Outcome) {
	sort.SliceStable(entries, func(i, j int) bool { return methodOrder[entries[i].method] < methodOrder[entries[j].method] })
	for _, e := range entries {
		if err := s.prepare(acc, e); err != nil {
			return nil, asOutcome(err)
		}
	}
	ahead, cond, err := s.resolveAhead(ctx, acc, entries)
	if err != nil {
		return nil, asOutcome(err)
	}
	adm.release()
	if s.afterAhead != nil {
		s.afterAhead()
	}
	err = s.cfg.Store.Tx(ctx, func(tx *store.Tx) error {
		if ahead && !cond.still(ctx, s, tx) {
			// A conditional reference names another resource than it did before the transaction (a
			// concurrent write): everything is resolved, validated and indexed again, here.
			cond.undo()
			for _, e := range entries {
				if e.w != nil {
					e.w.pre = nil
				}
			}
			ahead = false
		}
		if !ahead {
			if err := s.resolve(ctx, tx, acc, entries); err != nil {
				return err
			}
		}
		if err := prefetchHeads(ctx, tx, entries); err != nil {
			return err
		}
		// Versions are stored together (deferredWrites); e.res gets the stored version then.
		pending := &deferredWrites{s: s}
		for _, e := range entries {
			if e.w == nil {
				continue
			}
			e.w.deferred, e.w.stored, e.w.wrap = pending, func(r store.Resource) { e.res = r }, func(err error) error { return at(e, err) }
			res, created, err := s.apply(ctx, tx, e.w)
			if err != nil {
				// An earlier entry's failure, found once it is stored, comes first.
				if ferr := pending.flush(ctx, tx); ferr != nil {
					return ferr
				}
				return at(e, err)
			}
			e.res, e.created = res, created
			e.status = http.StatusOK
			if created {
				e.status = http.StatusCreated
			}
			if e.method == http.MethodDelete {
				e.status = http.StatusNoContent
			}
		}
		return pending.flush(ctx, tx)
	})
	if o := asOutcome(err); o != nil {
		return nil, o
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].index < entries[j].index })
	b := newBundle("transaction-response")
	for _, e := range entries {
		b.raw(s.entryResponse(e, ret))
	}
	return b.bytes(), nil
}

// prepare turns an entry into a write, checking the token's permission for it.
func (s *Service) prepare(acc *token.Access, e *entry) error {
	path, query, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(e.url, s.base), "/"), "?")
	parts := strings.Split(path, "/")
	typ := parts[0]
	if !spec.IsResourceType(typ) {
		return at(e, badRequest("request.url %q does not name a resource type", e.url))
	}
	perm := map[string]scope.Perms{http.MethodPost: scope.Create, http.MethodPut: scope.Update, http.MethodDelete: scope.Delete, http.MethodGet: scope.Read}[e.method]
	p := permit{}
	if acc != nil {
		var o *Outcome
		if p, o = s.authorize(acc, typ, perm); o != nil {
			return at(e, o)
		}
	}
	w := &write{method: e.method, typ: typ, obj: e.resource, ifMatch: e.ifMatch, ifNoneExist: e.ifNone, permit: p}
	switch e.method {
	case http.MethodGet:
		return at(e, outcome(http.StatusBadRequest, "not-supported", "GET entries are supported in batch Bundles only"))
	case http.MethodPost:
		if len(parts) != 1 {
			return at(e, badRequest("a POST entry's url must be the resource type"))
		}
	case http.MethodPut, http.MethodDelete:
		if len(parts) != 2 || query != "" {
			return at(e, badRequest("conditional %s entries are not supported; use Type/id", e.method))
		}
		w.id = parts[1]
		if e.method == http.MethodPut {
			if acc == nil {
				w.createPermit = &permit{}
			} else if cp, o := s.authorize(acc, typ, scope.Create); o == nil {
				w.createPermit = &cp
			}
		}
	}
	if e.method != http.MethodDelete && e.resource == nil {
		return at(e, badRequest("a %s entry needs a resource", e.method))
	}
	e.w = w
	return nil
}

// at names the entry an error came from, in the diagnostics and in each expression about its resource
// (Observation.code becomes Bundle.entry[1].resource.code).
func at(e *entry, err error) error {
	var o *Outcome
	if errors.As(err, &o) {
		prefix := "Bundle.entry[" + strconv.Itoa(e.index) + "]"
		rt, _ := e.resource["resourceType"].(string)
		for i := range o.Issues {
			o.Issues[i].Diagnostics = prefix + ": " + o.Issues[i].Diagnostics
			for j, x := range o.Issues[i].Expression {
				if rest, ok := strings.CutPrefix(x, rt); ok && rt != "" && (rest == "" || rest[0] == '.') {
					o.Issues[i].Expression[j] = prefix + ".resource" + rest
				}
			}
		}
		return o
	}
	return err
}

// resolve gives the POSTed entries their ids — or, for a conditional create that matches, the existing
// resource — and rewrites the references to entries' fullUrls, and conditional references, to Type/id.
func (s *Service) resolve(ctx context.Context, tx *store.Tx, acc *token.Access, entries []*entry) error {
	refs := map[string]string{} // fullUrl → Type/id
	cond := &condRefs{tx: tx, acc: acc}
	for _, e := range entries {
		if e.method != http.MethodPost {
			continue
		}
		if e.ifNone != "" {
			found, o := s.conditional(ctx, tx, e.w.typ, e.ifNone, e.w.permit)
			if o != nil {
				return at(e, o)
			}
			if found != nil {
				e.res, e.status, e.w = *found, http.StatusOK, nil
				refs[e.fullURL] = found.Type + "/" + found.ID
				continue
			}
			e.w.ifNoneExist = ""
		}
		if e.w.id == "" { // resolveAhead may have given it one already
			e.w.id = s.ids.next(s.now())
		}
		if e.fullURL != "" {
			refs[e.fullURL] = e.w.typ + "/" + e.w.id
		}
	}
	for _, e := range entries {
		if e.w == nil || e.w.obj == nil {
			continue
		}
		if err := s.rewriteRefs(ctx, e.w.obj, refs, e, cond); err != nil {
			return err
		}
	}
	return nil
}

// entryResponse is e's entry in a transaction- or batch-response. Like a single write's answer it
// carries the stored resource unless the client preferred return=minimal (just the outcome: what a
// loader wants, without the resource's bytes) or return=OperationOutcome (an outcome in place of the
// resource).
func (s *Service) entryResponse(e *entry, ret string) []byte {
	resp := `{"status":"` + strconv.Itoa(e.status) + " " + http.StatusText(e.status) + `"`
	written := e.res.ID != "" && e.method != http.MethodDelete
	if written {
		resp += `,"location":` + strconv.Quote(e.res.Type+"/"+e.res.ID+"/_history/"+strconv.FormatInt(e.res.Version, 10)) +
			`,"etag":` + strconv.Quote(etag(e.res.Version)) + `,"lastModified":"` + e.res.LastUpdated.UTC().Format(time.RFC3339Nano) + `"`
		if ret == "OperationOutcome" {
			o := &Outcome{Issues: []Issue{{Severity: "information", Code: "informational",
				Diagnostics: "stored " + e.res.Type + "/" + e.res.ID + " version " + strconv.FormatInt(e.res.Version, 10)}}}
			resp += `,"outcome":` + string(o.resource())
		}
	}
	resp += `}`
	if !written {
		return []byte(`{"response":` + resp + `}`)
	}
	fullURL := `{"fullUrl":` + strconv.Quote(s.base+"/"+e.res.Type+"/"+e.res.ID)
	if e.res.JSON == nil || ret == "minimal" || ret == "OperationOutcome" {
		return []byte(fullURL + `,"response":` + resp + `}`)
	}
	return []byte(fullURL + `,"resource":` + string(e.res.JSON) + `,"response":` + resp + `}`)
}

// batch applies each entry on its own; failures become that entry's response.
func (s *Service) batch(r *request, entries []*entry) []byte {
	b := newBundle("batch-response")
	for _, e := range entries {
		var o *Outcome
		if e.method == http.MethodGet {
			b.raw(s.batchGet(r, e))
			continue
		}
		if err := s.prepare(r.acc, e); err != nil {
			o = asOutcome(err)
		} else {
			err := s.cfg.Store.Tx(r.ctx(), func(tx *store.Tx) error {
				if err := s.rewriteRefs(r.ctx(), e.w.obj, nil, e, &condRefs{tx: tx, acc: r.acc}); err != nil && e.w.obj != nil {
					return err
				}
				res, created, err := s.apply(r.ctx(), tx, e.w)
				e.res, e.created = res, created
				return err
			})
			o = asOutcome(err)
			e.status = http.StatusOK
			if e.created {
				e.status = http.StatusCreated
			} else if e.method == http.MethodDelete {
				e.status = http.StatusNoContent
			}
		}
		if o != nil {
			b.raw([]byte(`{"response":{"status":"` + strconv.Itoa(o.Status) + " " + http.StatusText(o.Status) + `","outcome":` + string(o.resource()) + `}}`))
			continue
		}
		b.raw(s.entryResponse(e, preferReturn(r.Header.Get("Prefer"))))
	}
	return b.bytes()
}

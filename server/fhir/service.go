// Package fhir is Valet's FHIR R4 REST API (http://hl7.org/fhir/R4/http.html) on the SQLite store: read,
// vread, search, create, update, delete, history, batch/transaction, Patient/$everything and the
// CapabilityStatement, with every request's access token checked against what its scopes allow.
package fhir

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/valet-sandbox/valet/server/cors"
	"github.com/valet-sandbox/valet/server/events"
	"github.com/valet-sandbox/valet/server/fhir/search"
	"github.com/valet-sandbox/valet/server/fhir/spec"
	"github.com/valet-sandbox/valet/server/sim"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/token"
)

// Config is what the FHIR API needs.
type Config struct {
	// BaseURL is the public origin (no trailing slash); the FHIR base is BaseURL + "/fhir".
	BaseURL  string
	Version  string
	Store    Store
	Verifier token.Verifier
	Now      func() time.Time
	// MaxBody bounds request bodies (413 above it); 16 MB when zero.
	MaxBody int64
	// AuditFlush is how often queued AuditEvents are written (sooner when a full batch waits, and before
	// any request that reads AuditEvents); a second when zero.
	AuditFlush time.Duration
	// Simulations, when set, may answer a request with a simulated failure (server/sim), recorded as a
	// flow event in Events.
	Simulations *sim.Engine
	Events      *events.Log
}

// Store is what the FHIR API needs from persistence.
type Store interface {
	store.Resources
	store.Searcher
	store.Writer
}

// Service serves /fhir.
type Service struct {
	cfg   Config
	base  string // the FHIR base URL
	ids   *ids
	audit *auditLog
	// afterAhead, in tests, runs between a transaction Bundle's work before its write transaction and
	// the transaction, to write what a concurrent client could.
	afterAhead func()
}

// New makes the FHIR API; Close flushes its audit log.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 16 << 20
	}
	if cfg.AuditFlush <= 0 {
		cfg.AuditFlush = time.Second
	}
	if cfg.Verifier == nil {
		cfg.Verifier = rejectAll{}
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	s := &Service{cfg: cfg, base: cfg.BaseURL + "/fhir", ids: newIDs()}
	s.audit = newAuditLog(s, cfg.AuditFlush)
	return s
}

// Close writes the AuditEvents still queued and stops the audit writer.
func (s *Service) Close() error { return s.audit.close() }

func (s *Service) now() time.Time { return s.cfg.Now() }

// Base is the FHIR base URL.
func (s *Service) Base() string { return s.base }

// fhirCORS lets browser apps call the API from their own origin with a bearer token, including the
// conditional and versioning headers, and read ETag, Location and WWW-Authenticate in the answers.
var fhirCORS = cors.Policy{
	Methods: "GET, HEAD, POST, PUT, DELETE, OPTIONS",
	Headers: "Authorization, Content-Type, Accept, If-Match, If-None-Match, If-None-Exist, If-Modified-Since, Prefer",
	Expose:  "ETag, Location, Content-Location, Last-Modified, WWW-Authenticate",
}

// Mount registers the FHIR endpoints. The patterns leave /fhir/.well-known/… to the authorization server.
func (s *Service) Mount(mux *http.ServeMux) {
	h := func(pattern string, f http.HandlerFunc) { mux.Handle(pattern, fhirCORS.Wrap(f)) }
	h("GET /fhir/metadata", s.public(s.capabilities))
	h("POST /fhir", s.authed("batch", s.bundle))
	h("POST /fhir/{$}", s.authed("batch", s.bundle))
	h("GET /fhir/{type}", s.authed("search-type", s.searchType))
	h("POST /fhir/{type}/_search", s.authed("search-type", s.searchType))
	h("POST /fhir/{type}", s.authed("create", s.create))
	h("PUT /fhir/{type}", s.authed("update", s.conditionalUpdate))
	h("DELETE /fhir/{type}", s.authed("delete", s.conditionalDelete))
	h("GET /fhir/{type}/{id}", s.authed("read", s.read))
	h("PUT /fhir/{type}/{id}", s.authed("update", s.update))
	h("DELETE /fhir/{type}/{id}", s.authed("delete", s.delete))
	h("GET /fhir/{type}/_history", s.authed("history-type", s.typeHistory))
	h("GET /fhir/{type}/{id}/_history", s.authed("history-instance", s.instanceHistory))
	h("GET /fhir/{type}/{id}/_history/{vid}", s.authed("vread", s.vread))
	h("GET /fhir/Patient/{id}/$everything", s.authed("operation", s.everything))
	h("GET /fhir/DocumentReference/$docref", s.authed("operation", s.docref))
	// Preflights need no token (browsers send none); the wrapper answers them.
	h("OPTIONS /fhir", nil)
	h("OPTIONS /fhir/", nil)
	h("/fhir/", s.public(func(r *request) (*response, *Outcome) {
		return nil, outcome(http.StatusNotFound, "not-supported", "no FHIR interaction %s %s", r.Method, r.URL.Path)
	}))
}

// request is one FHIR request with what the handlers share.
type request struct {
	*http.Request
	acc         *token.Access
	interaction string
	body        []byte
	auditType   string // type/id or query the audit record names
	auditID     string
}

// response is what a handler answers; one place writes it.
type response struct {
	status int
	body   []byte
	header http.Header
	// etag and modified are the validators of the stored version answered, when it is one.
	etag     string
	modified time.Time
}

type handler func(r *request) (*response, *Outcome)

func (s *Service) public(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, hr *http.Request) {
		s.serve(w, &request{Request: hr}, h)
	}
}

func (s *Service) authed(interaction string, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, hr *http.Request) {
		r := &request{Request: hr, interaction: interaction}
		acc, o := s.authenticate(hr)
		if o != nil {
			s.finish(w, r, nil, o)
			return
		}
		r.acc = acc
		if s.cfg.Simulations.Active(sim.FHIR) && s.simulate(w, r) {
			return
		}
		s.serve(w, r, h)
	}
}

func (s *Service) serve(w http.ResponseWriter, r *request, h handler) {
	if wantsXML(r.Request) {
		s.finish(w, r, nil, outcome(http.StatusNotAcceptable, "not-supported", "this server speaks FHIR JSON only (application/fhir+json)"))
		return
	}
	if err := search.CheckQueryLength(r.URL.RawQuery); err != nil {
		// 414, as for a search: conditional updates and deletes carry a search in the URL too.
		s.finish(w, r, nil, searchOutcome(err, http.StatusRequestURITooLong))
		return
	}
	if r.Method == http.MethodPost || r.Method == http.MethodPut {
		if !mediaOK(r.Request) {
			s.finish(w, r, nil, outcome(http.StatusUnsupportedMediaType, "not-supported",
				"Content-Type %q is not supported: send application/fhir+json", r.Header.Get("Content-Type")))
			return
		}
		// A POST _search form too: the handler reads its parameters from r.body.
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.finish(w, r, nil, outcome(http.StatusRequestEntityTooLarge, "too-costly", "the body is larger than %d bytes", s.cfg.MaxBody))
			return
		}
		if err != nil {
			s.finish(w, r, nil, badRequest("cannot read the body: %v", err))
			return
		}
		r.body = body
	}
	if t := r.PathValue("type"); t != "" && !spec.IsResourceType(t) {
		s.finish(w, r, nil, outcome(http.StatusNotFound, "not-supported", "%q is not a FHIR R4 resource type", t))
		return
	}
	if r.interaction != "" && mentionsAudit(r) {
		if err := s.materialiseAudit(r.ctx(), ""); err != nil {
			s.finish(w, r, nil, internal(err))
			return
		}
	}
	resp, o := h(r)
	s.finish(w, r, resp, o)
}

func (s *Service) finish(w http.ResponseWriter, r *request, resp *response, o *Outcome) {
	status := http.StatusOK
	if o != nil {
		if o.Status >= 500 {
			slog.Error("fhir", "method", r.Method, "path", r.URL.Path, "err", o.Error())
		}
		status = o.Status
		writeOutcome(w, o)
	} else {
		h := w.Header()
		for k, vs := range resp.header {
			h[k] = vs
		}
		if resp.etag != "" {
			h["Etag"] = []string{resp.etag}
			h["Last-Modified"] = []string{resp.modified.UTC().Format(http.TimeFormat)}
		}
		status = resp.status
		if resp.body == nil {
			w.WriteHeader(resp.status)
		} else {
			writeBody(w, resp.status, resp.body)
		}
	}
	if r.interaction != "" {
		s.audit.record(r, status)
	}
}

// ctx is the request's context.
func (r *request) ctx() context.Context { return r.Context() }

// rejectAll is the verifier of a server wired without one: no token is valid.
type rejectAll struct{}

func (rejectAll) Verify(context.Context, string) (*token.Access, error) {
	return nil, fmt.Errorf("%w: this server has no token verifier", token.ErrInvalidToken)
}

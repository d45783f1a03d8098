// Package server composes Valet's parts — the authorization server, the FHIR API, the control API and the
// control panel — into one http.Handler, and runs it on a listener with a clean shutdown. It holds wiring
// only: the people searches the control panel and the login pages share are server/directory, and
// generating, seeding and importing patients is server/population/load; the server builds them on its
// store and FHIR service and hands them to the parts that use them.
package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/valet-sandbox/valet/server/admin"
	"github.com/valet-sandbox/valet/server/auth"
	"github.com/valet-sandbox/valet/server/bulk"
	"github.com/valet-sandbox/valet/server/control"
	"github.com/valet-sandbox/valet/server/directory"
	"github.com/valet-sandbox/valet/server/events"
	"github.com/valet-sandbox/valet/server/fhir"
	"github.com/valet-sandbox/valet/server/fhir/search"
	"github.com/valet-sandbox/valet/server/guard"
	"github.com/valet-sandbox/valet/server/keys"
	"github.com/valet-sandbox/valet/server/retention"
	"github.com/valet-sandbox/valet/server/sim"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/token"
)

// Config is what the server needs from the program that starts it.
type Config struct {
	// BaseURL is the public origin apps use, without a trailing slash (e.g. http://127.0.0.1:8765).
	// The FHIR base, the iss and aud of every token, is BaseURL + "/fhir".
	BaseURL string
	Version string
	Store   *store.DB
	// UI serves the control panel at "/".
	UI http.Handler
	// Now is the sandbox clock; the store's (Store.Now: time.Now shifted by the clock offset the control
	// API sets) when nil, so that every part reads the one clock the store's own expiry checks follow.
	Now func() time.Time
	// Verifier checks the access tokens of FHIR requests; nil uses the authorization server's.
	Verifier token.Verifier
	// AllowedHosts are host names Valet answers besides IP addresses, localhost and the host of BaseURL
	// (--allowed-host); every other Host is refused (DNS rebinding, server/guard).
	AllowedHosts []string
	// Retention holds the retention settings given as flags; they are stored when the server starts.
	Retention retention.Override
	// TLS says this run serves https itself with the local CA (--tls, or the stored switch); BaseURL is
	// then https already. It only tells the control panel; a TLS proxy in front needs no setting.
	TLS bool
	// Shared, when not nil, turns on shared mode (server/admin): the control panel and /api answer only the
	// signed-in admin and API keys, and dynamic registration takes initial access tokens. Its BaseURL,
	// Store and Now are filled from this Config.
	Shared *admin.Config
}

// Server is the composed sandbox.
type Server struct {
	cfg     Config
	handler http.Handler
	auth    *auth.Server
	keys    *keys.Keyring
	events  *events.Log
	started time.Time
	fhir    *fhir.Service
	jobs    *control.Jobs
	pruner  *retention.Pruner
	bulk    *bulk.Exporter
	sims    *sim.Engine // simulated failures (server/sim)
	// tmpExports is the export directory of an in-memory sandbox, removed on Close.
	tmpExports string
	admin      *admin.Admin // nil in local mode
	// stopping is closed when shutdown begins: long-lived streams (server-sent events) end on it, since
	// http.Server.Shutdown waits for every connection to go idle and a stream never does.
	stopping chan struct{}
}

// New wires every part onto one mux.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("server: no store")
	}
	if cfg.Now == nil {
		cfg.Now = cfg.Store.Now
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	// started and Info.Now are the computer's clock: uptime does not jump when the sandbox clock moves.
	s := &Server{cfg: cfg, started: time.Now(), jobs: &control.Jobs{Now: cfg.Now}, stopping: make(chan struct{})}
	mux, api := http.NewServeMux(), http.NewServeMux()
	if err := s.newSimulations(); err != nil {
		return nil, err
	}
	if err := s.newAdmin(); err != nil {
		return nil, err
	}
	if err := s.newAuth(); err != nil {
		return nil, err
	}
	verifier := cfg.Verifier
	if verifier == nil {
		verifier = s.Verifier()
	}
	s.fhir = fhir.New(fhir.Config{BaseURL: cfg.BaseURL, Version: cfg.Version, Store: cfg.Store, Verifier: verifier, Now: cfg.Now,
		Simulations: s.sims, Events: s.events})
	if err := s.newPruner(); err != nil {
		return nil, err
	}
	if err := s.newExporter(); err != nil {
		return nil, err
	}
	parts := []interface{ Mount(*http.ServeMux) }{
		&control.API{Store: cfg.Store, Info: s.info, Jobs: s.jobs, Stopping: s.stopping, Audit: s.fhir,
			Population: s.Population(), Patients: s.directory(), Storage: s.storage(), TLS: s.tlsSettings(), Exports: s.bulk,
			Clock: cfg.Store},
		s.authAPI(),
	}
	if s.admin != nil {
		parts = append(parts, &control.CredentialsAPI{Credentials: s.admin})
	}
	for _, part := range parts {
		part.Mount(api)
	}
	s.mountScenarios(api)
	mux.Handle("/api/", control.FirstPartyOnly(cfg.BaseURL, s.protect(api)))
	s.auth.Mount(mux)
	s.fhir.Mount(mux)
	s.bulk.Mount(mux)
	if s.admin != nil {
		s.admin.Mount(mux)
	}
	if cfg.UI != nil {
		mux.Handle("/", s.protectUI(cfg.UI))
	}
	s.handler = guard.NewHosts(cfg.BaseURL, cfg.AllowedHosts).Wrap(mux)
	return s, nil
}

// The people searches of the control panel and of the login and picker pages are one directory.
var (
	_ control.Directory = (*directory.Directory)(nil)
	_ auth.Directory    = (*directory.Directory)(nil)
)

func (s *Server) directory() *directory.Directory { return directory.New(s.cfg.Store, s.searchOptions) }

func (s *Server) searchOptions() search.Options {
	return search.Options{Base: s.FHIRBase(), Now: s.cfg.Now()}
}

// Handler is the whole sandbox as one http.Handler, as served on the network.
func (s *Server) Handler() http.Handler { return s.handler }

// WindowHandler is the sandbox for the desktop window's AssetServer: its requests never cross a
// network, so they are the control panel whatever Host and Origin the webview gives them.
func (s *Server) WindowHandler() http.Handler { return guard.Window(s.handler) }

// FHIRBase is the FHIR base URL: the iss of launches and the aud of tokens.
func (s *Server) FHIRBase() string { return s.cfg.BaseURL + "/fhir" }

func (s *Server) info() control.Info {
	return control.Info{
		Version:   s.cfg.Version,
		StartedAt: s.started,
		Now:       time.Now(),
		BaseURL:   s.cfg.BaseURL,
		FHIRBase:  s.FHIRBase(),
		DataFile:  s.cfg.Store.Path(),
		Shared:    s.admin != nil,
		Warning:   s.warning(),
	}
}

// Serve answers requests on ln until ctx is cancelled, then stops accepting, lets in-flight requests
// finish (up to grace), and returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener, grace time.Duration) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	srv.RegisterOnShutdown(func() { close(s.stopping) })
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	pruneCtx, stopPruning := context.WithCancel(context.Background())
	pruned := make(chan struct{})
	go func() { s.pruner.Run(pruneCtx); close(pruned) }()
	swept := make(chan struct{})
	go func() { s.bulk.Run(pruneCtx); close(swept) }()
	defer func() { stopPruning(); <-pruned; <-swept }() // before the store closes
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	s.jobs.Wait()      // a running generation or import stops at its next transaction boundary
	s.bulk.Close()     // running exports stop; the next start marks them failed
	_ = s.fhir.Close() // flush the queued AuditEvents
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

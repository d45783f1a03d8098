package server

import (
	"context"
	"os"

	"github.com/valet-sandbox/valet/server/auth"
	"github.com/valet-sandbox/valet/server/control"
	"github.com/valet-sandbox/valet/server/events"
	"github.com/valet-sandbox/valet/server/keys"
)

// newAuth builds the authorization server with its keyring and event log.
func (s *Server) newAuth() error {
	kr, err := keys.Open(context.Background(), s.cfg.Store, s.cfg.Now)
	if err != nil {
		return err
	}
	s.keys = kr
	s.events = events.New(s.cfg.Store, s.cfg.Now)
	s.auth, err = auth.New(auth.Config{BaseURL: s.cfg.BaseURL, Store: s.cfg.Store, Keys: kr, Events: s.events, Now: s.cfg.Now,
		Directory: s.directory(), Simulations: s.sims,
		Registration: s.registration()})
	return err
}

func (s *Server) authAPI() *control.AuthAPI {
	return &control.AuthAPI{Auth: s.auth.Admin(), Clients: s.cfg.Store, Launches: s.cfg.Store, ClientView: auth.ClientView,
		Keys: func() any { return s.keys.List() }, Events: s.events, Stopping: s.stopping, Simulations: s.sims}
}

// Verifier checks access tokens; the FHIR server calls it on every request.
func (s *Server) Verifier() *auth.Verifier { return s.auth.Verifier() }

// Close flushes queued flow events. Call it before closing the store.
func (s *Server) Close() error {
	s.events.Close()
	s.bulk.Close()
	if s.tmpExports != "" {
		_ = os.RemoveAll(s.tmpExports)
	}
	return nil
}

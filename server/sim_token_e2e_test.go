package server_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/valet-sandbox/valet/server/store"
)

// retrieveError is the token endpoint's refusal as golang.org/x/oauth2 reports it.
func retrieveError(t *testing.T, err error) *oauth2.RetrieveError {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("want a token endpoint refusal, got %v", err)
	}
	return re
}

// TestTokenSimulations drives golang.org/x/oauth2 (code exchange and refresh, PKCE, client_secret_basic),
// go-oidc and the backend-services client into each token simulation: the refusal's status and error
// code as the client reports them, the response members left out, and the flow event marked simulated.
func TestTokenSimulations(t *testing.T) {
	base, _, _ := startSandbox(t, func(db *store.DB, base string) { seed(t, db, base) })
	ctx := context.Background()
	c := registerApp(t, base, map[string]any{"token_endpoint_auth_method": "client_secret_basic"})
	scopes := []string{"launch", "openid", "fhirUser", "offline_access", "patient/*.rs"}
	body := func() map[string]any {
		return map[string]any{"client_id": c.ID, "patient": "p1", "user": "Practitioner/dr1", "auto_approve": true}
	}
	marked := func(t *testing.T, simID, kind string) {
		t.Helper()
		evs := simulatedEvents(t, base, simID)
		if len(evs) != 1 || evs[0].Kind != kind || evs[0].FlowID == "" {
			t.Errorf("events marked with the simulation: %+v, want one %s in the launch's flow", evs, kind)
		}
	}

	for _, tc := range []struct {
		kind, code string
		status     int
		usedUp     bool // the code is gone afterwards
	}{
		{"token.invalid_client", "invalid_client", 401, false},
		{"token.code_expired", "invalid_grant", 400, true},
		{"token.code_used", "invalid_grant", 400, true},
		{"token.invalid_scope", "invalid_scope", 400, false},
		{"token.server_error", "server_error", 500, false},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			s := setSimulation(t, base, map[string]any{"kind": tc.kind, "client_id": c.ID})
			cfg, code, verifier, _ := launchCode(t, base, body(), c.Secret, scopes...)
			_, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
			re := retrieveError(t, err)
			if re.Response.StatusCode != tc.status || re.ErrorCode != tc.code || re.Response.Header.Get("Cache-Control") != "no-store" {
				t.Fatalf("exchange: %d %q %q, want %d %s", re.Response.StatusCode, re.ErrorCode, re.ErrorDescription, tc.status, tc.code)
			}
			if tc.status == 401 && re.Response.Header.Get("WWW-Authenticate") == "" {
				t.Error("a 401 to Basic authentication without WWW-Authenticate")
			}
			// The simulation was one-shot: the same code works again unless the simulation used it up.
			_, err = cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
			if (err != nil) != tc.usedUp {
				t.Errorf("the code after the simulation: %v (used up: %v)", err, tc.usedUp)
			}
			marked(t, s.ID, "token.refused")
		})
	}

	t.Run("slow", func(t *testing.T) {
		setSimulation(t, base, map[string]any{"kind": "token.slow", "client_id": c.ID, "delay_ms": 250})
		cfg, code, verifier, _ := launchCode(t, base, body(), c.Secret, scopes...)
		start := time.Now()
		if _, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier)); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d < 250*time.Millisecond {
			t.Errorf("answered after %v, before the delay", d)
		}
	})

	t.Run("response without members", func(t *testing.T) {
		provider, err := oidc.NewProvider(ctx, base+"/fhir")
		if err != nil {
			t.Fatal(err)
		}
		for kind, missing := range map[string]string{"token.no_refresh_token": "refresh_token", "token.no_id_token": "id_token", "token.no_patient": "patient"} {
			s := setSimulation(t, base, map[string]any{"kind": kind, "client_id": c.ID})
			cfg, code, verifier, _ := launchCode(t, base, body(), c.Secret, scopes...)
			tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatal(err)
			}
			present := map[string]bool{"refresh_token": tok.RefreshToken != "", "id_token": tok.Extra("id_token") != nil, "patient": tok.Extra("patient") != nil}
			for m, has := range present {
				if has == (m == missing) {
					t.Errorf("%s: %s present %v", kind, m, has)
				}
			}
			if idt, _ := tok.Extra("id_token").(string); idt != "" {
				if _, err := provider.Verifier(&oidc.Config{ClientID: c.ID}).Verify(ctx, idt); err != nil {
					t.Errorf("%s: the id_token left in does not verify: %v", kind, err)
				}
			}
			marked(t, s.ID, "token.issued")
		}
	})

	t.Run("refresh", func(t *testing.T) {
		for kind, desc := range map[string]string{"token.refresh_expired": "refresh token has expired",
			"token.refresh_revoked": "refresh token is unknown or revoked"} {
			tok, _, _ := launchWith(t, base, body(), c.Secret, scopes...)
			cfg := &oauth2.Config{ClientID: c.ID, ClientSecret: c.Secret, Endpoint: oauth2.Endpoint{TokenURL: base + "/auth/token", AuthStyle: authStyle(c.Secret)}}
			// A code exchange does not concern a refresh simulation: it is counted on refreshes only.
			s := setSimulation(t, base, map[string]any{"kind": kind, "client_id": c.ID})
			refresh := func() (*oauth2.Token, error) {
				return cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Minute)}).Token()
			}
			_, err := refresh()
			if re := retrieveError(t, err); re.Response.StatusCode != 400 || re.ErrorCode != "invalid_grant" || re.ErrorDescription != desc {
				t.Fatalf("%s: %d %q %q", kind, re.Response.StatusCode, re.ErrorCode, re.ErrorDescription)
			}
			if _, err := refresh(); err != nil {
				t.Errorf("%s: the refresh after the one-shot simulation: %v", kind, err)
			}
			marked(t, s.ID, "token.refused")
		}
	})

	t.Run("backend jti replayed", func(t *testing.T) {
		backend := registerBackend(t, base, "system/*.rs")
		s := setSimulation(t, base, map[string]any{"kind": "token.jti_replayed", "client_id": backend.id})
		_, err := backend.token(t, "system/*.rs")
		if re := retrieveError(t, err); re.Response.StatusCode != 401 || re.ErrorCode != "invalid_client" {
			t.Fatalf("jti replayed: %d %q", re.Response.StatusCode, re.ErrorCode)
		}
		if _, err := backend.token(t, "system/*.rs"); err != nil {
			t.Errorf("the next assertion: %v", err)
		}
		evs := simulatedEvents(t, base, s.ID)
		if len(evs) != 1 || evs[0].Kind != "token.refused" || evs[0].ClientID != backend.id {
			t.Errorf("events: %+v", evs)
		}
		// A user launch's code exchange (no assertion) is not counted by a jti simulation.
		setSimulation(t, base, map[string]any{"kind": "token.jti_replayed"})
		launchWith(t, base, body(), c.Secret, scopes...)
		apiJSON(t, base, "DELETE", "/api/simulations", nil, 200, &struct{}{})
	})
}

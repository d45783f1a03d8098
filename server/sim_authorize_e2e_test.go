package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/valet-sandbox/valet/server/store"
)

// TestAuthorizeSimulations sends a real authorization request (golang.org/x/oauth2's URL with PKCE, a
// browser with cookies) into each authorize simulation: the error pages that must never redirect, the
// error redirects that must carry the app's state (RFC 6749 §4.1.2.1), and a consent that grants a subset.
func TestAuthorizeSimulations(t *testing.T) {
	base, _, _ := startSandbox(t, func(db *store.DB, base string) { seed(t, db, base) })
	c := registerApp(t, base, map[string]any{"valet_user": "Practitioner/dr1", "valet_patient": "p1", "valet_auto_approve": true})
	cfg := &oauth2.Config{ClientID: c.ID, ClientSecret: c.Secret, RedirectURL: e2eRedirect, Scopes: []string{"openid", "fhirUser", "launch/patient", "patient/*.rs"},
		Endpoint: oauth2.Endpoint{AuthURL: base + "/auth/authorize", TokenURL: base + "/auth/token", AuthStyle: authStyle(c.Secret)}}
	authorize := func(state string) (*http.Response, string) {
		t.Helper()
		verifier := oauth2.GenerateVerifier()
		resp, err := browser().Get(cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("aud", base+"/fhir")))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp, verifier
	}

	for _, kind := range []string{"authorize.invalid_client", "authorize.invalid_redirect_uri"} {
		t.Run(kind, func(t *testing.T) {
			s := setSimulation(t, base, map[string]any{"kind": kind, "client_id": c.ID})
			resp, _ := authorize("s1")
			if resp.StatusCode != 400 || resp.Header.Get("Location") != "" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("%d Location %q %s: want a 400 error page", resp.StatusCode, resp.Header.Get("Location"), resp.Header.Get("Content-Type"))
			}
			if resp, _ := authorize("s2"); resp.StatusCode != http.StatusFound {
				t.Errorf("after the one-shot simulation: %d", resp.StatusCode)
			}
			evs := simulatedEvents(t, base, s.ID)
			if len(evs) != 1 || evs[0].Kind != "authorize.refused" {
				t.Errorf("events: %+v", evs)
			}
		})
	}

	for _, code := range []string{"invalid_scope", "access_denied", "login_required", "consent_required", "interaction_required",
		"server_error", "temporarily_unavailable"} {
		t.Run(code, func(t *testing.T) {
			s := setSimulation(t, base, map[string]any{"kind": "authorize." + code, "client_id": c.ID})
			resp, _ := authorize("st-" + code)
			loc, _ := url.Parse(resp.Header.Get("Location"))
			q := loc.Query()
			if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), e2eRedirect+"?") || q.Get("error") != code ||
				q.Get("state") != "st-"+code || q.Get("error_description") == "" || q.Get("code") != "" {
				t.Fatalf("%d %s: want an error redirect with error=%s and the state", resp.StatusCode, loc, code)
			}
			want := []string{"authorize.refused"}
			if code == "access_denied" {
				want = []string{"consent.denied", "authorize.refused"} // as if the user pressed Deny
			}
			evs := simulatedEvents(t, base, s.ID)
			var kinds []string
			for _, e := range evs {
				kinds = append(kinds, e.Kind)
				if e.FlowID == "" {
					t.Errorf("%s has no flow", e.Kind)
				}
			}
			if strings.Join(kinds, ",") != strings.Join(want, ",") {
				t.Errorf("events %v, want %v", kinds, want)
			}
		})
	}

	t.Run("consent_subset", func(t *testing.T) {
		s := setSimulation(t, base, map[string]any{"kind": "authorize.consent_subset", "client_id": c.ID,
			"scope": "openid launch/patient patient/Patient.rs patient/*.rs"})
		resp, verifier := authorize("st")
		loc, _ := url.Parse(resp.Header.Get("Location"))
		tok, err := cfg.Exchange(context.Background(), loc.Query().Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		// fhirUser was requested and not in the simulation's list: the user "unchecked" it.
		if got := tok.Extra("scope"); got != "openid launch/patient patient/*.rs" {
			t.Errorf("granted %q", got)
		}
		app := cfg.Client(context.Background(), tok)
		if resp, _ := fhirGet(t, app, base, "Patient/p1"); resp.StatusCode != 200 {
			t.Errorf("read with the narrowed token: %d", resp.StatusCode)
		}
		evs := simulatedEvents(t, base, s.ID)
		if len(evs) != 1 || evs[0].Kind != "code.issued" {
			t.Errorf("events: %+v", evs)
		}

		// A subset that keeps none of the requested scopes is a denial.
		s = setSimulation(t, base, map[string]any{"kind": "authorize.consent_subset", "client_id": c.ID, "scope": "user/*.rs"})
		resp, _ = authorize("st2")
		loc, _ = url.Parse(resp.Header.Get("Location"))
		if loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "st2" {
			t.Errorf("nothing granted: %s", loc)
		}
		if evs := simulatedEvents(t, base, s.ID); len(evs) != 1 || evs[0].Kind != "consent.denied" {
			t.Errorf("events: %+v", evs)
		}
	})
}

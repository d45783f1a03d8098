package auth_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// page reads an HTML page the browser landed on (not a redirect to the app).
func page(t *testing.T, resp *http.Response) string {
	t.Helper()
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("want a page, got %d %s (%s)", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	return string(body)
}

// again wraps a page's body in a response that submit can read once more.
func again(resp *http.Response, body string) *http.Response {
	resp.Body = io.NopCloser(strings.NewReader(body))
	return resp
}

// errorRedirect asserts a redirect to the app with error and the request's state, and no page.
func errorRedirect(t *testing.T, resp *http.Response, state, wantErr string) url.Values {
	t.Helper()
	q := codeFrom(t, resp, state)
	if q.Get("error") != wantErr || q.Get("state") != state || q.Get("code") != "" {
		t.Errorf("redirect %v, want error=%s state=%s", q, wantErr, state)
	}
	return q
}

// signIn signs dr1 in through the pages of a client that presets the patient and approves: the browser
// then has a session.
func (s *sandbox) signIn(t *testing.T, b *http.Client, c client) {
	t.Helper()
	cfg := s.oauth(c, "launch/patient", "patient/*.rs")
	resp := s.start(t, b, cfg, oauth2.GenerateVerifier(), "in")
	codeFrom(t, submit(t, b, resp, "/auth/login", url.Values{"user": {"Practitioner/dr1"}}), "in")
}

// prompt=none answers login_required, consent_required or interaction_required by redirect, never a page;
// with a session and nothing to ask it issues the code silently.
func TestPromptNone(t *testing.T) {
	s := newSandbox(t)
	auto := s.register(map[string]any{"client_name": "Auto", "redirect_uris": []string{redirect}, "valet_patient": "p1", "valet_auto_approve": true})
	asks := s.register(map[string]any{"client_name": "Asks", "redirect_uris": []string{redirect}, "valet_patient": "p1"})
	picks := s.register(map[string]any{"client_name": "Picks", "redirect_uris": []string{redirect}, "valet_auto_approve": true})
	none := oauth2.SetAuthURLParam("prompt", "none")
	b := browser()
	errorRedirect(t, s.start(t, b, s.oauth(auto, "launch/patient", "patient/*.rs"), oauth2.GenerateVerifier(), "n1", none), "n1", "login_required")
	s.signIn(t, b, auto)
	errorRedirect(t, s.start(t, b, s.oauth(asks, "launch/patient", "patient/*.rs"), oauth2.GenerateVerifier(), "n2", none), "n2", "consent_required")
	errorRedirect(t, s.start(t, b, s.oauth(picks, "launch/patient", "patient/*.rs"), oauth2.GenerateVerifier(), "n3", none), "n3", "interaction_required")
	errorRedirect(t, s.start(t, b, s.oauth(auto, "launch/patient", "patient/*.rs"), oauth2.GenerateVerifier(), "n4",
		oauth2.SetAuthURLParam("prompt", "none login")), "n4", "invalid_request")
	// Signed in and nothing to ask: a code, silently, for the session's user.
	cfg := s.oauth(auto, "launch/patient", "openid", "fhirUser", "patient/*.rs")
	v := oauth2.GenerateVerifier()
	q := codeFrom(t, s.start(t, b, cfg, v, "n5", none), "n5")
	tok, err := cfg.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	if fu := claimsOf(t, tok.Extra("id_token").(string))["fhirUser"]; fu != s.fhir+"/Practitioner/dr1" {
		t.Errorf("silent sign-in as %v", fu)
	}
}

// The OIDC discovery document lists the prompt values authorize honours, read as go-oidc reads it.
func TestDiscoveryPromptValues(t *testing.T) {
	s := newSandbox(t)
	provider, err := oidc.NewProvider(context.Background(), s.fhir)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Prompts []string `json:"prompt_values_supported"`
	}
	if err := provider.Claims(&doc); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(doc.Prompts, " "); got != "none login consent select_account" {
		t.Errorf("prompt_values_supported = %q, want none login consent select_account", got)
	}
}

// prompt=login shows the sign-in page despite a session; max_age asks again only when the session is
// older; auth_time in the id_token is when the user signed in.
func TestPromptLoginAndMaxAge(t *testing.T) {
	s := newSandbox(t)
	ctx := context.Background()
	c := s.register(map[string]any{"client_name": "Step-up", "redirect_uris": []string{redirect}, "valet_patient": "p1", "valet_auto_approve": true})
	b := browser()
	s.signIn(t, b, c)
	signedIn := s.clock.Now()
	cfg := s.oauth(c, "launch/patient", "openid", "fhirUser", "patient/*.rs")
	provider, err := oidc.NewProvider(ctx, s.fhir)
	if err != nil {
		t.Fatal(err)
	}
	// authTime exchanges the code with x/oauth2, verifies the id_token with go-oidc and returns its auth_time.
	authTime := func(resp *http.Response, v, state string) time.Time {
		t.Helper()
		tok, err := cfg.Exchange(ctx, codeFrom(t, resp, state).Get("code"), oauth2.VerifierOption(v))
		if err != nil {
			t.Fatal(err)
		}
		idt, err := provider.Verifier(&oidc.Config{ClientID: c.ID}).Verify(ctx, tok.Extra("id_token").(string))
		if err != nil {
			t.Fatal(err)
		}
		var claims struct {
			AuthTime int64 `json:"auth_time"`
		}
		if err := idt.Claims(&claims); err != nil || claims.AuthTime == 0 {
			t.Fatalf("id_token without auth_time: %v", err)
		}
		return time.Unix(claims.AuthTime, 0)
	}
	// Two minutes later (sandbox clock), max_age=600: the session is young enough, no page.
	s.setClock(t, 120)
	v := oauth2.GenerateVerifier()
	at := authTime(s.start(t, b, cfg, v, "m1", oauth2.SetAuthURLParam("max_age", "600")), v, "m1")
	if d := at.Sub(signedIn); d < -2*time.Second || d > 2*time.Second {
		t.Errorf("auth_time %v, want the sign-in at %v", at, signedIn)
	}
	// max_age=60: older than that, so the sign-in page; signing in again gives a new auth_time.
	v = oauth2.GenerateVerifier()
	resp := s.start(t, b, cfg, v, "m2", oauth2.SetAuthURLParam("max_age", "60"))
	body := page(t, resp)
	if !strings.Contains(body, `action="/auth/login"`) {
		t.Fatalf("max_age=60 after 120 s: not the sign-in page: %s", body)
	}
	at = authTime(submit(t, b, again(resp, body), "/auth/login", url.Values{"user": {"Practitioner/dr1"}}), v, "m2")
	if d := at.Sub(s.clock.Now().Add(120 * time.Second)); d < -2*time.Second || d > 2*time.Second {
		t.Errorf("auth_time after signing in again %v, want now (sandbox)", at)
	}
	// prompt=login: the sign-in page although the session is fresh.
	resp = s.start(t, b, cfg, oauth2.GenerateVerifier(), "m3", oauth2.SetAuthURLParam("prompt", "login"))
	if body := page(t, resp); !strings.Contains(body, `action="/auth/login"`) {
		t.Errorf("prompt=login: not the sign-in page")
	}
	errorRedirect(t, s.start(t, b, cfg, oauth2.GenerateVerifier(), "m4", oauth2.SetAuthURLParam("max_age", "-1")), "m4", "invalid_request")
}

// login_hint preselects the user on the sign-in page, as a reference or as the fhirUser URL.
func TestLoginHint(t *testing.T) {
	s := newSandbox(t)
	c := s.register(map[string]any{"client_name": "Hint", "redirect_uris": []string{redirect}, "valet_patient": "p1", "valet_auto_approve": true})
	cfg := s.oauth(c, "launch/patient", "patient/*.rs")
	for _, hint := range []string{"Patient/p2", s.fhir + "/Patient/p2"} {
		body := page(t, s.start(t, browser(), cfg, oauth2.GenerateVerifier(), "h", oauth2.SetAuthURLParam("login_hint", hint)))
		if !strings.Contains(body, `value="Patient/p2" checked`) || strings.Count(body, " checked") != 1 {
			t.Errorf("login_hint=%s: Patient/p2 is not the one preselected user", hint)
		}
	}
}

// A sign-in session that ends between sign-in and consent: approving shows the sign-in page again with a
// note (the app hears nothing), and after signing in again the consent page comes back and the app gets
// its code with its state.
func TestSessionEndsBeforeConsent(t *testing.T) {
	s := newSandbox(t)
	c := s.register(map[string]any{"client_name": "Slow", "redirect_uris": []string{redirect}, "valet_patient": "p1"})
	b := browser()
	resp := s.start(t, b, s.oauth(c, "launch/patient", "patient/*.rs"), oauth2.GenerateVerifier(), "slow")
	resp = submit(t, b, resp, "/auth/login", url.Values{"user": {"Practitioner/dr1"}})
	consentPage := page(t, resp)
	if !strings.Contains(consentPage, `action="/auth/consent"`) {
		t.Fatalf("not the consent page: %s", consentPage)
	}
	var list []struct{ ID string }
	if s.api("GET", "/api/sessions?user=Practitioner/dr1", nil, &list); len(list) != 1 {
		t.Fatalf("sessions: %+v", list)
	}
	if code, m := s.expire(t, map[string]any{"session": list[0].ID}); code != 200 || m["expired"] != "session" {
		t.Fatalf("expire session: %d %v", code, m)
	}
	resp = submit(t, b, again(resp, consentPage), "/auth/consent", url.Values{"decision": {"approve"}, "scope": {"launch/patient", "patient/*.rs"}})
	body := page(t, resp)
	if !strings.Contains(body, `action="/auth/login"`) || !strings.Contains(body, "sign-in session has ended") {
		t.Fatalf("approve after the session ended: %s", body)
	}
	resp = submit(t, b, again(resp, body), "/auth/login", url.Values{"user": {"Practitioner/dr1"}})
	body = page(t, resp)
	resp = submit(t, b, again(resp, body), "/auth/consent", url.Values{"decision": {"approve"}, "scope": {"launch/patient", "patient/*.rs"}})
	if q := codeFrom(t, resp, "slow"); q.Get("code") == "" {
		t.Errorf("after signing in again: %v", q)
	}
	var evs []event
	s.api("GET", "/api/events?client="+c.ID, nil, &evs)
	found := false
	for _, e := range evs {
		found = found || e.Kind == "session.expired"
	}
	if !found {
		t.Error("no session.expired event")
	}
}

// The patient picker cancelled: access_denied with the request's state, by redirect.
func TestPatientPickerCancelled(t *testing.T) {
	s := newSandbox(t)
	c := s.register(map[string]any{"client_name": "Picker", "redirect_uris": []string{redirect}, "valet_auto_approve": true})
	b := browser()
	resp := s.start(t, b, s.oauth(c, "launch/patient", "patient/*.rs"), oauth2.GenerateVerifier(), "pick")
	resp = submit(t, b, resp, "/auth/login", url.Values{"user": {"Practitioner/dr1"}})
	body := page(t, resp)
	if !strings.Contains(body, `action="/auth/select-patient"`) || !strings.Contains(body, `value="cancel"`) {
		t.Fatalf("not the picker with a cancel button: %s", body)
	}
	q := errorRedirect(t, submit(t, b, again(resp, body), "/auth/select-patient", url.Values{"decision": {"cancel"}}), "pick", "access_denied")
	if !strings.Contains(q.Get("error_description"), "cancelled the patient picker") {
		t.Errorf("error_description %q", q.Get("error_description"))
	}
}

// A patient who signs in and is asked for user/ scopes is offered patient/ scopes for themself, the
// consent page says so, the token response grants those, and the FHIR server confines them to the patient.
func TestPatientUserAskedForUserScopes(t *testing.T) {
	s := newSandbox(t)
	ctx := context.Background()
	c := s.register(map[string]any{"client_name": "Portal", "redirect_uris": []string{redirect}})
	cfg := s.oauth(c, "launch/patient", "openid", "fhirUser", "user/Patient.rs", "user/Observation.rs")
	b := browser()
	v := oauth2.GenerateVerifier()
	resp := submit(t, b, s.start(t, b, cfg, v, "pt"), "/auth/login", url.Values{"user": {"Patient/p1"}})
	body := page(t, resp)
	for _, want := range []string{`value="patient/Patient.rs" checked`, `value="patient/Observation.rs" checked`, "narrowed from user/ because you signed in as a patient"} {
		if !strings.Contains(body, want) {
			t.Errorf("consent page lacks %q", want)
		}
	}
	if strings.Contains(body, `value="user/`) {
		t.Error("the consent page offers a user/ scope to a patient")
	}
	resp = submit(t, b, again(resp, body), "/auth/consent", url.Values{"decision": {"approve"},
		"scope": {"launch/patient", "openid", "fhirUser", "patient/Patient.rs", "patient/Observation.rs", "user/Patient.rs"}})
	tok, err := cfg.Exchange(ctx, codeFrom(t, resp, "pt").Get("code"), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	if tok.Extra("scope") != "launch/patient openid fhirUser patient/Patient.rs patient/Observation.rs" || tok.Extra("patient") != "p1" {
		t.Errorf("token response scope %q patient %v", tok.Extra("scope"), tok.Extra("patient"))
	}
	h := cfg.Client(ctx, tok)
	for path, want := range map[string]int{"Patient/p1": 200, "Patient/p2": 404} {
		resp, err := h.Get(s.fhir + "/" + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
}

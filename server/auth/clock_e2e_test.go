package auth_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// setClock moves the sandbox clock through the control API, as the panel and scenario files do.
func (s *sandbox) setClock(t *testing.T, offset int) {
	t.Helper()
	var c struct {
		OffsetSeconds int       `json:"offset_seconds"`
		Now           time.Time `json:"now"`
	}
	if code := s.api("PUT", "/api/clock", map[string]any{"offset_seconds": offset}, &c); code != 200 || c.OffsetSeconds != offset {
		t.Fatalf("PUT /api/clock %d: %d %+v", offset, code, c)
	}
	if d := c.Now.Sub(s.clock.Now().Add(time.Duration(offset) * time.Second)); d < -2*time.Second || d > 2*time.Second {
		t.Fatalf("sandbox now %v is not the clock moved by %d s", c.Now, offset)
	}
}

// claimsOf decodes a JWT's payload (its signature is checked elsewhere, by the verifier or go-oidc).
func claimsOf(t *testing.T, jwt string) map[string]any {
	t.Helper()
	return jwtPart(t, jwt, 1)
}

// ehrLaunch runs an auto-approved EHR launch of c (extra fields go into POST /api/launches) and exchanges
// its code with golang.org/x/oauth2.
func (s *sandbox) ehrLaunch(t *testing.T, c client, extra map[string]any, scopes ...string) (*oauth2.Config, *oauth2.Token) {
	t.Helper()
	body := map[string]any{"client_id": c.ID, "patient": "p1", "user": "Practitioner/dr1", "auto_approve": true}
	for k, v := range extra {
		body[k] = v
	}
	var l struct{ Launch string }
	if code := s.api("POST", "/api/launches", body, &l); code != 201 {
		t.Fatalf("launch: %d", code)
	}
	cfg := s.oauth(c, append([]string{"launch"}, scopes...)...)
	v := oauth2.GenerateVerifier()
	q := codeFrom(t, s.start(t, browser(), cfg, v, "st", oauth2.SetAuthURLParam("launch", l.Launch)), "st")
	tok, err := cfg.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	return cfg, tok
}

// fhirRead reads Patient/p1 with an access token: the status and the WWW-Authenticate header.
func (s *sandbox) fhirRead(t *testing.T, accessToken string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.fhir+"/Patient/p1", nil)
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate")
}

func near(t *testing.T, what string, got any, want time.Time) {
	t.Helper()
	f, _ := got.(float64)
	if d := time.Unix(int64(f), 0).Sub(want); d < -3*time.Second || d > 3*time.Second {
		t.Errorf("%s = %v, want about %v (off by %v)", what, time.Unix(int64(f), 0).UTC(), want.UTC(), d)
	}
}

// The clock offset moves iat and exp of every token issued and every expiry check made: an access token
// issued an hour ahead expires when the clock passes its exp, while a real client (go-oidc, on the
// computer's clock) still accepts its id_token; an id_token issued two hours behind is refused by that
// client as expired — the clock skew an app meets at an EHR whose clock is wrong.
func TestClockOffsetMovesIssuedTokensAndChecks(t *testing.T) {
	s := newSandbox(t)
	ctx := context.Background()
	c := s.register(map[string]any{"client_name": "Clock", "redirect_uris": []string{redirect}, "launch_uri": "http://app.example/launch"})
	s.setClock(t, 3600)
	var st struct {
		ClockOffsetSeconds int `json:"clock_offset_seconds"`
	}
	if s.api("GET", "/api/status", nil, &st); st.ClockOffsetSeconds != 3600 {
		t.Errorf("status clock_offset_seconds = %d, want 3600", st.ClockOffsetSeconds)
	}
	cfg, tok := s.ehrLaunch(t, c, nil, "openid", "fhirUser", "offline_access", "patient/*.rs")
	ahead := s.clock.Now().Add(time.Hour)
	at, idt := claimsOf(t, tok.AccessToken), claimsOf(t, tok.Extra("id_token").(string))
	near(t, "access token iat", at["iat"], ahead)
	near(t, "access token exp", at["exp"], ahead.Add(time.Hour))
	near(t, "id_token iat", idt["iat"], ahead)
	near(t, "id_token auth_time", idt["auth_time"], ahead)
	provider, err := oidc.NewProvider(ctx, s.fhir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.Verifier(&oidc.Config{ClientID: c.ID}).Verify(ctx, tok.Extra("id_token").(string)); err != nil {
		t.Errorf("go-oidc refuses an id_token issued an hour ahead: %v", err)
	}
	if code, _ := s.fhirRead(t, tok.AccessToken); code != 200 {
		t.Fatalf("FHIR read with the new token: %d", code)
	}

	// Past the token's exp in sandbox time: 401 invalid_token, expired; the refresh token still works and
	// the new access token is stamped with the moved clock.
	s.setClock(t, 2*3600+5)
	if code, h := s.fhirRead(t, tok.AccessToken); code != 401 || !strings.Contains(h, `error="invalid_token"`) || !strings.Contains(h, "expired") {
		t.Errorf("FHIR read past exp: %d %q", code, h)
	}
	code, m, _ := post(t, s.base+"/auth/introspect", url.Values{"token": {tok.AccessToken}, "client_id": {c.ID}})
	if code != 200 || m["active"] != false {
		t.Errorf("introspection past exp: %d %v", code, m)
	}
	fresh, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	near(t, "refreshed access token iat", claimsOf(t, fresh.AccessToken)["iat"], s.clock.Now().Add(2*time.Hour+5*time.Second))
	if code, _ := s.fhirRead(t, fresh.AccessToken); code != 200 {
		t.Errorf("FHIR read with the refreshed token: %d", code)
	}

	// Two hours behind: the id_token's exp is an hour in the computer's past, and go-oidc says so.
	s.setClock(t, -2*3600)
	_, behind := s.ehrLaunch(t, c, nil, "openid", "fhirUser", "patient/*.rs")
	near(t, "id_token iat behind", claimsOf(t, behind.Extra("id_token").(string))["iat"], s.clock.Now().Add(-2*time.Hour))
	if _, err := provider.Verifier(&oidc.Config{ClientID: c.ID}).Verify(ctx, behind.Extra("id_token").(string)); err == nil ||
		!strings.Contains(err.Error(), "expired") {
		t.Errorf("go-oidc and an id_token from a clock two hours behind: %v, want expired", err)
	}
	// The FHIR server reads the same clock, so the token works there.
	if code, _ := s.fhirRead(t, behind.AccessToken); code != 200 {
		t.Errorf("FHIR read on the same skewed clock: %d", code)
	}
	s.setClock(t, 0)
	if s.api("GET", "/api/status", nil, &st); st.ClockOffsetSeconds != 0 {
		t.Errorf("status after reset: %d", st.ClockOffsetSeconds)
	}
}

// The clock survives a restart (it is stored), and the control API refuses what it cannot be set to.
func TestClockOffsetIsStoredAndChecked(t *testing.T) {
	s := newSandbox(t)
	s.setClock(t, -300)
	s.restart()
	var c struct {
		OffsetSeconds int `json:"offset_seconds"`
	}
	if s.api("GET", "/api/clock", nil, &c); c.OffsetSeconds != -300 {
		t.Errorf("offset after restart = %d, want -300", c.OffsetSeconds)
	}
	for _, body := range []map[string]any{{}, {"offset_seconds": 11 * 365 * 24 * 3600}} {
		var e struct{ Error, Field string }
		if code := s.api("PUT", "/api/clock", body, &e); code != 400 || e.Field != "offset_seconds" {
			t.Errorf("PUT /api/clock %v: %d %+v", body, code, e)
		}
	}
}

// A client assertion's exp and nbf are checked against the sandbox clock: one signed on the computer's
// clock is expired for a sandbox ten minutes ahead, too far ahead for one ten minutes behind, and its nbf
// not reached for one a minute behind.
func TestClientAssertionFollowsTheClock(t *testing.T) {
	s := newSandbox(t)
	k := newBackendKey(t, "ES384")
	c := s.register(map[string]any{"client_name": "bulk", "grant_types": []string{"client_credentials"}, "token_endpoint_auth_method": "private_key_jwt",
		"jwks": k.jwks(), "scope": "system/*.rs"})
	aud := s.base + "/auth/token"
	s.setClock(t, 600)
	if code, m, _ := s.backendToken(k.assertion(t, c.ID, aud, nil, nil), "system/Patient.rs"); code != 401 || m["error"] != "invalid_client" ||
		!strings.Contains(m["error_description"].(string), "expired") {
		t.Errorf("assertion from a clock ten minutes behind the sandbox: %d %v", code, m)
	}
	s.setClock(t, -600)
	if code, m, _ := s.backendToken(k.assertion(t, c.ID, aud, nil, nil), "system/Patient.rs"); code != 401 ||
		!strings.Contains(m["error_description"].(string), "more than 5 minutes ahead") {
		t.Errorf("assertion from a clock ten minutes ahead of the sandbox: %d %v", code, m)
	}
	// nbf too: two minutes into the future of a sandbox ten minutes behind.
	s.setClock(t, -60)
	now := time.Now()
	if code, m, _ := s.backendToken(k.assertion(t, c.ID, aud, map[string]any{"nbf": now.Unix(), "exp": now.Add(2 * time.Minute).Unix()}, nil),
		"system/Patient.rs"); code != 401 || !strings.Contains(m["error_description"].(string), "not valid yet") {
		t.Errorf("assertion with an nbf a minute ahead of the sandbox: %d %v", code, m)
	}
	s.setClock(t, 0)
	code, m, _ := s.backendToken(k.assertion(t, c.ID, aud, nil, nil), "system/Patient.rs")
	if code != 200 {
		t.Fatalf("assertion on the same clock: %d %v", code, m)
	}
	near(t, "backend token iat", claimsOf(t, m["access_token"].(string))["iat"], s.clock.Now())
}

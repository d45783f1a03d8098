package auth_test

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// expire calls POST /api/expire and returns the status and the body.
func (s *sandbox) expire(t *testing.T, body map[string]any) (int, map[string]any) {
	t.Helper()
	var m map[string]any
	code := s.api("POST", "/api/expire", body, &m)
	return code, m
}

// oauthErr is the error x/oauth2 reports for a token endpoint refusal.
func oauthErr(t *testing.T, err error) *oauth2.RetrieveError {
	t.Helper()
	re, ok := err.(*oauth2.RetrieveError)
	if !ok {
		t.Fatalf("want a token endpoint error, got %v", err)
	}
	return re
}

// Expire now, each kind: the credential fails as one past its lifetime does, on the wire a real client sees.
func TestExpireNow(t *testing.T) {
	s := newSandbox(t)
	ctx := context.Background()
	c := s.register(map[string]any{"client_name": "Expire", "redirect_uris": []string{redirect}, "launch_uri": "http://app.example/launch"})

	t.Run("access token", func(t *testing.T) {
		_, tok := s.ehrLaunch(t, c, nil, "patient/*.rs")
		_, other := s.ehrLaunch(t, c, nil, "patient/*.rs")
		if code, _ := s.fhirRead(t, tok.AccessToken); code != 200 {
			t.Fatalf("before: %d", code)
		}
		if code, m := s.expire(t, map[string]any{"access_token": tok.AccessToken}); code != 200 || m["expired"] != "access_token" {
			t.Fatalf("expire: %d %v", code, m)
		}
		if code, h := s.fhirRead(t, tok.AccessToken); code != 401 || !strings.Contains(h, `error="invalid_token"`) || !strings.Contains(h, "expired") {
			t.Errorf("after expire: %d %q", code, h)
		}
		if code, _ := s.fhirRead(t, other.AccessToken); code != 200 {
			t.Errorf("another token: %d", code)
		}
		// By jti, as the Flows view knows it.
		if code, m := s.expire(t, map[string]any{"jti": claimsOf(t, other.AccessToken)["jti"]}); code != 200 {
			t.Fatalf("expire by jti: %d %v", code, m)
		}
		if code, _ := s.fhirRead(t, other.AccessToken); code != 401 {
			t.Errorf("after expire by jti: %d", code)
		}
	})

	t.Run("refresh token", func(t *testing.T) {
		cfg, tok := s.ehrLaunch(t, c, nil, "offline_access", "patient/*.rs")
		if code, m := s.expire(t, map[string]any{"refresh_token": tok.RefreshToken}); code != 200 || m["expired"] != "refresh_token" {
			t.Fatalf("expire: %d %v", code, m)
		}
		_, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		if re := oauthErr(t, err); re.Response.StatusCode != 400 || re.ErrorCode != "invalid_grant" || !strings.Contains(re.ErrorDescription, "expired") {
			t.Errorf("refresh after expire: %v", err)
		}
		// By grant, as the Flows view knows it (valet_grant); the access token lives on.
		cfg, tok = s.ehrLaunch(t, c, nil, "offline_access", "patient/*.rs")
		if code, m := s.expire(t, map[string]any{"grant": claimsOf(t, tok.AccessToken)["valet_grant"]}); code != 200 {
			t.Fatalf("expire by grant: %d %v", code, m)
		}
		if _, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); oauthErr(t, err).ErrorCode != "invalid_grant" {
			t.Errorf("refresh after expire by grant: %v", err)
		}
		if code, _ := s.fhirRead(t, tok.AccessToken); code != 200 {
			t.Errorf("the access token after its refresh token expired: %d", code)
		}
		if code, m := s.expire(t, map[string]any{"refresh_token": tok.RefreshToken}); code != 404 {
			t.Errorf("expire twice: %d %v", code, m)
		}
	})

	t.Run("code", func(t *testing.T) {
		var l struct{ Launch string }
		s.api("POST", "/api/launches", map[string]any{"client_id": c.ID, "patient": "p1", "user": "Practitioner/dr1", "auto_approve": true}, &l)
		cfg := s.oauth(c, "launch", "patient/*.rs")
		v := oauth2.GenerateVerifier()
		q := codeFrom(t, s.start(t, browser(), cfg, v, "st", oauth2.SetAuthURLParam("launch", l.Launch)), "st")
		if code, m := s.expire(t, map[string]any{"code": q.Get("code")}); code != 200 || m["expired"] != "code" {
			t.Fatalf("expire: %d %v", code, m)
		}
		_, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(v))
		if re := oauthErr(t, err); re.ErrorCode != "invalid_grant" || !strings.Contains(re.ErrorDescription, "expired") {
			t.Errorf("exchange after expire: %v", err)
		}
	})

	t.Run("launch", func(t *testing.T) {
		var l struct{ Launch string }
		s.api("POST", "/api/launches", map[string]any{"client_id": c.ID, "patient": "p1", "user": "Practitioner/dr1", "auto_approve": true}, &l)
		if code, m := s.expire(t, map[string]any{"launch": l.Launch}); code != 200 || m["expired"] != "launch" {
			t.Fatalf("expire: %d %v", code, m)
		}
		cfg := s.oauth(c, "launch", "patient/*.rs")
		q := codeFrom(t, s.start(t, browser(), cfg, oauth2.GenerateVerifier(), "st", oauth2.SetAuthURLParam("launch", l.Launch)), "st")
		if q.Get("error") != "invalid_request" || !strings.Contains(q.Get("error_description"), "expired") || q.Get("state") != "st" {
			t.Errorf("authorize with an expired launch: %v", q)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		for _, body := range []map[string]any{{}, {"launch": "a", "code": "b"}} {
			if code, m := s.expire(t, body); code != 400 {
				t.Errorf("%v: %d %v", body, code, m)
			}
		}
		if code, m := s.expire(t, map[string]any{"access_token": "not.a.token"}); code != 400 || m["field"] != "access_token" {
			t.Errorf("bad access token: %d %v", code, m)
		}
		for _, body := range []map[string]any{{"launch": "nope"}, {"code": "nope"}, {"flow": "nope"}, {"session": "nope"}, {"grant": "nope"}} {
			if code, m := s.expire(t, body); code != 404 {
				t.Errorf("%v: %d %v", body, code, m)
			}
		}
	})
}

// Lifetimes down to one second, per launch: the token response says so, and one second later in sandbox
// time the access token and the refresh token are expired.
func TestLaunchLifetimes(t *testing.T) {
	s := newSandbox(t)
	ctx := context.Background()
	c := s.register(map[string]any{"client_name": "Short", "redirect_uris": []string{redirect}, "launch_uri": "http://app.example/launch",
		"refresh_token_lifetime": 600})
	cfg, tok := s.ehrLaunch(t, c, map[string]any{"access_token_lifetime": 1, "refresh_token_lifetime": 2}, "offline_access", "patient/*.rs")
	if tok.Extra("expires_in").(float64) != 1 {
		t.Errorf("expires_in = %v, want 1", tok.Extra("expires_in"))
	}
	at := claimsOf(t, tok.AccessToken)
	if at["exp"].(float64)-at["iat"].(float64) != 1 {
		t.Errorf("exp - iat = %v", at["exp"].(float64)-at["iat"].(float64))
	}
	s.setClock(t, 1)
	if code, h := s.fhirRead(t, tok.AccessToken); code != 401 || !strings.Contains(h, "expired") {
		t.Errorf("one second later: %d %q", code, h)
	}
	// The refresh token (2 s) still works, and its access token lasts the launch's second too.
	fresh, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil || fresh.Extra("expires_in").(float64) != 1 {
		t.Fatalf("refresh: %v %v", err, fresh)
	}
	s.setClock(t, 4)
	if _, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: fresh.RefreshToken}).Token(); oauthErr(t, err).ErrorCode != "invalid_grant" ||
		!strings.Contains(oauthErr(t, err).ErrorDescription, "expired") {
		t.Errorf("refresh past the launch's refresh lifetime: %v", err)
	}
	// A launch may shorten the client's lifetimes, not lengthen them.
	for field, v := range map[string]int{"access_token_lifetime": 7200, "refresh_token_lifetime": 601, "access_token_lifetime ": -1} {
		var e struct{ Error, Field string }
		field = strings.TrimSpace(field)
		if code := s.api("POST", "/api/launches", map[string]any{"client_id": c.ID, field: v}, &e); code != 400 || e.Field != field {
			t.Errorf("launch %s=%d: %d %+v", field, v, code, e)
		}
	}
}

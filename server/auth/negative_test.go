package auth_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

func post(t *testing.T, u string, form url.Values, basic ...string) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if len(basic) == 2 {
		req.SetBasicAuth(basic[0], basic[1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m, resp.Header
}

// TestNegatives covers checklist section 6 and the errors at the authorization and token endpoints.
func TestNegatives(t *testing.T) {
	s := newSandbox(t)
	ctx := context.Background()
	c := s.register(map[string]any{"client_name": "N", "redirect_uris": []string{redirect}, "token_endpoint_auth_method": "client_secret_basic",
		"valet_user": "Practitioner/dr1", "valet_patient": "p1", "valet_auto_approve": true})
	other := s.register(map[string]any{"client_name": "O", "redirect_uris": []string{redirect}})
	cfg := s.oauth(c, "launch/patient", "openid", "fhirUser", "patient/*.rs")
	tokenURL := s.base + "/auth/token"
	code := func(state string) (string, string) {
		v := oauth2.GenerateVerifier()
		return codeFrom(t, s.start(t, browser(), cfg, v, state), state).Get("code"), v
	}
	exchange := func(form url.Values, basic ...string) (int, map[string]any) {
		form.Set("grant_type", "authorization_code")
		if _, ok := form["redirect_uri"]; !ok {
			form.Set("redirect_uri", redirect)
		}
		if len(basic) == 0 {
			basic = []string{c.ID, c.Secret}
		}
		st, m, h := post(t, tokenURL, form, basic...)
		if h.Get("Cache-Control") != "no-store" || h.Get("Pragma") != "no-cache" {
			t.Errorf("token response without no-store headers")
		}
		return st, m
	}

	t.Run("6.1 wrong aud → error redirect, no code", func(t *testing.T) {
		resp, _ := browser().Get(cfg.AuthCodeURL("x", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("aud", "http://evil.example/fhir")))
		q := codeFrom(t, resp, "x")
		if q.Get("code") != "" || q.Get("error") != "invalid_request" {
			t.Errorf("%v", q)
		}
	})
	t.Run("plain PKCE and missing PKCE and missing state refused", func(t *testing.T) {
		for _, opts := range [][]oauth2.AuthCodeOption{
			{oauth2.SetAuthURLParam("code_challenge", strings.Repeat("a", 43)), oauth2.SetAuthURLParam("code_challenge_method", "plain"), oauth2.SetAuthURLParam("aud", s.fhir)},
			{oauth2.SetAuthURLParam("aud", s.fhir)},
		} {
			resp, _ := browser().Get(cfg.AuthCodeURL("x", opts...))
			if q := codeFrom(t, resp, "x"); q.Get("error") != "invalid_request" || q.Get("code") != "" {
				t.Errorf("%v", q)
			}
		}
		resp, _ := browser().Get(strings.Replace(cfg.AuthCodeURL("", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("aud", s.fhir)), "state=&", "", 1))
		if q := codeFrom(t, resp, ""); q.Get("error") != "invalid_request" {
			t.Errorf("no state: %v", q)
		}
	})
	t.Run("unregistered redirect_uri and unknown client → error page, never a redirect", func(t *testing.T) {
		bad := *cfg
		bad.RedirectURL = "https://evil.example/cb"
		resp, _ := browser().Get(bad.AuthCodeURL("x", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("aud", s.fhir)))
		if resp.StatusCode != 400 || resp.Header.Get("Location") != "" {
			t.Errorf("unregistered redirect: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		bad = *cfg
		bad.ClientID = "nobody"
		resp, _ = browser().Get(bad.AuthCodeURL("x", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("aud", s.fhir)))
		if resp.StatusCode != 400 || resp.Header.Get("Location") != "" {
			t.Errorf("unknown client: %d", resp.StatusCode)
		}
	})
	t.Run("6.2 bad code", func(t *testing.T) {
		if st, m := exchange(url.Values{"code": {"BAD_CODE"}, "code_verifier": {oauth2.GenerateVerifier()}}); st != 400 || m["error"] != "invalid_grant" {
			t.Errorf("%d %v", st, m)
		}
	})
	t.Run("6.3 code of another client", func(t *testing.T) {
		cd, v := code("o")
		st, m, _ := post(t, tokenURL, url.Values{"grant_type": {"authorization_code"}, "code": {cd}, "code_verifier": {v}, "redirect_uri": {redirect}, "client_id": {other.ID}})
		if st != 400 || m["error"] != "invalid_grant" {
			t.Errorf("%d %v", st, m)
		}
	})
	t.Run("6.4 PKCE verifier omitted, empty, wrong, equal to challenge", func(t *testing.T) {
		for _, bad := range []func(v string) url.Values{
			func(v string) url.Values { return url.Values{} },
			func(v string) url.Values { return url.Values{"code_verifier": {""}} },
			func(v string) url.Values { return url.Values{"code_verifier": {oauth2.GenerateVerifier()}} },
			func(v string) url.Values { return url.Values{"code_verifier": {oauth2.S256ChallengeFromVerifier(v)}} },
		} {
			cd, v := code("p")
			f := bad(v)
			f.Set("code", cd)
			if st, m := exchange(f); st != 400 || m["error"] != "invalid_grant" {
				t.Errorf("%d %v", st, m)
			}
		}
	})
	t.Run("redirect_uri mismatch at token", func(t *testing.T) {
		cd, v := code("r")
		if st, m := exchange(url.Values{"code": {cd}, "code_verifier": {v}, "redirect_uri": {"https://app.example/other"}}); st != 400 || m["error"] != "invalid_grant" {
			t.Errorf("%d %v", st, m)
		}
	})
	t.Run("6.6 reused code → invalid_grant and its tokens revoked", func(t *testing.T) {
		cd, v := code("u")
		st, m := exchange(url.Values{"code": {cd}, "code_verifier": {v}})
		if st != 200 {
			t.Fatalf("%d %v", st, m)
		}
		if _, err := s.srv.Verifier().Verify(ctx, m["access_token"].(string)); err != nil {
			t.Fatal(err)
		}
		if st, m2 := exchange(url.Values{"code": {cd}, "code_verifier": {v}}); st != 400 || m2["error"] != "invalid_grant" {
			t.Errorf("%d %v", st, m2)
		}
		if _, err := s.srv.Verifier().Verify(ctx, m["access_token"].(string)); err == nil {
			t.Error("token from a replayed code still verifies")
		}
	})
	t.Run("client auth failure → 401 invalid_client + WWW-Authenticate with Basic", func(t *testing.T) {
		cd, v := code("b")
		st, m, h := post(t, tokenURL, url.Values{"grant_type": {"authorization_code"}, "code": {cd}, "code_verifier": {v}, "redirect_uri": {redirect}}, c.ID, "wrong")
		if st != 401 || m["error"] != "invalid_client" || h.Get("WWW-Authenticate") == "" {
			t.Errorf("%d %v %q", st, m, h.Get("WWW-Authenticate"))
		}
		st, m, _ = post(t, tokenURL, url.Values{"grant_type": {"authorization_code"}, "code": {cd}, "code_verifier": {v}, "redirect_uri": {redirect}, "client_id": {c.ID}})
		if st != 401 || m["error"] != "invalid_client" {
			t.Errorf("confidential client without secret: %d %v", st, m)
		}
	})
	t.Run("introspection and revocation", func(t *testing.T) {
		cd, v := code("i")
		_, m := exchange(url.Values{"code": {cd}, "code_verifier": {v}})
		at := m["access_token"].(string)
		_, in, _ := post(t, s.base+"/auth/introspect", url.Values{"token": {at}}, c.ID, c.Secret)
		if in["active"] != true || in["patient"] != "p1" || in["client_id"] != c.ID || in["scope"] != m["scope"] || in["fhirUser"] == nil {
			t.Errorf("introspect: %v", in)
		}
		_, in, _ = post(t, s.base+"/auth/introspect", url.Values{"token": {"invalid"}}, c.ID, c.Secret)
		if len(in) != 1 || in["active"] != false {
			t.Errorf("introspect invalid: %v", in)
		}
		if st, _, _ := post(t, s.base+"/auth/revoke", url.Values{"token": {at}}, c.ID, c.Secret); st != 200 {
			t.Errorf("revoke: %d", st)
		}
		if st, _, _ := post(t, s.base+"/auth/revoke", url.Values{"token": {"unknown"}}, c.ID, c.Secret); st != 200 {
			t.Errorf("revoke unknown: %d", st)
		}
		_, in, _ = post(t, s.base+"/auth/introspect", url.Values{"token": {at}}, c.ID, c.Secret)
		if len(in) != 1 || in["active"] != false {
			t.Errorf("introspect revoked: %v", in)
		}
		if _, err := s.srv.Verifier().Verify(ctx, at); err == nil {
			t.Error("revoked token still verifies")
		}
	})
	t.Run("discovery and CORS", func(t *testing.T) {
		req, _ := http.NewRequest("GET", s.fhir+"/.well-known/smart-configuration", nil)
		req.Header.Set("Origin", "http://app.example")
		resp, _ := http.DefaultClient.Do(req)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var d map[string]any
		_ = json.Unmarshal(body, &d)
		if resp.Header.Get("Access-Control-Allow-Origin") != "http://app.example" || len(d["capabilities"].([]any)) != 20 ||
			!strings.Contains(string(body), `"code_challenge_methods_supported":["S256"]`) {
			t.Errorf("discovery: %s", body)
		}
	})
	t.Run("registration errors", func(t *testing.T) {
		var e map[string]any
		if st := s.api("POST", "/auth/register", map[string]any{"client_name": "x", "redirect_uris": []string{"not a url"}}, &e); st != 400 || e["error"] != "invalid_redirect_uri" {
			t.Errorf("%d %v", st, e)
		}
		if st := s.api("POST", "/auth/register", map[string]any{"client_name": "x", "redirect_uris": []string{redirect}, "token_endpoint_auth_method": "magic"}, &e); st != 400 || e["error"] != "invalid_client_metadata" {
			t.Errorf("%d %v", st, e)
		}
		var ok map[string]any
		if st := s.api("POST", "/auth/register", map[string]any{"client_name": "x", "redirect_uris": []string{redirect}, "token_endpoint_auth_method": "client_secret_post", "valet_auto_approve": true}, &ok); st != 201 || ok["client_secret"] == nil {
			t.Errorf("%d %v", st, ok)
		}
	})
	t.Run("events recorded with secrets redacted", func(t *testing.T) {
		var evs []map[string]any
		s.api("GET", "/api/events?client="+c.ID, nil, &evs)
		raw, _ := json.Marshal(evs)
		if len(evs) < 5 || strings.Contains(string(raw), c.Secret) {
			t.Errorf("%d events; secret leaked=%v", len(evs), strings.Contains(string(raw), c.Secret))
		}
	})
}

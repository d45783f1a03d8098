package auth_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/valet-sandbox/valet/server/store"
)

// TestRedirectURIRules: registration follows RFC 8252 and what real EHRs accept — http only on loopback
// hosts, https elsewhere, a native app's private-use scheme, never a scheme that runs in the browser —
// through the control API and dynamic registration alike; valet_http_redirects, a visible sandbox
// leniency, lets one app use http elsewhere.
func TestRedirectURIRules(t *testing.T) {
	s := newSandbox(t)
	for _, tc := range []struct {
		uri string
		ok  bool
	}{
		{"http://127.0.0.1:3000/cb", true},
		{"http://127.0.0.2/cb", true}, // all of 127/8 is loopback
		{"http://[::1]:8080/cb", true},
		{"http://localhost/cb", true},
		{"http://LOCALHOST:9/cb", true},
		{"https://app.example/cb", true},
		{"https://192.168.1.5:8443/cb", true},
		{"com.example.app:/oauth2redirect", true}, // RFC 8252 §7.1
		{"myapp://callback", true},
		{"http://app.example/cb", false},
		{"http://192.168.1.5/cb", false},
		{"http://localhost.evil.example/cb", false},
		{"http://127.0.0.1.nip.io/cb", false},
		{"http://[::ffff:10.0.0.1]/cb", false},
		{"javascript:alert(1)", false},
		{"data:text/html,hi", false},
		{"https://app.example/cb#frag", false},
	} {
		for _, path := range []string{"/api/clients", "/auth/register"} {
			var e struct{ Error, Field string }
			code := s.api("POST", path, map[string]any{"client_name": "r", "redirect_uris": []string{tc.uri}}, &e)
			if tc.ok && code != 201 {
				t.Errorf("%s %s: %d %+v, want 201", path, tc.uri, code, e)
			}
			if !tc.ok && code != 400 {
				t.Errorf("%s %s: %d, want 400", path, tc.uri, code)
			}
		}
	}

	// The refusal says why and what to do, and names the field.
	var e struct {
		Error, Field string
		Desc         string `json:"error_description"`
	}
	if code := s.api("POST", "/api/clients", map[string]any{"client_name": "r", "redirect_uris": []string{"http://app.example/cb"}}, &e); code != 400 ||
		e.Field != "redirect_uris" || !strings.Contains(e.Error, "must be https") || !strings.Contains(e.Error, "valet_http_redirects") {
		t.Errorf("control API refusal: %d %+v", code, e)
	}
	if code := s.api("POST", "/auth/register", map[string]any{"client_name": "r", "redirect_uris": []string{"http://app.example/cb"}}, &e); code != 400 ||
		e.Error != "invalid_redirect_uri" || !strings.Contains(e.Desc, "127.0.0.1, [::1], localhost") {
		t.Errorf("registration refusal: %d %+v, want invalid_redirect_uri naming the loopback hosts", code, e)
	}

	// The leniency: the app may use http anywhere, and says so in what is stored.
	lenient := map[string]any{"client_name": "lan app", "redirect_uris": []string{"http://app.example/cb"}, "valet_http_redirects": true}
	var c struct {
		ID      string `json:"client_id"`
		Lenient bool   `json:"valet_http_redirects"`
	}
	if code := s.api("POST", "/auth/register", lenient, &c); code != 201 || !c.Lenient {
		t.Fatalf("register with valet_http_redirects from a program: %d %+v", code, c)
	}
	// … but, like every sandbox setting, not from another web page.
	req, _ := http.NewRequest("POST", s.base+"/auth/register", strings.NewReader(`{"client_name":"x","redirect_uris":["http://evil.example/cb"],"valet_http_redirects":true}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "http://evil.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), "valet_http_redirects is a Valet sandbox setting") {
		t.Errorf("valet_http_redirects from another page: %d %s", resp.StatusCode, body)
	}
	if code := s.api("POST", "/api/clients", map[string]any{"client_name": "b", "grant_types": []string{"client_credentials"},
		"jwks_uri": "https://app.example/jwks", "valet_http_redirects": true}, &e); code != 400 || e.Field != "valet_http_redirects" {
		t.Errorf("leniency on a backend service: %d %+v", code, e)
	}
}

// TestAuthorizeAppliesTheRedirectRuleToStoredClients: a client stored before the rule (an older Valet's
// database) with an http redirect URI elsewhere is refused at authorize with an error page — never a
// redirect there — until it is given https or the leniency.
func TestAuthorizeAppliesTheRedirectRuleToStoredClients(t *testing.T) {
	s := newSandbox(t)
	const old = "http://app.example/cb"
	if err := s.db.CreateClient(context.Background(), store.Client{ID: "legacy", Name: "legacy", Type: store.ClientPublic, AuthMethod: "none",
		RedirectURIs: []string{old}, Scope: "openid fhirUser launch/patient patient/*.rs"}); err != nil {
		t.Fatal(err)
	}
	cfg := &oauth2.Config{ClientID: "legacy", RedirectURL: old, Scopes: []string{"launch/patient", "patient/*.rs"},
		Endpoint: oauth2.Endpoint{AuthURL: s.base + "/auth/authorize", TokenURL: s.base + "/auth/token"}}
	get := func() (int, string) {
		resp := s.start(t, browser(), cfg, oauth2.GenerateVerifier(), "st")
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b) + resp.Header.Get("Location")
	}
	if code, page := get(); code != 400 || !strings.Contains(page, "must be https") || strings.Contains(page, "code=") {
		t.Fatalf("legacy http client at authorize: %d %s", code, page)
	}
	if _, err := s.db.UpdateClient(context.Background(), "legacy", func(c *store.Client) error { c.HTTPRedirects = true; return nil }); err != nil {
		t.Fatal(err)
	}
	s.restart() // forgets the cached client
	if code, page := get(); code != 200 || !strings.Contains(page, "/auth/login") {
		t.Errorf("with the leniency: %d, want the sign-in page", code)
	}
}

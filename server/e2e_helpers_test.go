package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/valet-sandbox/valet/server"
	"github.com/valet-sandbox/valet/server/store"
)

// startSandbox runs the whole sandbox (server.New) on a real loopback listener over a fresh on-disk
// database; prepare, when not nil, fills the store before the server starts (it gets the base URL).
func startSandbox(t *testing.T, prepare func(db *store.DB, base string)) (base string, srv *server.Server, db *store.DB) {
	t.Helper()
	return startConfigured(t, false, func(cfg *server.Config) {
		if prepare != nil {
			prepare(cfg.Store, cfg.BaseURL)
		}
	})
}

// startConfigured is startSandbox with https (httptest's certificate) when tls, and configure, when not
// nil, seeing the server's Config (base URL and store filled in) before the server is built.
func startConfigured(t *testing.T, tls bool, configure func(cfg *server.Config)) (base string, srv *server.Server, db *store.DB) {
	t.Helper()
	db, err := store.Open(context.Background(), t.TempDir()+"/valet.db", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	base = "http://" + ts.Listener.Addr().String()
	if tls {
		base = "https://" + ts.Listener.Addr().String()
	}
	cfg := server.Config{BaseURL: base, Store: db}
	if configure != nil {
		configure(&cfg)
	}
	srv, err = server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	if tls {
		ts.StartTLS()
	} else {
		ts.Start()
	}
	t.Cleanup(func() { ts.Close(); srv.Close(); db.Close() })
	return base, srv, db
}

// launch runs an auto-approved EHR launch for clientID through the real authorize and token endpoints
// (PKCE with golang.org/x/oauth2) and returns the token and an HTTP client that sends it.
func launch(t *testing.T, base, clientID, secret, patient, user string, scopes ...string) (*oauth2.Token, *http.Client) {
	t.Helper()
	tok, c, _ := launchWith(t, base, map[string]any{"client_id": clientID, "patient": patient, "user": user, "auto_approve": true},
		secret, scopes...)
	return tok, c
}

// launchWith is launch with the whole body of POST /api/launches; it also returns the launch id.
func launchWith(t *testing.T, base string, body map[string]any, secret string, scopes ...string) (*oauth2.Token, *http.Client, string) {
	t.Helper()
	cfg, code, verifier, l := launchCode(t, base, body, secret, scopes...)
	tok, err := cfg.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	return tok, cfg.Client(context.Background(), tok), l
}

// launchCode creates an EHR launch (the whole body of POST /api/launches) and runs its authorization
// request (auto-approved) to the code; it returns the client's configuration, the code, the PKCE
// verifier and the launch id.
func launchCode(t *testing.T, base string, body map[string]any, secret string, scopes ...string) (*oauth2.Config, string, string, string) {
	t.Helper()
	clientID := body["client_id"].(string)
	var l struct{ Launch string }
	apiJSON(t, base, "POST", "/api/launches", body, 201, &l)
	cfg := &oauth2.Config{ClientID: clientID, ClientSecret: secret, RedirectURL: e2eRedirect, Scopes: scopes,
		Endpoint: oauth2.Endpoint{AuthURL: base + "/auth/authorize", TokenURL: base + "/auth/token", AuthStyle: authStyle(secret)}}
	verifier := oauth2.GenerateVerifier()
	resp, err := browser().Get(cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("aud", base+"/fhir"),
		oauth2.SetAuthURLParam("launch", l.Launch)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Query().Get("code") == "" {
		t.Fatalf("authorize: %d %s", resp.StatusCode, loc)
	}
	return cfg, loc.Query().Get("code"), verifier, l.Launch
}

// authStyle is how a client registered with the control API's defaults authenticates: HTTP Basic with a
// secret (client_secret_basic), client_id in the body without one. Fixed rather than auto-detected, so
// that x/oauth2 does not retry a refused request the other way.
func authStyle(secret string) oauth2.AuthStyle {
	if secret == "" {
		return oauth2.AuthStyleInParams
	}
	return oauth2.AuthStyleInHeader
}

// browser is a user agent with cookies that stops at the app's redirect URI (the app's side).
func browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), e2eRedirect) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// getFHIR sends GET base/fhir/path with h and returns the status and the decoded JSON body.
func getFHIR(t *testing.T, h *http.Client, base, path string) (int, map[string]any) {
	t.Helper()
	resp, err := h.Get(base + "/fhir/" + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server"
	"github.com/valet-sandbox/valet/server/admin"
	"github.com/valet-sandbox/valet/server/scenario"
	"github.com/valet-sandbox/valet/server/store"
)

const sharedPassword = "correct horse battery"

// startShared runs the whole sandbox in shared mode on a real loopback listener (https when tls), with a
// stand-in control panel at "/".
func startShared(t *testing.T, cfg admin.Config, tls bool) (base string, db *store.DB) {
	t.Helper()
	if cfg.Password == "" {
		cfg.Password = sharedPassword
	}
	base, _, db = startConfigured(t, tls, func(c *server.Config) {
		c.UI = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "the control panel") })
		c.Shared = &cfg
	})
	return base, db
}

// adminBrowser is a client with a cookie jar that does not follow redirects, like a browser tab seen one
// response at a time; insecure accepts the test server's certificate.
type adminBrowser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *adminBrowser {
	jar, _ := cookiejar.New(nil)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig.InsecureSkipVerify = true // httptest's own certificate; TLS itself is the tls helper's to test
	return &adminBrowser{t: t, base: base, c: &http.Client{Jar: jar, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *adminBrowser) do(method, path string, body io.Reader, header map[string]string) (*http.Response, string) {
	b.t.Helper()
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, string(raw)
}

// api sends a JSON request, with the CSRF token when withCSRF and a bearer token when key is set.
func (b *adminBrowser) api(method, path string, body any, key string, withCSRF bool) (int, string) {
	b.t.Helper()
	h := map[string]string{"Content-Type": "application/json"}
	if key != "" {
		h["Authorization"] = "Bearer " + key
	}
	if withCSRF {
		h["X-CSRF-Token"] = b.cookie("valet_csrf")
	}
	var r io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		r = bytes.NewReader(raw)
	}
	resp, text := b.do(method, path, r, h)
	return resp.StatusCode, text
}

func (b *adminBrowser) cookie(suffix string) string {
	u, _ := url.Parse(b.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if strings.HasSuffix(c.Name, suffix) {
			return c.Value
		}
	}
	return ""
}

func (b *adminBrowser) signIn(password string) *http.Response {
	b.t.Helper()
	resp, _ := b.do("POST", "/signin", strings.NewReader(url.Values{"password": {password}}.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": b.base})
	return resp
}

// TestSharedAPINeedsSignInOrKey: /api answers 401 to a stranger, 200 to the signed-in admin and to an
// API key; state changes need the session's CSRF token; a revoked key and a signed-out session stop working;
// the healthcheck and the SMART endpoints answer anyone.
func TestSharedAPINeedsSignInOrKey(t *testing.T) {
	base, _ := startShared(t, admin.Config{}, false)
	stranger, admin := newBrowser(t, base), newBrowser(t, base)

	if code, body := stranger.api("GET", "/api/clients", nil, "", false); code != 401 || !strings.Contains(body, "/signin") {
		t.Fatalf("stranger /api/clients: %d %s", code, body)
	}
	if code, body := stranger.api("GET", "/api/status", nil, "", false); code != 200 || !strings.Contains(body, `"shared":true`) {
		t.Fatalf("healthcheck: %d %s", code, body)
	}
	if code, _ := stranger.api("GET", "/fhir/.well-known/smart-configuration", nil, "", false); code != 200 {
		t.Fatalf("discovery must stay open: %d", code)
	}
	if resp, _ := stranger.do("GET", "/", nil, nil); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/signin" {
		t.Fatalf("panel for a stranger: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, body := stranger.do("GET", "/signin", nil, nil); resp.StatusCode != 200 || !strings.Contains(body, `type="password"`) {
		t.Fatalf("sign-in page: %d", resp.StatusCode)
	}

	if resp := admin.signIn("wrong password"); resp.StatusCode != 403 {
		t.Fatalf("wrong password: %d", resp.StatusCode)
	}
	resp := admin.signIn(sharedPassword)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("sign in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, c := range resp.Cookies() {
		if c.SameSite != http.SameSiteStrictMode || c.Secure || (c.Name == "valet_session") != c.HttpOnly {
			t.Errorf("cookie %s: SameSite %v Secure %v HttpOnly %v", c.Name, c.SameSite, c.Secure, c.HttpOnly)
		}
	}
	if resp, body := admin.do("GET", "/", nil, nil); resp.StatusCode != 200 || body != "the control panel" {
		t.Fatalf("panel after sign-in: %d %q", resp.StatusCode, body)
	}
	if code, body := admin.api("GET", "/api/clients", nil, "", false); code != 200 {
		t.Fatalf("admin /api/clients: %d %s", code, body)
	}

	// CSRF: a state change with the session cookie but without the token is refused, with it allowed.
	key := map[string]any{"name": "CI"}
	if code, body := admin.api("POST", "/api/admin/api-keys", key, "", false); code != 403 || !strings.Contains(body, "X-CSRF-Token") {
		t.Fatalf("POST without CSRF token: %d %s", code, body)
	}
	h := map[string]string{"Content-Type": "application/json", "X-CSRF-Token": "not-the-token"}
	if resp, _ := admin.do("POST", "/api/admin/api-keys", strings.NewReader(`{"name":"CI"}`), h); resp.StatusCode != 403 {
		t.Fatalf("POST with a wrong CSRF token: %d", resp.StatusCode)
	}
	code, body := admin.api("POST", "/api/admin/api-keys", key, "", true)
	var created struct{ ID, Secret string }
	if json.Unmarshal([]byte(body), &created); code != 201 || !strings.HasPrefix(created.Secret, "valet_ak_") {
		t.Fatalf("create API key: %d %s", code, body)
	}
	if code, body := admin.api("GET", "/api/admin/api-keys", nil, "", false); code != 200 || strings.Contains(body, created.Secret) ||
		!strings.Contains(body, `"name":"CI"`) {
		t.Fatalf("the list must name the key and never show its secret again: %d %s", code, body)
	}

	// The key works without a session or CSRF token (CI), and stops working when revoked.
	if code, body := stranger.api("GET", "/api/clients", nil, created.Secret, false); code != 200 {
		t.Fatalf("API key GET: %d %s", code, body)
	}
	if code, body := stranger.api("POST", "/api/launches", map[string]any{}, created.Secret, false); code == 401 || code == 403 {
		t.Fatalf("API key POST refused: %d %s", code, body)
	}
	if code, _ := stranger.api("GET", "/api/clients", nil, created.Secret+"x", false); code != 401 {
		t.Fatalf("a wrong key: %d", code)
	}
	if code, body := admin.api("DELETE", "/api/admin/api-keys/"+created.ID, nil, "", true); code != 204 {
		t.Fatalf("revoke: %d %s", code, body)
	}
	if code, _ := stranger.api("GET", "/api/clients", nil, created.Secret, false); code != 401 {
		t.Fatalf("a revoked key still works: %d", code)
	}

	// Sign-out needs the CSRF token too, and ends the session.
	if resp, _ := admin.do("POST", "/signout", nil, nil); resp.StatusCode != 403 {
		t.Fatalf("sign-out without CSRF token: %d", resp.StatusCode)
	}
	session := admin.cookie("valet_session")
	if resp, _ := admin.do("POST", "/signout", nil, map[string]string{"X-CSRF-Token": admin.cookie("valet_csrf")}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", resp.StatusCode)
	}
	replay := newBrowser(t, base)
	u, _ := url.Parse(base)
	replay.c.Jar.SetCookies(u, []*http.Cookie{{Name: "valet_session", Value: session}})
	if code, _ := replay.api("GET", "/api/clients", nil, "", false); code != 401 {
		t.Fatalf("a signed-out session still works: %d", code)
	}
}

// TestSharedSessionCookiesOverTLS: over https the cookies are Secure and carry the __Host- prefix.
func TestSharedSessionCookiesOverTLS(t *testing.T) {
	base, _ := startShared(t, admin.Config{}, true)
	b := newBrowser(t, base)
	resp := b.signIn(sharedPassword)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", resp.StatusCode)
	}
	names := map[string]bool{}
	for _, c := range resp.Cookies() {
		names[c.Name] = true
		if !c.Secure || c.SameSite != http.SameSiteStrictMode || c.Path != "/" {
			t.Errorf("cookie %s: Secure %v SameSite %v Path %q", c.Name, c.Secure, c.SameSite, c.Path)
		}
	}
	if !names["__Host-valet_session"] || !names["__Host-valet_csrf"] {
		t.Fatalf("cookies %v", names)
	}
	if code, body := b.api("POST", "/api/admin/registration-tokens", map[string]any{"name": "class"}, "", true); code != 201 {
		t.Fatalf("a state change over TLS: %d %s", code, body)
	}
}

// TestSharedSignInFromAnotherPage: a sign-in form posted by another origin is refused (login CSRF).
func TestSharedSignInFromAnotherPage(t *testing.T) {
	base, _ := startShared(t, admin.Config{}, false)
	b := newBrowser(t, base)
	resp, _ := b.do("POST", "/signin", strings.NewReader("password="+url.QueryEscape(sharedPassword)),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"})
	if resp.StatusCode != 403 || b.cookie("valet_session") != "" {
		t.Fatalf("cross-site sign-in: %d", resp.StatusCode)
	}
}

// TestSharedSignInRateLimit: attempts beyond the burst are refused with 429 and Retry-After — even with
// the right password — per client address; X-Forwarded-For is believed only from a trusted proxy.
func TestSharedSignInRateLimit(t *testing.T) {
	const burst = 3
	limited := admin.Config{SignInBurst: burst, SignInEvery: time.Hour}
	xff := func(b *adminBrowser, addr, pw string) int {
		resp, _ := b.do("POST", "/signin", strings.NewReader("password="+url.QueryEscape(pw)), map[string]string{
			"Content-Type": "application/x-www-form-urlencoded", "Origin": b.base, "X-Forwarded-For": addr})
		return resp.StatusCode
	}

	t.Run("untrusted peer", func(t *testing.T) {
		base, _ := startShared(t, limited, false)
		b := newBrowser(t, base)
		for i := range burst {
			if code := xff(b, "203.0.113."+string(rune('1'+i)), "wrong password"); code != 403 {
				t.Fatalf("attempt %d: %d", i+1, code)
			}
		}
		// A new X-Forwarded-For from a peer that is not a trusted proxy does not make a new client.
		resp, body := b.do("POST", "/signin", strings.NewReader("password="+url.QueryEscape(sharedPassword)), map[string]string{
			"Content-Type": "application/x-www-form-urlencoded", "Origin": base, "X-Forwarded-For": "198.51.100.7"})
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "Too many sign-in attempts") {
			t.Fatalf("attempt beyond the burst: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	})

	t.Run("trusted proxy", func(t *testing.T) {
		cfg := limited
		cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		base, _ := startShared(t, cfg, false)
		b := newBrowser(t, base)
		for range burst {
			if code := xff(b, "203.0.113.1", "wrong password"); code != 403 {
				t.Fatalf("attempt: %d", code)
			}
		}
		if code := xff(b, "203.0.113.1", sharedPassword); code != 429 {
			t.Fatalf("the same client behind the proxy beyond the burst: %d", code)
		}
		// Another client behind the same proxy has its own attempts; a spoofed hop left of it changes nothing.
		if code := xff(b, "203.0.113.1, 198.51.100.7", sharedPassword); code != http.StatusSeeOther {
			t.Fatalf("another client behind the proxy: %d", code)
		}
		if code := xff(b, "198.51.100.7, 203.0.113.1", sharedPassword); code != 429 {
			t.Fatalf("a spoofed left-hand hop must not make a new client: %d", code)
		}
	})
}

// TestSharedRegistration: /auth/register needs an initial access token (RFC 7591 §3) in shared mode;
// with one a class registers plain clients; the valet_* sandbox fields need the admin's API key; a revoked
// token stops working.
func TestSharedRegistration(t *testing.T) {
	base, _ := startShared(t, admin.Config{}, false)
	adm := newBrowser(t, base)
	if resp := adm.signIn(sharedPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", resp.StatusCode)
	}
	mint := func(path string) (id, secret string) {
		code, body := adm.api("POST", path, map[string]any{"name": "class of May"}, "", true)
		var c struct{ ID, Secret string }
		if json.Unmarshal([]byte(body), &c); code != 201 {
			t.Fatalf("create %s: %d %s", path, code, body)
		}
		return c.ID, c.Secret
	}
	iatID, iat := mint("/api/admin/registration-tokens")
	_, apiKey := mint("/api/admin/api-keys")

	student := newBrowser(t, base)
	plain := map[string]any{"client_name": "Student app", "redirect_uris": []string{"http://127.0.0.1:9000/cb"},
		"token_endpoint_auth_method": "none", "scope": "launch/patient patient/*.rs openid fhirUser"}
	shortcut := map[string]any{"client_name": "Auto", "redirect_uris": []string{"http://127.0.0.1:9000/cb"},
		"token_endpoint_auth_method": "none", "valet_auto_approve": true}

	resp, body := student.do("POST", "/auth/register", strings.NewReader(`{"client_name":"x","redirect_uris":["http://127.0.0.1:9000/cb"]}`),
		map[string]string{"Content-Type": "application/json"})
	if resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "Bearer") || !strings.Contains(body, "invalid_token") ||
		!strings.Contains(body, "initial access token") {
		t.Fatalf("register without a token: %d %s %s", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
	}
	if code, body := student.api("POST", "/auth/register", plain, "valet_iat_guessed", false); code != 401 || !strings.Contains(body, "invalid_token") {
		t.Fatalf("register with a made-up token: %d %s", code, body)
	}
	if code, body := student.api("POST", "/auth/register", plain, iat, false); code != 201 || !strings.Contains(body, `"client_id"`) {
		t.Fatalf("register with the initial access token: %d %s", code, body)
	}
	code, body := student.api("POST", "/auth/register", shortcut, iat, false)
	if code != 400 || !strings.Contains(body, "invalid_client_metadata") || !strings.Contains(body, "valet_auto_approve") {
		t.Fatalf("a sandbox field with only an initial access token: %d %s", code, body)
	}
	if code, body := student.api("POST", "/auth/register", shortcut, apiKey, false); code != 201 {
		t.Fatalf("a sandbox field with the admin's API key: %d %s", code, body)
	}
	if code, body := adm.api("POST", "/auth/register", shortcut, "", true); code != 201 {
		t.Fatalf("a sandbox field from the signed-in admin: %d %s", code, body)
	}
	if code, _ := adm.api("DELETE", "/api/admin/registration-tokens/"+iatID, nil, "", true); code != 204 {
		t.Fatalf("revoke: %d", code)
	}
	if code, _ := student.api("POST", "/auth/register", plain, iat, false); code != 401 {
		t.Fatalf("a revoked initial access token still registers: %d", code)
	}
	if code, _ := student.api("GET", "/api/clients", nil, iat, false); code != 401 {
		t.Fatalf("an initial access token must not open /api: %d", code)
	}
}

// TestSharedPasswordChangeEndsSessions: a run with another admin password signs everyone out.
func TestSharedPasswordChangeEndsSessions(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, t.TempDir()+"/valet.db", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	open := func(pw string) {
		if _, err := admin.New(ctx, admin.Config{BaseURL: "http://127.0.0.1:1", Store: db, Password: pw}); err != nil {
			t.Fatal(err)
		}
	}
	open(sharedPassword)
	hash := []byte("0123456789abcdef0123456789abcdef")
	if err := db.CreateAdminSession(ctx, store.AdminSession{TokenHash: hash, CSRF: "c", CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	open(sharedPassword)
	if _, err := db.AdminSession(ctx, hash); err != nil {
		t.Fatalf("the same password must keep the session: %v", err)
	}
	open("another password")
	if _, err := db.AdminSession(ctx, hash); err == nil {
		t.Fatal("a new password must end the session")
	}
	if _, err := admin.New(ctx, admin.Config{BaseURL: "http://127.0.0.1:1", Store: db, Password: "short"}); err == nil {
		t.Fatal("a short admin password was accepted")
	}
}

// A scenario reaches a shared sandbox's control API with an API key (CI's way in), and without one is
// told what to do.
func TestSharedScenarioWithAPIKey(t *testing.T) {
	base, _ := startShared(t, admin.Config{}, false)
	adm := newBrowser(t, base)
	if resp := adm.signIn(sharedPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", resp.StatusCode)
	}
	code, body := adm.api("POST", "/api/admin/api-keys", map[string]any{"name": "CI"}, "", true)
	var key struct{ Secret string }
	if json.Unmarshal([]byte(body), &key); code != 201 {
		t.Fatalf("create API key: %d %s", code, body)
	}
	s, err := scenario.Parse("ci.yaml", []byte("name: ci-shared\nclients:\n  - client_id: ci-app\n"+
		"    redirect_uris: [\"http://127.0.0.1:9000/cb\"]\n    token_endpoint_auth_method: none\n"))
	if err != nil {
		t.Fatal(err)
	}
	api := scenario.API{Base: base, HTTP: &http.Client{}}
	if _, err := s.Apply(context.Background(), api); err == nil || !strings.Contains(err.Error(), "VALET_API_KEY") {
		t.Fatalf("without a key: %v, want a 401 that names VALET_API_KEY", err)
	}
	api.Key = key.Secret
	res, err := s.Apply(context.Background(), api)
	if err != nil {
		t.Fatalf("with the API key: %v", err)
	}
	if len(res.Clients) != 1 || res.Clients[0].ClientID != "ci-app" {
		t.Fatalf("clients applied: %+v", res.Clients)
	}
}

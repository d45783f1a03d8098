package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/valet-sandbox/valet/server"
	"github.com/valet-sandbox/valet/server/store"
)

// Valet runs beside the user's browser, where every other web page may send it requests. These tests
// send what such pages can send — a foreign Host (DNS rebinding), "simple" cross-site POSTs, CORS
// preflights — and what real clients send, through the whole sandbox on a real listener.

// call sends one request and returns its status, headers and body.
func call(t *testing.T, method, u string, body string, header map[string]string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		if k == "Host" {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(raw)
}

func TestForeignHostIsRefused(t *testing.T) {
	base, _, _ := startSandbox(t, func(db *store.DB, base string) { seed(t, db, base) })
	port := strings.TrimPrefix(base, "http://127.0.0.1")
	authorize := "/auth/authorize?" + url.Values{"response_type": {"code"}, "client_id": {"x"}, "state": {"s"}}.Encode()
	paths := []string{"/api/status", "/api/patients", "/api/clients", "/fhir/metadata", "/fhir/.well-known/smart-configuration",
		"/fhir/.well-known/openid-configuration", "/auth/jwks", authorize, "/"}
	for _, p := range paths {
		code, h, body := call(t, "GET", base+p, "", map[string]string{"Host": "evil.example" + port})
		if code != http.StatusMisdirectedRequest || !strings.Contains(body, "--allowed-host evil.example") {
			t.Errorf("GET %s with Host evil.example: %d %q, want 421 naming --allowed-host", p, code, body)
		}
		if h.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("GET %s with Host evil.example carries CORS headers", p)
		}
	}
	code, _, _ := call(t, "POST", base+"/api/clients", `{"client_name":"x","redirect_uris":["https://a.example/cb"]}`,
		map[string]string{"Host": "evil.example" + port, "Content-Type": "application/json"})
	if code != http.StatusMisdirectedRequest {
		t.Errorf("POST /api/clients with Host evil.example: %d, want 421", code)
	}
	// The names Valet is reached by keep working, with any port.
	for _, host := range []string{"127.0.0.1" + port, "localhost" + port, "[::1]" + port, "LOCALHOST:1", "app.localhost" + port} {
		if code, _, body := call(t, "GET", base+"/api/status", "", map[string]string{"Host": host}); code != 200 {
			t.Errorf("GET /api/status with Host %s: %d %s", host, code, body)
		}
	}
}

func TestAllowedHostsAndBaseURLHost(t *testing.T) {
	db, err := store.Open(context.Background(), t.TempDir()+"/valet.db", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv, err := server.New(server.Config{BaseURL: "https://valet.example", Store: db, AllowedHosts: []string{"sandbox.lan:8765"}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for host, want := range map[string]int{"valet.example": 200, "sandbox.lan": 200, "Sandbox.LAN:9000": 200, "other.lan": 421} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/fhir/.well-known/smart-configuration", nil)
		req.Host = host
		srv.Handler().ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("Host %s: %d, want %d", host, rec.Code, want)
		}
	}
	// The desktop window's requests never cross a network: its webview's own host is the panel.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/api/keys/rotate", strings.NewReader("{}"))
	req.Host = "wails"
	req.Header.Set("Origin", "wails://wails")
	req.Header.Set("Content-Type", "application/json")
	srv.WindowHandler().ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Errorf("window POST /api/keys/rotate: %d %s", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	if rec.Code != 421 {
		t.Errorf("the same request from the network: %d, want 421", rec.Code)
	}
}

func countClients(t *testing.T, base string) int {
	t.Helper()
	var cs []map[string]any
	code, _, body := call(t, "GET", base+"/api/clients", "", nil)
	if code != 200 || json.Unmarshal([]byte(body), &cs) != nil {
		t.Fatalf("GET /api/clients: %d %s", code, body)
	}
	return len(cs)
}

func TestControlAPIAnswersOnlyThePanelAndPrograms(t *testing.T) {
	base, _, _ := startSandbox(t, func(db *store.DB, base string) { seed(t, db, base) })
	evilClient := `{"client_id":"evil","client_name":"evil","redirect_uris":["https://evil.example/cb"],"token_endpoint_auth_method":"none",` +
		`"valet_user":"Practitioner/dr1","valet_patient":"p1","valet_auto_approve":true}`
	before := countClients(t, base)
	cases := []struct {
		name, method, path, body string
		header                   map[string]string
		want                     int
	}{
		// What a cross-site page can send without a preflight: text/plain, form and multipart bodies.
		{"text/plain client", "POST", "/api/clients", evilClient, map[string]string{"Content-Type": "text/plain"}, 415},
		{"form client", "POST", "/api/clients", evilClient, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415},
		{"no content type", "POST", "/api/clients", evilClient, nil, 415},
		{"text/plain generate", "POST", "/api/generate", `{"patients":1}`, map[string]string{"Content-Type": "text/plain"}, 415},
		{"text/plain rotate", "POST", "/api/keys/rotate", ``, map[string]string{"Content-Type": "text/plain"}, 415},
		{"text/plain launch", "POST", "/api/launches", `{"client_id":"x"}`, map[string]string{"Content-Type": "text/plain"}, 415},
		{"text/plain reset", "POST", "/api/reset", ``, map[string]string{"Content-Type": "text/plain"}, 415},
		// JSON from another origin (the preflight is refused, but a browser without CORS or a careless
		// proxy must not matter): Origin and Sec-Fetch-Site both decide.
		{"foreign origin", "POST", "/api/clients", evilClient, map[string]string{"Content-Type": "application/json", "Origin": "http://evil.example"}, 403},
		{"app on another port", "POST", "/api/clients", evilClient, map[string]string{"Content-Type": "application/json", "Origin": "http://127.0.0.1:3000"}, 403},
		{"opaque origin", "POST", "/api/clients", evilClient, map[string]string{"Content-Type": "application/json", "Origin": "null"}, 403},
		{"cross-site fetch", "POST", "/api/clients", evilClient, map[string]string{"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"}, 403},
		{"same-site fetch", "POST", "/api/clients", evilClient, map[string]string{"Content-Type": "application/json", "Sec-Fetch-Site": "same-site"}, 403},
		{"cross-site read", "GET", "/api/status", "", map[string]string{"Origin": "http://evil.example"}, 403},
		{"preflight", "OPTIONS", "/api/clients", "", map[string]string{"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}, 403},
		{"cross-site delete", "DELETE", "/api/clients/x", "", map[string]string{"Origin": "http://evil.example"}, 403},
	}
	for _, tc := range cases {
		code, h, body := call(t, tc.method, base+tc.path, tc.body, tc.header)
		if code != tc.want {
			t.Errorf("%s: %s %s = %d %s, want %d", tc.name, tc.method, tc.path, code, body, tc.want)
		}
		if h.Get("Access-Control-Allow-Origin") != "" || h.Get("Access-Control-Allow-Methods") != "" {
			t.Errorf("%s: the control API sent CORS headers", tc.name)
		}
		var e struct{ Error string }
		if json.Unmarshal([]byte(body), &e) != nil || e.Error == "" {
			t.Errorf("%s: body %q is not a control API error", tc.name, body)
		}
	}
	if n := countClients(t, base); n != before {
		t.Fatalf("%d clients after the refused requests, want %d", n, before)
	}
	// The panel (same origin, as the browser sends it) and programs (no Origin) are served.
	for _, h := range []map[string]string{
		{"Content-Type": "application/json", "Origin": base, "Sec-Fetch-Site": "same-origin"},
		{"Content-Type": "application/json; charset=utf-8"},
	} {
		body := `{"client_name":"ok","redirect_uris":["https://a.example/cb"],"token_endpoint_auth_method":"none","valet_user":"Practitioner/dr1"}`
		if code, _, raw := call(t, "POST", base+"/api/clients", body, h); code != 201 {
			t.Errorf("POST /api/clients %v: %d %s", h, code, raw)
		}
		if code, _, raw := call(t, "POST", base+"/api/keys/rotate", "", h); code != 200 {
			t.Errorf("POST /api/keys/rotate %v: %d %s", h, code, raw)
		}
	}
	// A body-less DELETE needs no Content-Type (a cross-origin DELETE always needs a preflight).
	if code, _, raw := call(t, "DELETE", base+"/api/clients/nobody", "", nil); code != 404 {
		t.Errorf("DELETE without a body: %d %s, want 404", code, raw)
	}
}

func TestRegistrationFromAnotherPageCannotSkipConsent(t *testing.T) {
	base, _, _ := startSandbox(t, func(db *store.DB, base string) { seed(t, db, base) })
	page := "http://127.0.0.1:1" // a page the user has open: another origin
	for _, f := range []string{`"valet_auto_approve":true`, `"valet_user":"Practitioner/dr1"`, `"valet_patient":"p1"`,
		`"access_token_lifetime":5`, `"refresh_token_lifetime":5`, `"no_refresh_rotation":true`,
		`"valet_app_state_codes":["https://a.example|x"]`, `"valet_app_state_global":true`} {
		body := `{"client_name":"x","redirect_uris":["http://127.0.0.1:1/cb"],"token_endpoint_auth_method":"none",` + f + `}`
		code, h, raw := call(t, "POST", base+"/auth/register", body, map[string]string{"Content-Type": "application/json", "Origin": page})
		name := strings.Trim(strings.SplitN(f, ":", 2)[0], `"`)
		if code != 400 || !strings.Contains(raw, `"invalid_client_metadata"`) || !strings.Contains(raw, name) {
			t.Errorf("cross-site registration with %s: %d %s, want 400 invalid_client_metadata naming it", name, code, raw)
		}
		if h.Get("Access-Control-Allow-Origin") != page {
			t.Errorf("the refusal must be readable by the app (CORS): %q", h.Get("Access-Control-Allow-Origin"))
		}
	}
	// A browser app registers itself without shortcuts, and can read its client_id.
	body := `{"client_name":"spa","redirect_uris":["http://127.0.0.1:1/cb"],"token_endpoint_auth_method":"none"}`
	code, h, raw := call(t, "POST", base+"/auth/register", body, map[string]string{"Content-Type": "application/json", "Origin": page, "Sec-Fetch-Site": "same-site"})
	var c struct {
		ID string `json:"client_id"`
	}
	if code != 201 || json.Unmarshal([]byte(raw), &c) != nil || c.ID == "" || h.Get("Access-Control-Allow-Origin") != page {
		t.Fatalf("cross-site registration of a plain client: %d %s", code, raw)
	}
	// Such a client meets the sign-in page: no code without the user.
	cfg := &oauth2.Config{ClientID: c.ID, RedirectURL: "http://127.0.0.1:1/cb", Scopes: []string{"launch/patient", "patient/*.rs"},
		Endpoint: oauth2.Endpoint{AuthURL: base + "/auth/authorize"}}
	resp, err := http.DefaultTransport.RoundTrip(mustRequest(t, cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()),
		oauth2.SetAuthURLParam("aud", base+"/fhir"))))
	if err != nil {
		t.Fatal(err)
	}
	page1, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page1), `action="/auth/login"`) {
		t.Errorf("authorize for a cross-site registered client: %d %s, want the sign-in page", resp.StatusCode, resp.Header.Get("Location"))
	}
	// A program on this machine (no Origin) may still set the shortcuts, as CI does.
	body = `{"client_name":"ci","redirect_uris":["http://127.0.0.1:1/cb"],"token_endpoint_auth_method":"none","valet_auto_approve":true,"valet_user":"Practitioner/dr1","valet_patient":"p1"}`
	if code, _, raw := call(t, "POST", base+"/auth/register", body, map[string]string{"Content-Type": "application/json"}); code != 201 {
		t.Errorf("registration with shortcuts by a program: %d %s", code, raw)
	}
}

func mustRequest(t *testing.T, u string) *http.Request {
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestSandboxFieldsNameRecordsThatExist(t *testing.T) {
	base, _, _ := startSandbox(t, func(db *store.DB, base string) { seed(t, db, base) })
	for _, tc := range []struct{ path, body, field string }{
		{"/api/clients", `{"client_name":"x","redirect_uris":["https://a.example/cb"],"valet_user":"Practitioner/nobody"}`, "valet_user"},
		{"/api/clients", `{"client_name":"x","redirect_uris":["https://a.example/cb"],"valet_user":"Patient/nobody"}`, "valet_user"},
		{"/api/clients", `{"client_name":"x","redirect_uris":["https://a.example/cb"],"valet_patient":"nobody"}`, "valet_patient"},
		{"/auth/register", `{"client_name":"x","redirect_uris":["https://a.example/cb"],"valet_patient":"nobody"}`, "valet_patient"},
	} {
		code, _, raw := call(t, "POST", base+tc.path, tc.body, map[string]string{"Content-Type": "application/json"})
		if code != 400 || !strings.Contains(raw, tc.field) || !strings.Contains(raw, "not in the FHIR store") {
			t.Errorf("POST %s %s: %d %s, want 400 naming %s", tc.path, tc.body, code, raw, tc.field)
		}
	}
	var c struct {
		ID string `json:"client_id"`
	}
	apiJSON(t, base, "POST", "/api/clients", map[string]any{"client_name": "x", "redirect_uris": []string{e2eRedirect},
		"launch_uri": "http://a.example/launch", "valet_user": "Practitioner/dr1", "valet_patient": "p1"}, 201, &c)
	code, _, raw := call(t, "PUT", base+"/api/clients/"+c.ID, `{"client_name":"x","redirect_uris":["https://a.example/cb"],"valet_patient":"gone"}`,
		map[string]string{"Content-Type": "application/json"})
	if code != 400 || !strings.Contains(raw, "valet_patient") {
		t.Errorf("PUT with an unknown patient: %d %s", code, raw)
	}
	code, _, raw = call(t, "POST", base+"/api/launches", `{"client_id":"`+c.ID+`","user":"Practitioner/nobody"}`,
		map[string]string{"Content-Type": "application/json"})
	if code != 400 || !strings.Contains(raw, "Practitioner/nobody is not in the FHIR store") {
		t.Errorf("launch with an unknown user: %d %s", code, raw)
	}
}

func TestPublicClientRefreshesWithoutClientID(t *testing.T) {
	base, _, _ := startSandbox(t, func(db *store.DB, base string) { seed(t, db, base) })
	var pub, conf struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	meta := func(method string) map[string]any {
		return map[string]any{"client_name": "r", "redirect_uris": []string{e2eRedirect}, "launch_uri": "http://app.example/launch",
			"token_endpoint_auth_method": method}
	}
	apiJSON(t, base, "POST", "/api/clients", meta("none"), 201, &pub)
	apiJSON(t, base, "POST", "/api/clients", meta("client_secret_basic"), 201, &conf)
	refresh := func(rt string, extra url.Values) (int, map[string]any) {
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
		for k, v := range extra {
			form[k] = v
		}
		code, _, raw := call(t, "POST", base+"/auth/token", form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		var m map[string]any
		_ = json.Unmarshal([]byte(raw), &m)
		return code, m
	}
	// As the SMART JS client sends it: grant_type and refresh_token, nothing else (RFC 6749 §6).
	tok, _ := launch(t, base, pub.ID, "", "p1", "Practitioner/dr1", "launch", "offline_access", "patient/*.rs")
	code, m := refresh(tok.RefreshToken, nil)
	if code != 200 || m["access_token"] == nil || m["refresh_token"] == nil || m["patient"] != "p1" {
		t.Fatalf("refresh without client_id: %d %v", code, m)
	}
	next := m["refresh_token"].(string)
	// Narrowing still applies, and so does reuse detection: the rotated-away token revokes the family.
	if code, m := refresh(next, url.Values{"scope": {"patient/*.cruds"}}); code != 400 || m["error"] != "invalid_scope" {
		t.Errorf("widening refresh: %d %v", code, m)
	}
	if code, m := refresh(tok.RefreshToken, nil); code != 400 || m["error"] != "invalid_grant" {
		t.Errorf("reused refresh token: %d %v", code, m)
	}
	if code, m := refresh(next, nil); code != 400 || m["error"] != "invalid_grant" {
		t.Errorf("the family after reuse: %d %v, want invalid_grant (revoked)", code, m)
	}
	if code, m := refresh("no-such-token", nil); code != 400 || m["error"] != "invalid_grant" {
		t.Errorf("unknown refresh token: %d %v", code, m)
	}
	// A confidential client must still authenticate.
	ctok, _ := launch(t, base, conf.ID, conf.Secret, "p1", "Practitioner/dr1", "launch", "offline_access", "patient/*.rs")
	if code, m := refresh(ctok.RefreshToken, nil); code != 401 || m["error"] != "invalid_client" {
		t.Errorf("confidential refresh without authentication: %d %v", code, m)
	}
	// Another public client's id does not take the token over (binding unchanged).
	var other struct {
		ID string `json:"client_id"`
	}
	apiJSON(t, base, "POST", "/api/clients", meta("none"), 201, &other)
	tok2, _ := launch(t, base, pub.ID, "", "p1", "Practitioner/dr1", "launch", "offline_access", "patient/*.rs")
	if code, m := refresh(tok2.RefreshToken, url.Values{"client_id": {other.ID}}); code != 400 || m["error"] != "invalid_grant" {
		t.Errorf("refresh as another client: %d %v", code, m)
	}
}

func TestCacheableCORSAnswersVaryByOrigin(t *testing.T) {
	base, _, _ := startSandbox(t, func(db *store.DB, base string) { seed(t, db, base) })
	for _, p := range []string{"/fhir/.well-known/smart-configuration", "/fhir/.well-known/openid-configuration", "/auth/jwks", "/fhir/metadata"} {
		for _, origin := range []string{"", "http://127.0.0.1:1"} {
			h := map[string]string{}
			if origin != "" {
				h["Origin"] = origin
			}
			code, hdr, _ := call(t, "GET", base+p, "", h)
			vary := strings.Join(hdr.Values("Vary"), ",")
			if code != 200 || !strings.Contains(vary, "Origin") {
				t.Errorf("GET %s (Origin %q): %d, Vary %q: a cached copy would be handed to another origin", p, origin, code, vary)
			}
		}
	}
}

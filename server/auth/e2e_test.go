package auth_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/valet-sandbox/valet/server"
	"github.com/valet-sandbox/valet/server/fhir"
	"github.com/valet-sandbox/valet/server/store"
)

type sandbox struct {
	t       testing.TB
	ts      *httptest.Server
	srv     *server.Server
	db      *store.DB
	dbPath  string
	handler atomic.Pointer[http.Handler] // swapped by restart
	clock   *testClock
	base    string
	fhir    string
}

// testClock is the sandbox clock of the tests: real time plus an offset the test moves forward, so
// expiry can be reached without waiting while real clients (go-oidc) still see sensible times.
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

func newSandbox(t testing.TB) *sandbox {
	ctx := context.Background()
	clock := &testClock{}
	path := t.TempDir() + "/valet.db"
	db, err := store.Open(ctx, path, store.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	seed := map[string]string{
		"Practitioner/dr1": `{"resourceType":"Practitioner","id":"dr1","name":[{"family":"House","given":["Greg"]}]}`,
		"Patient/p1":       `{"resourceType":"Patient","id":"p1","name":[{"family":"Smart","given":["Amy"]}],"birthDate":"1980-02-03","identifier":[{"value":"MRN-1"}]}`,
		"Patient/p2":       `{"resourceType":"Patient","id":"p2","name":[{"family":"Other","given":["Bob"]}],"birthDate":"1990-01-01"}`,
		"Encounter/e1": `{"resourceType":"Encounter","id":"e1","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},` +
			`"subject":{"reference":"Patient/p1"},"period":{"start":"2025-01-01"}}`,
	}
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	// The server reads the store's clock (server.Config.Now unset): the test clock, moved by the sandbox
	// clock offset of /api/clock as a user's sandbox is.
	srv, err := server.New(server.Config{BaseURL: base, Store: db})
	if err != nil {
		t.Fatal(err)
	}
	// Users go in through the FHIR service, indexed, as real data does: the login page and the pickers
	// search the FHIR indexes.
	var users []fhir.Resource
	for ref, body := range seed {
		typ, id, _ := strings.Cut(ref, "/")
		users = append(users, fhir.Resource{Type: typ, ID: id, JSON: []byte(body)})
	}
	if err := srv.Population().FHIR.Ingest(ctx, users); err != nil {
		t.Fatal(err)
	}
	sb := &sandbox{t: t, ts: ts, srv: srv, db: db, dbPath: path, clock: clock, base: base, fhir: base + "/fhir"}
	h := srv.Handler()
	sb.handler.Store(&h)
	ts.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*sb.handler.Load()).ServeHTTP(w, r) })
	ts.Start()
	t.Cleanup(func() { ts.Close(); sb.srv.Close(); sb.db.Close() })
	return sb
}

// restart stops the server and its database and starts them again on the same file and address, as
// `valet serve` would after a restart: what lives only in memory is gone.
func (s *sandbox) restart() {
	s.t.Helper()
	s.srv.Close()
	if err := s.db.Close(); err != nil {
		s.t.Fatal(err)
	}
	db, err := store.Open(context.Background(), s.dbPath, store.Options{Now: s.clock.Now})
	if err != nil {
		s.t.Fatal(err)
	}
	srv, err := server.New(server.Config{BaseURL: s.base, Store: db})
	if err != nil {
		s.t.Fatal(err)
	}
	s.db, s.srv = db, srv
	h := srv.Handler()
	s.handler.Store(&h)
}

func (s *sandbox) api(method, path string, body any, out any) int {
	s.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, s.base+path, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			s.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode
}

type client struct {
	ID     string `json:"client_id"`
	Secret string `json:"client_secret"`
	Error  string `json:"error"`
}

func (s *sandbox) register(meta map[string]any) client {
	s.t.Helper()
	var c client
	if code := s.api("POST", "/api/clients", meta, &c); code != 201 {
		s.t.Fatalf("register: %d %+v", code, c)
	}
	return c
}

const redirect = "https://app.example/cb"

func (s *sandbox) oauth(c client, scopes ...string) *oauth2.Config {
	return &oauth2.Config{ClientID: c.ID, ClientSecret: c.Secret, RedirectURL: redirect, Scopes: scopes,
		Endpoint: oauth2.Endpoint{AuthURL: s.base + "/auth/authorize", TokenURL: s.base + "/auth/token"}}
}

// browser follows Valet's pages but stops at the app's redirect.
func browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), redirect) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

var hiddenRE = regexp.MustCompile(`name="(req|csrf)" value="([^"]+)"`)

// submit posts a form of the page in resp with extra fields; returns the next response.
func submit(t *testing.T, b *http.Client, resp *http.Response, action string, extra url.Values) *http.Response {
	t.Helper()
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	form := url.Values{}
	for _, m := range hiddenRE.FindAllStringSubmatch(string(body), -1) {
		form.Set(m[1], m[2])
	}
	if form.Get("csrf") == "" {
		t.Fatalf("page has no form: %d %s", resp.StatusCode, body)
	}
	for k, v := range extra {
		form[k] = v
	}
	next, err := b.PostForm(resp.Request.URL.Scheme+"://"+resp.Request.URL.Host+action, form)
	if err != nil {
		t.Fatal(err)
	}
	return next
}

// codeFrom reads the redirect back to the app.
func codeFrom(t *testing.T, resp *http.Response, state string) url.Values {
	t.Helper()
	if resp.StatusCode != http.StatusFound {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("want redirect to app, got %d %s", resp.StatusCode, body)
	}
	u, _ := url.Parse(resp.Header.Get("Location"))
	q := u.Query()
	if q.Get("state") != state && q.Get("error") == "" {
		t.Fatalf("state %q, want %q", q.Get("state"), state)
	}
	return q
}

func (s *sandbox) start(t *testing.T, b *http.Client, cfg *oauth2.Config, verifier, state string, extra ...oauth2.AuthCodeOption) *http.Response {
	t.Helper()
	opts := append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("aud", s.fhir),
		oauth2.SetAuthURLParam("nonce", "n-"+state)}, extra...)
	resp, err := b.Get(cfg.AuthCodeURL(state, opts...))
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestEHRLaunch(t *testing.T) {
	s := newSandbox(t)
	ctx := context.Background()
	c := s.register(map[string]any{"client_name": "EHR app", "redirect_uris": []string{redirect}, "launch_uri": "http://app.example/launch"})
	var launch struct{ Launch, ISS, URL string }
	if code := s.api("POST", "/api/launches", map[string]any{"client_id": c.ID, "patient": "p1", "encounter": "e1",
		"user": "Practitioner/dr1", "auto_approve": true, "intent": "reconcile-medications",
		"fhir_context": []map[string]any{{"reference": "Encounter/e1"}}}, &launch); code != 201 {
		t.Fatalf("launch: %d", code)
	}
	if launch.ISS != s.fhir || !strings.Contains(launch.URL, "launch="+launch.Launch) {
		t.Fatalf("launch = %+v", launch)
	}
	cfg := s.oauth(c, "launch", "openid", "fhirUser", "offline_access", "patient/*.rs")
	v := oauth2.GenerateVerifier()
	q := codeFrom(t, s.start(t, browser(), cfg, v, "st1", oauth2.SetAuthURLParam("launch", launch.Launch)), "st1")
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	if tok.Extra("patient") != "p1" || tok.Extra("encounter") != "e1" || tok.Extra("need_patient_banner") != true ||
		tok.Extra("intent") != "reconcile-medications" || tok.Extra("smart_style_url") == nil || tok.RefreshToken == "" {
		t.Errorf("token response context: patient=%v encounter=%v banner=%v intent=%v", tok.Extra("patient"), tok.Extra("encounter"),
			tok.Extra("need_patient_banner"), tok.Extra("intent"))
	}
	if fc, _ := tok.Extra("fhirContext").([]any); len(fc) != 1 {
		t.Errorf("fhirContext = %v", tok.Extra("fhirContext"))
	}
	provider, err := oidc.NewProvider(ctx, s.fhir)
	if err != nil {
		t.Fatal(err)
	}
	idt, err := provider.Verifier(&oidc.Config{ClientID: c.ID}).Verify(ctx, tok.Extra("id_token").(string))
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		FHIRUser string `json:"fhirUser"`
	}
	_ = idt.Claims(&claims)
	if idt.Nonce != "n-st1" || claims.FHIRUser != s.fhir+"/Practitioner/dr1" {
		t.Errorf("id_token nonce %q fhirUser %q", idt.Nonce, claims.FHIRUser)
	}
	a, err := s.srv.Verifier().Verify(ctx, tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if a.Patient != "p1" || a.User.String() != "Practitioner/dr1" || !a.Scopes.Has("patient/*.rs") {
		t.Errorf("access = %+v", a)
	}
	// The flow inspector finds every step of the launch by its id, the token exchange included.
	var steps []event
	s.api("GET", "/api/events?launch="+launch.Launch, nil, &steps)
	kinds := map[string]bool{}
	for _, e := range steps {
		kinds[e.Kind] = true
	}
	for _, k := range []string{"launch.created", "code.issued", "token.issued"} {
		if !kinds[k] {
			t.Errorf("events of the launch lack %s: %v", k, kinds)
		}
	}
	// A launch is single use.
	q = codeFrom(t, s.start(t, browser(), cfg, v, "st2", oauth2.SetAuthURLParam("launch", launch.Launch)), "st2")
	if q.Get("error") != "invalid_request" {
		t.Errorf("reused launch: %v", q)
	}
}

func TestStandaloneProviderLaunchWithPagesAndNarrowing(t *testing.T) {
	s := newSandbox(t)
	ctx := context.Background()
	c := s.register(map[string]any{"client_name": "Provider app", "redirect_uris": []string{redirect}, "token_endpoint_auth_method": "client_secret_basic"})
	cfg := s.oauth(c, "launch/patient", "launch/encounter", "openid", "fhirUser", "patient/Observation.rs", "patient/Patient.rs")
	b := browser()
	v := oauth2.GenerateVerifier()
	resp := s.start(t, b, cfg, v, "s1")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("login page: %d", resp.StatusCode)
	}
	resp = submit(t, b, resp, "/auth/login", url.Values{"user": {"Practitioner/dr1"}})
	resp = submit(t, b, resp, "/auth/select-patient", url.Values{"patient": {"Patient/p1"}})
	resp = submit(t, b, resp, "/auth/select-encounter", url.Values{"encounter": {"Encounter/e1"}})
	lab := "category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory"
	resp = submit(t, b, resp, "/auth/consent", url.Values{"decision": {"approve"},
		"scope":                         {"launch/patient", "launch/encounter", "openid", "fhirUser", "patient/Observation.rs"},
		"narrow:patient/Observation.rs": {lab}})
	q := codeFrom(t, resp, "s1")
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	scope := tok.Extra("scope").(string)
	if !strings.Contains(scope, "patient/Observation.rs?"+lab) || strings.Contains(scope, "patient/Patient.rs") {
		t.Errorf("granted scope %q", scope)
	}
	if tok.Extra("patient") != "p1" || tok.Extra("encounter") != "e1" {
		t.Errorf("context %v %v", tok.Extra("patient"), tok.Extra("encounter"))
	}
	// Deny → access_denied.
	resp = s.start(t, b, cfg, v, "s2") // signed in already: straight to the picker
	resp = submit(t, b, resp, "/auth/select-patient", url.Values{"patient": {"Patient/p1"}})
	resp = submit(t, b, resp, "/auth/select-encounter", nil)
	q = codeFrom(t, submit(t, b, resp, "/auth/consent", url.Values{"decision": {"deny"}}), "s2")
	if q.Get("error") != "access_denied" {
		t.Errorf("deny: %v", q)
	}
}

func TestStandalonePatientLaunchAndPortalLeastPrivilege(t *testing.T) {
	s := newSandbox(t)
	ctx := context.Background()
	c := s.register(map[string]any{"client_name": "Portal", "redirect_uris": []string{redirect}, "valet_user": "Patient/p1", "valet_auto_approve": true})
	cfg := s.oauth(c, "launch/patient", "openid", "fhirUser", "online_access", "user/*.rs")
	v := oauth2.GenerateVerifier()
	q := codeFrom(t, s.start(t, browser(), cfg, v, "p"), "p")
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	if tok.Extra("patient") != "p1" || tok.Extra("scope") != "launch/patient openid fhirUser online_access patient/*.rs" {
		t.Errorf("patient user got patient=%v scope=%v", tok.Extra("patient"), tok.Extra("scope"))
	}
}

// offlineExchange registers a client_secret_post client that signs in as dr1 with p1 without asking, and
// exchanges a code of it for tokens with offline_access (a refresh token).
func (s *sandbox) offlineExchange(t *testing.T, name, state string) (client, *oauth2.Token) {
	t.Helper()
	c := s.register(map[string]any{"client_name": name, "redirect_uris": []string{redirect}, "token_endpoint_auth_method": "client_secret_post",
		"valet_user": "Practitioner/dr1", "valet_patient": "p1", "valet_auto_approve": true})
	cfg := s.oauth(c, "launch/patient", "offline_access", "patient/*.rs")
	cfg.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	v := oauth2.GenerateVerifier()
	tok, err := cfg.Exchange(context.Background(), codeFrom(t, s.start(t, browser(), cfg, v, state), state).Get("code"), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	return c, tok
}

func TestRefresh(t *testing.T) {
	s := newSandbox(t)
	ctx := context.Background()
	c, tok := s.offlineExchange(t, "R", "r")
	refresh := func(rt, scope string) (int, map[string]any) {
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {c.ID}, "client_secret": {c.Secret}}
		if scope != "" {
			form.Set("scope", scope)
		}
		resp, err := http.PostForm(s.base+"/auth/token", form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	code, r1 := refresh(tok.RefreshToken, "")
	if code != 200 || r1["scope"] != "launch/patient offline_access patient/*.rs" || r1["patient"] != "p1" {
		t.Fatalf("refresh without scope: %d %v", code, r1)
	}
	code, r2 := refresh(r1["refresh_token"].(string), "patient/Patient.rs")
	if code != 200 || r2["scope"] != "patient/Patient.rs" {
		t.Fatalf("narrowed refresh: %d %v", code, r2)
	}
	if code, e := refresh(r2["refresh_token"].(string), "patient/*.cruds"); code != 400 || e["error"] != "invalid_scope" {
		t.Errorf("widening refresh: %d %v", code, e)
	}
	// Reuse of a rotated-away refresh token revokes the family.
	if code, e := refresh(tok.RefreshToken, ""); code != 400 || e["error"] != "invalid_grant" {
		t.Errorf("reused refresh token: %d %v", code, e)
	}
	if code, _ := refresh(r2["refresh_token"].(string), ""); code != 400 {
		t.Errorf("family member still works after reuse: %d", code)
	}
	if _, err := s.srv.Verifier().Verify(ctx, r2["access_token"].(string)); err == nil {
		t.Error("access token of a revoked family still verifies")
	}
	if code, e := refresh("random-garbage", ""); code != 400 || e["error"] != "invalid_grant" {
		t.Errorf("random refresh token: %d %v", code, e)
	}
}

// TestFirstRefreshToken: the refresh token of a code exchange is kept in its grant's row and names the
// grant. It introspects and revokes like any other; a token naming the grant with another secret is
// unknown, and does not revoke the grant (a grant id is no secret: access tokens carry it).
func TestFirstRefreshToken(t *testing.T) {
	s := newSandbox(t)
	ctx := context.Background()
	c, tok := s.offlineExchange(t, "F", "f")
	if _, err := s.srv.Verifier().Verify(ctx, tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok.AccessToken, ".")[1])
	var claims struct {
		Grant string `json:"valet_grant"`
	}
	_ = json.Unmarshal(payload, &claims)
	grant, _, _ := strings.Cut(tok.RefreshToken, ".")
	if claims.Grant == "" || grant != claims.Grant {
		t.Fatalf("refresh token %q does not name its grant %q", tok.RefreshToken, claims.Grant)
	}
	form := func(kv ...string) url.Values {
		f := url.Values{"client_id": {c.ID}, "client_secret": {c.Secret}}
		for i := 0; i < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	refresh := func(rt string) (int, map[string]any) {
		st, m, _ := post(t, s.base+"/auth/token", form("grant_type", "refresh_token", "refresh_token", rt))
		return st, m
	}
	if _, in, _ := post(t, s.base+"/auth/introspect", form("token", tok.RefreshToken)); in["active"] != true ||
		in["token_type"] != "refresh_token" || in["client_id"] != c.ID || in["patient"] != "p1" {
		t.Errorf("introspect the first refresh token: %v", in)
	}
	forged := grant + "." + strings.Repeat("A", 43)
	if st, m := refresh(forged); st != 400 || m["error"] != "invalid_grant" || !strings.Contains(m["error_description"].(string), "unknown") {
		t.Errorf("a token naming the grant with another secret: %d %v", st, m)
	}
	if _, in, _ := post(t, s.base+"/auth/introspect", form("token", forged)); in["active"] != false {
		t.Errorf("introspect a forged token: %v", in)
	}
	if st, _, _ := post(t, s.base+"/auth/revoke", form("token", forged)); st != 200 {
		t.Errorf("revoke a forged token: %d", st)
	}
	if _, err := s.srv.Verifier().Verify(ctx, tok.AccessToken); err != nil {
		t.Errorf("a forged refresh token ended the grant: %v", err)
	}
	// Not rotated yet: revoking it ends the grant, its access token and itself.
	if st, _, _ := post(t, s.base+"/auth/revoke", form("token", tok.RefreshToken)); st != 200 {
		t.Errorf("revoke: %d", st)
	}
	if _, err := s.srv.Verifier().Verify(ctx, tok.AccessToken); err == nil {
		t.Error("access token still verifies after its refresh token was revoked")
	}
	if st, m := refresh(tok.RefreshToken); st != 400 || m["error"] != "invalid_grant" {
		t.Errorf("refresh with a revoked token: %d %v", st, m)
	}
	if _, in, _ := post(t, s.base+"/auth/introspect", form("token", tok.RefreshToken)); in["active"] != false {
		t.Errorf("introspect a revoked refresh token: %v", in)
	}
}

package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/valet-sandbox/valet/server"
	"github.com/valet-sandbox/valet/server/fhir"
	"github.com/valet-sandbox/valet/server/localca"
)

// startTLSSandbox runs openSandbox with f (over a new data directory) until the test ends.
func startTLSSandbox(t *testing.T, f serveFlags) *sandbox {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if f.addr == "" {
		f.addr = "127.0.0.1:0"
	}
	f.empty = true
	sb, err := openSandbox(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- sb.serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return sb
}

// trusting is an HTTP client whose only trusted root is the CA certificate in pemFile (none when "").
func trusting(t *testing.T, pemFile string) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	if pemFile != "" {
		b, err := os.ReadFile(pemFile)
		if err != nil || !pool.AppendCertsFromPEM(b) {
			t.Fatalf("read the CA certificate %s: %v", pemFile, err)
		}
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// registerApp registers a client through the control API with c and returns it (its client_id).
func registerApp(t *testing.T, c *http.Client, base string, meta map[string]any) (app struct {
	ID string `json:"client_id"`
}) {
	t.Helper()
	body, _ := json.Marshal(meta)
	resp, err := c.Post(base+"/api/clients", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("register %v: %d", meta["client_name"], resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&app); err != nil || app.ID == "" {
		t.Fatalf("register %v: no client_id (%v)", meta["client_name"], err)
	}
	return app
}

func getJSON(t *testing.T, c *http.Client, u string, out any) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

// TestTLSSandboxAnswersOnlyClientsThatTrustItsCA: `valet serve --tls` serves https only, with a
// certificate a client that trusts the data directory's CA (and nothing else) accepts, and a client
// that trusts nothing refuses; every URL it hands out is https.
func TestTLSSandboxAnswersOnlyClientsThatTrustItsCA(t *testing.T) {
	data := t.TempDir()
	sb := startTLSSandbox(t, serveFlags{data: data, tls: optionalBool{set: true, value: true}})
	base := strings.TrimSuffix(sb.srv.FHIRBase(), "/fhir")
	if !strings.HasPrefix(base, "https://127.0.0.1:") {
		t.Fatalf("base URL %s, want https", base)
	}
	caFile := filepath.Join(localca.Dir(data), localca.CAFile)
	client := trusting(t, caFile)

	var smart map[string]any
	getJSON(t, client, base+"/fhir/.well-known/smart-configuration", &smart)
	for _, k := range []string{"authorization_endpoint", "token_endpoint", "registration_endpoint", "introspection_endpoint", "revocation_endpoint", "jwks_uri", "issuer"} {
		if v, _ := smart[k].(string); !strings.HasPrefix(v, "https://") {
			t.Errorf("smart-configuration %s = %q, want https", k, v)
		}
	}
	var oidcConf map[string]any
	getJSON(t, client, base+"/fhir/.well-known/openid-configuration", &oidcConf)
	if oidcConf["issuer"] != base+"/fhir" {
		t.Errorf("OIDC issuer %v, want %s/fhir", oidcConf["issuer"], base)
	}
	var status map[string]any
	getJSON(t, client, base+"/api/status", &status)
	if status["fhir_base_url"] != base+"/fhir" {
		t.Errorf("/api/status fhir_base_url %v", status["fhir_base_url"])
	}

	// The cookies of the sign-in pages are Secure: a plain-http request must never carry them.
	app := registerApp(t, client, base, map[string]any{"client_name": "pages", "redirect_uris": []string{"https://app.example/cb"},
		"token_endpoint_auth_method": "none"})
	authorize := base + "/auth/authorize?" + url.Values{"response_type": {"code"}, "client_id": {app.ID}, "redirect_uri": {"https://app.example/cb"},
		"scope": {"openid fhirUser"}, "state": {"s"}, "aud": {base + "/fhir"}, "code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"},
		"code_challenge_method": {"S256"}}.Encode()
	resp, err := client.Get(authorize)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if cookies := resp.Cookies(); resp.StatusCode != 200 || len(cookies) == 0 || !cookies[0].Secure {
		t.Errorf("sign-in page over https: %d, cookies %v; want a Secure cookie", resp.StatusCode, cookies)
	}

	var unknown x509.UnknownAuthorityError
	if _, err := trusting(t, "").Get(base + "/fhir/metadata"); !errors.As(err, &unknown) {
		t.Errorf("a client that trusts nothing: %v, want an unknown authority error", err)
	}
	// Plain http on the same port gets no sandbox, only Go's "this is an HTTPS server" 400.
	resp, err = http.Get(strings.Replace(base, "https://", "http://", 1) + "/fhir/metadata")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), "HTTPS server") {
		t.Errorf("plain http: %d %q, want 400 and no answer from the sandbox", resp.StatusCode, body)
	}
}

// TestTLSFlagAndStoredSwitch: --tls wins over the stored Settings switch either way; without it the
// switch decides; an http --base-url with TLS is a usage error that says what to give.
func TestTLSFlagAndStoredSwitch(t *testing.T) {
	data := t.TempDir()
	sb := startTLSSandbox(t, serveFlags{data: data})
	if !strings.HasPrefix(sb.srv.FHIRBase(), "http://") {
		t.Fatalf("no flag, no setting: %s, want http", sb.srv.FHIRBase())
	}
	if err := sb.db.PutSetting(context.Background(), "tls", "on"); err != nil {
		t.Fatal(err)
	}
	// A second sandbox on the same data directory reads the switch at its start.
	if next := startTLSSandbox(t, serveFlags{data: data}); !strings.HasPrefix(next.srv.FHIRBase(), "https://") {
		t.Errorf("switch on: %s, want https", next.srv.FHIRBase())
	}
	if off := startTLSSandbox(t, serveFlags{data: data, tls: optionalBool{set: true}}); !strings.HasPrefix(off.srv.FHIRBase(), "http://") {
		t.Errorf("--tls=false over the switch: %s, want http", off.srv.FHIRBase())
	}

	// The address it listens on is in the certificate: it is the default base URL's host.
	if other, err := openSandbox(context.Background(), serveFlags{addr: "127.0.0.2:0", data: t.TempDir(), empty: true, tls: optionalBool{set: true, value: true}}); err != nil {
		t.Logf("cannot listen on 127.0.0.2 here (%v): the listening address is not checked", err)
	} else {
		if err := other.issuer.Leaf().VerifyHostname("127.0.0.2"); err != nil || !strings.HasPrefix(other.srv.FHIRBase(), "https://127.0.0.2:") {
			t.Errorf("--addr 127.0.0.2: base %s, certificate: %v", other.srv.FHIRBase(), err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		other.serve(ctx)
	}

	f, err := parseServeFlags("serve", []string{"--tls", "--base-url", "http://valet.lan:8765", "--data", t.TempDir(), "--addr", "127.0.0.1:0"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := openSandbox(context.Background(), f); err == nil || !strings.Contains(err.Error(), "https://valet.lan:8765") {
		t.Errorf("--tls with an http --base-url: %v, want a usage error naming the https URL", err)
	}
	f, err = parseServeFlags("serve", []string{"--tls", "--base-url", "https://valet.lan:8765", "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--empty"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	sb = startTLSSandbox(t, f)
	if sb.srv.FHIRBase() != "https://valet.lan:8765/fhir" || sb.issuer.Leaf().VerifyHostname("valet.lan") != nil {
		t.Errorf("--base-url https://valet.lan: FHIR base %s, certificate names %v", sb.srv.FHIRBase(), sb.issuer.Leaf().DNSNames)
	}
}

// TestSMARTLaunchOverHTTPS is a whole standalone launch against `valet serve --tls` by real clients that
// trust only the local CA: golang.org/x/oauth2 with PKCE, go-oidc checking the id_token against the https
// issuer and its JWKS, and a FHIR read with the access token.
func TestSMARTLaunchOverHTTPS(t *testing.T) {
	data := t.TempDir()
	sb := startTLSSandbox(t, serveFlags{data: data, tls: optionalBool{set: true, value: true}})
	ctx := context.Background()
	if err := sb.srv.Population().FHIR.Ingest(ctx, []fhir.Resource{
		{Type: "Practitioner", ID: "dr1", JSON: []byte(`{"resourceType":"Practitioner","id":"dr1","name":[{"family":"House"}]}`)},
		{Type: "Patient", ID: "p1", JSON: []byte(`{"resourceType":"Patient","id":"p1","name":[{"family":"Smart"}],"birthDate":"1980-02-03"}`)},
	}); err != nil {
		t.Fatal(err)
	}
	fhirBase := sb.srv.FHIRBase()
	base := strings.TrimSuffix(fhirBase, "/fhir")
	client := trusting(t, filepath.Join(localca.Dir(data), localca.CAFile))
	ctx = context.WithValue(ctx, oauth2.HTTPClient, client)

	const redirect = "https://app.example/cb"
	app := registerApp(t, client, base, map[string]any{"client_name": "https app", "redirect_uris": []string{redirect},
		"token_endpoint_auth_method": "none", "valet_user": "Practitioner/dr1", "valet_patient": "p1", "valet_auto_approve": true})

	provider, err := oidc.NewProvider(ctx, fhirBase) // fetches the https discovery document and checks its issuer
	if err != nil {
		t.Fatal(err)
	}
	cfg := &oauth2.Config{ClientID: app.ID, RedirectURL: redirect, Endpoint: provider.Endpoint(),
		Scopes: []string{"openid", "fhirUser", "launch/patient", "patient/*.rs"}}
	if !strings.HasPrefix(cfg.Endpoint.AuthURL, "https://") || !strings.HasPrefix(cfg.Endpoint.TokenURL, "https://") {
		t.Fatalf("endpoints %+v, want https", cfg.Endpoint)
	}
	verifier := oauth2.GenerateVerifier()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Transport: client.Transport, Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), redirect) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := browser.Get(cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("aud", fhirBase)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Query().Get("code") == "" {
		t.Fatalf("authorize: %d %s", resp.StatusCode, loc)
	}
	tok, err := cfg.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if tok.Extra("patient") != "p1" {
		t.Errorf("patient in context %v, want p1", tok.Extra("patient"))
	}
	idt, err := provider.Verifier(&oidc.Config{ClientID: app.ID}).Verify(ctx, tok.Extra("id_token").(string))
	if err != nil {
		t.Fatalf("id_token: %v", err)
	}
	var claims struct {
		FHIRUser string `json:"fhirUser"`
	}
	idt.Claims(&claims)
	if idt.Issuer != fhirBase || claims.FHIRUser != fhirBase+"/Practitioner/dr1" {
		t.Errorf("id_token iss %s, fhirUser %s; want the https FHIR base", idt.Issuer, claims.FHIRUser)
	}
	// The access token's aud is the https FHIR base; the FHIR server accepts it and links over https.
	var bundle struct {
		Link []struct{ URL string } `json:"link"`
	}
	getJSON(t, cfg.Client(ctx, tok), fhirBase+"/Patient?_id=p1", &bundle)
	if len(bundle.Link) == 0 || !strings.HasPrefix(bundle.Link[0].URL, fhirBase+"/") {
		t.Errorf("search links %+v, want %s/…", bundle.Link, fhirBase)
	}
}

// TestCACommand: `valet ca` makes the CA on first use and then always shows the same one — the one
// `serve --tls` uses — with its fingerprint and the trust commands; --pem prints its certificate only.
func TestCACommand(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	data := t.TempDir()
	first, stderr, code := runIn(t, "ca", "--data", data)
	if code != 0 || stderr != "" {
		t.Fatalf("valet ca: exit %d, stderr %q", code, stderr)
	}
	if !strings.HasPrefix(first, "Made a new local CA") {
		t.Errorf("first run does not say it made the CA:\n%s", first)
	}
	second, _, _ := runIn(t, "ca", "--data", data)
	if strings.Contains(second, "Made a new") {
		t.Error("second run made another CA")
	}
	pemOut, _, code := runIn(t, "ca", "--pem", "--data", data)
	if code != 0 || strings.Contains(pemOut, "PRIVATE") {
		t.Fatalf("valet ca --pem: exit %d, or it printed a private key", code)
	}
	ca, err := localca.Open(data, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if pemOut != string(ca.PEM()) {
		t.Error("--pem is not the CA certificate")
	}
	caFile := filepath.Join(localca.Dir(data), localca.CAFile)
	for _, want := range []string{caFile, ca.Fingerprint(), "update-ca-certificates", "update-ca-trust", "add-trusted-cert",
		"certutil -user -addstore Root", "certutil -d sql:$HOME/.pki/nssdb -A -t C,,", "NODE_EXTRA_CA_CERTS=" + caFile} {
		if !strings.Contains(second, want) {
			t.Errorf("valet ca does not say %q:\n%s", want, second)
		}
	}
	// serve --tls presents a certificate from this very CA.
	sb := startTLSSandbox(t, serveFlags{data: data, tls: optionalBool{set: true, value: true}})
	if err := sb.issuer.Leaf().CheckSignatureFrom(ca.Certificate()); err != nil {
		t.Errorf("serve --tls uses another CA: %v", err)
	}
	if _, _, code := runIn(t, "ca", "extra"); code != 2 {
		t.Errorf("valet ca extra: exit %d, want 2", code)
	}
}

// TestTLSSwitchAPI: Settings › HTTPS reads and stores the switch through /api/tls; turning it on makes the
// CA at once (so it can be trusted before the restart), and the running sandbox keeps its scheme.
func TestTLSSwitchAPI(t *testing.T) {
	data := t.TempDir()
	sb := startTLSSandbox(t, serveFlags{data: data})
	call := func(method, body string) (int, map[string]any) {
		req := httptest.NewRequest(method, "http://127.0.0.1/api/tls", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		sb.srv.Handler().ServeHTTP(rec, req)
		var out map[string]any
		json.Unmarshal(rec.Body.Bytes(), &out)
		return rec.Code, out
	}
	if code, out := call("GET", ""); code != 200 || out["serving"] != false || out["next_start"] != false || out["ca"] != nil {
		t.Fatalf("GET /api/tls on a new http sandbox: %d %v", code, out)
	}
	code, out := call("PUT", `{"next_start":true}`)
	ca, _ := out["ca"].(map[string]any)
	if code != 200 || out["next_start"] != true || out["serving"] != false || ca == nil || ca["path"] != filepath.Join(localca.Dir(data), localca.CAFile) {
		t.Fatalf("PUT next_start true: %d %v", code, out)
	}
	if on, _ := server.StoredTLS(context.Background(), sb.db); !on {
		t.Error("the switch was not stored")
	}
	if code, out := call("PUT", `{}`); code != 400 || out["field"] != "next_start" {
		t.Errorf("PUT without next_start: %d %v, want 400 about next_start", code, out)
	}
	if code, out := call("PUT", `{"next_start":false}`); code != 200 || out["next_start"] != false || out["ca"] == nil {
		t.Errorf("PUT next_start false: %d %v (the CA stays)", code, out)
	}
}

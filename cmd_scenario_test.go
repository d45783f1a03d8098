package main

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// demoScenario generates its own patients (seed 7: ids qrx8t3-…), registers a confidential app whose
// secret derives from the scenario, and launches it for a patient and a practitioner with a password,
// its third FHIR request answered 429.
const demoScenario = `# a scenario for the tests of valet scenario
name: cli-demo
data:
  seed: 7
  patients: 2
users:
  - user: Practitioner/qrx8t3-prac-01
    password: correct horse battery
clients:
  - client_id: cli-demo-app
    redirect_uris: [http://127.0.0.1:9/cb]
    launch_uri: http://127.0.0.1:9/launch
    token_endpoint_auth_method: client_secret_basic
simulations:
  - kind: fhir.rate_limited
    client: cli-demo-app
    when: nth
    n: 3
    retry_after: 30
clock:
  offset_seconds: -60
launch:
  patient: qrx8t3-p000001
  user: Practitioner/qrx8t3-prac-01
  scope: launch openid fhirUser patient/*.rs
consent:
  decision: approve
`

func writeScenario(t *testing.T, src string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(f, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

var launchLine = regexp.MustCompile(`Launch URL:\s+(\S+)`)

func TestScenarioCheck(t *testing.T) {
	good := writeScenario(t, demoScenario)
	out, errb, code := runValet(t, "scenario", "check", good)
	if code != 0 || !strings.Contains(out, "scenario cli-demo is valid") {
		t.Fatalf("check of a good file: exit %d, %q %q", code, out, errb)
	}
	bad := writeScenario(t, strings.Replace(demoScenario, "  patient: qrx8t3-p000001", "  patient: qrx8t3-p000001\n  tpye: ehr", 1))
	out, errb, code = runValet(t, "scenario", "check", bad)
	if code != 2 || !strings.Contains(errb, bad+`:24:3: unknown key "tpye" in launch; the keys are`) {
		t.Fatalf("check of a bad file: exit %d, %q %q", code, out, errb)
	}
	if _, errb, code = runValet(t, "scenario", "check"); code != 2 || !strings.Contains(errb, "give a scenario file") {
		t.Errorf("check without a file: exit %d, %q", code, errb)
	}
	if out, _, code = runValet(t, "scenario", "run", "--help"); code != 0 || !strings.Contains(out, "--url URL") || !strings.Contains(out, "--data DIR") {
		t.Errorf("run --help: exit %d, %q", code, out)
	}
}

// Two runs into fresh data directories print the same ids and secrets; only the launch id differs.
func TestScenarioRunIntoADataDirIsDeterministic(t *testing.T) {
	f := writeScenario(t, demoScenario)
	var outs []string
	for range 2 {
		out, errb, code := runValet(t, "scenario", "run", "--data", t.TempDir(), f)
		if code != 0 {
			t.Fatalf("run: exit %d, %s", code, errb)
		}
		for _, want := range []string{"client_id:             cli-demo-app (confidential-symmetric, client_secret_basic)",
			"client_secret:         ", "clock offset:          -60 s", "simulation:            fhir.rate_limited (cli-demo-app, request 3 only)",
			"Launch URL:            http://127.0.0.1:9/launch?iss=http%3A%2F%2F127.0.0.1%3A8765%2Ffhir&launch="} {
			if !strings.Contains(out, want) {
				t.Fatalf("output lacks %q:\n%s", want, out)
			}
		}
		outs = append(outs, regexp.MustCompile(`launch=\S+`).ReplaceAllString(out, "launch=…"))
	}
	if outs[0] != outs[1] {
		t.Errorf("two runs differ:\n%s\n---\n%s", outs[0], outs[1])
	}
	// The sandbox refuses what the file cannot know is wrong, at the value's line.
	bad := writeScenario(t, strings.Replace(demoScenario, "patient: qrx8t3-p000001", "patient: qrx8t3-p000099", 1))
	_, errb, code := runValet(t, "scenario", "run", "--data", t.TempDir(), bad)
	if code != 2 || !strings.Contains(errb, bad+":23:12: the sandbox refused launch: Patient/qrx8t3-p000099 is not in the FHIR store") {
		t.Errorf("run with an unknown patient: exit %d, %s", code, errb)
	}
}

// Run against a running sandbox, the printed launch URL and secret take a real OAuth client through the
// launch, and the scenario's simulation answers its third FHIR request with 429.
func TestScenarioRunThroughARunningSandbox(t *testing.T) {
	dir := t.TempDir()
	_, banner, _ := startServe(t, "--empty", "--data", dir)
	base := strings.TrimSuffix(banner["FHIR base"], "/fhir")
	f := writeScenario(t, demoScenario)
	out, errb, code := runValet(t, "scenario", "run", "--url", base, f)
	if code != 0 {
		t.Fatalf("run: exit %d, %s", code, errb)
	}
	m := launchLine.FindStringSubmatch(out)
	secret := regexp.MustCompile(`client_secret:\s+(\S+)`).FindStringSubmatch(out)
	if m == nil || secret == nil || !strings.Contains(out, "applied to "+base) {
		t.Fatalf("output: %s", out)
	}
	launchURL, _ := url.Parse(m[1])
	if launchURL.Query().Get("iss") != base+"/fhir" {
		t.Fatalf("iss = %q, want %s/fhir", launchURL.Query().Get("iss"), base)
	}
	cfg := &oauth2.Config{ClientID: "cli-demo-app", ClientSecret: secret[1], RedirectURL: "http://127.0.0.1:9/cb",
		Scopes:   []string{"launch", "openid", "fhirUser", "patient/*.rs"},
		Endpoint: oauth2.Endpoint{AuthURL: base + "/auth/authorize", TokenURL: base + "/auth/token", AuthStyle: oauth2.AuthStyleInHeader}}
	verifier := oauth2.GenerateVerifier()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), cfg.RedirectURL) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := browser.Get(cfg.AuthCodeURL("st1", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("aud", base+"/fhir"),
		oauth2.SetAuthURLParam("launch", launchURL.Query().Get("launch"))))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Query().Get("code") == "" || loc.Query().Get("state") != "st1" {
		t.Fatalf("authorize: %d %s", resp.StatusCode, loc)
	}
	tok, err := cfg.Exchange(context.Background(), loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("token exchange with the printed secret: %v", err)
	}
	if tok.Extra("patient") != "qrx8t3-p000001" {
		t.Errorf("patient in context = %v", tok.Extra("patient"))
	}
	h := cfg.Client(context.Background(), tok)
	for i, want := range []int{200, 200, 429, 200} {
		resp, err := h.Get(base + "/fhir/Patient/qrx8t3-p000001")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("FHIR request %d: %d, want %d", i+1, resp.StatusCode, want)
		}
		if want == 429 && resp.Header.Get("Retry-After") != "30" {
			t.Errorf("Retry-After = %q, want 30", resp.Header.Get("Retry-After"))
		}
	}
	// A second run updates the same client and keeps its secret working.
	out2, errb, code := runValet(t, "scenario", "run", "--url", base, f)
	if code != 0 || !strings.Contains(out2, "client_secret:         "+secret[1]) {
		t.Errorf("second run: exit %d, %s %s", code, out2, errb)
	}
}

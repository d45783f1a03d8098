package server_test

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/valet-sandbox/valet/server/population"
)

// TestDocumentedCIExample runs the requests of docs/auth.md "Non-interactive launch in CI", as written there,
// against a sandbox holding the default population: the ids the docs name must be records a new sandbox has,
// and the example must give a token for that patient and an EHR launch.
func TestDocumentedCIExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/auth.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(doc)[strings.Index(string(doc), "## Non-interactive launch in CI"):]
	section = section[:strings.Index(section, "## Persisting app state")]
	register := regexp.MustCompile(`(?s)\$BASE/auth/register -H 'Content-Type: application/json' -d '(\{.*?\})'`).FindStringSubmatch(section)
	launch := regexp.MustCompile(`\$BASE/api/launches -H 'Content-Type: application/json' -d '(\{.*?\})'`).FindStringSubmatch(section)
	authorize := regexp.MustCompile(`"\$BASE(/auth/authorize\?[^"]+)"`).FindStringSubmatch(section)
	if register == nil || launch == nil || authorize == nil {
		t.Fatalf("the CI example no longer has its register, authorize and launch requests:\n%s", section)
	}

	base, srv, _ := startSandbox(t, nil)
	seeded := make(chan error, 1)
	if _, err := srv.SeedInBackground(context.Background(), func(_ population.GenerateResult, err error) { seeded <- err }); err != nil {
		t.Fatal(err)
	}
	if err := <-seeded; err != nil {
		t.Fatalf("default population: %v", err)
	}

	code, _, raw := call(t, "POST", base+"/auth/register", strings.Join(strings.Fields(register[1]), " "),
		map[string]string{"Content-Type": "application/json"})
	var c struct {
		ID string `json:"client_id"`
	}
	if code != 201 || json.Unmarshal([]byte(raw), &c) != nil {
		t.Fatalf("register as documented: %d %s", code, raw)
	}
	verifier := oauth2.GenerateVerifier()
	u := strings.NewReplacer("$BASE", base, "$ID", c.ID, "$C", oauth2.S256ChallengeFromVerifier(verifier)).Replace(base + authorize[1])
	code, h, raw := call(t, "GET", u, "", nil)
	loc, _ := url.Parse(h.Get("Location"))
	if code != 302 || loc.Query().Get("code") == "" {
		t.Fatalf("authorize as documented: %d %s %s", code, h.Get("Location"), raw)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {"http://localhost:3000/cb"},
		"client_id": {c.ID}, "code_verifier": {verifier}}
	code, _, raw = call(t, "POST", base+"/auth/token", form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	var tok map[string]any
	if code != 200 || json.Unmarshal([]byte(raw), &tok) != nil || tok["patient"] != "ytrp35-p000001" {
		t.Fatalf("token as documented: %d %s", code, raw)
	}
	code, _, raw = call(t, "POST", base+"/api/launches", strings.ReplaceAll(launch[1], `'$ID'`, c.ID), map[string]string{"Content-Type": "application/json"})
	if code != 201 || !strings.Contains(raw, `"launch"`) {
		t.Fatalf("EHR launch as documented: %d %s", code, raw)
	}
}

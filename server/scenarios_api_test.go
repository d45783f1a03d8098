package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/valet-sandbox/valet/server/scenario"
	"github.com/valet-sandbox/valet/server/store"
)

const panelScenario = `name: panel-import
clock:
  offset_seconds: 120
clients:
  - client_id: my-app
    redirect_uris: [http://127.0.0.1:3000/callback]
    launch_uri: http://127.0.0.1:3000/launch
    token_endpoint_auth_method: client_secret_basic
    access_token_lifetime: 600
simulations:
  - kind: fhir.rate_limited
    client: my-app
    when: nth
    n: 3
    retry_after: 30
launch:
  patient: p1
  user: Practitioner/dr1
  refresh_token_lifetime: 900
  simulations:
    - kind: token.slow
      delay_ms: 5
consent:
  decision: approve
`

// postScenario sends a scenario's text to POST /api/scenarios as the panel does.
func postScenario(t *testing.T, base, file, text string) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"yaml": text, "file": file})
	resp, err := http.Post(base+"/api/scenarios", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("POST /api/scenarios: %d, not JSON: %v", resp.StatusCode, err)
	}
	return resp.StatusCode, out
}

func exportScenario(t *testing.T, base, launch string) string {
	t.Helper()
	resp, err := http.Get(base + "/api/launches/" + launch + "/scenario")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/yaml") {
		t.Fatalf("export: %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="launch-my-app.yaml"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	return string(b)
}

func TestScenarioImportAndExport(t *testing.T) {
	base, _, _ := startSandbox(t, func(db *store.DB, base string) { seed(t, db, base) })

	status, res := postScenario(t, base, "panel.yaml", panelScenario)
	if status != 200 {
		t.Fatalf("import: %d %v", status, res)
	}
	l, _ := res["launch"].(map[string]any)
	if u, _ := l["url"].(string); !strings.HasPrefix(u, "http://127.0.0.1:3000/launch?") || !strings.Contains(u, "launch=") {
		t.Fatalf("launch URL %q", u)
	}
	clients := res["clients"].([]any)
	c := clients[0].(map[string]any)
	if c["client_id"] != "my-app" || c["client_secret"] != scenario.DerivedSecret("panel-import", "my-app") {
		t.Fatalf("client %v", c)
	}
	if res["clock_offset_seconds"] != 120.0 {
		t.Errorf("clock offset %v", res["clock_offset_seconds"])
	}

	// Saved as a scenario, the launch is a file `valet scenario check` accepts with what it was made of.
	text := exportScenario(t, base, l["launch"].(string))
	saved, err := scenario.Parse("saved.yaml", []byte(text))
	if err != nil {
		t.Fatalf("the exported scenario does not check: %v\n%s", err, text)
	}
	orig, _ := scenario.Parse("panel.yaml", []byte(panelScenario))
	if saved.Clock == nil || saved.Clock.OffsetSeconds != 120 {
		t.Errorf("clock %+v", saved.Clock)
	}
	if len(saved.Clients) != 1 || saved.Clients[0].ClientID != "my-app" || saved.Clients[0].AccessTokenLifetime != 600 ||
		!reflect.DeepEqual(saved.Clients[0].RedirectURIs, orig.Clients[0].RedirectURIs) {
		t.Errorf("clients %+v", saved.Clients)
	}
	if !reflect.DeepEqual(saved.Simulations, orig.Simulations) {
		t.Errorf("simulations %+v, want %+v", saved.Simulations, orig.Simulations)
	}
	wantLaunch := *orig.Launch
	wantLaunch.Client = "my-app"
	if !reflect.DeepEqual(*saved.Launch, wantLaunch) {
		t.Errorf("launch %+v, want %+v", *saved.Launch, wantLaunch)
	}
	if saved.ConsentDecision() != scenario.ConsentApprove {
		t.Errorf("consent %q", saved.ConsentDecision())
	}

	// Imported again (the round trip), it gives the same client and a new launch that saves the same way.
	status, again := postScenario(t, base, "saved.yaml", text)
	if status != 200 {
		t.Fatalf("re-import: %d %v", status, again)
	}
	c2 := again["clients"].([]any)[0].(map[string]any)
	if c2["client_id"] != "my-app" || c2["created"] != false {
		t.Errorf("re-imported client %v", c2)
	}
	l2 := again["launch"].(map[string]any)
	if l2["launch"] == l["launch"] {
		t.Error("the re-import made no new launch")
	}
	text2 := exportScenario(t, base, l2["launch"].(string))
	strip := func(s string) string { // the description names the launch id
		_, rest, _ := strings.Cut(s, "\ndescription:")
		_, rest, _ = strings.Cut(rest, "\n")
		return rest
	}
	if !strings.HasPrefix(text2, "name: launch-my-app\n") || strip(text2) != strip(text) || strip(text) == "" {
		t.Errorf("second export differs:\n%s\nfirst:\n%s", text2, text)
	}

	resp, err := http.Get(base + "/api/launches/nope/scenario")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("unknown launch: %d", resp.StatusCode)
	}
}

func TestScenarioImportErrors(t *testing.T) {
	base, _, _ := startSandbox(t, func(db *store.DB, base string) { seed(t, db, base) })

	// A key the format does not have: 400 at its line and column, nothing applied.
	status, res := postScenario(t, base, "bad.yaml", "name: bad\nclients:\n  - client_id: x\n    colour: red\n")
	if status != 400 {
		t.Fatalf("bad file: %d %v", status, res)
	}
	p := res["errors"].([]any)[0].(map[string]any)
	if p["line"] != 4.0 || p["column"] != 5.0 || !strings.HasPrefix(res["error"].(string), "bad.yaml:4:5: unknown key \"colour\"") {
		t.Errorf("bad file: %v", res)
	}
	if resp, _ := http.Get(base + "/api/clients/x"); resp.StatusCode != 404 {
		t.Errorf("a refused file registered its client: %d", resp.StatusCode)
	}

	// A value the sandbox refuses: 400 at the value.
	status, res = postScenario(t, base, "s.yaml", "name: s\nclients:\n  - client_id: s\n    redirect_uris: [http://127.0.0.1/cb]\n    launch_uri: http://127.0.0.1/l\nlaunch:\n  patient: nobody\n")
	if status != 400 || !strings.HasPrefix(res["error"].(string), "s.yaml:7:") {
		t.Errorf("refused value: %d %v", status, res)
	}

	// The YAML as the body, or a form: refused, as every state change that is not JSON.
	for _, ct := range []string{"application/yaml", "text/plain"} {
		resp, err := http.Post(base+"/api/scenarios", ct, strings.NewReader(panelScenario))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("%s: %d", ct, resp.StatusCode)
		}
	}
	status, res = postScenario(t, base, "", "")
	if status != 400 || !strings.HasPrefix(res["error"].(string), "scenario.yaml:1:1:") {
		t.Errorf("empty: %d %v", status, res)
	}
}

// consent: {remember: true} leaves the launch's user with a remembered decision for the app, as the
// consent page's "Remember my decision" would.
func TestScenarioRemembersConsent(t *testing.T) {
	base, _, _ := startSandbox(t, func(db *store.DB, base string) { seed(t, db, base) })
	src := `name: remembered
clients:
  - client_id: mem-app
    redirect_uris: [http://127.0.0.1:3000/callback]
    launch_uri: http://127.0.0.1:3000/launch
launch:
  patient: p1
  user: Practitioner/dr1
  scope: launch openid fhirUser patient/*.rs
consent:
  grant: launch openid patient/Observation.rs
  remember: true
`
	if status, res := postScenario(t, base, "m.yaml", src); status != 200 {
		t.Fatalf("import: %d %v", status, res)
	}
	resp, err := http.Get(base + "/api/consents?client_id=mem-app")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got []map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0]["user"] != "Practitioner/dr1" || got[0]["scope"] != "launch openid patient/Observation.rs" {
		t.Errorf("remembered consents %v", got)
	}

	// A scope the sandbox cannot parse is refused at the grant.
	bad := strings.Replace(src, "grant: launch openid patient/Observation.rs", "grant: \"patient/Observation.rs \\\"x\"", 1)
	status, res := postScenario(t, base, "m.yaml", bad)
	if status != 400 || !strings.HasPrefix(res["error"].(string), "m.yaml:11:10: the sandbox refused consent: scope must be") {
		t.Errorf("bad scope: %d %v", status, res)
	}
}

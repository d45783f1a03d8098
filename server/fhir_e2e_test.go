package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/valet-sandbox/valet/server/fhir"
	"github.com/valet-sandbox/valet/server/store"
)

const (
	e2eRedirect = "https://app.example/cb"
	labCategory = "http://terminology.hl7.org/CodeSystem/observation-category|laboratory"
)

// TestFHIRWithRealTokens drives the FHIR API with access tokens from the real authorization server: an EHR
// launch (auto-approved, PKCE through golang.org/x/oauth2) whose token is confined to the patient and to
// laboratory Observations, its revocation, and a backend-services token that sees everything.
func TestFHIRWithRealTokens(t *testing.T) {
	base, _, _ := startSandbox(t, func(db *store.DB, base string) { seed(t, db, base) })

	// An app registered through the control API, launched from the "EHR" with auto-approval.
	var c struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	apiJSON(t, base, "POST", "/api/clients", map[string]any{"client_name": "chart app", "redirect_uris": []string{e2eRedirect},
		"launch_uri": "http://app.example/launch"}, 201, &c)
	tok, app := launch(t, base, c.ID, c.Secret, "p1", "Practitioner/dr1",
		"launch", "openid", "fhirUser", "patient/Patient.rs", "patient/Encounter.rs", "patient/Observation.rs?category="+labCategory)
	if tok.Extra("patient") != "p1" || !strings.Contains(tok.Extra("scope").(string), "patient/Observation.rs?category=") {
		t.Fatalf("token: patient %v scope %v", tok.Extra("patient"), tok.Extra("scope"))
	}

	get := func(h *http.Client, path string) (int, map[string]any) { t.Helper(); return getFHIR(t, h, base, path) }
	for path, want := range map[string]int{"Patient/p1": 200, "Patient/p2": 404, "Encounter/e1": 200, "Encounter/e2": 404,
		"Observation/lab1": 200, "Observation/vital1": 404, "Observation/lab2": 404, "Practitioner/dr1": 403} {
		if got, m := get(app, path); got != want {
			t.Errorf("patient app GET %s: %d, want %d (%v)", path, got, want, m)
		}
	}
	for path, want := range map[string][]string{
		"Patient":                          {"p1"},
		"Encounter?patient=p2":             nil,
		"Encounter":                        {"e1"},
		"Observation":                      {"lab1", "lab3"},
		"Observation?patient=p1":           {"lab1", "lab3"},
		"Observation?code=8480-6":          nil,
		"Observation?category=vital-signs": nil,
	} {
		if got := ids(t, get, app, path); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("patient app search %s: %v, want %v", path, got, want)
		}
	}

	// After revocation the same token is refused.
	form := url.Values{"token": {tok.AccessToken}, "client_id": {c.ID}, "client_secret": {c.Secret}}
	req, _ := http.NewRequest("POST", base+"/auth/revoke", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("revoke: %v %v", err, resp)
	}
	if got, _ := get(app, "Patient/p1"); got != 401 {
		t.Errorf("revoked token: %d, want 401", got)
	}

	// A backend-services client (private_key_jwt, RS384) with system/*.rs reads everything.
	backend := registerBackend(t, base, "system/*.rs").client(t, "system/*.rs")
	if got := ids(t, get, backend, "Observation"); strings.Join(got, ",") != "lab1,lab2,lab3,vital1" {
		t.Errorf("backend Observations: %v", got)
	}
	for _, path := range []string{"Patient/p2", "Practitioner/dr1", "Encounter/e2"} {
		if got, _ := get(backend, path); got != 200 {
			t.Errorf("backend GET %s: %d", path, got)
		}
	}
	if got, _ := get(backend, "Patient?_id=p1"); got != 200 {
		t.Errorf("backend search: %d", got)
	}
	// A read-only system token cannot write.
	r, _ := http.NewRequest("DELETE", base+"/fhir/Patient/p2", nil)
	if resp, err := backend.Do(r); err != nil || resp.StatusCode != 403 {
		t.Errorf("backend delete: %v %v", err, resp.StatusCode)
	}
}

func ids(t *testing.T, get func(*http.Client, string) (int, map[string]any), h *http.Client, path string) []string {
	t.Helper()
	code, b := get(h, path)
	if code != 200 {
		t.Fatalf("search %s: %d %v", path, code, b)
	}
	var out []string
	es, _ := b["entry"].([]any)
	for _, e := range es {
		en := e.(map[string]any)
		if s, _ := en["search"].(map[string]any); s != nil && s["mode"] == "match" {
			out = append(out, en["resource"].(map[string]any)["id"].(string))
		}
	}
	sort.Strings(out)
	return out
}

func apiJSON(t *testing.T, base, method, path string, body any, want int, out any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, base+path, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatal(err)
	}
}

// seed stores two patients' data through the FHIR service's bulk path (validated and indexed).
func seed(t *testing.T, db *store.DB, base string) {
	cat := func(code string) string {
		return `"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"` + code + `"}]}]`
	}
	obs := func(id, patient, category, code string) fhir.Resource {
		return fhir.Resource{Type: "Observation", ID: id, JSON: []byte(`{"resourceType":"Observation","id":"` + id + `","status":"final",` +
			cat(category) + `,"code":{"coding":[{"system":"http://loinc.org","code":"` + code + `"}]},"subject":{"reference":"Patient/` + patient + `"}}`)}
	}
	rs := []fhir.Resource{
		{Type: "Practitioner", ID: "dr1", JSON: []byte(`{"resourceType":"Practitioner","id":"dr1","name":[{"family":"House"}]}`)},
		{Type: "Patient", ID: "p1", JSON: []byte(`{"resourceType":"Patient","id":"p1","name":[{"family":"Smart"}]}`)},
		{Type: "Patient", ID: "p2", JSON: []byte(`{"resourceType":"Patient","id":"p2","name":[{"family":"Other"}]}`)},
		{Type: "Encounter", ID: "e1", JSON: []byte(`{"resourceType":"Encounter","id":"e1","status":"finished","class":{"code":"AMB"},"subject":{"reference":"Patient/p1"}}`)},
		{Type: "Encounter", ID: "e2", JSON: []byte(`{"resourceType":"Encounter","id":"e2","status":"finished","class":{"code":"AMB"},"subject":{"reference":"Patient/p2"}}`)},
		obs("lab1", "p1", "laboratory", "2345-7"), obs("lab3", "p1", "laboratory", "718-7"),
		obs("vital1", "p1", "vital-signs", "8480-6"), obs("lab2", "p2", "laboratory", "2345-7"),
	}
	s := fhir.New(fhir.Config{BaseURL: base, Store: db})
	defer s.Close()
	if err := s.Ingest(context.Background(), rs); err != nil {
		t.Fatal(err)
	}
}

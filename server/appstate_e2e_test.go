package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/valet-sandbox/valet/server/store"
)

const (
	prefsCode = "https://app-a.example|display-preferences"
	keysCode  = "https://app-a.example|phr-keys"
	otherCode = "https://app-b.example|display-preferences"
)

// TestAppState drives SMART App Launch 2.2 §Persisting App State end to end: discovery, registration of
// state codes, and an app saving, reading, updating, searching and deleting its state for the user, for
// the patient and globally with tokens from the real authorization flow; another app, another code and a
// token without a Basic scope are refused.
func TestAppState(t *testing.T) {
	base, _, _ := startSandbox(t, func(db *store.DB, base string) { seed(t, db, base) })
	fhirBase := base + "/fhir"

	// Discovery: the App State endpoint is the FHIR base itself, so the capability is listed and no
	// associated_endpoints entry is published (§Discovery).
	var disc map[string]any
	resp, err := http.Get(fhirBase + "/.well-known/smart-configuration")
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&disc)
	resp.Body.Close()
	caps, _ := disc["capabilities"].([]any)
	if !slices.Contains(caps, any("smart-app-state")) {
		t.Errorf("capabilities %v lack smart-app-state", caps)
	}
	if _, ok := disc["associated_endpoints"]; ok {
		t.Errorf("associated_endpoints published although app state lives at the FHIR base: %v", disc["associated_endpoints"])
	}

	// App A registers its state codes through the control API, app B through RFC 7591 registration.
	var a, b struct {
		ID     string   `json:"client_id"`
		Secret string   `json:"client_secret"`
		Codes  []string `json:"valet_app_state_codes"`
	}
	apiJSON(t, base, "POST", "/api/clients", map[string]any{"client_name": "app A", "redirect_uris": []string{e2eRedirect}, "launch_uri": "http://app.example/launch",
		"valet_app_state_codes": []string{prefsCode, keysCode}, "valet_app_state_global": true}, 201, &a)
	apiJSON(t, base, "POST", "/auth/register", map[string]any{"client_name": "app B", "redirect_uris": []string{e2eRedirect}, "launch_uri": "http://app.example/launch",
		"token_endpoint_auth_method": "none", "valet_app_state_codes": []string{otherCode}}, 201, &b)
	if strings.Join(b.Codes, ",") != otherCode {
		t.Errorf("registration answered codes %v", b.Codes)
	}
	var bad map[string]any
	apiJSON(t, base, "POST", "/auth/register", map[string]any{"client_name": "bad", "redirect_uris": []string{e2eRedirect},
		"valet_app_state_codes": []string{"display-preferences"}}, 400, &bad)
	if bad["error"] != "invalid_client_metadata" {
		t.Errorf("a code without a system: %v", bad)
	}

	_, appA := launch(t, base, a.ID, a.Secret, "p1", "Practitioner/dr1",
		"launch", "openid", "fhirUser", "user/Basic.cruds?code="+prefsCode, "patient/Basic.cruds?code="+keysCode)
	call := func(h *http.Client, method, path, ifMatch string, body any) (int, http.Header, map[string]any) {
		t.Helper()
		var rd *bytes.Reader
		if body != nil {
			raw, _ := json.Marshal(body)
			rd = bytes.NewReader(raw)
		} else {
			rd = bytes.NewReader(nil)
		}
		req, _ := http.NewRequest(method, fhirBase+"/"+path, rd)
		if body != nil {
			req.Header.Set("Content-Type", "application/fhir+json")
		}
		if ifMatch != "" {
			req.Header.Set("If-Match", ifMatch)
		}
		resp, err := h.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, resp.Header, m
	}
	state := func(subject, code, value string) map[string]any {
		system, c, _ := strings.Cut(code, "|")
		m := map[string]any{"resourceType": "Basic",
			"code":      map[string]any{"coding": []any{map[string]any{"system": system, "code": c}}},
			"extension": []any{map[string]any{"url": "https://app-a.example/state-v1", "valueString": value}}}
		if subject != "" {
			m["subject"] = map[string]any{"reference": fhirBase + "/" + subject}
		}
		return m
	}
	search := func(h *http.Client, query string) (int, []string) {
		t.Helper()
		code, _, m := call(h, "GET", "Basic?"+query, "", nil)
		var out []string
		es, _ := m["entry"].([]any)
		for _, e := range es {
			out = append(out, e.(map[string]any)["resource"].(map[string]any)["id"].(string))
		}
		return code, out
	}
	q := func(code, subject string) string {
		v := url.Values{"code": {code}}
		if subject == "" {
			v.Set("subject:missing", "true")
		} else {
			v.Set("subject", fhirBase+"/"+subject)
		}
		return v.Encode()
	}

	// The user's preferences: create, read back, search, update with and without the right If-Match.
	code, h, created := call(appA, "POST", "Basic", "", state("Practitioner/dr1", prefsCode, `{"view":"labs"}`))
	if code != 201 || h.Get("ETag") != `W/"1"` || h.Get("Location") == "" {
		t.Fatalf("create user state: %d %v %v", code, h, created)
	}
	prefsID := created["id"].(string)
	if meta, _ := created["meta"].(map[string]any); meta["versionId"] != "1" {
		t.Errorf("created meta %v", created["meta"])
	}
	if code, got := search(appA, q(prefsCode, "Practitioner/dr1")); code != 200 || strings.Join(got, ",") != prefsID {
		t.Errorf("search user state: %d %v", code, got)
	}
	update := state("Practitioner/dr1", prefsCode, `{"view":"problems"}`)
	update["id"] = prefsID
	if code, _, m := call(appA, "PUT", "Basic/"+prefsID, "", update); code != 428 {
		t.Errorf("update without If-Match: %d %v", code, m)
	}
	if code, _, m := call(appA, "PUT", "Basic/"+prefsID, `W/"7"`, update); code != 412 {
		t.Errorf("update with a stale If-Match: %d %v", code, m)
	}
	code, h, m := call(appA, "PUT", "Basic/"+prefsID, `W/"1"`, update)
	if code != 200 || h.Get("ETag") != `W/"2"` || !strings.Contains(mustJSON(m["extension"]), "problems") {
		t.Errorf("update: %d %v %v", code, h.Get("ETag"), m)
	}
	moved := state("Patient/p1", prefsCode, "x")
	moved["id"] = prefsID
	if code, _, m := call(appA, "PUT", "Basic/"+prefsID, `W/"2"`, moved); code != 412 {
		t.Errorf("update changing the subject: %d %v", code, m)
	}
	if code, _, m := call(appA, "GET", "Basic/"+prefsID, "", nil); code != 200 || m["id"] != prefsID {
		t.Errorf("read user state: %d %v", code, m)
	}

	// The patient's keys under the patient/ scope; another patient is out of reach.
	code, _, created = call(appA, "POST", "Basic", "", state("Patient/p1", keysCode, "eyJhbGciOi..."))
	if code != 201 {
		t.Fatalf("create patient state: %d %v", code, created)
	}
	keysID := created["id"].(string)
	if code, got := search(appA, q(keysCode, "Patient/p1")); code != 200 || strings.Join(got, ",") != keysID {
		t.Errorf("search patient state: %d %v", code, got)
	}
	if code, _, m := call(appA, "POST", "Basic", "", state("Patient/p2", keysCode, "x")); code != 403 {
		t.Errorf("state for a patient not in context: %d %v", code, m)
	}
	if code, _, m := call(appA, "POST", "Basic", "", state("Practitioner/dr1", keysCode, "x")); code != 403 {
		t.Errorf("keys code (granted on patient/ only) for the user: %d %v", code, m)
	}

	// Global state (no subject) under the user/ scope.
	code, _, created = call(appA, "POST", "Basic", "", state("", prefsCode, `{"site":"default"}`))
	if code != 201 {
		t.Fatalf("create global state: %d %v", code, created)
	}
	globalID := created["id"].(string)
	if code, got := search(appA, q(prefsCode, "")); code != 200 || strings.Join(got, ",") != globalID {
		t.Errorf("search global state: %d %v", code, got)
	}

	// What the server refuses to store or to search.
	withID := state("Practitioner/dr1", prefsCode, "x")
	withID["id"] = "mine"
	relative := state("", prefsCode, "x")
	relative["subject"] = map[string]any{"reference": "Practitioner/dr1"}
	twoCodes := state("Practitioner/dr1", prefsCode, "x")
	twoCodes["code"] = map[string]any{"coding": []any{map[string]any{"system": "https://app-a.example", "code": "display-preferences"},
		map[string]any{"system": "https://app-a.example", "code": "phr-keys"}}}
	notString := state("Practitioner/dr1", prefsCode, "x")
	notString["extension"] = []any{map[string]any{"url": "https://app-a.example/n", "valueInteger": 3}}
	huge := state("Practitioner/dr1", prefsCode, strings.Repeat("x", 300<<10))
	for name, c := range map[string]struct {
		body any
		want int
	}{
		"id": {withID, 422}, "relative subject": {relative, 422}, "two codings": {twoCodes, 422},
		"valueInteger": {notString, 422}, "over 256 KB": {huge, 413},
		"another app's code": {state("Practitioner/dr1", otherCode, "x"), 403},
	} {
		if code, _, m := call(appA, "POST", "Basic", "", c.body); code != c.want {
			t.Errorf("create with %s: %d, want %d (%v)", name, code, c.want, m)
		}
	}
	if code, _ := search(appA, q(otherCode, "Practitioner/dr1")); code != 403 {
		t.Errorf("search another app's code: %d", code)
	}
	if code, _ := search(appA, "subject="+url.QueryEscape(fhirBase+"/Practitioner/dr1")); code != 400 {
		t.Errorf("search without a code: %d", code)
	}

	// Another app, even with an unrestricted Basic scope, sees and touches none of A's state.
	_, appB := launch(t, base, b.ID, "", "p1", "Practitioner/dr1", "launch", "openid", "fhirUser", "user/Basic.cruds")
	if code, _ := search(appB, q(prefsCode, "Practitioner/dr1")); code != 403 {
		t.Errorf("app B searching A's code: %d", code)
	}
	// App B's registration does not grant global state: a Basic without a subject is refused.
	if code, _, m := call(appB, "POST", "Basic", "", state("", otherCode, "x")); code != 403 {
		t.Errorf("global state by an app not registered for it: %d %v", code, m)
	}
	if code, got := search(appB, q(otherCode, "Practitioner/dr1")); code != 200 || len(got) != 0 {
		t.Errorf("app B searching its own code: %d %v", code, got)
	}
	if code, _, _ := call(appB, "GET", "Basic/"+prefsID, "", nil); code != 404 {
		t.Errorf("app B reading A's state: %d", code)
	}
	if code, _, _ := call(appB, "DELETE", "Basic/"+prefsID, `W/"2"`, nil); code != 404 {
		t.Errorf("app B deleting A's state: %d", code)
	}

	// A token of app A without a Basic scope gets nothing.
	_, noBasic := launch(t, base, a.ID, a.Secret, "p1", "Practitioner/dr1", "launch", "patient/Patient.rs")
	if code, _ := search(noBasic, q(prefsCode, "Practitioner/dr1")); code != 403 {
		t.Errorf("no Basic scope: %d", code)
	}

	// Deletes need the current version; a deleted state is a failed precondition from then on.
	if code, _, _ := call(appA, "DELETE", "Basic/"+prefsID, "", nil); code != 428 {
		t.Errorf("delete without If-Match: %d", code)
	}
	if code, _, _ := call(appA, "DELETE", "Basic/"+prefsID, `W/"1"`, nil); code != 412 {
		t.Errorf("delete with a stale If-Match: %d", code)
	}
	if code, _, m := call(appA, "DELETE", "Basic/"+prefsID, `W/"2"`, nil); code != 204 {
		t.Errorf("delete: %d %v", code, m)
	}
	if code, _, _ := call(appA, "DELETE", "Basic/"+prefsID, `W/"3"`, nil); code != 412 {
		t.Errorf("delete again: %d", code)
	}
	update["id"] = prefsID
	if code, _, _ := call(appA, "PUT", "Basic/"+prefsID, `W/"3"`, update); code != 412 {
		t.Errorf("update after delete: %d", code)
	}
	if code, got := search(appA, q(prefsCode, "Practitioner/dr1")); code != 200 || len(got) != 0 {
		t.Errorf("search after delete: %d %v", code, got)
	}
	if code, _, _ := call(appA, "DELETE", "Basic/"+keysID, `W/"1"`, nil); code != 204 {
		t.Errorf("delete patient state: %d", code)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

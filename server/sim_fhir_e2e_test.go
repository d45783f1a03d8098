package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server/events"
	"github.com/valet-sandbox/valet/server/store"
)

// registeredApp is a client registered through the control API.
type registeredApp struct {
	ID     string `json:"client_id"`
	Secret string `json:"client_secret"`
}

// registerApp registers a chart app (redirect and launch URIs on app.example) with the extra metadata.
func registerApp(t *testing.T, base string, extra map[string]any) registeredApp {
	t.Helper()
	body := map[string]any{"client_name": "chart app", "redirect_uris": []string{e2eRedirect}, "launch_uri": "http://app.example/launch"}
	for k, v := range extra {
		body[k] = v
	}
	var c registeredApp
	apiJSON(t, base, "POST", "/api/clients", body, 201, &c)
	return c
}

// simulation is a simulation as the control API answers it.
type simulation struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"`
	Seen  int    `json:"seen"`
	Fired int    `json:"fired"`
}

// setSimulation sets a simulation through the control API.
func setSimulation(t *testing.T, base string, body map[string]any) simulation {
	t.Helper()
	var s simulation
	apiJSON(t, base, "POST", "/api/simulations", body, 201, &s)
	return s
}

// simulatedEvents are the flow events a simulation marked, read through the control API.
func simulatedEvents(t *testing.T, base, simID string) []events.Event {
	t.Helper()
	var all []events.Event
	apiJSON(t, base, "GET", "/api/events?limit=1000", nil, 200, &all)
	var out []events.Event
	for _, e := range all {
		if e.Simulated != nil && e.Simulated.ID == simID {
			out = append(out, e)
		}
	}
	return out
}

// fhirGet sends GET base/fhir/path with c and returns the response with its body read.
func fhirGet(t *testing.T, c *http.Client, base, path string) (*http.Response, map[string]any) {
	t.Helper()
	resp, err := c.Get(base + "/fhir/" + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return resp, m
}

func issueCode(m map[string]any) string {
	if is, _ := m["issue"].([]any); len(is) > 0 {
		c, _ := is[0].(map[string]any)["code"].(string)
		return c
	}
	return ""
}

// TestFHIRSimulations drives a real launch's token (golang.org/x/oauth2) and a backend-services token
// (client_credentials with a JWT assertion) into each FHIR simulation and checks the wire: status,
// OperationOutcome code, WWW-Authenticate, Retry-After; that the request after a one-shot simulation is
// answered as usual; and that the flow events mark the simulated step.
func TestFHIRSimulations(t *testing.T) {
	base, _, _ := startSandbox(t, func(db *store.DB, base string) { seed(t, db, base) })
	c := registerApp(t, base, nil)
	_, app, _ := launchWith(t, base, map[string]any{"client_id": c.ID, "patient": "p1", "user": "Practitioner/dr1", "auto_approve": true},
		c.Secret, "launch", "openid", "fhirUser", "patient/*.rs")
	backend := registerBackend(t, base, "system/*.rs")
	sys := backend.client(t, "system/*.rs")

	const bearer = `Bearer realm="`
	for _, tc := range []struct {
		kind   string
		params map[string]any
		status int
		code   string
		header map[string]string // header → substring it must contain
	}{
		{"fhir.invalid_token", nil, 401, "login", map[string]string{"WWW-Authenticate": `error="invalid_token"`}},
		{"fhir.expired_token", nil, 401, "login", map[string]string{"WWW-Authenticate": `error_description="invalid token: expired`}},
		{"fhir.revoked_token", nil, 401, "login", map[string]string{"WWW-Authenticate": `error_description="invalid token: revoked`}},
		{"fhir.insufficient_scope", nil, 403, "forbidden", map[string]string{"WWW-Authenticate": `error="insufficient_scope"`}},
		{"fhir.rate_limited", map[string]any{"retry_after": 7}, 429, "throttled", map[string]string{"Retry-After": "7"}},
		{"fhir.server_error", nil, 500, "exception", nil},
		{"fhir.unavailable", nil, 503, "transient", map[string]string{"Retry-After": "1"}},
		{"fhir.patient_not_found", nil, 404, "not-found", nil},
	} {
		for _, who := range []struct {
			name, client string
			h            *http.Client
		}{{"launch", c.ID, app}, {"backend", backend.id, sys}} {
			t.Run(tc.kind+"/"+who.name, func(t *testing.T) {
				body := map[string]any{"kind": tc.kind, "client_id": who.client}
				for k, v := range tc.params {
					body[k] = v
				}
				s := setSimulation(t, base, body)
				resp, m := fhirGet(t, who.h, base, "Patient/p1")
				if resp.StatusCode != tc.status || issueCode(m) != tc.code || m["resourceType"] != "OperationOutcome" {
					t.Fatalf("status %d code %q (%v), want %d %q", resp.StatusCode, issueCode(m), m, tc.status, tc.code)
				}
				for h, want := range tc.header {
					if got := resp.Header.Get(h); !strings.Contains(got, want) {
						t.Errorf("%s: %q, want it to contain %q", h, got, want)
					}
				}
				if strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), bearer) != (tc.status == 401 || tc.status == 403) {
					t.Errorf("WWW-Authenticate %q on a %d", resp.Header.Get("WWW-Authenticate"), tc.status)
				}
				// One-shot: the next request is answered as usual.
				if resp, m := fhirGet(t, who.h, base, "Patient/p1"); resp.StatusCode != 200 {
					t.Errorf("after the one-shot simulation: %d %v", resp.StatusCode, m)
				}
				evs := simulatedEvents(t, base, s.ID)
				if len(evs) != 1 || evs[0].Kind != "fhir.simulated" || evs[0].Simulated.Kind != tc.kind || evs[0].ClientID != who.client {
					t.Fatalf("events marked with the simulation: %+v", evs)
				}
				if who.name == "launch" && (evs[0].FlowID == "" || evs[0].LaunchID == "") {
					t.Errorf("the simulated step is not tied to the launch's flow: %+v", evs[0])
				}
			})
		}
	}

	t.Run("slow", func(t *testing.T) {
		setSimulation(t, base, map[string]any{"kind": "fhir.slow", "client_id": c.ID, "delay_ms": 300})
		start := time.Now()
		if resp, m := fhirGet(t, app, base, "Patient/p1"); resp.StatusCode != 200 || m["id"] != "p1" {
			t.Fatalf("slow read: %d %v", resp.StatusCode, m)
		}
		// A lower bound only: the answer cannot come before the delay (no upper bound is asserted).
		if d := time.Since(start); d < 300*time.Millisecond {
			t.Errorf("answered after %v, before the 300 ms delay", d)
		}
	})

	t.Run("nth", func(t *testing.T) {
		s := setSimulation(t, base, map[string]any{"kind": "fhir.rate_limited", "client_id": c.ID, "when": "nth", "n": 3})
		var got []int
		for range 5 {
			resp, _ := fhirGet(t, app, base, "Observation?patient=p1")
			got = append(got, resp.StatusCode)
		}
		if want := []int{200, 200, 429, 200, 200}; !equalInts(got, want) {
			t.Errorf("statuses %v, want %v", got, want)
		}
		if len(simulatedEvents(t, base, s.ID)) != 1 {
			t.Error("the third request is not marked simulated")
		}
	})

	t.Run("always until cleared", func(t *testing.T) {
		s := setSimulation(t, base, map[string]any{"kind": "fhir.server_error", "when": "always"}) // global
		for _, h := range []*http.Client{app, sys, app} {
			if resp, _ := fhirGet(t, h, base, "Patient/p1"); resp.StatusCode != 500 {
				t.Errorf("global always: %d", resp.StatusCode)
			}
		}
		var list struct{ Simulations []simulation }
		apiJSON(t, base, "GET", "/api/simulations?global=true", nil, 200, &list)
		if len(list.Simulations) != 1 || list.Simulations[0].Seen != 3 || list.Simulations[0].Fired != 3 {
			t.Errorf("listed: %+v", list.Simulations)
		}
		var cleared struct{ Removed int }
		apiDelete(t, base, "/api/simulations/"+s.ID, 204)
		apiDelete(t, base, "/api/simulations/"+s.ID, 404)
		apiJSON(t, base, "DELETE", "/api/simulations", nil, 200, &cleared)
		if resp, _ := fhirGet(t, app, base, "Patient/p1"); resp.StatusCode != 200 {
			t.Errorf("after clearing: %d", resp.StatusCode)
		}
	})

	t.Run("launch scope", func(t *testing.T) {
		// A simulation set with one launch acts on that launch's tokens only, not on another launch of the app.
		_, first, l1 := launchWith(t, base, map[string]any{"client_id": c.ID, "patient": "p1", "user": "Practitioner/dr1", "auto_approve": true,
			"simulations": []map[string]any{{"kind": "fhir.expired_token", "when": "always"}}}, c.Secret, "launch", "patient/*.rs")
		_, second, _ := launchWith(t, base, map[string]any{"client_id": c.ID, "patient": "p1", "user": "Practitioner/dr1", "auto_approve": true},
			c.Secret, "launch", "patient/*.rs")
		if resp, _ := fhirGet(t, first, base, "Observation"); resp.StatusCode != 401 {
			t.Errorf("the launch's token: %d, want 401", resp.StatusCode)
		}
		if resp, _ := fhirGet(t, second, base, "Observation"); resp.StatusCode != 200 {
			t.Errorf("another launch's token: %d, want 200", resp.StatusCode)
		}
		var list struct{ Simulations []simulation }
		apiJSON(t, base, "GET", "/api/simulations?launch="+l1, nil, 200, &list)
		if len(list.Simulations) != 1 || list.Simulations[0].Fired != 1 {
			t.Errorf("the launch's simulations: %+v", list.Simulations)
		}
		apiJSON(t, base, "DELETE", "/api/simulations?launch="+l1, nil, 200, &struct{}{})
	})

	t.Run("patient_not_found names a patient", func(t *testing.T) {
		setSimulation(t, base, map[string]any{"kind": "fhir.patient_not_found", "client_id": backend.id, "patient": "p2"})
		if resp, _ := fhirGet(t, sys, base, "Patient/p1"); resp.StatusCode != 200 {
			t.Errorf("another patient: %d", resp.StatusCode)
		}
		if resp, _ := fhirGet(t, sys, base, "Patient/p2"); resp.StatusCode != 404 {
			t.Errorf("the named patient: %d", resp.StatusCode)
		}
	})
}

func apiDelete(t *testing.T, base, path string, want int) {
	t.Helper()
	req, _ := http.NewRequest("DELETE", base+path, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != want {
		t.Errorf("DELETE %s: %d, want %d", path, resp.StatusCode, want)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestSimulationRefusals checks that bad simulations are refused with the field they are about, and
// that simulations survive a restart of the server on the same database.
func TestSimulationRefusals(t *testing.T) {
	base, _, _ := startSandbox(t, nil)
	for body, field := range map[string]string{
		`{"kind":"fhir.nope"}`:                                 "kind",
		`{"kind":"fhir.slow"}`:                                 "delay_ms",
		`{"kind":"fhir.server_error","when":"nth"}`:            "n",
		`{"kind":"fhir.server_error","when":"sometimes"}`:      "when",
		`{"kind":"fhir.server_error","delay_ms":5}`:            "delay_ms",
		`{"kind":"fhir.server_error","client_id":"nobody"}`:    "client_id",
		`{"kind":"fhir.server_error","launch":"nolaunch"}`:     "launch",
		`{"kind":"authorize.consent_subset"}`:                  "scope",
		`{"kind":"fhir.rate_limited","retry_after":100000000}`: "retry_after",
	} {
		req, _ := http.NewRequest("POST", base+"/api/simulations", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e struct{ Error, Field string }
		_ = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != 400 || e.Field != field || e.Error == "" {
			t.Errorf("%s: %d %+v, want 400 about %s", body, resp.StatusCode, e, field)
		}
	}
}

// TestDeletingAnAppClearsItsSimulations: a client registered again under the same id is a new app, and
// does not inherit the old one's simulated failures.
func TestDeletingAnAppClearsItsSimulations(t *testing.T) {
	base, _, _ := startSandbox(t, nil)
	c := registerApp(t, base, nil)
	setSimulation(t, base, map[string]any{"kind": "fhir.server_error", "client_id": c.ID, "when": "always"})
	setSimulation(t, base, map[string]any{"kind": "fhir.slow", "delay_ms": 10}) // global: stays
	apiDelete(t, base, "/api/clients/"+c.ID, 204)
	var list struct{ Simulations []simulation }
	apiJSON(t, base, "GET", "/api/simulations", nil, 200, &list)
	if len(list.Simulations) != 1 || list.Simulations[0].Kind != "fhir.slow" {
		t.Errorf("after deleting the app: %+v", list.Simulations)
	}
}

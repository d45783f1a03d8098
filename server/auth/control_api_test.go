package auth_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server/store"
)

func TestControlAPIClients(t *testing.T) {
	s := newSandbox(t)
	a := s.register(map[string]any{"client_name": "A", "redirect_uris": []string{redirect}, "token_endpoint_auth_method": "client_secret_basic"})
	b := s.register(map[string]any{"client_name": "B", "redirect_uris": []string{redirect}})
	var list []map[string]any
	if code := s.api("GET", "/api/clients", nil, &list); code != 200 || len(list) != 2 || list[0]["client_id"] != a.ID || list[1]["client_id"] != b.ID {
		t.Fatalf("GET /api/clients: %d %v", code, list)
	}
	for _, c := range list {
		if _, leaked := c["client_secret"]; leaked {
			t.Errorf("GET /api/clients shows a secret: %v", c)
		}
	}
	var one map[string]any
	if code := s.api("GET", "/api/clients/"+a.ID, nil, &one); code != 200 || one["type"] != "confidential-symmetric" || one["client_name"] != "A" || one["client_secret"] != nil {
		t.Errorf("GET /api/clients/{id}: %d %v", code, one)
	}
	var e map[string]any
	if code := s.api("GET", "/api/clients/nope", nil, &e); code != 404 || e["error"] == nil {
		t.Errorf("GET unknown client: %d %v", code, e)
	}
	// PUT replaces the metadata; a symmetric client keeps its secret.
	var up map[string]any
	if code := s.api("PUT", "/api/clients/"+a.ID, map[string]any{"client_name": "A2", "redirect_uris": []string{redirect, "https://app.example/cb2"},
		"token_endpoint_auth_method": "client_secret_basic", "access_token_lifetime": 600}, &up); code != 200 || up["client_name"] != "A2" || up["client_secret"] != nil {
		t.Fatalf("PUT: %d %v", code, up)
	}
	if code, m, _ := post(t, s.base+"/auth/introspect", map[string][]string{"token": {"x"}}, a.ID, a.Secret); code != 200 || m["active"] != false {
		t.Errorf("secret no longer works after PUT: %d %v", code, m)
	}
	if code := s.api("PUT", "/api/clients/"+a.ID, map[string]any{"client_name": "A3", "redirect_uris": []string{"no"}}, &e); code != 400 {
		t.Errorf("PUT with a bad redirect_uri: %d %v", code, e)
	}
	if code := s.api("PUT", "/api/clients/nope", map[string]any{"client_name": "x", "redirect_uris": []string{redirect}}, &e); code != 404 {
		t.Errorf("PUT unknown client: %d %v", code, e)
	}
	// A public client turned symmetric gets a secret, once.
	if code := s.api("PUT", "/api/clients/"+b.ID, map[string]any{"client_name": "B", "redirect_uris": []string{redirect},
		"token_endpoint_auth_method": "client_secret_post"}, &up); code != 200 || up["client_secret"] == nil {
		t.Errorf("PUT public → symmetric: %d %v", code, up)
	}
	if code := s.api("DELETE", "/api/clients/"+a.ID, nil, nil); code != 204 {
		t.Errorf("DELETE: %d", code)
	}
	if code := s.api("DELETE", "/api/clients/"+a.ID, nil, &e); code != 404 {
		t.Errorf("second DELETE: %d", code)
	}
	if code, m, _ := post(t, s.base+"/auth/introspect", map[string][]string{"token": {"x"}}, a.ID, a.Secret); code != 401 || m["error"] != "invalid_client" {
		t.Errorf("deleted client still authenticates: %d %v", code, m)
	}
}

func TestControlAPILaunches(t *testing.T) {
	s := newSandbox(t)
	c := s.register(map[string]any{"client_name": "L", "redirect_uris": []string{redirect}, "launch_uri": "http://app.example/launch"})
	for _, p := range []string{"p1", "p2"} {
		if code := s.api("POST", "/api/launches", map[string]any{"client_id": c.ID, "patient": p}, nil); code != 201 {
			t.Fatalf("POST /api/launches: %d", code)
		}
	}
	var e map[string]any
	if code := s.api("POST", "/api/launches", map[string]any{"client_id": c.ID, "patient": "ghost"}, &e); code != 400 {
		t.Errorf("launch for a missing patient: %d %v", code, e)
	}
	var ls []store.Launch
	if code := s.api("GET", "/api/launches", nil, &ls); code != 200 || len(ls) != 2 || ls[0].ClientID != c.ID || ls[0].UsedAt != nil {
		t.Fatalf("GET /api/launches: %d %+v", code, ls)
	}
}

type event struct {
	ID       int64  `json:"id"`
	Kind     string `json:"kind"`
	LaunchID string `json:"launch_id"`
	FlowID   string `json:"flow_id"`
	ClientID string `json:"client_id"`
}

func TestControlAPIEvents(t *testing.T) {
	s := newSandbox(t)
	mk := func(name string) *benchFlow {
		return &benchFlow{s: s, client: s.register(map[string]any{"client_name": name, "redirect_uris": []string{redirect},
			"valet_user": "Practitioner/dr1", "valet_patient": "p1", "valet_auto_approve": true})}
	}
	a, b := mk("A"), mk("B")
	if _, err := a.run(); err != nil {
		t.Fatal(err)
	}
	mid := s.clock.Now()
	s.clock.Advance(time.Minute)
	if _, err := b.run(); err != nil {
		t.Fatal(err)
	}
	var all, ofA, ofB, since []event
	s.api("GET", "/api/events", nil, &all)
	s.api("GET", "/api/events?client="+a.client.ID, nil, &ofA)
	s.api("GET", "/api/events?client="+b.client.ID, nil, &ofB)
	s.api("GET", "/api/events?since="+mid.UTC().Format(time.RFC3339Nano), nil, &since)
	if len(ofA) < 4 || len(ofB) < 4 || len(all) < len(ofA)+len(ofB) {
		t.Fatalf("events: all %d, A %d, B %d", len(all), len(ofA), len(ofB))
	}
	for _, e := range ofA {
		if e.ClientID != a.client.ID {
			t.Errorf("client filter let through %+v", e)
		}
	}
	if len(since) != len(ofB) {
		t.Errorf("since filter: %d events, want B's %d", len(since), len(ofB))
	}
	var flow []event
	s.api("GET", fmt.Sprintf("/api/events?flow=%s", ofB[0].FlowID), nil, &flow)
	kinds := []string{}
	for _, e := range flow {
		kinds = append(kinds, e.Kind)
	}
	if got := strings.Join(kinds, " "); !strings.Contains(got, "authorize.received") || !strings.Contains(got, "code.issued") || !strings.Contains(got, "token.issued") {
		t.Errorf("flow filter: %s", got)
	}
	var after []event
	s.api("GET", fmt.Sprintf("/api/events?after=%d&limit=2", all[1].ID), nil, &after)
	if len(after) != 2 || after[0].ID != all[2].ID {
		t.Errorf("after+limit: %+v", after)
	}
	// The launch filter.
	var launch struct{ Launch string }
	s.api("POST", "/api/launches", map[string]any{"client_id": a.client.ID, "patient": "p1", "launch_uri": "http://app.example/l"}, &launch)
	var ofLaunch []event
	s.api("GET", "/api/events?launch="+launch.Launch, nil, &ofLaunch)
	if len(ofLaunch) != 1 || ofLaunch[0].Kind != "launch.created" {
		t.Errorf("launch filter: %+v", ofLaunch)
	}
	if code := s.api("GET", "/api/events?since=yesterday", nil, nil); code != 400 {
		t.Errorf("bad since: %d", code)
	}
}

// readSSE reads n events from an SSE stream.
func readSSE(t *testing.T, sc *bufio.Scanner, n int) []event {
	t.Helper()
	var out []event
	for len(out) < n && sc.Scan() {
		line := sc.Text()
		if data, ok := strings.CutPrefix(line, "data: "); ok {
			var e event
			if err := json.Unmarshal([]byte(data), &e); err != nil {
				t.Fatal(err)
			}
			out = append(out, e)
		}
	}
	return out
}

func TestEventStreamAndResume(t *testing.T) {
	s := newSandbox(t)
	f := &benchFlow{s: s, client: s.register(map[string]any{"client_name": "S", "redirect_uris": []string{redirect},
		"valet_user": "Practitioner/dr1", "valet_patient": "p1", "valet_auto_approve": true})}
	if _, err := f.run(); err != nil {
		t.Fatal(err)
	}
	var past []event
	s.api("GET", "/api/events?client="+f.client.ID, nil, &past)
	if len(past) < 4 {
		t.Fatalf("%d past events", len(past))
	}
	open := func(lastID int64) (*bufio.Scanner, func()) {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", s.base+"/api/events/stream?client="+f.client.ID, nil)
		if lastID > 0 {
			req.Header.Set("Last-Event-ID", fmt.Sprint(lastID))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
			t.Fatalf("stream Content-Type %q", ct)
		}
		return bufio.NewScanner(resp.Body), func() { cancel(); resp.Body.Close() }
	}
	// A new stream replays the past, then streams live events.
	sc, stop := open(0)
	replay := readSSE(t, sc, len(past))
	if replay[0].ID != past[0].ID || replay[len(replay)-1].ID != past[len(past)-1].ID {
		t.Errorf("replay %v, want %v", replay, past)
	}
	if _, err := f.run(); err != nil {
		t.Fatal(err)
	}
	live := readSSE(t, sc, 1)
	if len(live) != 1 || live[0].ID <= past[len(past)-1].ID || live[0].ClientID != f.client.ID {
		t.Errorf("live event %+v", live)
	}
	stop()
	// Reconnecting with Last-Event-ID resumes after it: nothing before, nothing twice.
	sc, stop = open(past[1].ID)
	defer stop()
	resumed := readSSE(t, sc, 1)
	if len(resumed) != 1 || resumed[0].ID != past[2].ID {
		t.Errorf("resumed at %+v, want id %d", resumed, past[2].ID)
	}
}

// Every control API refusal of bad input names the member it is about, so the panel shows it next to
// the right field without reading the message.
// valet_client_secret fixes a symmetric client's secret, at creation and on update; the token endpoint
// takes it (scenario files rely on it for the same credentials everywhere).
func TestControlAPIFixedClientSecret(t *testing.T) {
	s := newSandbox(t)
	const secret = "scenario-secret-0123456789"
	var c map[string]any
	if code := s.api("POST", "/api/clients", map[string]any{"client_id": "fixed", "client_name": "F", "redirect_uris": []string{redirect},
		"token_endpoint_auth_method": "client_secret_post", "valet_client_secret": secret}, &c); code != 201 || c["client_secret"] != secret {
		t.Fatalf("POST with valet_client_secret: %d %v", code, c)
	}
	const next = "another-secret-0123456789"
	if code := s.api("PUT", "/api/clients/fixed", map[string]any{"client_name": "F", "redirect_uris": []string{redirect},
		"token_endpoint_auth_method": "client_secret_post", "valet_client_secret": next}, &c); code != 200 || c["client_secret"] != next {
		t.Fatalf("PUT with valet_client_secret: %d %v", code, c)
	}
	for _, tc := range []struct {
		secret string
		want   int
	}{{secret, 401}, {next, 400}} {
		// A code-less refresh request: a good secret gets past client authentication to invalid_grant.
		resp, err := http.PostForm(s.base+"/auth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"nope"},
			"client_id": {"fixed"}, "client_secret": {tc.secret}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("token request with secret %q: %d, want %d", tc.secret, resp.StatusCode, tc.want)
		}
	}
}

func TestControlAPIErrorsNameTheirField(t *testing.T) {
	s := newSandbox(t)
	c := s.register(map[string]any{"client_name": "F", "redirect_uris": []string{redirect}, "launch_uri": "http://app.example/launch"})
	for _, tc := range []struct {
		method, path string
		body         map[string]any
		field        string
	}{
		{"POST", "/api/clients", map[string]any{"client_name": "x", "redirect_uris": []string{"nope"}}, "redirect_uris"},
		{"POST", "/api/clients", map[string]any{"client_name": "x"}, "redirect_uris"},
		{"POST", "/api/clients", map[string]any{"client_name": "x", "redirect_uris": []string{redirect}, "scope": "patient/Observation.xyz"}, "scope"},
		{"POST", "/api/clients", map[string]any{"client_name": "x", "redirect_uris": []string{redirect}, "jwks_uri": "ftp://x"}, "jwks_uri"},
		{"POST", "/api/clients", map[string]any{"client_name": "x", "redirect_uris": []string{redirect}, "valet_user": "Organization/o"}, "valet_user"},
		{"POST", "/api/clients", map[string]any{"client_name": "x", "redirect_uris": []string{redirect}, "valet_patient": "nobody"}, "valet_patient"},
		{"POST", "/api/clients", map[string]any{"client_name": "x", "redirect_uris": []string{redirect}, "token_endpoint_auth_method": "magic"}, "token_endpoint_auth_method"},
		{"POST", "/api/clients", map[string]any{"client_id": c.ID, "client_name": "x", "redirect_uris": []string{redirect}}, "client_id"},
		{"POST", "/api/clients", map[string]any{"client_name": "x", "redirect_uris": []string{redirect}, "valet_app_state_codes": []string{"nope"}}, "valet_app_state_codes"},
		{"PUT", "/api/clients/" + c.ID, map[string]any{"client_name": "x", "redirect_uris": []string{redirect}, "access_token_lifetime": -1}, "access_token_lifetime"},
		{"POST", "/api/launches", map[string]any{"client_id": "nope"}, "client_id"},
		{"POST", "/api/launches", map[string]any{"client_id": c.ID, "patient": "nobody"}, "patient"},
		{"POST", "/api/launches", map[string]any{"client_id": c.ID, "user": "Practitioner/nobody"}, "user"},
		{"POST", "/api/launches", map[string]any{"client_id": c.ID, "fhir_context": map[string]any{}}, "fhir_context"},
		{"PUT", "/api/users/Patient/p2/password", map[string]any{"password": "ab"}, "password"},
		{"POST", "/api/clients", map[string]any{"client_name": "x", "redirect_uris": []string{redirect}, "valet_client_secret": "0123456789abcdef"}, "valet_client_secret"},
		{"POST", "/api/clients", map[string]any{"client_name": "x", "redirect_uris": []string{redirect}, "token_endpoint_auth_method": "client_secret_post", "valet_client_secret": "short"}, "valet_client_secret"},
	} {
		var e struct{ Error, Field string }
		if code := s.api(tc.method, tc.path, tc.body, &e); code != 400 || e.Field != tc.field || e.Error == "" || strings.Contains(e.Error, "invalid input") {
			t.Errorf("%s %s %v: %d %+v, want 400 about %s", tc.method, tc.path, tc.body, code, e, tc.field)
		}
	}
}

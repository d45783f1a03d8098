package auth_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/valet-sandbox/valet/server/fhir"
)

var pickedRE = regexp.MustCompile(`name="patient" value="Patient/([^"]+)"`)

func pickerIDs(t *testing.T, resp *http.Response) ([]string, string) {
	t.Helper()
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var ids []string
	for _, m := range pickedRE.FindAllStringSubmatch(string(body), -1) {
		ids = append(ids, m[1])
	}
	next := ""
	if m := regexp.MustCompile(`after=([^"&]+)">Next page`).FindStringSubmatch(string(body)); m != nil {
		next = m[1]
	}
	return ids, next
}

func TestPatientPickerSearchAndPaging(t *testing.T) {
	s := newSandbox(t)
	ctx := context.Background()
	var seeded []fhir.Resource
	for i := range 30 {
		body := fmt.Sprintf(`{"resourceType":"Patient","id":"q%02d","name":[{"family":"Many","given":["Pat%02d"]}],"birthDate":"2001-01-%02d","identifier":[{"value":"ID-%02d"}]}`, i, i, i%28+1, i)
		seeded = append(seeded, fhir.Resource{Type: "Patient", ID: fmt.Sprintf("q%02d", i), JSON: []byte(body)})
	}
	if err := s.srv.Population().FHIR.Ingest(ctx, seeded); err != nil {
		t.Fatal(err)
	}
	c := s.register(map[string]any{"client_name": "Picker", "redirect_uris": []string{redirect}, "valet_user": "Practitioner/dr1", "valet_auto_approve": true})
	b := browser()
	resp := s.start(t, b, s.oauth(c, "launch/patient", "patient/*.rs"), oauth2.GenerateVerifier(), "pk")
	body, _ := io.ReadAll(resp.Body)
	req := regexp.MustCompile(`name="req" value="([^"]+)"`).FindStringSubmatch(string(body))[1]
	search := func(q url.Values) ([]string, string) {
		q.Set("req", req)
		r, err := b.Get(s.base + "/auth/pick-patient?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		return pickerIDs(t, r)
	}
	for _, tc := range []struct {
		name string
		q    url.Values
		want string
	}{
		{"name", url.Values{"name": {"amy sm"}}, "p1"},
		{"family name", url.Values{"name": {"other"}}, "p2"},
		{"birth date", url.Values{"birthdate": {"1980-02-03"}}, "p1"},
		{"identifier", url.Values{"identifier": {"mrn-1"}}, "p1"},
		{"name and birth date", url.Values{"name": {"pat07"}, "birthdate": {"2001-01-08"}}, "q07"},
		{"nothing matches", url.Values{"name": {"nobody"}}, ""},
	} {
		ids, _ := search(tc.q)
		if strings.Join(ids, ",") != tc.want {
			t.Errorf("%s: %v, want %q", tc.name, ids, tc.want)
		}
	}
	// Paging: 32 patients in id order, 20 a page, no repeats and none missed.
	first, next := search(url.Values{})
	if len(first) != 20 || next == "" {
		t.Fatalf("first page: %d patients, next %q", len(first), next)
	}
	second, last := search(url.Values{"after": {next}})
	if len(second) != 12 || last != "" || second[0] <= first[19] {
		t.Errorf("second page: %v (next %q) after %v", second, last, first)
	}
	// Paging keeps the search.
	many, next := search(url.Values{"name": {"many"}})
	rest, _ := search(url.Values{"name": {"many"}, "after": {next}})
	if len(many)+len(rest) != 30 {
		t.Errorf("searched pages hold %d+%d patients, want 30", len(many), len(rest))
	}
}

func TestOnlineAccessEndsWithLogout(t *testing.T) {
	s := newSandbox(t)
	c := s.register(map[string]any{"client_name": "Online", "redirect_uris": []string{redirect}, "valet_patient": "p1", "valet_auto_approve": true})
	cfg := s.oauth(c, "launch/patient", "online_access", "patient/*.rs")
	b := browser()
	v := oauth2.GenerateVerifier()
	q := codeFrom(t, submit(t, b, s.start(t, b, cfg, v, "on"), "/auth/login", url.Values{"user": {"Practitioner/dr1"}}), "on")
	tok, err := cfg.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(v))
	if err != nil || tok.RefreshToken == "" {
		t.Fatalf("exchange: %v %v", tok, err)
	}
	refresh := func(rt string) (int, map[string]any) {
		code, m, _ := post(t, s.base+"/auth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {c.ID}})
		return code, m
	}
	code, m := refresh(tok.RefreshToken)
	if code != 200 {
		t.Fatalf("online refresh in a live session: %d %v", code, m)
	}
	if r, err := b.PostForm(s.base+"/auth/logout", nil); err != nil || r.StatusCode != 200 {
		t.Fatalf("logout: %v %v", r, err)
	}
	code, m = refresh(m["refresh_token"].(string))
	if code != 400 || m["error"] != "invalid_grant" || !strings.Contains(m["error_description"].(string), "session has ended") {
		t.Errorf("online refresh after logout: %d %v", code, m)
	}
}

func TestAuthorizePost(t *testing.T) {
	s := newSandbox(t)
	c := s.register(map[string]any{"client_name": "AP", "redirect_uris": []string{redirect}, "valet_user": "Practitioner/dr1",
		"valet_patient": "p1", "valet_auto_approve": true})
	cfg := s.oauth(c, "launch/patient", "openid", "fhirUser", "patient/*.rs")
	v := oauth2.GenerateVerifier()
	u, _ := url.Parse(cfg.AuthCodeURL("post", oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("aud", s.fhir)))
	resp, err := browser().PostForm(s.base+"/auth/authorize", u.Query())
	if err != nil {
		t.Fatal(err)
	}
	q := codeFrom(t, resp, "post")
	tok, err := cfg.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(v))
	if err != nil || tok.Extra("id_token") == nil {
		t.Errorf("exchange of a code from POST /auth/authorize: %v", err)
	}
}

func TestSecretMethodBinding(t *testing.T) {
	s := newSandbox(t)
	reg := func(method string, lenient bool) client {
		return s.register(map[string]any{"client_name": method, "redirect_uris": []string{redirect}, "token_endpoint_auth_method": method,
			"any_secret_method": lenient, "valet_user": "Practitioner/dr1", "valet_patient": "p1", "valet_auto_approve": true})
	}
	exchange := func(c client, usePost bool) (int, map[string]any) {
		v := oauth2.GenerateVerifier()
		q := codeFrom(t, s.start(t, browser(), s.oauth(c, "launch/patient", "patient/*.rs"), v, "m"), "m")
		form := url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {redirect}, "code_verifier": {v}}
		if usePost {
			form.Set("client_id", c.ID)
			form.Set("client_secret", c.Secret)
			code, m, _ := post(t, s.base+"/auth/token", form)
			return code, m
		}
		code, m, _ := post(t, s.base+"/auth/token", form, c.ID, c.Secret)
		return code, m
	}
	basic, postC, lenient := reg("client_secret_basic", false), reg("client_secret_post", false), reg("client_secret_basic", true)
	for _, tc := range []struct {
		name    string
		c       client
		usePost bool
		want    int
	}{
		{"client_secret_post client posts its secret", postC, true, 200},
		{"client_secret_basic client uses Basic", basic, false, 200},
		{"client_secret_basic client posts its secret", basic, true, 401},
		{"client_secret_post client uses Basic", postC, false, 401},
		{"lenient client posts its secret", lenient, true, 200},
		{"lenient client uses Basic", lenient, false, 200},
	} {
		code, m := exchange(tc.c, tc.usePost)
		if code != tc.want {
			t.Errorf("%s: %d %v, want %d", tc.name, code, m, tc.want)
		}
		if code == 401 && (m["error"] != "invalid_client" || !strings.Contains(m["error_description"].(string), "any_secret_method")) {
			t.Errorf("%s: %v; the error must name the registered method and the switch", tc.name, m)
		}
	}
	var e map[string]any
	if code := s.api("POST", "/api/clients", map[string]any{"client_name": "x", "redirect_uris": []string{redirect}, "any_secret_method": true}, &e); code != 400 {
		t.Errorf("any_secret_method on a public client: %d %v", code, e)
	}
}

func TestLaunchConsumedAtCodeIssuance(t *testing.T) {
	s := newSandbox(t)
	c := s.register(map[string]any{"client_name": "EHR", "redirect_uris": []string{redirect}, "launch_uri": "http://app.example/launch"})
	var l struct{ Launch string }
	s.api("POST", "/api/launches", map[string]any{"client_id": c.ID, "patient": "p1", "user": "Practitioner/dr1"}, &l)
	cfg := s.oauth(c, "launch", "patient/*.rs")
	withLaunch := oauth2.SetAuthURLParam("launch", l.Launch)
	// The user denies: the launch is not used up.
	b := browser()
	q := codeFrom(t, submit(t, b, s.start(t, b, cfg, oauth2.GenerateVerifier(), "d", withLaunch), "/auth/consent", url.Values{"decision": {"deny"}}), "d")
	if q.Get("error") != "access_denied" {
		t.Fatalf("deny: %v", q)
	}
	// Two tabs open the same launch; the first to approve gets the code, the second is refused.
	b1, b2 := browser(), browser()
	p1 := s.start(t, b1, cfg, oauth2.GenerateVerifier(), "t1", withLaunch)
	p2 := s.start(t, b2, cfg, oauth2.GenerateVerifier(), "t2", withLaunch)
	if q := codeFrom(t, submit(t, b1, p1, "/auth/consent", url.Values{"decision": {"approve"}, "scope": {"launch", "patient/*.rs"}}), "t1"); q.Get("code") == "" {
		t.Fatalf("approve after a denied attempt: %v", q)
	}
	q = codeFrom(t, submit(t, b2, p2, "/auth/consent", url.Values{"decision": {"approve"}, "scope": {"launch", "patient/*.rs"}}), "t2")
	if q.Get("code") != "" || !strings.Contains(q.Get("error_description"), "already used") {
		t.Errorf("second tab: %v", q)
	}
}

func TestRegistrationLoopbackOnly(t *testing.T) {
	s := newSandbox(t)
	for _, h := range []http.Header{
		{"X-Forwarded-For": {"203.0.113.9"}},
		{"X-Forwarded-For": {"127.0.0.1, 198.51.100.2"}},
		{"Forwarded": {`for="[2001:db8::1]:4711"`}},
	} {
		req, _ := http.NewRequest("POST", s.base+"/auth/register", strings.NewReader(`{"client_name":"x","redirect_uris":["`+redirect+`"]}`))
		for k, v := range h {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 403 || !strings.Contains(string(body), "POST /api/clients") {
			t.Errorf("%v: %d %s", h, resp.StatusCode, body)
		}
	}
	req, _ := http.NewRequest("POST", s.base+"/auth/register", strings.NewReader(`{"client_name":"x","redirect_uris":["`+redirect+`"]}`))
	req.Header.Set("X-Forwarded-For", "127.0.0.1")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 201 {
		t.Errorf("local proxy for a local client: %v %v", resp, err)
	}
}

// TestRedirectURIOmitted: RFC 6749 §4.1.3 — redirect_uri is required at the token endpoint only if the
// authorization request included it; a client with one registered URI may omit it in both.
func TestRedirectURIOmitted(t *testing.T) {
	s := newSandbox(t)
	c := s.register(map[string]any{"client_name": "One", "redirect_uris": []string{redirect}, "valet_user": "Practitioner/dr1",
		"valet_patient": "p1", "valet_auto_approve": true})
	cfg := s.oauth(c, "launch/patient", "patient/*.rs")
	code := func(omit bool) (string, string) {
		v := oauth2.GenerateVerifier()
		u := cfg.AuthCodeURL("o", oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("aud", s.fhir))
		if omit {
			u = strings.Replace(u, "redirect_uri="+url.QueryEscape(redirect)+"&", "", 1)
		}
		resp, err := browser().Get(u)
		if err != nil {
			t.Fatal(err)
		}
		return codeFrom(t, resp, "o").Get("code"), v
	}
	exchange := func(code, v string, redirectURI *string) int {
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {c.ID}, "code_verifier": {v}}
		if redirectURI != nil {
			form.Set("redirect_uri", *redirectURI)
		}
		st, _, _ := post(t, s.base+"/auth/token", form)
		return st
	}
	r := redirect
	if cd, v := code(true); exchange(cd, v, nil) != 200 {
		t.Error("omitted in both: refused")
	}
	if cd, v := code(true); exchange(cd, v, &r) != 200 {
		t.Error("omitted at authorize, the registered one at token: refused")
	}
	if cd, v := code(false); exchange(cd, v, nil) != 400 {
		t.Error("given at authorize, omitted at token: accepted")
	}
}

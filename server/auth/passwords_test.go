package auth_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

func TestUserPasswords(t *testing.T) {
	s := newSandbox(t)
	c := s.register(map[string]any{"client_name": "P", "redirect_uris": []string{redirect}, "valet_patient": "p1", "valet_auto_approve": true})
	cfg := s.oauth(c, "launch/patient", "openid", "fhirUser", "patient/*.rs")
	loginPage := func(b *http.Client, state string) *http.Response {
		resp := s.start(t, b, cfg, oauth2.GenerateVerifier(), state)
		if resp.StatusCode != 200 {
			t.Fatalf("login page: %d", resp.StatusCode)
		}
		return resp
	}
	readPage := func(resp *http.Response) string {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return string(body)
	}

	// Off by default: choosing a name signs in, and the page asks for no password.
	b := browser()
	resp := loginPage(b, "a")
	body := readPage(resp)
	if strings.Contains(body, `type="password"`) {
		t.Error("login page asks for a password although no user has one")
	}

	for _, tc := range []struct {
		method, path, body string
		want               int
	}{
		{"PUT", "/api/users/Practitioner/dr1/password", `{"password":"s3cret!"}`, 204},
		{"PUT", "/api/users/Practitioner/nobody/password", `{"password":"s3cret!"}`, 404},
		{"PUT", "/api/users/Organization/o1/password", `{"password":"s3cret!"}`, 400},
		{"PUT", "/api/users/Patient/p2/password", `{"password":"ab"}`, 400},
		{"PUT", "/api/users/Patient/p2/password", `not json`, 400},
		{"DELETE", "/api/users/Patient/p2/password", ``, 404},
	} {
		req, _ := http.NewRequest(tc.method, s.base+tc.path, strings.NewReader(tc.body))
		req.Header.Set("Content-Type", "application/json")
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != tc.want {
			t.Errorf("%s %s %s: %d %s, want %d", tc.method, tc.path, tc.body, r.StatusCode, msg, tc.want)
		}
	}
	stored, err := s.db.UserPassword(context.Background(), "Practitioner/dr1")
	if err != nil || !strings.HasPrefix(stored, "$argon2id$") || strings.Contains(stored, "s3cret") {
		t.Fatalf("stored password = %q, %v; want an argon2id hash", stored, err)
	}

	b = browser()
	resp = loginPage(b, "b")
	page := readPage(resp)
	if !strings.Contains(page, `type="password"`) || !strings.Contains(page, "password required") {
		t.Fatal("login page does not ask for the password")
	}
	// Wrong and missing passwords: the login page again with an error, never a redirect to the app.
	for _, pw := range []string{"wrong", ""} {
		resp = submit(t, b, pageResponse(resp, page), "/auth/login", url.Values{"user": {"Practitioner/dr1"}, "password": {pw}})
		page = readPage(resp)
		if resp.StatusCode != 200 || resp.Request.URL.Path != "/auth/login" || !strings.Contains(page, "Wrong password for Practitioner/dr1") {
			t.Fatalf("password %q: %d at %s", pw, resp.StatusCode, resp.Request.URL)
		}
	}
	// Users without a password still sign in without one.
	other := browser()
	r2 := loginPage(other, "c")
	q := codeFrom(t, submit(t, other, r2, "/auth/login", url.Values{"user": {"Patient/p2"}}), "c")
	if q.Get("code") == "" {
		t.Errorf("user without a password: %v", q)
	}
	// The right password finishes the flow.
	q = codeFrom(t, submit(t, b, pageResponse(resp, page), "/auth/login", url.Values{"user": {"Practitioner/dr1"}, "password": {"s3cret!"}}), "b")
	if q.Get("code") == "" {
		t.Errorf("right password: %v", q)
	}
	// DELETE removes it: the name alone signs in again.
	req, _ := http.NewRequest("DELETE", s.base+"/api/users/Practitioner/dr1/password", nil)
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != 204 {
		t.Fatalf("DELETE password: %v %v", r, err)
	}
	b = browser()
	q = codeFrom(t, submit(t, b, loginPage(b, "d"), "/auth/login", url.Values{"user": {"Practitioner/dr1"}}), "d")
	if q.Get("code") == "" {
		t.Errorf("after DELETE: %v", q)
	}
}

// pageResponse gives submit a response whose body was already read.
func pageResponse(resp *http.Response, body string) *http.Response {
	cp := *resp
	cp.Body = io.NopCloser(strings.NewReader(body))
	return &cp
}

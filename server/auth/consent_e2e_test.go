package auth_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// Remembered consent: approved with "remember my decision", later authorizations for the same or narrower
// scopes skip the consent page (prompt=none included), wider ones ask; revoking the decision asks again
// and ends the refresh tokens that user's grants to the app carried.
func TestRememberedConsent(t *testing.T) {
	s := newSandbox(t)
	ctx := context.Background()
	c := s.register(map[string]any{"client_name": "Remember", "redirect_uris": []string{redirect}, "valet_patient": "p1"})
	b := browser()
	scopes := []string{"launch/patient", "offline_access", "patient/*.rs"}
	cfg := s.oauth(c, scopes...)
	v := oauth2.GenerateVerifier()
	resp := submit(t, b, s.start(t, b, cfg, v, "r1"), "/auth/login", url.Values{"user": {"Practitioner/dr1"}})
	body := page(t, resp)
	if !strings.Contains(body, `name="remember"`) {
		t.Fatal("the consent page offers no remember box")
	}
	resp = submit(t, b, again(resp, body), "/auth/consent", url.Values{"decision": {"approve"}, "remember": {"yes"}, "scope": scopes})
	first, err := cfg.Exchange(ctx, codeFrom(t, resp, "r1").Get("code"), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	var list []struct {
		ClientID string `json:"client_id"`
		User     string `json:"user"`
		Scope    string `json:"scope"`
	}
	if s.api("GET", "/api/consents?client_id="+c.ID, nil, &list); len(list) != 1 || list[0].User != "Practitioner/dr1" ||
		list[0].Scope != "launch/patient offline_access patient/*.rs" {
		t.Fatalf("remembered: %+v", list)
	}
	silent := func(state string, sc []string, opts ...oauth2.AuthCodeOption) *http.Response {
		return s.start(t, b, s.oauth(c, sc...), oauth2.GenerateVerifier(), state, opts...)
	}
	// The same scopes, narrower ones, and prompt=none: a code without a page.
	for state, sc := range map[string][]string{"same": scopes, "narrower": {"launch/patient", "patient/Observation.rs"}} {
		if q := codeFrom(t, silent(state, sc), state); q.Get("code") == "" {
			t.Errorf("%s scopes: %v", state, q)
		}
	}
	if q := codeFrom(t, silent("none", scopes, oauth2.SetAuthURLParam("prompt", "none")), "none"); q.Get("code") == "" {
		t.Errorf("prompt=none with a remembered decision: %v", q)
	}
	// Wider: the consent page.
	if body := page(t, silent("wider", []string{"launch/patient", "patient/*.cruds"})); !strings.Contains(body, `action="/auth/consent"`) {
		t.Error("wider scopes skipped the consent page")
	}
	var out revoked
	req, _ := http.NewRequest("DELETE", s.base+"/api/consents?client_id="+c.ID+"&user=Practitioner/dr1", nil)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != 200 {
		t.Fatalf("DELETE /api/consents: %d", r.StatusCode)
	}
	if s.api("GET", "/api/consents", nil, &list); len(list) != 0 {
		t.Errorf("after revoking: %+v %+v", list, out)
	}
	if _, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: first.RefreshToken}).Token(); oauthErr(t, err).ErrorCode != "invalid_grant" {
		t.Errorf("refresh after the decision was revoked: %v", err)
	}
	if body := page(t, silent("again", scopes)); !strings.Contains(body, `action="/auth/consent"`) {
		t.Error("after revoking, the consent page was skipped")
	}
	errorRedirect(t, silent("none2", scopes, oauth2.SetAuthURLParam("prompt", "none")), "none2", "consent_required")
}

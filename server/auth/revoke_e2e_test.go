package auth_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

type revoked struct{ Grants, Codes, Sessions, Consents int }

// "Revoke everything of this app": its tokens stop at the FHIR server (401 invalid_token, revoked) and at
// the token endpoint (invalid_grant), its code waiting to be exchanged is withdrawn; another app's are not
// touched, and the app itself stays registered.
func TestRevokeEverythingOfAnApp(t *testing.T) {
	s := newSandbox(t)
	ctx := context.Background()
	meta := func(name string) map[string]any {
		return map[string]any{"client_name": name, "redirect_uris": []string{redirect}, "launch_uri": "http://app.example/launch"}
	}
	a, b := s.register(meta("A")), s.register(meta("B"))
	cfgA, tokA := s.ehrLaunch(t, a, nil, "offline_access", "patient/*.rs")
	_, tokB := s.ehrLaunch(t, b, nil, "offline_access", "patient/*.rs")
	var l struct{ Launch string }
	s.api("POST", "/api/launches", map[string]any{"client_id": a.ID, "patient": "p1", "user": "Practitioner/dr1", "auto_approve": true}, &l)
	v := oauth2.GenerateVerifier()
	pending := codeFrom(t, s.start(t, browser(), cfgA, v, "st", oauth2.SetAuthURLParam("launch", l.Launch)), "st").Get("code")

	var out revoked
	if code := s.api("POST", "/api/clients/"+a.ID+"/revoke", map[string]any{}, &out); code != 200 || out.Grants != 1 || out.Codes != 1 {
		t.Fatalf("revoke app: %d %+v", code, out)
	}
	if code, h := s.fhirRead(t, tokA.AccessToken); code != 401 || !strings.Contains(h, `error="invalid_token"`) || !strings.Contains(h, "revoked") {
		t.Errorf("A's token after revocation: %d %q", code, h)
	}
	if _, err := cfgA.TokenSource(ctx, &oauth2.Token{RefreshToken: tokA.RefreshToken}).Token(); oauthErr(t, err).ErrorCode != "invalid_grant" {
		t.Errorf("A's refresh after revocation: %v", err)
	}
	if _, err := cfgA.Exchange(ctx, pending, oauth2.VerifierOption(v)); oauthErr(t, err).ErrorCode != "invalid_grant" {
		t.Errorf("A's pending code after revocation: %v", err)
	}
	if code, _ := s.fhirRead(t, tokB.AccessToken); code != 200 {
		t.Errorf("B's token: %d", code)
	}
	// The app can launch again.
	if _, tok := s.ehrLaunch(t, a, nil, "patient/*.rs"); tok.AccessToken == "" {
		t.Error("no new token for the app after revocation")
	}
	var e struct{ Error string }
	if code := s.api("POST", "/api/clients/nope/revoke", map[string]any{}, &e); code != 404 {
		t.Errorf("revoke an unknown app: %d %+v", code, e)
	}
}

// "Revoke everything of this user" ends what that user authorized, in every app, and only that.
func TestRevokeEverythingOfAUser(t *testing.T) {
	s := newSandbox(t)
	c := s.register(map[string]any{"client_name": "U", "redirect_uris": []string{redirect}, "launch_uri": "http://app.example/launch"})
	_, dr := s.ehrLaunch(t, c, nil, "patient/*.rs")
	_, pt := s.ehrLaunch(t, c, map[string]any{"user": "Patient/p1"}, "patient/*.rs")
	var out revoked
	if code := s.api("POST", "/api/users/Practitioner/dr1/revoke", map[string]any{}, &out); code != 200 || out.Grants != 1 {
		t.Fatalf("revoke user: %d %+v", code, out)
	}
	if code, _ := s.fhirRead(t, dr.AccessToken); code != 401 {
		t.Errorf("dr1's token: %d", code)
	}
	if code, _ := s.fhirRead(t, pt.AccessToken); code != 200 {
		t.Errorf("the patient's token: %d", code)
	}
	var e struct{ Error, Field string }
	if code := s.api("POST", "/api/users/Device/x/revoke", map[string]any{}, &e); code != 400 || e.Field != "user" {
		t.Errorf("revoke a non-user: %d %+v", code, e)
	}
}

// "End this user's session": GET /api/sessions lists it; ended, the online_access refresh token fails with
// invalid_grant (SMART: online access lasts while the user is signed in), the offline_access one does not,
// and the next authorization in that browser asks the user to sign in again.
func TestEndUserSession(t *testing.T) {
	s := newSandbox(t)
	ctx := context.Background()
	c := s.register(map[string]any{"client_name": "Online", "redirect_uris": []string{redirect}, "valet_patient": "p1", "valet_auto_approve": true})
	b := browser()
	signIn := func(scopes ...string) (*oauth2.Config, *oauth2.Token) {
		t.Helper()
		cfg := s.oauth(c, append([]string{"launch/patient", "patient/*.rs"}, scopes...)...)
		v := oauth2.GenerateVerifier()
		resp := s.start(t, b, cfg, v, "on")
		if resp.Request.URL.Path == "/auth/authorize" && resp.StatusCode == 200 { // the sign-in page
			resp = submit(t, b, resp, "/auth/login", url.Values{"user": {"Practitioner/dr1"}})
		}
		tok, err := cfg.Exchange(ctx, codeFrom(t, resp, "on").Get("code"), oauth2.VerifierOption(v))
		if err != nil {
			t.Fatal(err)
		}
		return cfg, tok
	}
	onCfg, online := signIn("online_access")
	offCfg, offline := signIn("offline_access") // same browser: the session signs this one in
	var list []struct{ ID, User string }
	if code := s.api("GET", "/api/sessions?user=Practitioner/dr1", nil, &list); code != 200 || len(list) != 1 || list[0].User != "Practitioner/dr1" {
		t.Fatalf("sessions: %d %+v", code, list)
	}
	var out revoked
	if code := s.api("POST", "/api/users/Practitioner/dr1/end-session", map[string]any{}, &out); code != 200 || out.Sessions != 1 {
		t.Fatalf("end session: %d %+v", code, out)
	}
	_, err := onCfg.TokenSource(ctx, &oauth2.Token{RefreshToken: online.RefreshToken}).Token()
	if re := oauthErr(t, err); re.Response.StatusCode != 400 || re.ErrorCode != "invalid_grant" || !strings.Contains(re.ErrorDescription, "session has ended") {
		t.Errorf("online refresh after the session ended: %v", err)
	}
	if _, err := offCfg.TokenSource(ctx, &oauth2.Token{RefreshToken: offline.RefreshToken}).Token(); err != nil {
		t.Errorf("offline refresh after the session ended: %v", err)
	}
	resp := s.start(t, b, s.oauth(c, "launch/patient", "patient/*.rs"), oauth2.GenerateVerifier(), "again")
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/auth/authorize" {
		t.Errorf("authorize after the session ended: %d %s, want the sign-in page", resp.StatusCode, resp.Request.URL)
	}
	if s.api("GET", "/api/sessions", nil, &list); len(list) != 0 {
		t.Errorf("sessions after ending: %+v", list)
	}
}

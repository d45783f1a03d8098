package auth

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server/store"
)

func TestRecordIDsSortByTimeAndDiffer(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 1, 2, 3, 0, time.UTC)
	a, b, c := recordID(t0), recordID(t0), recordID(t0.Add(time.Millisecond))
	if a == b {
		t.Errorf("two ids of the same millisecond are equal: %s", a)
	}
	if !(a < c && b < c) {
		t.Errorf("ids do not sort by time: %s, %s then %s", a, b, c)
	}
	if len(a) != 12+22 {
		t.Errorf("id %q has %d characters, want 34 (12 hex digits of time, 16 random bytes)", a, len(a))
	}
	if want := fmt.Sprintf("%012x", t0.UnixMilli()); a[:12] != want {
		t.Errorf("id %q does not start with the time in milliseconds, %s", a, want)
	}
	if _, err := base64.RawURLEncoding.DecodeString(a[12:]); err != nil || strings.Contains(a, ".") {
		t.Errorf("id %q: its random part is not base64url (%v)", a, err)
	}
}

// The code exchange takes the grant's context from what finish built; a refresh decodes the stored
// JSON. Both must give the token response the same bytes.
func TestLaunchContextReadsBackTheSame(t *testing.T) {
	no := false
	for _, rec := range []store.AuthRequest{
		{},
		{Patient: "p1"},
		{Patient: "p1", Launch: &store.Launch{ID: "L", Intent: "reconcile", Tenant: "t", SmartStyleURL: "http://s/style.json",
			NeedPatientBanner: &no, FHIRContext: json.RawMessage(`[{"reference": "Encounter/e1", "role": "x"}, {"type": "Patient", "n": 1.5}]`)}},
	} {
		c, body := contextOf(&authRequest{AuthRequest: rec}, "http://valet/auth/style.json")
		var back launchContext
		if err := json.Unmarshal(body, &back); err != nil {
			t.Fatal(err)
		}
		exchange, refresh := tokenResponse{launchContext: c}, tokenResponse{launchContext: back}
		if a, b := exchange.appendJSON(nil), refresh.appendJSON(nil); string(a) != string(b) {
			t.Errorf("%+v: code exchange %s, refresh %s", rec, a, b)
		}
	}
}

// The hand-written encoder writes what encoding/json writes for the same members.
func TestTokenResponseIsEncodingJSON(t *testing.T) {
	yes := true
	for _, r := range []tokenResponse{
		{TokenType: "Bearer", ExpiresIn: 300, Scope: "system/*.rs"},
		{AccessToken: "a.b.c", TokenType: "Bearer", ExpiresIn: 3600, Scope: "launch openid patient/*.rs", RefreshToken: "g.r", IDToken: "x.y.z",
			Patient: "p<1>", Encounter: "e&1", launchContext: launchContext{FHIRContext: json.RawMessage(`[{"reference":"Encounter/e1"}]`),
				Intent: "reconcile", NeedPatientBanner: &yes, SmartStyleURL: "http://s/style.json", Tenant: "t"}},
	} {
		m := map[string]any{}
		r.members(func(k string, v any) { m[k] = v })
		want, _ := json.Marshal(m)
		if got := r.appendJSON(nil); string(got) != string(want) {
			t.Errorf("appendJSON = %s\nencoding/json %s", got, want)
		}
	}
}

// The token endpoint takes form bodies only, with or without media type parameters (RFC 6749 §3.2).
func TestParseFormMediaType(t *testing.T) {
	for ct, ok := range map[string]bool{
		"application/x-www-form-urlencoded":                true,
		"application/x-www-form-urlencoded; charset=UTF-8": true,
		"Application/X-WWW-Form-Urlencoded":                true,
		"application/json":                                 false,
		"":                                                 false,
		"application/x-www-form-urlencoded-not":            false,
	} {
		r := httptest.NewRequest(http.MethodPost, "/auth/token", strings.NewReader("grant_type=x"))
		r.Header.Set("Content-Type", ct)
		form, e := parseForm(r)
		if (e == nil) != ok || (ok && form.Get("grant_type") != "x") {
			t.Errorf("Content-Type %q: %v, %v; want accepted=%v", ct, form, e, ok)
		}
	}
}

// allowedScopes parses each scope text once and answers by text, so a client whose scope changes gets
// the new set at once.
func TestAllowedScopesByText(t *testing.T) {
	var s Server
	a, b := s.allowedScopes("openid patient/*.rs"), s.allowedScopes("openid patient/*.rs")
	if len(a) != 2 || &a[0] != &b[0] {
		t.Errorf("the same text parsed twice: %v, %v", a, b)
	}
	if c := s.allowedScopes("openid"); len(c) != 1 || c.Has("patient/*.rs") {
		t.Errorf("another text: %v", c)
	}
	if e := s.allowedScopes(""); len(e) != 0 {
		t.Errorf("no scopes: %v", e)
	}
}

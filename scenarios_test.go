package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/valet-sandbox/valet/server"
	"github.com/valet-sandbox/valet/server/scenario"
	"github.com/valet-sandbox/valet/server/store"
)

// Every scenario of scenarios/ is run against a real sandbox (server.New on a loopback listener over a
// fresh database), and a real client — golang.org/x/oauth2 for the flow, go-oidc for the id_token, an
// HTTP client with cookies for the pages — is driven through its expect: steps, each checked on the wire.
func TestReadyMadeScenarios(t *testing.T) {
	files, err := filepath.Glob("scenarios/*.yaml")
	if err != nil || len(files) < 10 {
		t.Fatalf("scenarios/ has %d files (%v), want at least ten", len(files), err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".yaml"), func(t *testing.T) {
			s, err := scenario.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Expect) == 0 {
				t.Fatal("no expect: steps: a ready-made scenario says what the app sees")
			}
			base := startScenarioSandbox(t)
			res, err := s.Apply(context.Background(), scenario.API{Base: base, HTTP: http.DefaultClient, Poll: 20 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			d := newDriver(t, s, res)
			for i, st := range s.Expect {
				d.step(i, st)
			}
		})
	}
}

func startScenarioSandbox(t *testing.T) string {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "valet.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	srv, err := server.New(server.Config{BaseURL: base, Store: db})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(func() { ts.Close(); srv.Close(); db.Close() })
	return base
}

// driver is the app under test: its OAuth configuration and what it holds between steps.
type driver struct {
	t        *testing.T
	s        *scenario.Scenario
	res      *scenario.Result
	cfg      *oauth2.Config
	browser  *http.Client
	code     string
	verifier string
	tok      *oauth2.Token
	replaced string // the refresh token the last refresh replaced
}

func newDriver(t *testing.T, s *scenario.Scenario, res *scenario.Result) *driver {
	var app scenario.AppliedClient
	for _, c := range res.Clients {
		if c.ClientID == res.LaunchClient {
			app = c
		}
	}
	style := oauth2.AuthStyleInParams
	if app.Secret != "" {
		style = oauth2.AuthStyleInHeader
	}
	redirect := app.RedirectURIs[0]
	cfg := &oauth2.Config{ClientID: app.ClientID, ClientSecret: app.Secret, RedirectURL: redirect, Scopes: strings.Fields(res.Scope),
		Endpoint: oauth2.Endpoint{AuthURL: res.BaseURL + "/auth/authorize", TokenURL: res.BaseURL + "/auth/token", AuthStyle: style}}
	jar, _ := cookiejar.New(nil)
	b := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), redirect) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return &driver{t: t, s: s, res: res, cfg: cfg, browser: b}
}

var formField = regexp.MustCompile(`name="(req|csrf)" value="([^"]+)"`)
var scopeBox = regexp.MustCompile(`name="scope" value="([^"]+)"`)

func (d *driver) step(i int, st scenario.Step) {
	t := d.t
	t.Helper()
	where := fmt.Sprintf("expect[%d] (%s)", i, st.Do)
	ctx := context.Background()
	switch st.Do {
	case "authorize":
		d.authorize(where, st)
	case "token":
		tok, err := d.cfg.Exchange(ctx, d.code, oauth2.VerifierOption(d.verifier))
		d.oauthOutcome(where, err, st.Error)
		if err == nil {
			d.tok = tok
			if st.Scope != "" && tok.Extra("scope") != st.Scope {
				t.Errorf("%s: granted scope %q, want %q", where, tok.Extra("scope"), st.Scope)
			}
		}
	case "refresh":
		rt := d.tok.RefreshToken
		if st.Reuse {
			rt = d.replaced
		}
		if rt == "" {
			t.Fatalf("%s: no refresh token to use", where)
		}
		tok, err := d.cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: rt, Expiry: time.Unix(1, 0)}).Token()
		d.oauthOutcome(where, err, st.Error)
		if err == nil {
			if tok.RefreshToken != rt {
				d.replaced = rt
			}
			d.tok = tok
		}
	case "fhir":
		path := strings.ReplaceAll(st.Path, "{patient}", fmt.Sprint(d.tok.Extra("patient")))
		req, _ := http.NewRequest("GET", d.res.FHIRBase+"/"+path, nil)
		req.Header.Set("Authorization", "Bearer "+d.tok.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := st.Status
		if want == 0 {
			want = 200
		}
		if resp.StatusCode != want {
			t.Fatalf("%s: GET %s: %d, want %d: %s", where, path, resp.StatusCode, want, body)
		}
		for k, v := range st.Header {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("%s: %s: %q, want %q", where, k, got, v)
			}
		}
		if st.WWWAuthenticate != "" && !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="`+st.WWWAuthenticate+`"`) {
			t.Errorf("%s: WWW-Authenticate %q, want error=%q", where, resp.Header.Get("WWW-Authenticate"), st.WWWAuthenticate)
		}
	case "id_token":
		raw, _ := d.tok.Extra("id_token").(string)
		p, err := oidc.NewProvider(ctx, d.res.FHIRBase)
		if err != nil {
			t.Fatalf("%s: OIDC discovery: %v", where, err)
		}
		idt, err := p.Verifier(&oidc.Config{ClientID: d.cfg.ClientID}).Verify(ctx, raw)
		if err != nil {
			t.Fatalf("%s: go-oidc refuses the id_token: %v", where, err)
		}
		if st.IATOffset != nil {
			ahead := time.Until(idt.IssuedAt).Seconds()
			if diff := ahead - float64(*st.IATOffset); diff < -10 || diff > 10 {
				t.Errorf("%s: iat is %.0f s ahead of the app's clock, want %d", where, ahead, *st.IATOffset)
			}
		}
	case "wait":
		time.Sleep(time.Duration(st.Seconds)*time.Second + 100*time.Millisecond)
	case "revoke_app":
		req, _ := http.NewRequest("POST", d.res.BaseURL+"/api/clients/"+d.cfg.ClientID+"/revoke", nil)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: revoke: %v %v", where, err, resp)
		}
		resp.Body.Close()
	default:
		t.Fatalf("%s: no driver for this step", where)
	}
}

// oauthOutcome checks a token endpoint answer: success, or the OAuth error code wanted.
func (d *driver) oauthOutcome(where string, err error, want string) {
	d.t.Helper()
	var re *oauth2.RetrieveError
	switch {
	case want == "" && err != nil:
		d.t.Fatalf("%s: %v", where, err)
	case want != "" && err == nil:
		d.t.Fatalf("%s: succeeded, want error %s", where, want)
	case want != "" && (!asRetrieve(err, &re) || re.ErrorCode != want):
		d.t.Fatalf("%s: %v, want error %s", where, err, want)
	}
}

func asRetrieve(err error, re **oauth2.RetrieveError) bool {
	r, ok := err.(*oauth2.RetrieveError)
	*re = r
	return ok
}

// authorize sends the app's authorization request and walks the pages to the redirect back.
func (d *driver) authorize(where string, st scenario.Step) {
	t := d.t
	t.Helper()
	state := st.State
	if state == "" {
		state = "s-" + base64.RawURLEncoding.EncodeToString([]byte(where))
	}
	aud := st.Aud
	if aud == "" {
		aud = d.res.FHIRBase
	}
	opts := []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("aud", aud)}
	d.verifier = oauth2.GenerateVerifier()
	if st.PKCE == nil || *st.PKCE {
		opts = append(opts, oauth2.S256ChallengeOption(d.verifier))
	}
	if d.res.Launch != nil {
		opts = append(opts, oauth2.SetAuthURLParam("launch", d.res.Launch.Launch))
	}
	resp, err := d.browser.Get(d.cfg.AuthCodeURL(state, opts...))
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if resp.StatusCode != http.StatusOK {
			break
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body := string(b)
		form := url.Values{}
		for _, m := range formField.FindAllStringSubmatch(body, -1) {
			form.Set(m[1], m[2])
		}
		action := ""
		switch {
		case strings.Contains(body, `action="/auth/login"`):
			action = "/auth/login"
			form.Set("user", st.SignIn)
			if st.Password != "" {
				form.Set("password", st.Password)
			}
		case strings.Contains(body, `action="/auth/select-patient"`):
			action = "/auth/select-patient"
			if st.Pick == "cancel" {
				form.Set("decision", "cancel")
			} else {
				form.Set("patient", "Patient/"+st.Pick)
			}
		case strings.Contains(body, `action="/auth/consent"`):
			action = "/auth/consent"
			form.Set("decision", "approve")
			for _, m := range scopeBox.FindAllStringSubmatch(body, -1) {
				form.Add("scope", m[1])
			}
		default:
			t.Fatalf("%s: a page the app's user cannot answer: %s", where, body)
		}
		if resp, err = d.browser.PostForm(d.res.BaseURL+action, form); err != nil {
			t.Fatal(err)
		}
	}
	defer resp.Body.Close()
	if st.Status != 0 {
		// An error page: the user stays at the server, the app hears nothing.
		if resp.StatusCode != st.Status || resp.Header.Get("Location") != "" {
			t.Fatalf("%s: %d Location %q, want an error page %d", where, resp.StatusCode, resp.Header.Get("Location"), st.Status)
		}
		return
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), d.cfg.RedirectURL) {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s: %d %s, want a redirect to the app: %s", where, resp.StatusCode, loc, b)
	}
	q := loc.Query()
	if q.Get("state") != state {
		t.Fatalf("%s: state %q came back, the app sent %q", where, q.Get("state"), state)
	}
	if st.Error != "" {
		if q.Get("error") != st.Error || q.Get("code") != "" {
			t.Fatalf("%s: redirect %v, want error=%s", where, q, st.Error)
		}
		return
	}
	if q.Get("code") == "" {
		t.Fatalf("%s: redirect %v, want a code", where, q)
	}
	d.code = q.Get("code")
}

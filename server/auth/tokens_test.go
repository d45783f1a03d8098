package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/url"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
)

// Issued access tokens are not stored (store migration 0015): each names its grant in valet_grant, and
// revoking the grant, the token or the client must still make it inactive everywhere — introspection and
// the FHIR server's verifier — including after the client id is registered again.
func TestAccessTokensLiveAndDieWithTheirGrant(t *testing.T) {
	s := newSandbox(t)
	ctx := context.Background()
	introspector := s.register(map[string]any{"client_name": "RS", "redirect_uris": []string{redirect}, "token_endpoint_auth_method": "client_secret_basic"})
	active := func(tok string) bool {
		t.Helper()
		_, in, _ := post(t, s.base+"/auth/introspect", url.Values{"token": {tok}}, introspector.ID, introspector.Secret)
		_, err := s.srv.Verifier().Verify(ctx, tok)
		if (in["active"] == true) != (err == nil) {
			t.Errorf("introspection says %v, the verifier %v", in, err)
		}
		return in["active"] == true
	}
	meta := map[string]any{"client_id": "same-id", "client_name": "App", "redirect_uris": []string{redirect},
		"valet_user": "Practitioner/dr1", "valet_patient": "p1", "valet_auto_approve": true}
	f := &benchFlow{s: s, client: s.register(meta)}
	flow := func() string {
		t.Helper()
		tok, err := f.run()
		if err != nil {
			t.Fatal(err)
		}
		return tok["access_token"].(string)
	}
	at1, at2 := flow(), flow()
	if g := jwtPart(t, at1, 1)["valet_grant"]; g == nil || g == jwtPart(t, at2, 1)["valet_grant"] {
		t.Errorf("valet_grant = %v; each code exchange is a grant of its own", g)
	}
	if !active(at1) || !active(at2) {
		t.Fatal("fresh tokens inactive")
	}
	// RFC 7009 revocation ends that token only.
	if st, m, _ := post(t, s.base+"/auth/revoke", url.Values{"token": {at1}, "client_id": {f.client.ID}}); st != 200 {
		t.Fatalf("revoke: %d %v", st, m)
	}
	if active(at1) || !active(at2) {
		t.Errorf("after revoking the first token: active %v, %v; want false, true", active(at1), active(at2))
	}
	// Deleting the client ends its tokens, and registering its id again does not bring them back.
	if st := s.api("DELETE", "/api/clients/same-id", nil, nil); st != 204 {
		t.Fatalf("delete client: %d", st)
	}
	if active(at2) {
		t.Error("a deleted client's token is active")
	}
	f.client = s.register(meta)
	if active(at2) {
		t.Error("a deleted client's token came back when its id was registered again")
	}
	if at3 := flow(); !active(at3) {
		t.Error("the re-registered client's own token is inactive")
	}

	// client_credentials tokens each get a grant, with the same outcome.
	k := newBackendKey(t, jose.ES384)
	backend := map[string]any{"client_id": "svc", "client_name": "bulk", "grant_types": []string{"client_credentials"}, "jwks": k.jwks(), "scope": "system/*.rs"}
	s.register(backend)
	backendToken := func() string {
		t.Helper()
		code, m, _ := s.backendToken(k.assertion(t, "svc", s.base+"/auth/token", nil, nil), "system/Patient.rs")
		if code != 200 {
			t.Fatalf("client_credentials: %d %v", code, m)
		}
		return m["access_token"].(string)
	}
	bt := backendToken()
	if jwtPart(t, bt, 1)["valet_grant"] == nil || !active(bt) {
		t.Fatalf("backend token without a grant, or inactive: %v", jwtPart(t, bt, 1))
	}
	if st := s.api("DELETE", "/api/clients/svc", nil, nil); st != 204 {
		t.Fatalf("delete backend client: %d", st)
	}
	s.register(backend)
	if active(bt) {
		t.Error("a deleted backend client's token is active after its id was registered again")
	}
	if !active(backendToken()) {
		t.Error("the re-registered backend client's own token is inactive")
	}
}

// The token response goes out with its length, and the authorization redirect is a bare 302.
func TestTokenResponseFraming(t *testing.T) {
	f := newBenchFlow(t)
	code, v, err := f.code()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := benchHTTP.PostForm(f.s.base+"/auth/token", f.exchangeForm(code, v))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok["id_token"] == nil {
		t.Fatalf("token response: %v %v", tok, err)
	}
	if resp.ContentLength <= 0 || len(resp.TransferEncoding) != 0 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("token response: Content-Length %d, Transfer-Encoding %v, Cache-Control %q; want a length, not chunked, no-store",
			resp.ContentLength, resp.TransferEncoding, resp.Header.Get("Cache-Control"))
	}
	v = oauth2.GenerateVerifier()
	sum := sha256.Sum256([]byte(v))
	q := url.Values{"response_type": {"code"}, "client_id": {f.client.ID}, "redirect_uri": {redirect}, "state": {"s"},
		"scope": {"openid fhirUser"}, "aud": {f.s.fhir}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	resp, err = benchHTTP.Get(f.s.base + "/auth/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != 302 || loc.Query().Get("code") == "" || loc.Query().Get("state") != "s" || len(body) != 0 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("authorize: %d, Location %s, body %q, Cache-Control %q", resp.StatusCode, loc, body, resp.Header.Get("Cache-Control"))
	}
}

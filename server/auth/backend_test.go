package auth_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

type backendKey struct {
	priv crypto.Signer
	alg  jose.SignatureAlgorithm
	kid  string
}

func newBackendKey(t *testing.T, alg jose.SignatureAlgorithm) backendKey {
	var priv crypto.Signer
	var err error
	if alg == jose.RS384 {
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	} else {
		priv, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	}
	if err != nil {
		t.Fatal(err)
	}
	return backendKey{priv: priv, alg: alg, kid: "k-" + string(alg)}
}

func (k backendKey) jwks() json.RawMessage {
	b, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: k.priv.Public(), KeyID: k.kid, Algorithm: string(k.alg), Use: "sig"}}})
	return b
}

// assertion signs a client assertion; mutate adjusts claims and headers for negative tests.
func (k backendKey) assertion(t *testing.T, iss, aud string, claims map[string]any, headers map[jose.HeaderKey]any) string {
	c := map[string]any{"iss": iss, "sub": iss, "aud": aud, "exp": time.Now().Add(4 * time.Minute).Unix(), "jti": randomJTI()}
	for key, v := range claims {
		if v == nil {
			delete(c, key)
		} else {
			c[key] = v
		}
	}
	opts := (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", k.kid)
	for h, v := range headers {
		opts = opts.WithHeader(h, v)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: k.priv}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(c)
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := jws.CompactSerialize()
	return s
}

var jtiN int

func randomJTI() string {
	jtiN++
	return time.Now().Format("150405.000000") + "-" + string(rune('a'+jtiN%26)) + strings.Repeat("x", jtiN%7)
}

func (s *sandbox) backendToken(assertion, scope string) (int, map[string]any, http.Header) {
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {scope},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion}}
	resp, err := http.PostForm(s.base+"/auth/token", form)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m, resp.Header
}

func TestBackendServices(t *testing.T) {
	s := newSandbox(t)
	ctx := context.Background()
	for _, alg := range []jose.SignatureAlgorithm{jose.RS384, jose.ES384} {
		t.Run(string(alg), func(t *testing.T) {
			k := newBackendKey(t, alg)
			// One client with an inline JWKS, one with a JWKS URL.
			jwksSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Cache-Control", "max-age=60")
				_, _ = w.Write(k.jwks())
			}))
			defer jwksSrv.Close()
			for _, meta := range []map[string]any{
				{"client_name": "bulk", "grant_types": []string{"client_credentials"}, "token_endpoint_auth_method": "private_key_jwt",
					"jwks": k.jwks(), "scope": "system/*.rs"},
				{"client_name": "bulk-url", "grant_types": []string{"client_credentials"}, "token_endpoint_auth_method": "private_key_jwt",
					"jwks_uri": jwksSrv.URL, "scope": "system/*.rs"},
			} {
				c := s.register(meta)
				aud := s.base + "/auth/token"
				code, m, h := s.backendToken(k.assertion(t, c.ID, aud, nil, nil), "system/Patient.rs")
				if code != 200 || m["token_type"] != "Bearer" || m["expires_in"].(float64) > 300 || m["refresh_token"] != nil ||
					h.Get("Cache-Control") != "no-store" || h.Get("Pragma") != "no-cache" {
					t.Fatalf("backend token: %d %v", code, m)
				}
				a, err := s.srv.Verifier().Verify(ctx, m["access_token"].(string))
				if err != nil || a.ClientID != c.ID || !a.Scopes.Has("system/Patient.rs") {
					t.Fatalf("verify backend token: %v %+v", err, a)
				}
				if code, m, _ := s.backendToken(k.assertion(t, c.ID, aud, nil, nil), "system/*.cruds"); code != 400 || m["error"] != "invalid_scope" {
					t.Errorf("scope beyond allowed: %d %v", code, m)
				}
			}
		})
	}
}

// TestClientAssertionNegatives covers section 6.6 of the checklist: every bad assertion → invalid_client.
func TestClientAssertionNegatives(t *testing.T) {
	s := newSandbox(t)
	k := newBackendKey(t, jose.ES384)
	other := newBackendKey(t, jose.ES384)
	c := s.register(map[string]any{"client_name": "bulk", "grant_types": []string{"client_credentials"}, "jwks": k.jwks(), "scope": "system/*.rs"})
	aud := s.base + "/auth/token"
	replayed := k.assertion(t, c.ID, aud, nil, nil)
	if code, m, _ := s.backendToken(replayed, "system/Patient.rs"); code != 200 {
		t.Fatalf("good assertion refused: %v", m)
	}
	for _, tc := range []struct {
		name      string
		assertion string
	}{
		{"bad signature", other.assertion(t, c.ID, aud, nil, nil)},
		{"unknown kid", k.assertion(t, c.ID, aud, nil, map[jose.HeaderKey]any{"kid": "nope"})},
		{"aud is not the token endpoint", k.assertion(t, c.ID, s.fhir, nil, nil)},
		{"exp more than 5 minutes ahead", k.assertion(t, c.ID, aud, map[string]any{"exp": time.Now().Add(10 * time.Minute).Unix()}, nil)},
		{"expired", k.assertion(t, c.ID, aud, map[string]any{"exp": time.Now().Add(-10 * time.Minute).Unix()}, nil)},
		{"no exp", k.assertion(t, c.ID, aud, map[string]any{"exp": nil}, nil)},
		{"no jti", k.assertion(t, c.ID, aud, map[string]any{"jti": nil}, nil)},
		{"replayed jti", replayed},
		{"iss differs from sub", k.assertion(t, c.ID, aud, map[string]any{"sub": "someone"}, nil)},
		{"unknown issuer", k.assertion(t, "unknown-client", aud, nil, nil)},
		{"jku does not match", k.assertion(t, c.ID, aud, nil, map[jose.HeaderKey]any{"jku": "https://evil.example/jwks"})},
		{"typ is not JWT", k.assertion(t, c.ID, aud, nil, map[jose.HeaderKey]any{"typ": "at+jwt"})},
		{"not a JWT", "not.a.jwt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, m, _ := s.backendToken(tc.assertion, "system/Patient.rs")
			if code != 401 || m["error"] != "invalid_client" || m["error_description"] == "" {
				t.Errorf("got %d %v, want 401 invalid_client", code, m)
			}
		})
	}
	// Wrong assertion type.
	resp, _ := http.PostForm(s.base+"/auth/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"system/Patient.rs"},
		"client_assertion_type": {"urn:bad"}, "client_assertion": {k.assertion(t, c.ID, aud, nil, nil)}})
	if resp.StatusCode != 401 {
		t.Errorf("bad assertion type: %d", resp.StatusCode)
	}
	resp.Body.Close()
	// Unknown grant type.
	resp, _ = http.PostForm(s.base+"/auth/token", url.Values{"grant_type": {"not_a_grant_type"}})
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	if resp.StatusCode != 400 || m["error"] != "unsupported_grant_type" {
		t.Errorf("unknown grant type: %d %v", resp.StatusCode, m)
	}
}

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// `valet export` and a system-level $export of the same sandbox write the same NDJSON: the same files,
// byte for byte (both use synth/fhirio's writer over the rows in storage order).
func TestExportCommandAndBulkExportAgree(t *testing.T) {
	data, out := t.TempDir(), filepath.Join(t.TempDir(), "export")
	if stdout, stderr, code := runValet(t, "generate", "--data", data, "--patients", "3", "--seed", "5", "--years", "2"); code != 0 {
		t.Fatalf("generate: %d\n%s\n%s", code, stdout, stderr)
	}
	if stdout, stderr, code := runValet(t, "export", "--data", data, out); code != 0 {
		t.Fatalf("export: %d\n%s\n%s", code, stdout, stderr)
	}
	_, banner, _ := startServe(t, "--data", data)
	base := strings.TrimSuffix(banner["Control panel"], "/")
	c := backendServices(t, base, "system/*.rs")

	req, _ := http.NewRequest("GET", base+"/fhir/$export", nil)
	req.Header.Set("Accept", "application/fhir+json")
	req.Header.Set("Prefer", "respond-async")
	resp, err := c.Do(req)
	if err != nil || resp.StatusCode != 202 {
		t.Fatalf("kick-off: %v %v", err, resp.StatusCode)
	}
	resp.Body.Close()
	status := resp.Header.Get("Content-Location")
	var m struct{ Output []struct{ Type, URL string } }
	for i := 0; ; i++ {
		resp, err := c.Get(status)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 {
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			break
		}
		if resp.StatusCode != 202 || i > 400 {
			t.Fatalf("status: %d %s", resp.StatusCode, b)
		}
		time.Sleep(25 * time.Millisecond)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var cli, bulk []string
	for _, e := range entries {
		cli = append(cli, e.Name())
	}
	for _, o := range m.Output {
		bulk = append(bulk, o.Type+".ndjson")
		resp, err := c.Get(o.URL)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want, err := os.ReadFile(filepath.Join(out, o.Type+".ndjson"))
		if err != nil {
			t.Errorf("$export wrote %s, valet export did not", o.Type)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: $export wrote %d bytes, valet export %d, and they differ", o.Type, len(got), len(want))
		}
	}
	sort.Strings(cli)
	sort.Strings(bulk)
	if strings.Join(cli, ",") != strings.Join(bulk, ",") {
		t.Errorf("files: valet export %v, $export %v", cli, bulk)
	}
}

// backendServices registers a backend-services client (private_key_jwt) and returns an HTTP client
// with a token for scope, obtained with golang.org/x/oauth2's client-credentials flow.
func backendServices(t *testing.T, base, scope string) *http.Client {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "k1", Algorithm: "RS384", Use: "sig"}}})
	reg := registerApp(t, http.DefaultClient, base, map[string]any{"client_name": "analytics", "grant_types": []string{"client_credentials"},
		"token_endpoint_auth_method": "private_key_jwt", "jwks": json.RawMessage(jwks), "scope": scope})
	signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS384, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	jti := make([]byte, 12)
	rand.Read(jti)
	claims, _ := json.Marshal(map[string]any{"iss": reg.ID, "sub": reg.ID, "aud": base + "/auth/token",
		"exp": time.Now().Add(4 * time.Minute).Unix(), "jti": hex.EncodeToString(jti)})
	jws, err := signer.Sign(claims)
	if err != nil {
		t.Fatal(err)
	}
	assertion, _ := jws.CompactSerialize()
	cfg := clientcredentials.Config{ClientID: reg.ID, TokenURL: base + "/auth/token", Scopes: []string{scope},
		EndpointParams: map[string][]string{"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion": {assertion}}}
	tok, err := cfg.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(tok))
}

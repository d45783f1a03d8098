package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/valet-sandbox/valet/server/keys"
	"github.com/valet-sandbox/valet/server/store"
)

// authFlows is the authorization server's load run: complete authorization-code flows (authorize with
// auto-approve → code → token with an RS256 id_token, an ES256 access token and a refresh token) against
// a second `valet serve` limited to one core (GOMAXPROCS=1), while this process, the client, runs on the
// other: flows per second at c=16 is then one core's worth of the server's work per flow, beside what
// the flow's two signatures cost on one core.
func authFlows(ctx context.Context, valet string, d time.Duration, maxReq int) error {
	base, stop, err := startValet(ctx, valet, []string{"GOMAXPROCS=1"}, "--empty")
	if err != nil {
		return err
	}
	defer stop()

	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	run, err := newFlows(c, base)
	if err != nil {
		return err
	}
	flow := func(int64) error { _, err := run(); return err }
	// The signatures are timed before, between and after the two runs, and the median kept: this
	// machine's signing speed moves by a fifth from one moment to the next.
	var rates []float64
	var sigs []time.Duration
	for _, conc := range []int{1, 16, 0} {
		sig, err := flowSignatures()
		if err != nil {
			return err
		}
		sigs = append(sigs, sig)
		if conc == 0 {
			break
		}
		r, err := repeat(ctx, flow, conc, d, maxReq)
		if err != nil {
			return fmt.Errorf("authorization-code flows: %w", err)
		}
		rates = append(rates, r)
	}
	slices.Sort(sigs)
	sig := sigs[1]
	fmt.Printf("%-45s %12.0f %12.0f\n", "auth-code flows (server on 1 core)", rates[0], rates[1])
	fmt.Printf("a flow's signatures on one core (RS256 + ES256, go-jose): %.2f ms, %.0f per second; a flow at c=16 costs the server %.2f× its signatures\n",
		float64(sig.Microseconds())/1000, 1/sig.Seconds(), 1/rates[1]/sig.Seconds())
	return nil
}

// flowSignatures times the two signatures of a flow with Valet's own keyring (in memory): the mean of
// 300 of each, on this goroutine alone, while the server idles.
func flowSignatures() (time.Duration, error) {
	db, err := store.Open(context.Background(), store.Memory, store.Options{})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	kr, err := keys.Open(context.Background(), db, nil)
	if err != nil {
		return 0, err
	}
	claims := map[string]any{"iss": "http://127.0.0.1/fhir", "sub": "Patient/lt-user", "exp": 1, "jti": "x",
		"scope": "launch/patient openid fhirUser offline_access patient/*.rs"}
	start := time.Now()
	for range 300 {
		for _, alg := range []string{keys.RS256, keys.ES256} {
			if _, err := kr.Sign(alg, claims); err != nil {
				return 0, err
			}
		}
	}
	return time.Since(start) / 300, nil
}

// newFlows registers an auto-approved public client for a patient user and returns a function that runs
// one complete authorization-code flow with it (authorize → code → token with an id_token, an access token
// and a refresh token) and returns the refresh token.
func newFlows(c *http.Client, base string) (func() (refresh string, err error), error) {
	// The user who signs in: a patient (their own patient context), stored with a backend token.
	bearer, err := token(c, base)
	if err != nil {
		return nil, err
	}
	patient := []byte(`{"resourceType":"Patient","id":"lt-user","name":[{"family":"Flow","given":["Load"]}],"gender":"female","birthDate":"1980-01-01"}`)
	if err := do(c, "PUT", base+"/fhir/Patient/lt-user", bearer, patient); err != nil {
		return nil, err
	}
	id, err := registerFlowClient(c, base, "Patient/lt-user")
	if err != nil {
		return nil, err
	}
	return func() (string, error) {
		tok, err := authCode(c, base, id, "launch/patient openid fhirUser offline_access patient/*.rs")
		if err != nil {
			return "", err
		}
		if tok.ID == "" || tok.Refresh == "" {
			return "", fmt.Errorf("token: no id_token or refresh token")
		}
		return tok.Refresh, nil
	}, nil
}

// flowRedirect is where the flow clients' codes go; nothing listens there, the client reads Location.
const flowRedirect = "http://127.0.0.1/callback"

// registerFlowClient registers a public client whose flows sign in as user and are approved without a
// consent page (Valet's valet_user and valet_auto_approve registration fields).
func registerFlowClient(c *http.Client, base, user string) (string, error) {
	reg, _ := json.Marshal(map[string]any{"client_name": "loadtest flows", "redirect_uris": []string{flowRedirect},
		"token_endpoint_auth_method": "none", "valet_user": user, "valet_auto_approve": true})
	resp, err := c.Post(base+"/auth/register", "application/json", strings.NewReader(string(reg)))
	if err != nil {
		return "", err
	}
	var cl struct {
		ID string `json:"client_id"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&cl)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("register the flow client: %d", resp.StatusCode)
	}
	return cl.ID, nil
}

// flowTokens is a token response of the authorization-code flow.
type flowTokens struct {
	Access  string `json:"access_token"`
	ID      string `json:"id_token"`
	Refresh string `json:"refresh_token"`
}

// authCode runs one authorization-code flow with PKCE for the client id and returns its tokens.
func authCode(c *http.Client, base, id, scope string) (flowTokens, error) {
	var tok flowTokens
	verifier := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprint(time.Now().UnixNano(), "-loadtest-verifier-padding")))
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"response_type": {"code"}, "client_id": {id}, "redirect_uri": {flowRedirect}, "state": {"s"},
		"scope": {scope}, "aud": {base + "/fhir"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	resp, err := c.Get(base + "/auth/authorize?" + q.Encode())
	if err != nil {
		return tok, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	code := loc.Query().Get("code")
	if code == "" {
		return tok, fmt.Errorf("authorize: %d %s", resp.StatusCode, loc)
	}
	resp, err = c.PostForm(base+"/auth/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {flowRedirect}, "client_id": {id}, "code_verifier": {verifier}})
	if err != nil {
		return tok, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.Access == "" {
		return tok, fmt.Errorf("token: %d (%v)", resp.StatusCode, err)
	}
	return tok, nil
}

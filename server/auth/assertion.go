package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/valet-sandbox/valet/server/store"
)

// assertionClaims are the RFC 7523 §3 claims of a client assertion.
type assertionClaims struct {
	Iss string          `json:"iss"`
	Sub string          `json:"sub"`
	Aud json.RawMessage `json:"aud"`
	Exp *json.Number    `json:"exp"`
	Nbf *json.Number    `json:"nbf"`
	Iat *json.Number    `json:"iat"`
	JTI string          `json:"jti"`
}

// parsedAssertion is a client assertion before its signature is checked.
type parsedAssertion struct {
	jws    *jose.JSONWebSignature
	kid    string
	alg    string
	jku    string
	claims assertionClaims
}

// parseAssertion checks a client assertion's form (SMART App Launch 2.2 §Client Authentication:
// Asymmetric): compact JWS, RS384/ES384, kid and typ JWT in the header, JSON claims. It faces the world,
// so FuzzParseAssertion exercises it.
func parseAssertion(raw string) (*parsedAssertion, error) {
	if raw == "" {
		return nil, errors.New("client_assertion is empty")
	}
	algs := make([]jose.SignatureAlgorithm, len(AssertionAlgorithms))
	for i, a := range AssertionAlgorithms {
		algs[i] = jose.SignatureAlgorithm(a)
	}
	jws, err := jose.ParseSignedCompact(raw, algs)
	if err != nil {
		return nil, fmt.Errorf("client_assertion is not a compact JWS signed with %s: %v", strings.Join(AssertionAlgorithms, " or "), err)
	}
	if len(jws.Signatures) != 1 {
		return nil, errors.New("client_assertion must carry exactly one signature")
	}
	h := jws.Signatures[0].Protected
	p := &parsedAssertion{jws: jws, kid: h.KeyID, alg: h.Algorithm}
	if p.kid == "" {
		return nil, errors.New("client_assertion header has no kid")
	}
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != "JWT" {
		return nil, fmt.Errorf("client_assertion header typ must be JWT, not %q", typ)
	}
	if jku, ok := h.ExtraHeaders["jku"]; ok {
		if p.jku, ok = jku.(string); !ok {
			return nil, errors.New("client_assertion header jku is not a string")
		}
	}
	dec := json.NewDecoder(strings.NewReader(string(jws.UnsafePayloadWithoutVerification())))
	dec.UseNumber()
	if err := dec.Decode(&p.claims); err != nil {
		return nil, fmt.Errorf("client_assertion claims are not a JSON object: %v", err)
	}
	return p, nil
}

func (a *parsedAssertion) audiences() []string {
	var one string
	if json.Unmarshal(a.claims.Aud, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(a.claims.Aud, &many)
	return many
}

func numericDate(n *json.Number) (time.Time, bool) {
	if n == nil {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0), true
}

// checkAssertion authenticates a private_key_jwt client: every check of RFC 7523 §3 and SMART's list.
func (s *Server) checkAssertion(ctx context.Context, raw, formClientID string) (store.Client, *Error) {
	a, err := parseAssertion(raw)
	if err != nil {
		return store.Client{}, errInvalidClient("%v", err)
	}
	c := a.claims
	if c.Iss == "" || c.Iss != c.Sub {
		return store.Client{}, errInvalidClient("client_assertion iss and sub must both be the client_id")
	}
	if formClientID != "" && formClientID != c.Iss {
		return store.Client{}, errInvalidClient("client_id differs from the client_assertion issuer")
	}
	client, err := s.client(ctx, c.Iss)
	if errors.Is(err, store.ErrNotFound) {
		return client, errInvalidClient("client_assertion issuer %q is not a registered client", c.Iss)
	} else if err != nil {
		return client, errServerError(err)
	}
	if client.AuthMethod != "private_key_jwt" {
		return client, errInvalidClient("client %q is not registered for private_key_jwt", client.ID)
	}
	if a.jku != "" && a.jku != client.JWKSURI {
		return client, errInvalidClient("client_assertion jku does not match the registered jwks_uri")
	}
	key, oerr := s.clientKey(ctx, client, a.kid, a.alg)
	if oerr != nil {
		return client, oerr
	}
	if _, err := a.jws.Verify(key.Key); err != nil {
		return client, errInvalidClient("client_assertion signature does not verify with key %q", a.kid)
	}
	if !slices.Contains(a.audiences(), s.url("/auth/token")) {
		return client, errInvalidClient("client_assertion aud must be the token endpoint %s", s.url("/auth/token"))
	}
	now := s.now()
	exp, ok := numericDate(c.Exp)
	if !ok {
		return client, errInvalidClient("client_assertion has no exp")
	}
	if !now.Before(exp.Add(ClockSkew)) {
		return client, errInvalidClient("client_assertion expired at %s", exp.UTC().Format(time.RFC3339))
	}
	if exp.After(now.Add(MaxAssertionLifetime + ClockSkew)) {
		return client, errInvalidClient("client_assertion exp is more than 5 minutes ahead")
	}
	if nbf, ok := numericDate(c.Nbf); ok && nbf.After(now.Add(ClockSkew)) {
		return client, errInvalidClient("client_assertion is not valid yet (nbf)")
	}
	if c.JTI == "" {
		return client, errInvalidClient("client_assertion has no jti")
	}
	if err := s.store.UseAssertionJTI(ctx, c.Iss, c.JTI, exp.Add(ClockSkew)); errors.Is(err, store.ErrAlreadyExists) {
		return client, errInvalidClient("client_assertion jti %q was already used", c.JTI)
	} else if err != nil {
		return client, errServerError(err)
	}
	return client, nil
}

// clientKey finds the client's public key with kid, from its inline JWKS or its JWKS URL.
func (s *Server) clientKey(ctx context.Context, c store.Client, kid, alg string) (*jose.JSONWebKey, *Error) {
	var set *jose.JSONWebKeySet
	if len(c.JWKS) > 0 {
		set = &jose.JSONWebKeySet{}
		if err := json.Unmarshal(c.JWKS, set); err != nil {
			return nil, errInvalidClient("registered jwks is unreadable: %v", err)
		}
	} else {
		var err error
		if set, err = s.jwks.get(ctx, c.JWKSURI, kid); err != nil {
			return nil, errInvalidClient("fetch jwks_uri: %v", err)
		}
	}
	for _, k := range set.Key(kid) {
		if k.Algorithm != "" && k.Algorithm != alg {
			continue
		}
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		return &k, nil
	}
	return nil, errInvalidClient("no key with kid %q for %s in the client's JWKS", kid, alg)
}

// jwksCache holds fetched client JWKS documents for as long as their Cache-Control allows.
type jwksCache struct {
	client  *http.Client
	now     func() time.Time
	mu      sync.Mutex
	entries map[string]*jwksEntry
}

type jwksEntry struct {
	set       *jose.JSONWebKeySet
	expires   time.Time
	fetchedAt time.Time
}

const (
	jwksDefaultTTL = 5 * time.Minute
	jwksMaxTTL     = 24 * time.Hour
	jwksMinRefetch = 10 * time.Second // an unknown kid refetches at most this often (key rotation, not abuse)
)

func (c *jwksCache) get(ctx context.Context, u, kid string) (*jose.JSONWebKeySet, error) {
	c.mu.Lock()
	e := c.entries[u]
	c.mu.Unlock()
	now := c.now()
	if e != nil && now.Before(e.expires) && (len(e.set.Key(kid)) > 0 || now.Sub(e.fetchedAt) < jwksMinRefetch) {
		return e.set, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %s", u, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	set := &jose.JSONWebKeySet{}
	if err := json.Unmarshal(body, set); err != nil {
		return nil, fmt.Errorf("%s is not a JWKS: %v", u, err)
	}
	c.mu.Lock()
	c.entries[u] = &jwksEntry{set: set, expires: now.Add(maxAge(resp.Header.Get("Cache-Control"))), fetchedAt: now}
	c.mu.Unlock()
	return set, nil
}

// maxAge reads max-age from Cache-Control (no-store / no-cache → 0), bounded.
func maxAge(cc string) time.Duration {
	for _, d := range strings.Split(cc, ",") {
		d = strings.TrimSpace(strings.ToLower(d))
		if d == "no-store" || d == "no-cache" {
			return 0
		}
		if v, ok := strings.CutPrefix(d, "max-age="); ok {
			if n, err := strconv.Atoi(v); err == nil && n >= 0 {
				return min(time.Duration(n)*time.Second, jwksMaxTTL)
			}
		}
	}
	return jwksDefaultTTL
}

package auth

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/valet-sandbox/valet/server/keys"
	"github.com/valet-sandbox/valet/server/ref"
	"github.com/valet-sandbox/valet/server/scope"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/token"
)

// Verifier checks access tokens for the FHIR server: signature by a published key, iss, aud = FHIR base,
// exp, and not revoked. A verified token is cached by its hash until it expires or anything is revoked,
// so the hot path costs a map lookup instead of an ECDSA verify and a database read.
type Verifier struct {
	keys     *keys.Keyring
	store    Store
	fhirBase string
	now      func() time.Time

	mu    sync.RWMutex
	cache map[[32]byte]*cached
	// gen counts purges. A verification that began before a purge must not cache its result: it may have
	// read the token as active just before the revocation that caused the purge committed.
	gen uint64
}

type cached struct {
	access *token.Access
}

var _ token.Verifier = (*Verifier)(nil)

// errTokenExpired marks a token whose signature and claims are good but whose exp has passed: revocation
// still accepts it (RFC 7009 lets a client revoke what it holds), verification does not.
var errTokenExpired = errors.New("expired")

const verifierCacheMax = 100_000

// Verify implements token.Verifier.
func (v *Verifier) Verify(ctx context.Context, bearer string) (*token.Access, error) {
	key := sha256.Sum256([]byte(bearer))
	v.mu.RLock()
	c := v.cache[key]
	gen := v.gen
	v.mu.RUnlock()
	if c != nil {
		if v.now().Before(c.access.Expiry) {
			return c.access, nil
		}
		return nil, fmt.Errorf("%w: %w", token.ErrInvalidToken, errTokenExpired)
	}
	a, err := v.verify(ctx, bearer)
	if err != nil {
		return nil, err
	}
	v.mu.Lock()
	if v.gen == gen {
		if len(v.cache) >= verifierCacheMax {
			clear(v.cache)
		}
		v.cache[key] = &cached{access: a}
	}
	v.mu.Unlock()
	return a, nil
}

// claims parses and checks a token's signature and claims, without the revocation check.
func (v *Verifier) claims(bearer string) (accessClaims, error) {
	var c accessClaims
	jws, err := jose.ParseSignedCompact(bearer, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil || len(jws.Signatures) != 1 {
		return c, fmt.Errorf("%w: not a JWT signed by Valet", token.ErrInvalidToken)
	}
	pub, alg, err := v.keys.PublicKey(jws.Signatures[0].Protected.KeyID)
	if err != nil || alg != keys.ES256 {
		return c, fmt.Errorf("%w: signed with an unknown key", token.ErrInvalidToken)
	}
	payload, err := jws.Verify(pub)
	if err != nil {
		return c, fmt.Errorf("%w: bad signature", token.ErrInvalidToken)
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return c, fmt.Errorf("%w: unreadable claims", token.ErrInvalidToken)
	}
	switch {
	case c.Iss != v.fhirBase:
		return c, fmt.Errorf("%w: issued by %q, not %q", token.ErrInvalidToken, c.Iss, v.fhirBase)
	case c.Aud != v.fhirBase:
		return c, fmt.Errorf("%w: audience %q is not this FHIR server", token.ErrInvalidToken, c.Aud)
	case !v.now().Before(time.Unix(c.Exp, 0)):
		return c, fmt.Errorf("%w: %w", token.ErrInvalidToken, errTokenExpired)
	case c.JTI == "":
		return c, fmt.Errorf("%w: no jti", token.ErrInvalidToken)
	}
	return c, nil
}

func (v *Verifier) verify(ctx context.Context, bearer string) (*token.Access, error) {
	c, err := v.claims(bearer)
	if err != nil {
		return nil, err
	}
	if err := v.store.AccessTokenActive(ctx, c.record()); err != nil {
		if errors.Is(err, store.ErrRevoked) {
			return nil, fmt.Errorf("%w: revoked", token.ErrInvalidToken)
		}
		if errors.Is(err, store.ErrExpired) { // expired on demand (POST /api/expire)
			return nil, fmt.Errorf("%w: %w", token.ErrInvalidToken, errTokenExpired)
		}
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("%w: not an active token", token.ErrInvalidToken)
		}
		return nil, err
	}
	set, _ := scope.ParseList(c.Scope)
	// The app's state codes are read from its registration, not the token: a code removed from the client
	// stops working at once (UpdateClient purges this cache). A deleted client keeps none.
	var codes []string
	global := false
	if cl, err := v.store.Client(ctx, c.ClientID); err == nil {
		codes, global = cl.AppStateCodes, cl.AppStateGlobal
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	user, err := ref.ParseUser(c.FHIRUser)
	if err != nil {
		return nil, fmt.Errorf("%w: fhirUser %v", token.ErrInvalidToken, err)
	}
	return &token.Access{TokenID: c.JTI, GrantID: c.Grant, ClientID: c.ClientID, Subject: c.Sub, User: user, Patient: c.Patient,
		Encounter: c.Encounter, Scopes: set, StateCodes: codes, StateGlobal: global, IssuedAt: time.Unix(c.Iat, 0), Expiry: time.Unix(c.Exp, 0)}, nil
}

// record is what the store is asked about the token.
func (c accessClaims) record() store.AccessToken {
	return store.AccessToken{JTI: c.JTI, GrantID: c.Grant, ExpiresAt: time.Unix(c.Exp, 0)}
}

// purge forgets every cached verification; called on every revocation (rare next to verifications).
func (v *Verifier) purge() {
	v.mu.Lock()
	clear(v.cache)
	v.gen++
	v.mu.Unlock()
}

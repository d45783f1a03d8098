// Package keys owns the sandbox's signing keys: generated on first start and stored in the database,
// published as a JWKS with their kid, rotated on request while old keys stay published until the last
// token they signed has expired.
//
// Two algorithms are kept: RS256 for id_tokens (SMART and OIDC require it) and ES256 for access tokens,
// which are signed on every token response and verified by the FHIR server, where ES256 signs far faster
// than RS256 (docs/performance.md, "Authorization server").
package keys

import (
	"cmp"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/valet-sandbox/valet/server/store"
)

// The algorithms Valet signs with.
const (
	RS256 = string(jose.RS256) // id_tokens
	ES256 = string(jose.ES256) // access tokens
)

// Algorithms lists every signing algorithm with a key.
var Algorithms = []string{RS256, ES256}

// reloadEvery bounds how stale the in-memory key set may be when another process (valet keys rotate)
// changed the database.
const reloadEvery = 30 * time.Second

type key struct {
	kid, alg     string
	public       jose.JSONWebKey
	signer       jose.Signer
	retired      bool
	createdAt    time.Time
	publishUntil time.Time
}

// Keyring holds the published keys. Safe for concurrent use.
type Keyring struct {
	store store.SigningKeys
	now   func() time.Time

	mu       sync.RWMutex
	keys     map[string]*key // by kid
	active   map[string]*key // by alg
	jwks     []byte
	loadedAt time.Time
}

// Open loads the keys from st, generating the missing ones.
func Open(ctx context.Context, st store.SigningKeys, now func() time.Time) (*Keyring, error) {
	if now == nil {
		now = time.Now
	}
	k := &Keyring{store: st, now: now}
	if err := k.Reload(ctx); err != nil {
		return nil, err
	}
	for _, alg := range Algorithms {
		if k.active[alg] == nil {
			if err := k.rotate(ctx, alg, 0); err != nil {
				return nil, err
			}
		}
	}
	return k, nil
}

// Reload reads the published keys from the database.
func (k *Keyring) Reload(ctx context.Context) error {
	stored, err := k.store.SigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("load signing keys: %w", err)
	}
	keys, active := map[string]*key{}, map[string]*key{}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for _, sk := range stored {
		var priv jose.JSONWebKey
		if err := priv.UnmarshalJSON(sk.PrivateJWK); err != nil {
			return fmt.Errorf("signing key %s: %w", sk.KID, err)
		}
		// A key read back from JSON has no precomputed values; without them crypto/rsa validates and
		// precomputes the key again on every signature (about a quarter of an id_token's cost).
		if rk, ok := priv.Key.(*rsa.PrivateKey); ok {
			rk.Precompute()
		}
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(sk.Alg), Key: priv},
			(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", sk.KID))
		if err != nil {
			return fmt.Errorf("signing key %s: %w", sk.KID, err)
		}
		kk := &key{kid: sk.KID, alg: sk.Alg, public: priv.Public(), signer: signer,
			retired: !sk.RetiredAt.IsZero(), createdAt: sk.CreatedAt, publishUntil: sk.PublishUntil}
		keys[sk.KID] = kk
		if !kk.retired {
			active[sk.Alg] = kk
		}
		set.Keys = append(set.Keys, kk.public)
	}
	jwks, err := json.Marshal(set)
	if err != nil {
		return err
	}
	k.mu.Lock()
	k.keys, k.active, k.jwks, k.loadedAt = keys, active, jwks, k.now()
	k.mu.Unlock()
	return nil
}

func (k *Keyring) maybeReload() {
	k.mu.RLock()
	stale := k.now().Sub(k.loadedAt) > reloadEvery || k.now().Before(k.loadedAt)
	k.mu.RUnlock()
	if stale {
		_ = k.Reload(context.Background()) // keep serving the keys we have if the database is unreadable
	}
}

// Rotate adds a new key for every algorithm; the old ones stay published for keepFor (the longest
// lifetime of a token they may have signed).
func (k *Keyring) Rotate(ctx context.Context, keepFor time.Duration) error {
	for _, alg := range Algorithms {
		if err := k.rotate(ctx, alg, keepFor); err != nil {
			return err
		}
	}
	return nil
}

func (k *Keyring) rotate(ctx context.Context, alg string, keepFor time.Duration) error {
	var priv crypto.Signer
	var err error
	switch alg {
	case RS256:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		return fmt.Errorf("keys: no generator for %s", alg)
	}
	if err != nil {
		return err
	}
	jwk := jose.JSONWebKey{Key: priv, Algorithm: alg, Use: "sig"}
	pub := jwk.Public()
	thumb, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return err
	}
	jwk.KeyID = base64.RawURLEncoding.EncodeToString(thumb[:16])
	body, err := jwk.MarshalJSON()
	if err != nil {
		return err
	}
	now := k.now()
	if err := k.store.RotateSigningKey(ctx, store.SigningKey{KID: jwk.KeyID, Alg: alg, CreatedAt: now, PrivateJWK: body},
		now.Add(keepFor)); err != nil {
		return fmt.Errorf("store signing key: %w", err)
	}
	return k.Reload(ctx)
}

// Sign signs claims (marshalled as JSON) with the active key of alg and returns the compact JWS.
func (k *Keyring) Sign(alg string, claims any) (string, error) {
	k.maybeReload()
	k.mu.RLock()
	kk := k.active[alg]
	k.mu.RUnlock()
	if kk == nil {
		return "", fmt.Errorf("keys: no active %s key", alg)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := kk.signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// ErrUnknownKey is returned for a kid that is not (or no longer) published.
var ErrUnknownKey = errors.New("unknown signing key")

// PublicKey returns the published key with kid and its algorithm.
func (k *Keyring) PublicKey(kid string) (crypto.PublicKey, string, error) {
	k.mu.RLock()
	kk := k.keys[kid]
	k.mu.RUnlock()
	if kk == nil {
		k.maybeReload()
		k.mu.RLock()
		kk = k.keys[kid]
		k.mu.RUnlock()
	}
	if kk == nil || (!kk.publishUntil.IsZero() && !k.now().Before(kk.publishUntil)) {
		return nil, "", fmt.Errorf("%w %q", ErrUnknownKey, kid)
	}
	return kk.public.Key, kk.alg, nil
}

// JWKS is the public key set as JSON.
func (k *Keyring) JWKS() []byte {
	k.maybeReload()
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.jwks
}

// Info describes a published key for the control API.
type Info struct {
	KID          string     `json:"kid"`
	Alg          string     `json:"alg"`
	Active       bool       `json:"active"`
	CreatedAt    time.Time  `json:"created_at"`
	PublishUntil *time.Time `json:"publish_until,omitempty"`
}

// List describes the published keys.
func (k *Keyring) List() []Info {
	k.maybeReload() // a rotation by `valet keys rotate` in another process shows up here too
	k.mu.RLock()
	defer k.mu.RUnlock()
	out := []Info{}
	for _, kk := range k.keys {
		in := Info{KID: kk.kid, Alg: kk.alg, Active: !kk.retired, CreatedAt: kk.createdAt.UTC()}
		if !kk.publishUntil.IsZero() {
			t := kk.publishUntil
			in.PublishUntil = &t
		}
		out = append(out, in)
	}
	// Active keys first, then by algorithm and kid, so listings are stable.
	slices.SortFunc(out, func(a, b Info) int {
		if a.Active != b.Active {
			if a.Active {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.Alg, b.Alg), cmp.Compare(a.KID, b.KID))
	})
	return out
}

// ServeHTTP serves the JWKS (GET /auth/jwks). Apps and the FHIR server's clients cache it briefly;
// a rotation shows up within that time while old keys remain published.
func (k *Keyring) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=60")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(k.JWKS())
}

// Package admin is shared mode's sign-in: when Valet serves a class or a QA team (`valet serve --shared`),
// the control panel and /api answer only the admin, who signs in with the admin password (a session cookie
// with a CSRF token), or a program holding an API key the admin created (CI). Dynamic registration takes
// an initial access token the admin created (RFC 7591 §3), so a class registers apps without the password.
//
// Local mode (the default, on loopback) has none of this: the control panel and /api are open to the
// user's own programs, and server/guard keeps other web pages out.
package admin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"time"

	"github.com/valet-sandbox/valet/server/passhash"
	"github.com/valet-sandbox/valet/server/store"
)

// Store is what shared mode keeps: sessions and credentials, and the admin password's hash (a setting).
type Store interface {
	store.Admin
	Setting(ctx context.Context, key string) (string, error)
	PutSetting(ctx context.Context, key, value string) error
}

// Defaults of Config.
const (
	DefaultSessionLifetime = 12 * time.Hour
	// Sign-in attempts per client address: a burst of DefaultSignInBurst, then one per DefaultSignInEvery.
	// An argon2id check costs tens of milliseconds, so guessing is slow already; this keeps it slower
	// than any password worth the name can stand, and keeps the checks from eating the CPU.
	DefaultSignInBurst = 10
	DefaultSignInEvery = 6 * time.Second
	// MinPasswordLength: the admin password guards the whole sandbox on a network.
	MinPasswordLength = 8
)

// passwordSetting is the settings key of the admin password's argon2id hash.
const passwordSetting = "admin_password_hash"

// Config wires shared mode.
type Config struct {
	// BaseURL is the public origin; the session cookie is Secure when it is https.
	BaseURL string
	Store   Store
	// Password is the admin password (VALET_ADMIN_PASSWORD or --admin-password-file). New keeps only its
	// argon2id hash.
	Password string
	// TrustedProxies are the addresses of reverse proxies whose X-Forwarded-For names the client
	// (--trusted-proxy); from any other peer the header is ignored.
	TrustedProxies []netip.Prefix
	// Warning, when set, is shown on the sign-in page (plain HTTP on a network: --insecure-http).
	Warning string
	Now     func() time.Time
	// SessionLifetime, SignInBurst and SignInEvery default to the constants above when zero.
	SessionLifetime time.Duration
	SignInBurst     int
	SignInEvery     time.Duration
}

// Admin is shared mode's sign-in, sessions and credentials.
type Admin struct {
	cfg          Config
	passwordHash string
	secure       bool
	limiter      *limiter
}

// New checks the password and stores its hash. When the password differs from the one stored by the last
// run, every session is ended: whoever signed in with the old password must sign in again.
func New(ctx context.Context, cfg Config) (*Admin, error) {
	if len([]rune(cfg.Password)) < MinPasswordLength {
		return nil, fmt.Errorf("the admin password must have at least %d characters", MinPasswordLength)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SessionLifetime == 0 {
		cfg.SessionLifetime = DefaultSessionLifetime
	}
	if cfg.SignInBurst == 0 {
		cfg.SignInBurst = DefaultSignInBurst
	}
	if cfg.SignInEvery == 0 {
		cfg.SignInEvery = DefaultSignInEvery
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("base URL: %w", err)
	}
	a := &Admin{cfg: cfg, secure: u.Scheme == "https", limiter: newLimiter(cfg.SignInBurst, cfg.SignInEvery, cfg.Now)}
	stored, err := cfg.Store.Setting(ctx, passwordSetting)
	switch {
	case err == nil && passhash.Check(stored, cfg.Password):
		a.passwordHash = stored
	case err == nil || errors.Is(err, store.ErrNotFound):
		a.passwordHash = passhash.Hash(cfg.Password)
		if err := cfg.Store.PutSetting(ctx, passwordSetting, a.passwordHash); err != nil {
			return nil, err
		}
		if err := cfg.Store.DeleteAdminSessions(ctx, false); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	a.cfg.Password = ""
	if err := cfg.Store.DeleteAdminSessions(ctx, true); err != nil {
		return nil, err
	}
	return a, nil
}

// newSecret is a random 256-bit secret with a prefix that says what it is (so a leaked one is recognised
// by secret scanners and by people), and its SHA-256, which is what is stored.
func newSecret(prefix string) (secret string, hash []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	secret = prefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, hashSecret(secret)
}

func hashSecret(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

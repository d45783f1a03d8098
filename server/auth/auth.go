// Package auth is Valet's SMART App Launch 2.2 authorization server: discovery, authorization endpoint
// with its login / picker / consent pages, token endpoint (authorization_code, refresh_token,
// client_credentials), introspection, revocation, dynamic registration, and the access-token verifier the
// FHIR server calls on every request.
//
// Each endpoint lives in its own file; the token endpoint owns the shared steps (client authentication,
// writing responses and errors) and each grant only adds its own checks (dex's layout).
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/valet-sandbox/valet/server/events"
	"github.com/valet-sandbox/valet/server/keys"
	"github.com/valet-sandbox/valet/server/sim"
	"github.com/valet-sandbox/valet/server/store"
)

// Store is what the authorization server needs from persistence.
type Store interface {
	store.Resources
	store.Clients
	store.Grants
	store.Launches
	store.UserPasswords
	store.Expiry
	store.Revocations
	store.Consents
	ListResources(ctx context.Context, typ, after string, limit int) ([]store.Resource, error)
}

// Config wires the authorization server.
type Config struct {
	BaseURL string // public origin, no trailing slash
	Store   Store
	Keys    *keys.Keyring
	Events  *events.Log
	Now     func() time.Time
	// HTTPClient fetches clients' JWKS URLs; a client with a 5 s timeout when nil.
	HTTPClient *http.Client
	// Directory searches the users who can sign in through the FHIR search indexes. When nil, the login
	// page filters a scan of the store (fine for small sandboxes and unit tests).
	Directory Directory
	// MaxOutstandingCodes caps the authorization codes issued and not yet exchanged or expired (they are
	// kept in memory); DefaultMaxOutstandingCodes when zero.
	MaxOutstandingCodes int
	// Simulations, when set, make the authorization and token endpoints act out simulated failures
	// (server/sim, simulate.go).
	Simulations *sim.Engine
	// Registration, when set (shared mode, server/admin), decides who may use dynamic registration in
	// place of the loopback rule: it says whether the caller is the admin (who alone may set Valet's
	// sandbox fields), or why the caller is refused (answered 401 invalid_token, RFC 7591 §3).
	Registration func(r *http.Request) (admin bool, err error)
}

// Directory finds people by a search-box text (a name, an identifier, or for patients a birth date).
type Directory interface {
	FindPatients(ctx context.Context, q string, count, offset int) ([][]byte, int, error)
	FindPractitioners(ctx context.Context, q string, count, offset int) ([][]byte, int, error)
	// SearchPatients matches every given field (name words, birth date, identifier); empty ones match all.
	SearchPatients(ctx context.Context, name, birthDate, identifier string, count, offset int) ([][]byte, int, error)
	// Encounters lists a patient's Encounters, most recent first.
	Encounters(ctx context.Context, patient string, count int) ([][]byte, error)
}

// Lifetimes (SMART: access tokens SHOULD last no more than an hour; codes at most a minute).
const (
	DefaultAccessTokenLifetime  = time.Hour
	DefaultRefreshTokenLifetime = 30 * 24 * time.Hour
	OnlineRefreshTokenLifetime  = 12 * time.Hour
	BackendTokenLifetime        = 300 * time.Second
	IDTokenLifetime             = time.Hour
	CodeLifetime                = 60 * time.Second
	LaunchLifetime              = time.Hour
	AuthRequestLifetime         = 30 * time.Minute
	// SessionLifetime is how long a sign-in lasts: online_access refresh tokens end with it, and a flow
	// that meets an ended session asks the user to sign in again.
	SessionLifetime = 12 * time.Hour
	// MaxAssertionLifetime bounds a client assertion's exp (SMART Backend Services: at most five minutes),
	// with a small allowance for clock skew.
	MaxAssertionLifetime = 5 * time.Minute
	ClockSkew            = 30 * time.Second
)

// Server is the authorization server.
type Server struct {
	base, fhirBase string
	store          Store
	keys           *keys.Keyring
	events         *events.Log
	now            func() time.Time
	jwks           *jwksCache
	verifier       *Verifier
	clients        clientCache
	codes          *codeBook // outstanding and recently used authorization codes (codes.go)
	directory      Directory // nil: the login page scans the store
	sims           *sim.Engine
	registration   func(*http.Request) (bool, error)
}

// New builds the authorization server.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Keys == nil || cfg.Events == nil {
		return nil, errors.New("auth: Store, Keys and Events are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	s := &Server{base: base, fhirBase: base + "/fhir", store: cfg.Store, keys: cfg.Keys, events: cfg.Events, now: cfg.Now,
		directory: cfg.Directory, codes: newCodeBook(cfg.MaxOutstandingCodes), sims: cfg.Simulations,
		registration: cfg.Registration}
	s.jwks = &jwksCache{client: cfg.HTTPClient, now: cfg.Now, entries: map[string]*jwksEntry{}}
	s.verifier = &Verifier{keys: cfg.Keys, store: cfg.Store, fhirBase: s.fhirBase, now: cfg.Now, cache: map[[32]byte]*cached{}}
	return s, nil
}

// Verifier is the access-token verifier other packages (the FHIR server) use.
func (s *Server) Verifier() *Verifier { return s.verifier }

// FHIRBase is the iss and aud of every token.
func (s *Server) FHIRBase() string { return s.fhirBase }

func (s *Server) url(path string) string { return s.base + path }

// secureCookies says whether cookies are sent over https only: when the sandbox is served over https
// (--tls, or a TLS proxy), a cookie that a plain-http request could carry would undo what TLS protects.
func (s *Server) secureCookies() bool { return strings.HasPrefix(s.base, "https://") }

// Mount registers every authorization endpoint.
func (s *Server) Mount(mux *http.ServeMux) {
	mux.Handle("GET /fhir/.well-known/smart-configuration", cors(http.HandlerFunc(s.smartConfiguration)))
	mux.Handle("GET /fhir/.well-known/openid-configuration", cors(http.HandlerFunc(s.openIDConfiguration)))
	mux.Handle("OPTIONS /fhir/.well-known/", cors(http.NotFoundHandler()))
	mux.Handle("GET /auth/jwks", cors(s.keys))
	mux.HandleFunc("GET /auth/authorize", s.authorize)
	mux.HandleFunc("POST /auth/authorize", s.authorize)
	mux.HandleFunc("POST /auth/login", s.login)
	mux.HandleFunc("GET /auth/login", s.loginSearch)
	mux.HandleFunc("GET /auth/pick-patient", s.patientPicker)
	mux.HandleFunc("POST /auth/select-patient", s.selectPatient)
	mux.HandleFunc("POST /auth/select-encounter", s.selectEncounter)
	mux.HandleFunc("POST /auth/consent", s.consent)
	mux.HandleFunc("POST /auth/logout", s.logout)
	mux.Handle("GET /auth/style.json", cors(http.HandlerFunc(s.style)))
	for path, h := range map[string]http.HandlerFunc{
		"/auth/token": s.token, "/auth/introspect": s.introspect, "/auth/revoke": s.revoke, "/auth/register": s.register,
	} {
		mux.Handle("POST "+path, cors(h))
		mux.Handle("OPTIONS "+path, cors(http.NotFoundHandler()))
	}
}

// randomToken is a URL-safe random string with n bytes of entropy.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// recordID is the id of a row the token endpoint inserts on every flow (grant ids, access-token jti):
// the time in milliseconds, as 12 hex digits that sort as the time does, then 16 random bytes. Random
// primary keys scattered each insert across the B-tree and split pages all over it; time-ordered ones
// land at its right edge, and retention finds old grants by a range of the key. Still unique and
// unguessable; the time it reveals is the token's own iat.
func recordID(now time.Time) string {
	ms := uint64(now.UnixMilli())
	if ms >= 1<<48 { // past the year 10889: more than 12 digits
		return fmt.Sprintf("%012x", ms) + randomToken(16)
	}
	var b [12 + 22]byte // 22: base64 of 16 bytes, unpadded
	for i := 11; i >= 0; i-- {
		b[i] = "0123456789abcdef"[ms&0xf]
		ms >>= 4
	}
	var r [16]byte
	_, _ = rand.Read(r[:])
	base64.RawURLEncoding.Encode(b[12:], r[:])
	return string(b[:])
}

// hash is how credentials are stored: codes, refresh tokens, secrets and session ids are high-entropy
// random strings, so one SHA-256 suffices (no salt or stretching needed, unlike passwords).
func hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func (s *Server) record(e events.Event) { s.events.Record(e) }

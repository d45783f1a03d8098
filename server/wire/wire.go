// Package wire holds the JSON messages that more than one package reads or writes: the control API's
// requests and answers (the panel's contract, with frontend/src/lib/api), and the client metadata that
// dynamic registration (RFC 7591) shares with it. Errors about one member of a request name it in Field,
// so the panel puts the message next to the right input without reading the text.
package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/valet-sandbox/valet/server/sim"
	"github.com/valet-sandbox/valet/server/store"
)

// ClientInput is a client as registered (RFC 7591 metadata plus Valet's sandbox extensions). The control
// API and /auth/register both take it, and server/auth validates it the same way for both.
type ClientInput struct {
	ClientID                string          `json:"client_id,omitempty"`
	Name                    string          `json:"client_name"`
	Type                    string          `json:"type,omitempty"`
	TokenEndpointAuthMethod string          `json:"token_endpoint_auth_method"`
	GrantTypes              []string        `json:"grant_types"`
	RedirectURIs            []string        `json:"redirect_uris"`
	LaunchURI               string          `json:"launch_uri"`
	Scope                   string          `json:"scope"`
	JWKS                    json.RawMessage `json:"jwks,omitempty"`
	JWKSURI                 string          `json:"jwks_uri"`
	AccessTokenLifetime     int             `json:"access_token_lifetime"`
	RefreshTokenLifetime    int             `json:"refresh_token_lifetime"`
	NoRefreshRotation       bool            `json:"no_refresh_rotation"`
	AnySecretMethod         bool            `json:"any_secret_method"`
	User                    string          `json:"valet_user"`
	Patient                 string          `json:"valet_patient"`
	AutoApprove             bool            `json:"valet_auto_approve"`
	AppStateCodes           []string        `json:"valet_app_state_codes"`
	AppStateGlobal          bool            `json:"valet_app_state_global"`
	HTTPRedirects           bool            `json:"valet_http_redirects"`
	// Secret fixes the client_secret of a client_secret_* client instead of a random one, so that a
	// scenario file gives the same credentials on every machine (at least 16 characters).
	Secret string `json:"valet_client_secret,omitempty"`
}

// Client is a stored client as the control API and registration answer it: with its grant types and,
// once (when created, or when it first needs one), its plain secret.
type Client struct {
	store.Client
	Secret     string   `json:"client_secret,omitempty"`
	GrantTypes []string `json:"grant_types"`
}

// LaunchInput is the body of POST /api/launches.
type LaunchInput struct {
	ClientID          string          `json:"client_id"`
	Patient           string          `json:"patient"`
	Encounter         string          `json:"encounter"`
	User              string          `json:"user"`
	LaunchURI         string          `json:"launch_uri"`
	Intent            string          `json:"intent"`
	FHIRContext       json.RawMessage `json:"fhir_context"`
	NeedPatientBanner *bool           `json:"need_patient_banner"`
	SmartStyleURL     string          `json:"smart_style_url"`
	Tenant            string          `json:"tenant"`
	AutoApprove       bool            `json:"auto_approve"`
	// Simulations are set on the new launch (server/sim); client_id and launch are left out.
	Simulations []sim.Simulation `json:"simulations,omitempty"`
	// AccessTokenLifetime and RefreshTokenLifetime (seconds, at least 1) shorten the client's lifetimes
	// for the tokens of this launch; 0 keeps the client's.
	AccessTokenLifetime  int `json:"access_token_lifetime"`
	RefreshTokenLifetime int `json:"refresh_token_lifetime"`
}

// Launch is what the control API returns: the launch id, the iss, and the app's launch URL.
type Launch struct {
	Launch string `json:"launch"`
	ISS    string `json:"iss"`
	URL    string `json:"url"`
	// Simulations are those set with the launch, with their ids.
	Simulations []sim.Simulation `json:"simulations,omitempty"`
}

// ConsentInput is the body of PUT /api/consents: a user's remembered decision for an app.
type ConsentInput struct {
	ClientID string `json:"client_id"`
	User     string `json:"user"`  // Practitioner/{id} or Patient/{id}
	Scope    string `json:"scope"` // the scopes approved, space-separated
}

// PasswordInput is the body of PUT /api/users/{type}/{id}/password.
type PasswordInput struct {
	Password string `json:"password"`
}

// Error is the body of every control API error.
type Error struct {
	Error string `json:"error"`
	// Field is the request member the error is about, by its JSON name ("redirect_uris", "valet_user");
	// empty when the error is about the request as a whole.
	Field string `json:"field,omitempty"`
}

// ErrBadSearchText wraps a people search's refusal of the text typed into a search box (the control API
// answers 400; the sign-in and picker pages show it); any other error of such a search is the server's.
var ErrBadSearchText = errors.New("bad search text")

// FieldError is bad input: the control API answers 400 with Message and Field.
type FieldError struct {
	Field, Message string
}

func (e *FieldError) Error() string { return e.Message }

// Invalid is a FieldError about field (may be "").
func Invalid(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Retention is what the sandbox keeps of what people read (GET and PUT /api/retention; `valet serve
// --keep-events`, `--keep-events-days`, `--keep-audit-days`). Credentials, launches and sessions are
// removed once nothing can use them whatever this says. Zero turns a bound off.
type Retention struct {
	EventsDays int `json:"events_days"` // flow events older than this go
	EventsMax  int `json:"events_max"`  // and beyond the newest this many
	AuditDays  int `json:"audit_days"`  // FHIR request log (AuditEvents) older than this goes
}

// Validate refuses values that are negative or absurdly large.
func (r Retention) Validate() error {
	for _, f := range []struct {
		name   string
		v, max int
	}{{"events_days", r.EventsDays, 36_500}, {"events_max", r.EventsMax, 100_000_000}, {"audit_days", r.AuditDays, 36_500}} {
		if f.v < 0 || f.v > f.max {
			return Invalid(f.name, "%s must be between 0 (no bound) and %d (got %d)", f.name, f.max, f.v)
		}
	}
	return nil
}

// Storage is the body of GET /api/storage: the database's size and what retention keeps and did.
type Storage struct {
	DatabaseBytes int64     `json:"database_bytes"`
	Events        int64     `json:"events"`
	Retention     Retention `json:"retention"`
	LastPrune     *Prune    `json:"last_prune,omitempty"`
}

// Prune is what one background pruning pass removed, by kind of record.
type Prune struct {
	Started time.Time      `json:"started"`
	Seconds float64        `json:"seconds"`
	Removed map[string]int `json:"removed"`
	Error   string         `json:"error,omitempty"`
}

// TLS is the body of GET and the answer of PUT /api/tls: whether this run serves https with the local CA,
// the stored switch that decides the next start (a --tls flag overrides it), and the CA users trust.
type TLS struct {
	Serving   bool   `json:"serving"`
	NextStart bool   `json:"next_start"`
	CA        *TLSCA `json:"ca,omitempty"` // nil until the CA is made (first --tls, or the switch turned on)
}

// TLSCA is the local CA as `valet ca` shows it.
type TLSCA struct {
	Name     string    `json:"name"`
	Path     string    `json:"path"`   // the certificate file to trust
	SHA256   string    `json:"sha256"` // fingerprint, colon hex
	NotAfter time.Time `json:"not_after"`
}

// TLSInput is the body of PUT /api/tls.
type TLSInput struct {
	NextStart *bool `json:"next_start"`
}

// Export is one Bulk Data export job as the control panel shows it (GET /api/exports).
type Export struct {
	ID       string     `json:"id"`
	ClientID string     `json:"client_id"`
	Request  string     `json:"request"`
	Status   string     `json:"status"` // running, complete, failed
	Created  time.Time  `json:"created"`
	Finished *time.Time `json:"finished,omitempty"`
	Expires  *time.Time `json:"expires,omitempty"`
	// Progress (0..1) and Exported count the resources written so far while it runs, all of them after.
	Progress float64      `json:"progress"`
	Exported int64        `json:"exported"`
	Files    []ExportFile `json:"files"`
	Error    string       `json:"error,omitempty"`
}

// ExportFile is one file of a complete export, with the control API URL that downloads it.
type ExportFile struct {
	Type     string `json:"type"`
	Count    int    `json:"count"`
	Download string `json:"download"`
	Error    bool   `json:"error"` // the OperationOutcome file of warnings, not data
}

// Group is one FHIR Group (a cohort a Bulk Data export can be of) in GET /api/groups.
type Group struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Type    string `json:"type"`
	Members int    `json:"members"` // active members that are Patients
	Total   int    `json:"total"`   // all members
}

// CredentialInput is the body of POST /api/admin/api-keys and POST /api/admin/registration-tokens.
type CredentialInput struct {
	Name string `json:"name"`
}

// Credential is a shared sandbox's API key or initial access token as the control API lists it. Secret is
// only in the answer that creates it: Valet keeps only its hash.
type Credential struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	Secret     string     `json:"secret,omitempty"`
}

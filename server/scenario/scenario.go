// Package scenario reads scenario files — YAML that pins a whole reproduction: the synthetic data, the
// sandbox clock, users and passwords, the apps, the simulated failures, the launch and the consent — and
// applies them to a sandbox through its control API (docs/scenarios.md).
//
// A scenario is parsed once into a typed Scenario that remembers where each value stood in the file, so
// every error, whether found while reading, while checking or when the sandbox refuses a value, names
// file:line:column. It imports no server package beyond the wire types, so the CLI can check a file
// without opening a sandbox.
package scenario

// Scenario is one scenario file.
type Scenario struct {
	// Name identifies the scenario; client ids and secrets not given in the file derive from it.
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// Data is the synthetic population the scenario's ids come from; nil uses what the sandbox holds
	// (a new one: the default population).
	Data *Data `yaml:"data"`
	// Clock is the sandbox clock offset; nil puts the clock back (offset 0).
	Clock *Clock `yaml:"clock"`
	// Users get passwords (the login page asks for them).
	Users   []User   `yaml:"users"`
	Clients []Client `yaml:"clients"`
	// Simulations are global or per client (client); a launch's own are under launch.
	Simulations []Simulation `yaml:"simulations"`
	Launch      *Launch      `yaml:"launch"`
	Consent     *Consent     `yaml:"consent"`
	// Expect is what an app driven through the scenario does and must see on the wire, step by step;
	// Valet's CI drives a real OAuth client through every file of scenarios/ and checks it
	// (docs/scenarios.md#expect). run and check ignore it beyond validating it.
	Expect []Step `yaml:"expect"`

	file string
	pos  positions
}

// Data is a generation, as `valet generate` and POST /api/generate take it.
type Data struct {
	Seed     *int64 `yaml:"seed"`
	Patients int    `yaml:"patients"`
	Personas bool   `yaml:"personas"`
	Years    int    `yaml:"years"`
	AsOf     string `yaml:"as_of"`
}

// Clock is the sandbox clock offset (PUT /api/clock).
type Clock struct {
	OffsetSeconds int64 `yaml:"offset_seconds"`
}

// User is a login identity given a password.
type User struct {
	User     string `yaml:"user"` // Practitioner/{id} or Patient/{id}
	Password string `yaml:"password"`
}

// Client is an app's registration: RFC 7591 metadata and Valet's sandbox options, named as
// POST /api/clients names them, plus a fixed secret for client_secret_* apps.
type Client struct {
	ClientID                string         `yaml:"client_id"`
	Name                    string         `yaml:"client_name"`
	Type                    string         `yaml:"type"`
	TokenEndpointAuthMethod string         `yaml:"token_endpoint_auth_method"`
	GrantTypes              []string       `yaml:"grant_types"`
	RedirectURIs            []string       `yaml:"redirect_uris"`
	LaunchURI               string         `yaml:"launch_uri"`
	Scope                   string         `yaml:"scope"`
	JWKS                    map[string]any `yaml:"jwks"`
	JWKSURI                 string         `yaml:"jwks_uri"`
	AccessTokenLifetime     int            `yaml:"access_token_lifetime"`
	RefreshTokenLifetime    int            `yaml:"refresh_token_lifetime"`
	NoRefreshRotation       bool           `yaml:"no_refresh_rotation"`
	AnySecretMethod         bool           `yaml:"any_secret_method"`
	User                    string         `yaml:"valet_user"`
	Patient                 string         `yaml:"valet_patient"`
	AutoApprove             bool           `yaml:"valet_auto_approve"`
	AppStateCodes           []string       `yaml:"valet_app_state_codes"`
	AppStateGlobal          bool           `yaml:"valet_app_state_global"`
	HTTPRedirects           bool           `yaml:"valet_http_redirects"`
	// Secret is the client_secret of a client_secret_basic or _post app; derived from the scenario name
	// and client_id when not given, so the same file gives the same secret everywhere.
	Secret string `yaml:"client_secret"`
}

// Simulation is a simulated failure (server/sim), as POST /api/simulations takes it.
type Simulation struct {
	Kind       string `yaml:"kind"`
	Client     string `yaml:"client"` // top-level only: the app's client_id; none is global
	When       string `yaml:"when"`
	N          int    `yaml:"n"`
	DelayMS    int    `yaml:"delay_ms"`
	RetryAfter int    `yaml:"retry_after"`
	Scope      string `yaml:"scope"`
	Patient    string `yaml:"patient"`
}

// Launch is how the app starts: an EHR launch the sandbox creates (POST /api/launches), or a standalone
// launch the app begins itself.
type Launch struct {
	Type      string `yaml:"type"`   // ehr (default) or standalone
	Client    string `yaml:"client"` // client_id; default the scenario's only client
	Patient   string `yaml:"patient"`
	Encounter string `yaml:"encounter"`
	User      string `yaml:"user"`
	Intent    string `yaml:"intent"`
	// Scope is what the app asks for; the sandbox does not impose it, it tells the app (and the test
	// that drives one) what to request.
	Scope                string       `yaml:"scope"`
	AccessTokenLifetime  int          `yaml:"access_token_lifetime"`
	RefreshTokenLifetime int          `yaml:"refresh_token_lifetime"`
	Simulations          []Simulation `yaml:"simulations"`
}

// Consent is what the user decides on the consent page.
type Consent struct {
	// Decision: ask (the page asks, the default), approve (no page: everything requested is granted),
	// deny (access_denied, as the Deny button).
	Decision string `yaml:"decision"`
	// Grant narrows what is granted to these scopes (space-separated), as a user who unchecks the others.
	Grant string `yaml:"grant"`
	// Remember: the launch's user already has a remembered decision for the app (the consent page's
	// "Remember my decision") of grant, else of the launch's scope, so the page is skipped for those
	// scopes or narrower ones (PUT /api/consents).
	Remember bool `yaml:"remember"`
}

// Step is one thing the app does, with what it must see. Do says what:
//   - authorize: the authorization request (PKCE S256, aud the FHIR base, the launch's scope and id)
//     through the pages: sign-in as sign_in, the patient picker answered with pick (an id, or cancel).
//     Expect a code, or error (redirected with the request's state), or status (an error page).
//   - token: the code exchanged (x/oauth2); error, or scope granted.
//   - refresh: the refresh token used (reuse: the one the last refresh replaced); error.
//   - fhir: GET path under the FHIR base with the access token ({patient} is the token's patient);
//     status, header values, www_authenticate (the Bearer error).
//   - id_token: the id_token verified with go-oidc's defaults; iat_offset, seconds it is ahead of the app.
//   - wait: seconds of real time pass.
//   - revoke_app: the app's grants are revoked (POST /api/clients/{id}/revoke), as an admin would.
type Step struct {
	Do   string `yaml:"do"`
	Note string `yaml:"note"`

	PKCE     *bool  `yaml:"pkce"`
	Aud      string `yaml:"aud"`
	State    string `yaml:"state"`
	SignIn   string `yaml:"sign_in"`
	Password string `yaml:"password"`
	Pick     string `yaml:"pick"`
	Path     string `yaml:"path"`
	Reuse    bool   `yaml:"reuse"`
	Seconds  int    `yaml:"seconds"`

	Status          int               `yaml:"status"`
	Error           string            `yaml:"error"`
	Scope           string            `yaml:"scope"`
	Header          map[string]string `yaml:"header"`
	WWWAuthenticate string            `yaml:"www_authenticate"`
	IATOffset       *int              `yaml:"iat_offset"`
}

// The steps of expect.
var steps = []string{"authorize", "token", "refresh", "fhir", "id_token", "wait", "revoke_app"}

// Launch types and consent decisions.
const (
	LaunchEHR        = "ehr"
	LaunchStandalone = "standalone"
	ConsentAsk       = "ask"
	ConsentApprove   = "approve"
	ConsentDeny      = "deny"
)

// File is the name the scenario was read from.
func (s *Scenario) File() string { return s.file }

// LaunchClient is the client_id of the app the launch is for ("" without a launch or clients).
func (s *Scenario) LaunchClient() string {
	if s.Launch != nil && s.Launch.Client != "" {
		return s.Launch.Client
	}
	if len(s.Clients) == 1 {
		return s.Clients[0].ClientID
	}
	return ""
}

// LaunchType is the launch's type, ehr when not given.
func (s *Scenario) LaunchType() string {
	if s.Launch == nil || s.Launch.Type == "" {
		return LaunchEHR
	}
	return s.Launch.Type
}

// ConsentDecision is the consent decision, ask when not given.
func (s *Scenario) ConsentDecision() string {
	if s.Consent == nil || s.Consent.Decision == "" {
		return ConsentAsk
	}
	return s.Consent.Decision
}

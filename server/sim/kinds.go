package sim

// Point is where a simulation acts: the authorization endpoint (and its pages), the token endpoint, or the
// FHIR API.
type Point string

// The points, in the order of a flow.
const (
	Authorize Point = "authorize"
	Token     Point = "token"
	FHIR      Point = "fhir"
)

var points = [...]Point{Authorize, Token, FHIR}

func (p Point) index() int {
	for i, q := range points {
		if q == p {
			return i
		}
	}
	return -1
}

// Param names a parameter a kind takes besides its scope and schedule.
type Param string

// The parameters.
const (
	DelayMS    Param = "delay_ms"    // how long a slow answer waits (1–60,000 ms)
	RetryAfter Param = "retry_after" // the Retry-After of a 429 or 503 (seconds, 0–86,400; 1 when not given)
	Scopes     Param = "scope"       // the scopes a narrowed consent grants (space-separated)
	Patient    Param = "patient"     // the patient whose record is not found
)

// Kind is one simulated behaviour: the error or deviation a real server shows, and where.
type Kind struct {
	Name        string  `json:"kind"`
	Point       Point   `json:"point"`
	Description string  `json:"description"`
	Params      []Param `json:"params,omitempty"`
	// Required are the params that must be given.
	Required []Param `json:"required,omitempty"`
}

// The kinds' names, as the control API and scenario files spell them.
const (
	AuthorizeInvalidClient       = "authorize.invalid_client"
	AuthorizeInvalidRedirectURI  = "authorize.invalid_redirect_uri"
	AuthorizeInvalidScope        = "authorize.invalid_scope"
	AuthorizeAccessDenied        = "authorize.access_denied"
	AuthorizeLoginRequired       = "authorize.login_required"
	AuthorizeConsentRequired     = "authorize.consent_required"
	AuthorizeInteractionRequired = "authorize.interaction_required"
	AuthorizeServerError         = "authorize.server_error"
	AuthorizeUnavailable         = "authorize.temporarily_unavailable"
	AuthorizeConsentSubset       = "authorize.consent_subset"

	TokenInvalidClient   = "token.invalid_client"
	TokenCodeExpired     = "token.code_expired"
	TokenCodeUsed        = "token.code_used"
	TokenRefreshExpired  = "token.refresh_expired"
	TokenRefreshRevoked  = "token.refresh_revoked"
	TokenInvalidScope    = "token.invalid_scope"
	TokenJTIReplayed     = "token.jti_replayed"
	TokenServerError     = "token.server_error"
	TokenSlow            = "token.slow"
	TokenNoRefreshToken  = "token.no_refresh_token"
	TokenNoIDToken       = "token.no_id_token"
	TokenNoPatient       = "token.no_patient"
	FHIRInvalidToken     = "fhir.invalid_token"
	FHIRExpiredToken     = "fhir.expired_token"
	FHIRRevokedToken     = "fhir.revoked_token"
	FHIRInsufficient     = "fhir.insufficient_scope"
	FHIRRateLimited      = "fhir.rate_limited"
	FHIRServerError      = "fhir.server_error"
	FHIRUnavailable      = "fhir.unavailable"
	FHIRSlow             = "fhir.slow"
	FHIRPatientNotFound  = "fhir.patient_not_found"
	authorizeErrorPrefix = "authorize."
)

// Kinds is the catalogue, in the order the panel offers them (GET /api/simulations/kinds).
var Kinds = []Kind{
	{Name: AuthorizeInvalidClient, Point: Authorize, Description: "the client_id is refused as unknown: an error page, never a redirect"},
	{Name: AuthorizeInvalidRedirectURI, Point: Authorize, Description: "the redirect_uri is refused as unregistered: an error page, never a redirect"},
	{Name: AuthorizeInvalidScope, Point: Authorize, Description: "error=invalid_scope redirected to the app with its state"},
	{Name: AuthorizeAccessDenied, Point: Authorize, Description: "error=access_denied, as if the user pressed Deny"},
	{Name: AuthorizeLoginRequired, Point: Authorize, Description: "error=login_required (OIDC), as prompt=none without a session answers"},
	{Name: AuthorizeConsentRequired, Point: Authorize, Description: "error=consent_required (OIDC), as prompt=none without consent answers"},
	{Name: AuthorizeInteractionRequired, Point: Authorize, Description: "error=interaction_required (OIDC)"},
	{Name: AuthorizeServerError, Point: Authorize, Description: "error=server_error redirected to the app"},
	{Name: AuthorizeUnavailable, Point: Authorize, Description: "error=temporarily_unavailable redirected to the app"},
	{Name: AuthorizeConsentSubset, Point: Authorize, Params: []Param{Scopes}, Required: []Param{Scopes},
		Description: "the consent grants only the requested scopes listed in scope, as a user who unchecks the others"},

	{Name: TokenInvalidClient, Point: Token, Description: "401 invalid_client: the client's authentication is refused"},
	{Name: TokenCodeExpired, Point: Token, Description: "400 invalid_grant: the authorization code has expired (the code is used up)"},
	{Name: TokenCodeUsed, Point: Token, Description: "400 invalid_grant: the authorization code was already used (the code is used up)"},
	{Name: TokenRefreshExpired, Point: Token, Description: "400 invalid_grant: the refresh token has expired"},
	{Name: TokenRefreshRevoked, Point: Token, Description: "400 invalid_grant: the refresh token is unknown or revoked"},
	{Name: TokenInvalidScope, Point: Token, Description: "400 invalid_scope"},
	{Name: TokenJTIReplayed, Point: Token, Description: "401 invalid_client: the client assertion's jti was already used (private_key_jwt clients)"},
	{Name: TokenServerError, Point: Token, Description: "500 server_error"},
	{Name: TokenSlow, Point: Token, Params: []Param{DelayMS}, Required: []Param{DelayMS}, Description: "the answer waits delay_ms, then comes as usual"},
	{Name: TokenNoRefreshToken, Point: Token, Description: "a successful answer without refresh_token, as some EHRs give public clients"},
	{Name: TokenNoIDToken, Point: Token, Description: "a successful answer without id_token"},
	{Name: TokenNoPatient, Point: Token, Description: "a successful answer without patient (the token still carries it)"},

	{Name: FHIRInvalidToken, Point: FHIR, Description: `401, WWW-Authenticate: Bearer error="invalid_token": the token is not recognised`},
	{Name: FHIRExpiredToken, Point: FHIR, Description: `401, WWW-Authenticate: Bearer error="invalid_token": the token has expired`},
	{Name: FHIRRevokedToken, Point: FHIR, Description: `401, WWW-Authenticate: Bearer error="invalid_token": the token was revoked`},
	{Name: FHIRInsufficient, Point: FHIR, Description: `403 OperationOutcome, WWW-Authenticate: Bearer error="insufficient_scope"`},
	{Name: FHIRRateLimited, Point: FHIR, Params: []Param{RetryAfter}, Description: "429 OperationOutcome with Retry-After"},
	{Name: FHIRServerError, Point: FHIR, Description: "500 OperationOutcome"},
	{Name: FHIRUnavailable, Point: FHIR, Params: []Param{RetryAfter}, Description: "503 OperationOutcome with Retry-After"},
	{Name: FHIRSlow, Point: FHIR, Params: []Param{DelayMS}, Required: []Param{DelayMS}, Description: "the answer waits delay_ms, then comes as usual"},
	{Name: FHIRPatientNotFound, Point: FHIR, Params: []Param{Patient},
		Description: "404 for a read of the patient (patient, else the one in the token's context, else any patient), as if deleted"},
}

// KindOf finds a kind by name.
func KindOf(name string) (Kind, bool) {
	for _, k := range Kinds {
		if k.Name == name {
			return k, true
		}
	}
	return Kind{}, false
}

// Slow says whether a kind only delays the answer.
func Slow(kind string) bool { return kind == TokenSlow || kind == FHIRSlow }

// AuthorizeError is the OAuth error code a redirecting authorize kind answers ("" for the others).
func AuthorizeError(kind string) string {
	switch kind {
	case AuthorizeInvalidScope, AuthorizeAccessDenied, AuthorizeLoginRequired, AuthorizeConsentRequired,
		AuthorizeInteractionRequired, AuthorizeServerError, AuthorizeUnavailable:
		return kind[len(authorizeErrorPrefix):]
	}
	return ""
}

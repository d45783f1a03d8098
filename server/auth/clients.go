package auth

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/valet-sandbox/valet/server/ref"
	"github.com/valet-sandbox/valet/server/wire"
	"net"
	"net/url"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/valet-sandbox/valet/server/scope"
	"github.com/valet-sandbox/valet/server/store"
)

// Default allowed scopes when a client is registered without a scope.
const (
	DefaultUserScopes    = "openid fhirUser profile launch launch/patient launch/encounter offline_access online_access patient/*.cruds user/*.cruds"
	DefaultBackendScopes = "system/*.cruds"
)

// sandboxField is the first of the client's sandbox settings that is set, by its JSON name, or "". These
// are Valet's own extensions, not RFC 7591 metadata: shortcuts past sign-in and consent, lifetimes and
// leniency switches. Only the control panel and non-browser programs may set them (register.go).
func sandboxField(in wire.ClientInput) string {
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"valet_user", in.User != ""},
		{"valet_patient", in.Patient != ""},
		{"valet_auto_approve", in.AutoApprove},
		{"access_token_lifetime", in.AccessTokenLifetime != 0},
		{"refresh_token_lifetime", in.RefreshTokenLifetime != 0},
		{"no_refresh_rotation", in.NoRefreshRotation},
		{"any_secret_method", in.AnySecretMethod},
		{"valet_app_state_codes", len(in.AppStateCodes) > 0},
		{"valet_app_state_global", in.AppStateGlobal},
		{"valet_http_redirects", in.HTTPRedirects},
		{"valet_client_secret", in.Secret != ""},
	} {
		if f.set {
			return f.name
		}
	}
	return ""
}

// toClient validates metadata and derives the client type (SMART App Launch 2.2 §Client types).
func toClient(in wire.ClientInput) (store.Client, *Error) {
	c := store.Client{ID: in.ClientID, Name: in.Name, RedirectURIs: in.RedirectURIs, LaunchURI: in.LaunchURI, Scope: in.Scope,
		JWKS: in.JWKS, JWKSURI: in.JWKSURI, AccessTokenLifetime: in.AccessTokenLifetime, RefreshTokenLifetime: in.RefreshTokenLifetime,
		NoRefreshRotation: in.NoRefreshRotation, AnySecretMethod: in.AnySecretMethod, Patient: in.Patient, AutoApprove: in.AutoApprove,
		HTTPRedirects: in.HTTPRedirects}
	codes, oerr := stateCodes(in.AppStateCodes)
	if oerr != nil {
		return c, oerr
	}
	c.AppStateCodes, c.AppStateGlobal = codes, in.AppStateGlobal
	method := in.TokenEndpointAuthMethod
	backend := slices.Contains(in.GrantTypes, "client_credentials") || in.Type == store.ClientBackendService
	for _, g := range in.GrantTypes {
		if g != "authorization_code" && g != "refresh_token" && g != "client_credentials" {
			return c, errClientMetadata("grant type %q is not supported (authorization_code, refresh_token, client_credentials)", g).about("grant_types")
		}
	}
	if method == "" {
		switch in.Type {
		case store.ClientConfidentialSymmetric:
			method = "client_secret_basic"
		case store.ClientConfidentialAsymmetric, store.ClientBackendService:
			method = "private_key_jwt"
		default:
			if backend {
				method = "private_key_jwt"
			} else if in.Type == "" && (len(in.JWKS) > 0 || in.JWKSURI != "") {
				method = "private_key_jwt"
			} else {
				method = "none"
			}
		}
	}
	switch method {
	case "none":
		c.Type = store.ClientPublic
	case "client_secret_basic", "client_secret_post":
		c.Type = store.ClientConfidentialSymmetric
	case "private_key_jwt":
		c.Type = store.ClientConfidentialAsymmetric
	default:
		return c, errClientMetadata("token_endpoint_auth_method %q is not supported (none, client_secret_basic, client_secret_post, private_key_jwt)", method).about("token_endpoint_auth_method")
	}
	c.AuthMethod = method
	if backend {
		if method != "private_key_jwt" {
			return c, errClientMetadata("backend services (client_credentials) authenticate with private_key_jwt only").about("token_endpoint_auth_method")
		}
		c.Type = store.ClientBackendService
	}
	if in.Type != "" && in.Type != c.Type {
		return c, errClientMetadata("type %q does not match token_endpoint_auth_method %q and grant_types", in.Type, method).about("type")
	}
	if c.Type == store.ClientConfidentialAsymmetric || c.Type == store.ClientBackendService {
		if (len(in.JWKS) == 0) == (in.JWKSURI == "") {
			return c, errClientMetadata("private_key_jwt needs exactly one of jwks and jwks_uri").about("jwks")
		}
		if len(in.JWKS) > 0 {
			var set jose.JSONWebKeySet
			if err := json.Unmarshal(in.JWKS, &set); err != nil || len(set.Keys) == 0 {
				return c, errClientMetadata("jwks is not a JSON Web Key Set with at least one key").about("jwks")
			}
			for _, k := range set.Keys {
				if !k.IsPublic() {
					return c, errClientMetadata("jwks must hold public keys only (key %q is private)", k.KeyID).about("jwks")
				}
			}
		}
		if in.JWKSURI != "" && !isHTTPURL(in.JWKSURI) {
			return c, errClientMetadata("jwks_uri must be an absolute http(s) URL").about("jwks_uri")
		}
	} else if len(in.JWKS) > 0 || in.JWKSURI != "" {
		return c, errClientMetadata("jwks and jwks_uri belong to private_key_jwt clients").about("jwks")
	}
	if c.AnySecretMethod && c.Type != store.ClientConfidentialSymmetric {
		return c, errClientMetadata("any_secret_method is for clients that authenticate with a client secret").about("any_secret_method")
	}
	if c.Type == store.ClientBackendService {
		if len(c.RedirectURIs) > 0 {
			return c, errRedirectURI("backend services do not use redirect_uris").about("redirect_uris")
		}
	} else {
		if len(c.RedirectURIs) == 0 {
			return c, errRedirectURI("at least one redirect_uri is required").about("redirect_uris")
		}
		for _, u := range c.RedirectURIs {
			if err := checkRedirectURI(u, c.HTTPRedirects); err != nil {
				return c, err
			}
		}
	}
	if c.HTTPRedirects && c.Type == store.ClientBackendService {
		return c, errClientMetadata("valet_http_redirects is for clients with redirect URIs; backend services have none").about("valet_http_redirects")
	}
	if c.LaunchURI != "" && !isHTTPURL(c.LaunchURI) {
		return c, errClientMetadata("launch_uri must be an absolute http(s) URL").about("launch_uri")
	}
	if c.Scope == "" {
		c.Scope = DefaultUserScopes
		if c.Type == store.ClientBackendService {
			c.Scope = DefaultBackendScopes
		}
	}
	set, err := scope.ParseList(c.Scope)
	if err != nil {
		return c, errClientMetadata("scope: %v", err).about("scope")
	}
	if c.Type == store.ClientBackendService {
		for _, sc := range set {
			if sc.Kind != scope.Resource || sc.Context != "system" {
				return c, errClientMetadata("backend services may only hold system/ scopes, not %q", sc.Raw).about("scope")
			}
		}
	}
	if c.AccessTokenLifetime < 0 {
		return c, errClientMetadata("access_token_lifetime must be at least 1 second (0: the default)").about("access_token_lifetime")
	}
	if c.RefreshTokenLifetime < 0 {
		return c, errClientMetadata("refresh_token_lifetime must be at least 1 second (0: the default)").about("refresh_token_lifetime")
	}
	if c.Type == store.ClientBackendService && c.AccessTokenLifetime > int(BackendTokenLifetime.Seconds()) {
		return c, errClientMetadata("backend service access tokens last at most %d seconds", int(BackendTokenLifetime.Seconds())).about("access_token_lifetime")
	}
	user, err := ref.ParseUser(in.User)
	if err != nil {
		return c, errClientMetadata("valet_user must be Practitioner/{id} or Patient/{id}").about("valet_user")
	}
	c.User = user
	return c, nil
}

// checkRedirectURI applies RFC 6749 §3.1.2 (absolute, no fragment; matched exactly at authorize) and the
// rule real EHRs follow with RFC 8252 §7.3 and §8.3 and SMART App Launch: a redirect URI that is http
// must name a loopback host (127.0.0.1 or another 127/8 address, [::1], localhost), where the code never
// crosses a network; anywhere else it must be https, unless the client has the visible valet_http_redirects
// leniency. A native app's private-use scheme (RFC 8252 §7.1, com.example.app:/cb) is accepted; schemes
// that run or embed content in the browser are not. Registration and authorize both ask this, so a client
// stored before the rule cannot slip past it.
func checkRedirectURI(u string, allowHTTP bool) *Error {
	p, err := url.Parse(u)
	if err != nil || !p.IsAbs() || ((p.Scheme == "http" || p.Scheme == "https") && p.Host == "") {
		return errRedirectURI("redirect_uri %q is not an absolute URL", u).about("redirect_uris")
	}
	if p.Fragment != "" || strings.Contains(u, "#") {
		return errRedirectURI("redirect_uri %q must not contain a fragment", u).about("redirect_uris")
	}
	switch strings.ToLower(p.Scheme) {
	case "http":
		if !allowHTTP && !isLoopbackHost(p.Hostname()) {
			return errRedirectURI("redirect_uri %q must be https: http is accepted only on loopback hosts (127.0.0.1, [::1], "+
				"localhost), as real EHRs do (RFC 8252 §8.3); or set the valet_http_redirects leniency on the app", u).about("redirect_uris")
		}
	case "javascript", "data", "vbscript", "file", "blob", "about":
		return errRedirectURI("redirect_uri %q: the %s scheme is not a place to send an authorization code", u, p.Scheme).about("redirect_uris")
	}
	return nil
}

// isLoopbackHost is a host name that cannot leave this machine: localhost or a loopback IP address.
func isLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func isHTTPURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != ""
}

// checkSandboxRecords refuses a client whose valet_user or valet_patient names a record the FHIR store
// does not hold: its tokens would carry a context no FHIR read can follow.
func (s *Server) checkSandboxRecords(ctx context.Context, c store.Client) error {
	if !c.User.IsZero() {
		if err := s.mustExist(ctx, c.User.Type, c.User.ID); err != nil {
			return fieldRecordError("valet_user", err)
		}
	}
	if c.Patient != "" {
		if err := s.mustExist(ctx, "Patient", c.Patient); err != nil {
			return fieldRecordError("valet_patient", err)
		}
	}
	return nil
}

// errNoRecord is mustExist's answer for a record that is not in the FHIR store (or is deleted).
var errNoRecord = errors.New("not in the FHIR store")

// mustExist is nil when typ/id is a live resource of the FHIR store.
func (s *Server) mustExist(ctx context.Context, typ, id string) error {
	r, err := s.store.ReadResource(ctx, typ, id)
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && r.Deleted):
		return fmt.Errorf("%s/%s is %w", typ, id, errNoRecord)
	case err != nil:
		return err
	}
	return nil
}

func fieldRecordError(field string, err error) error {
	if !errors.Is(err, errNoRecord) {
		return err
	}
	return errClientMetadata("%s: %v: pick one in the control panel (Patients), or list them with GET /api/patients "+
		"and GET /api/practitioners", field, err).about(field)
}

// CreateClient validates and stores a client, returning its secret once (for client_secret_* methods).
func (s *Server) CreateClient(ctx context.Context, in wire.ClientInput) (wire.Client, error) {
	c, oerr := toClient(in)
	if oerr != nil {
		return wire.Client{}, oerr
	}
	if err := s.checkSandboxRecords(ctx, c); err != nil {
		return wire.Client{}, err
	}
	if err := fixedSecret(c, in); err != nil {
		return wire.Client{}, err
	}
	if c.ID == "" {
		c.ID = randomToken(12)
	}
	c.CreatedAt = s.now()
	var secret string
	if c.Type == store.ClientConfidentialSymmetric {
		secret = cmp.Or(in.Secret, randomToken(32))
		c.SecretHash = hash(secret)
	}
	if err := s.store.CreateClient(ctx, c); err != nil {
		if errors.Is(err, store.ErrAlreadyExists) {
			return wire.Client{}, errClientMetadata("client_id %q is taken", c.ID).about("client_id")
		}
		return wire.Client{}, err
	}
	return wire.Client{Client: c, Secret: secret, GrantTypes: grantTypes(c)}, nil
}

// UpdateClient replaces a client's metadata; its secret stays unless the type changes to one that needs
// a new one.
func (s *Server) UpdateClient(ctx context.Context, id string, in wire.ClientInput) (wire.Client, error) {
	in.ClientID = id
	next, oerr := toClient(in)
	if oerr != nil {
		return wire.Client{}, oerr
	}
	if err := s.checkSandboxRecords(ctx, next); err != nil {
		return wire.Client{}, err
	}
	if err := fixedSecret(next, in); err != nil {
		return wire.Client{}, err
	}
	var secret string
	defer s.forgetClient(id)
	c, err := s.store.UpdateClient(ctx, id, func(c *store.Client) error {
		next.CreatedAt, next.SecretHash = c.CreatedAt, c.SecretHash
		if next.Type != store.ClientConfidentialSymmetric {
			next.SecretHash = ""
		} else if in.Secret != "" {
			secret = in.Secret
			next.SecretHash = hash(secret)
		} else if c.SecretHash == "" {
			secret = randomToken(32)
			next.SecretHash = hash(secret)
		}
		*c = next
		return nil
	})
	if err != nil {
		return wire.Client{}, err
	}
	s.verifier.purge()
	return wire.Client{Client: c, Secret: secret, GrantTypes: grantTypes(c)}, nil
}

// DeleteClient removes a client and revokes its tokens.
func (s *Server) DeleteClient(ctx context.Context, id string) error {
	err := s.store.DeleteClient(ctx, id)
	s.forgetClient(id)
	s.verifier.purge()
	return err
}

// fixedSecret checks a secret given with valet_client_secret: only a client that authenticates with a
// secret takes one, and it must not be guessable at a glance.
func fixedSecret(c store.Client, in wire.ClientInput) error {
	switch {
	case in.Secret == "":
		return nil
	case c.Type != store.ClientConfidentialSymmetric:
		return errClientMetadata("valet_client_secret is for client_secret_basic and client_secret_post clients").about("valet_client_secret")
	case len(in.Secret) < 16:
		return errClientMetadata("valet_client_secret must be at least 16 characters").about("valet_client_secret")
	}
	return nil
}

func grantTypes(c store.Client) []string {
	if c.Type == store.ClientBackendService {
		return []string{"client_credentials"}
	}
	return []string{"authorization_code", "refresh_token"}
}

package auth

import (
	"encoding/json"
	"net/http"
)

// Capabilities are the SMART App Launch 2.2 capabilities Valet implements and tests (list only what works).
var Capabilities = []string{
	"launch-ehr", "launch-standalone", "authorize-post",
	"client-public", "client-confidential-symmetric", "client-confidential-asymmetric",
	"sso-openid-connect", "context-banner", "context-style",
	"context-ehr-patient", "context-ehr-encounter", "context-standalone-patient", "context-standalone-encounter",
	"permission-offline", "permission-online", "permission-patient", "permission-user",
	"permission-v1", "permission-v2", "smart-app-state",
}

// AssertionAlgorithms are the client-assertion signing algorithms accepted (SMART: RS384 and ES384).
var AssertionAlgorithms = []string{"RS384", "ES384"}

// ScopesSupported is advertised in discovery; any resource type may be used in place of *.
var ScopesSupported = []string{
	"openid", "fhirUser", "profile", "launch", "launch/patient", "launch/encounter", "offline_access", "online_access",
	"patient/*.cruds", "user/*.cruds", "system/*.cruds", "patient/*.rs", "user/*.rs", "system/*.rs",
	"patient/*.read", "user/*.read", "system/*.read", "patient/*.write", "user/*.write", "system/*.write",
}

func (s *Server) smartConfiguration(w http.ResponseWriter, r *http.Request) {
	writeDiscovery(w, map[string]any{
		"issuer":                                           s.fhirBase,
		"jwks_uri":                                         s.url("/auth/jwks"),
		"authorization_endpoint":                           s.url("/auth/authorize"),
		"token_endpoint":                                   s.url("/auth/token"),
		"introspection_endpoint":                           s.url("/auth/introspect"),
		"revocation_endpoint":                              s.url("/auth/revoke"),
		"registration_endpoint":                            s.url("/auth/register"),
		"management_endpoint":                              s.base + "/",
		"grant_types_supported":                            []string{"authorization_code", "refresh_token", "client_credentials"},
		"response_types_supported":                         []string{"code"},
		"code_challenge_methods_supported":                 []string{"S256"},
		"token_endpoint_auth_methods_supported":            []string{"client_secret_basic", "client_secret_post", "private_key_jwt", "none"},
		"token_endpoint_auth_signing_alg_values_supported": AssertionAlgorithms,
		"scopes_supported":                                 ScopesSupported,
		"capabilities":                                     Capabilities,
	})
}

// openIDConfiguration is the OIDC discovery document; prompt_values_supported (OpenID Connect Prompt
// Create 1.0 §4.1) lists the prompt values authorize honours (prompt.go).
func (s *Server) openIDConfiguration(w http.ResponseWriter, r *http.Request) {
	writeDiscovery(w, map[string]any{
		"issuer":                                           s.fhirBase,
		"authorization_endpoint":                           s.url("/auth/authorize"),
		"token_endpoint":                                   s.url("/auth/token"),
		"jwks_uri":                                         s.url("/auth/jwks"),
		"registration_endpoint":                            s.url("/auth/register"),
		"response_types_supported":                         []string{"code"},
		"subject_types_supported":                          []string{"public"},
		"id_token_signing_alg_values_supported":            []string{"RS256"},
		"scopes_supported":                                 []string{"openid", "fhirUser", "profile", "offline_access", "online_access"},
		"claims_supported":                                 []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "fhirUser", "name"},
		"prompt_values_supported":                          promptValues,
		"token_endpoint_auth_methods_supported":            []string{"client_secret_basic", "client_secret_post", "private_key_jwt", "none"},
		"token_endpoint_auth_signing_alg_values_supported": AssertionAlgorithms,
		"code_challenge_methods_supported":                 []string{"S256"},
		"grant_types_supported":                            []string{"authorization_code", "refresh_token", "client_credentials"},
	})
}

func writeDiscovery(w http.ResponseWriter, doc map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=60")
	_ = json.NewEncoder(w).Encode(doc)
}

// style serves the smart_style_url document (SMART App Launch 2.2 §Styling).
func (s *Server) style(w http.ResponseWriter, r *http.Request) {
	writeDiscovery(w, map[string]any{
		"color_background": "#edeae3", "color_error": "#9e2d2d", "color_highlight": "#69b5ce",
		"color_modal_backdrop": "", "color_success": "#498e49", "color_text": "#303030",
		"dim_border_radius": "6px", "dim_font_size": "13px", "dim_spacing_size": "20px",
		"font_family_body":    "Georgia, Times, 'Times New Roman', serif",
		"font_family_heading": "'HelveticaNeue-Light', Helvetica, Arial, 'Lucida Grande', sans-serif",
	})
}

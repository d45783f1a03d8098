// Package token is the contract between the authorization server, which issues and verifies access
// tokens, and the resource servers that enforce them: what a verified token grants, and the Verifier
// every FHIR request goes through. It imports only the scope grammar and the reference type.
package token

import (
	"context"
	"errors"
	"time"

	"github.com/valet-sandbox/valet/server/ref"
	"github.com/valet-sandbox/valet/server/scope"
)

// ErrInvalidToken is returned (wrapped with the reason, e.g. "invalid token: expired") for a bearer token
// that is malformed, unsigned by a published key, expired, for another audience, or revoked. Resource
// servers answer it with 401 and WWW-Authenticate: Bearer error="invalid_token".
var ErrInvalidToken = errors.New("invalid token")

// Access is what a verified access token grants.
type Access struct {
	TokenID   string // jti
	GrantID   string // the grant the token was issued from (valet_grant), "" for tokens from before it
	ClientID  string
	Subject   string        // sub
	User      ref.Reference // the fhirUser: Practitioner/123, Patient/456; zero when no user signed in (backend services)
	Patient   string        // patient in context (an id, not a reference), "" when none
	Encounter string        // encounter in context, "" when none
	Scopes    scope.Set
	// StateCodes are the SMART App State codes ("system|code") the client's registration associates with
	// it: the only Basic.code values its app state may carry (SMART App Launch 2.2 §App State, Security).
	StateCodes []string
	// StateGlobal lets the app keep global state (no subject); off unless its registration grants it.
	StateGlobal bool
	IssuedAt    time.Time
	Expiry      time.Time
}

// Verifier checks a bearer token and says what it grants.
type Verifier interface {
	Verify(ctx context.Context, bearer string) (*Access, error)
}

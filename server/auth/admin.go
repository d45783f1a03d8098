package auth

import (
	"context"
	"errors"
	"time"

	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/wire"
)

// Admin is the authorization server as the control API drives it (control and auth are peers under
// server/, so control states what it needs and this adapter provides it): the same operations, with bad
// input answered as *wire.FieldError, the control API's 400, instead of an OAuth error.
type Admin struct{ s *Server }

// Admin returns the control API's view of the server.
func (s *Server) Admin() Admin { return Admin{s} }

// fieldError turns the OAuth error of bad client metadata into the control API's.
func fieldError(err error) error {
	var oe *Error
	if errors.As(err, &oe) && oe.Status < 500 {
		return &wire.FieldError{Field: oe.Field, Message: oe.Description}
	}
	return err
}

// CreateClient registers a client.
func (a Admin) CreateClient(ctx context.Context, in wire.ClientInput) (wire.Client, error) {
	out, err := a.s.CreateClient(ctx, in)
	return out, fieldError(err)
}

// UpdateClient replaces a client's metadata.
func (a Admin) UpdateClient(ctx context.Context, id string, in wire.ClientInput) (wire.Client, error) {
	out, err := a.s.UpdateClient(ctx, id, in)
	return out, fieldError(err)
}

// DeleteClient removes a client and revokes its tokens.
func (a Admin) DeleteClient(ctx context.Context, id string) error { return a.s.DeleteClient(ctx, id) }

// CreateLaunch creates an EHR launch.
func (a Admin) CreateLaunch(ctx context.Context, in wire.LaunchInput) (wire.Launch, error) {
	return a.s.CreateLaunch(ctx, in)
}

// Expire makes one credential expire now.
func (a Admin) Expire(ctx context.Context, in wire.ExpireInput) (wire.Expired, error) {
	return a.s.Expire(ctx, in)
}

// RevokeClient ends everything issued to an app.
func (a Admin) RevokeClient(ctx context.Context, id string) (wire.Revoked, error) {
	return a.s.RevokeClient(ctx, id)
}

// RevokeUser ends everything a user authorized.
func (a Admin) RevokeUser(ctx context.Context, user string) (wire.Revoked, error) {
	return a.s.RevokeUser(ctx, user)
}

// EndUserSessions signs a user out of every session.
func (a Admin) EndUserSessions(ctx context.Context, user string) (wire.Revoked, error) {
	return a.s.EndUserSessions(ctx, user)
}

// Sessions lists live sign-in sessions.
func (a Admin) Sessions(ctx context.Context, user string) ([]wire.Session, error) {
	return a.s.Sessions(ctx, user)
}

// RememberedConsents lists remembered consent decisions.
func (a Admin) RememberedConsents(ctx context.Context, clientID, user string) ([]store.RememberedConsent, error) {
	return a.s.RememberedConsents(ctx, clientID, user)
}

// RememberConsent stores a remembered decision.
func (a Admin) RememberConsent(ctx context.Context, in wire.ConsentInput) (store.RememberedConsent, error) {
	return a.s.RememberConsent(ctx, in)
}

// ForgetConsent revokes a remembered decision and the grants it covers.
func (a Admin) ForgetConsent(ctx context.Context, clientID, user string) (wire.Revoked, error) {
	return a.s.ForgetConsent(ctx, clientID, user)
}

// SetUserPassword gives a user a password.
func (a Admin) SetUserPassword(ctx context.Context, ref string, in wire.PasswordInput) error {
	return a.s.SetUserPassword(ctx, ref, in)
}

// DeleteUserPassword removes a user's password.
func (a Admin) DeleteUserPassword(ctx context.Context, ref string) error {
	return a.s.DeleteUserPassword(ctx, ref)
}

// RotateKeys adds new signing keys.
func (a Admin) RotateKeys(ctx context.Context) error { return a.s.RotateKeys(ctx) }

// ClientView is a stored client as the control API shows it.
func ClientView(c store.Client) wire.Client { return wire.Client{Client: c, GrantTypes: grantTypes(c)} }

// RotateKeys adds new signing keys; the old ones stay published as long as a token they signed can live.
func (s *Server) RotateKeys(ctx context.Context) error {
	keep, err := KeyRetention(ctx, s.store)
	if err != nil {
		return err
	}
	return s.keys.Rotate(ctx, keep)
}

// KeyRetention is how long a retired signing key stays published: the longest lifetime of a token it
// may have signed (any client's access tokens, id_tokens), plus clock skew. `valet keys rotate` uses it
// too, so the CLI and the control API retire keys alike.
func KeyRetention(ctx context.Context, clients store.Clients) (time.Duration, error) {
	keep := max(DefaultAccessTokenLifetime, IDTokenLifetime)
	cs, err := clients.ListClients(ctx)
	if err != nil {
		return 0, err
	}
	for _, c := range cs {
		keep = max(keep, lifetime(c.AccessTokenLifetime, 0))
	}
	return keep + ClockSkew, nil
}

package auth

import (
	"context"
	"errors"

	"github.com/valet-sandbox/valet/server/scope"
	"github.com/valet-sandbox/valet/server/store"
)

// grantRefresh exchanges a refresh token (RFC 6749 §6). The token is bound to its client; the scope may
// be narrowed, never widened; with rotation (the default) each refresh token works once and a reused one
// revokes its whole family (OAuth 2.0 Security BCP §4.14.2).
func (s *Server) grantRefresh(ctx context.Context, req *tokenRequest, client store.Client) (*tokenResponse, trace, *Error) {
	raw := req.RefreshToken
	if raw == "" {
		return nil, trace{}, errInvalidRequest("refresh_token is required")
	}
	var m *minted
	var refused *Error
	_, g, err := s.store.UseRefreshToken(ctx, refreshHash(raw), !client.NoRefreshRotation, func(rt store.RefreshToken, g store.Grant) (store.Issuance, error) {
		// Checked inside the transaction, which rolls back on refusal: another client cannot burn the
		// token, and a widened scope does not cost the app its refresh token.
		if rt.ClientID != client.ID {
			refused = errInvalidGrant("refresh token was issued to another client")
			return store.Issuance{}, refused
		}
		granted, _ := scope.ParseList(rt.Scope) // stored as issued
		set, e := narrowRefresh(granted, req.Scope)
		if e != nil {
			refused = e
			return store.Issuance{}, e
		}
		// Without rotation the same refresh token stays valid and none is issued.
		m = s.prepare(client, issued{grant: g, scopes: set, grantScopes: granted, refresh: !client.NoRefreshRotation})
		return m.rec, nil
	})
	switch {
	case refused != nil:
		return nil, traceOf(g), refused
	case errors.Is(err, store.ErrReused):
		s.verifier.purge()
		return nil, traceOf(g), errInvalidGrant("refresh token was already used; its token family is revoked")
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrRevoked):
		return nil, trace{}, errInvalidGrant("refresh token is unknown or revoked")
	case errors.Is(err, store.ErrExpired):
		return nil, trace{}, errInvalidGrant("refresh token has expired")
	case errors.Is(err, store.ErrSessionEnded):
		return nil, traceOf(g), errInvalidGrant("the user's session has ended, and with it this online_access refresh token")
	case err != nil:
		return nil, trace{}, errServerError(err)
	}
	resp, e := s.sign(m)
	if e == nil && client.NoRefreshRotation {
		resp.RefreshToken = raw
	}
	return resp, traceOf(g), e
}

// narrowRefresh is the scope of a refreshed token: the grant's, or a requested subset (RFC 6749 §6).
func narrowRefresh(granted scope.Set, requested string) (scope.Set, *Error) {
	if requested == "" {
		return granted, nil
	}
	asked, err := scope.ParseList(requested)
	if err != nil {
		return nil, errInvalidScope("%v", err)
	}
	for _, sc := range asked {
		if !granted.Has(sc.Raw) && !sc.WithinAny(granted) {
			return nil, errInvalidScope("scope %q was not granted; a refresh may narrow the scope, never widen it", sc.Raw)
		}
	}
	return asked, nil
}

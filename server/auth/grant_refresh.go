package auth

import (
	"errors"
	"net/http"

	"github.com/valet-sandbox/valet/server/scope"
	"github.com/valet-sandbox/valet/server/store"
)

// grantRefresh exchanges a refresh token (RFC 6749 §6). The token is bound to its client; the scope may
// be narrowed, never widened; with rotation (the default) each refresh token works once and a reused one
// revokes its whole family (OAuth 2.0 Security BCP §4.14.2).
func (s *Server) grantRefresh(r *http.Request, client store.Client) (map[string]any, string, *Error) {
	f := r.PostForm
	raw := f.Get("refresh_token")
	if raw == "" {
		return nil, "", errInvalidRequest("refresh_token is required")
	}
	// Check the binding before using the token, so another client cannot burn it.
	peek, _, err := s.store.LookupRefreshToken(r.Context(), hash(raw))
	if err == nil && peek.ClientID != client.ID {
		return nil, "", errInvalidGrant("refresh token was issued to another client")
	}
	rt, g, err := s.store.UseRefreshToken(r.Context(), hash(raw), !client.NoRefreshRotation)
	switch {
	case errors.Is(err, store.ErrReused):
		s.verifier.purge()
		return nil, g.FlowID, errInvalidGrant("refresh token was already used; its token family is revoked")
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrRevoked):
		return nil, "", errInvalidGrant("refresh token is unknown or revoked")
	case errors.Is(err, store.ErrExpired):
		return nil, "", errInvalidGrant("refresh token has expired")
	case err != nil:
		return nil, "", errServerError("%v", err)
	}
	if rt.ClientID != client.ID {
		return nil, g.FlowID, errInvalidGrant("refresh token was issued to another client")
	}
	if rt.Online {
		if g.SessionID == "" {
			return nil, g.FlowID, errInvalidGrant("online_access refresh token has no user session")
		}
		if _, err := s.store.Session(r.Context(), g.SessionID); err != nil {
			return nil, g.FlowID, errInvalidGrant("the user's session has ended, and with it this online_access refresh token")
		}
	}
	granted, _ := scope.ParseList(rt.Scope)
	set := granted
	if req := f.Get("scope"); req != "" {
		asked, err := scope.ParseList(req)
		if err != nil {
			return nil, g.FlowID, errInvalidScope("%v", err)
		}
		for _, sc := range asked {
			if !granted.Has(sc.Raw) && !sc.WithinAny(granted) {
				return nil, g.FlowID, errInvalidScope("scope %q was not granted; a refresh may narrow the scope, never widen it", sc.Raw)
			}
		}
		set = asked
	}
	// Without rotation the same refresh token stays valid and none is issued.
	resp, e := s.mint(r.Context(), client, issued{grant: g, scopes: set, refresh: !client.NoRefreshRotation})
	if e == nil && client.NoRefreshRotation {
		resp["refresh_token"] = raw
	}
	return resp, g.FlowID, e
}

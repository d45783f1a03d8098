package auth

import (
	"context"

	"github.com/valet-sandbox/valet/server/scope"
	"github.com/valet-sandbox/valet/server/store"
)

// grantClientCredentials issues a backend-service token (SMART Backend Services): private_key_jwt
// clients only, system/ scopes within the client's allowed scopes, at most five minutes, no refresh token.
func (s *Server) grantClientCredentials(ctx context.Context, req *tokenRequest, client store.Client) (*tokenResponse, trace, *Error) {
	if client.Type != store.ClientBackendService {
		return nil, trace{}, errUnauthorizedClient("client_credentials is for backend services registered with private_key_jwt")
	}
	asked, err := scope.ParseList(req.Scope)
	if err != nil {
		return nil, trace{}, errInvalidScope("%v", err)
	}
	if len(asked) == 0 {
		return nil, trace{}, errInvalidScope("scope is required (system/ scopes)")
	}
	allowed := s.allowedScopes(client.Scope)
	for _, sc := range asked {
		if sc.Kind != scope.Resource || sc.Context != scope.System {
			return nil, trace{}, errInvalidScope("backend services may only request system/ scopes, not %q", sc.Raw)
		}
		if !sc.WithinAny(allowed) {
			return nil, trace{}, errInvalidScope("scope %q is not within the scopes allowed for this client", sc.Raw)
		}
	}
	// Each token gets a grant of its own, which its valet_grant claim names: deleting the client revokes
	// its grants, and so its tokens, even if the client id is registered again.
	now := s.now()
	g := store.Grant{ID: recordID(now), ClientID: client.ID, Subject: client.ID, Scope: asked.String(), CreatedAt: now}
	resp, e := s.mint(ctx, client, issued{grant: g, scopes: asked})
	return resp, trace{}, e
}

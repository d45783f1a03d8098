package auth

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/valet-sandbox/valet/server/keys"
	"github.com/valet-sandbox/valet/server/scope"
	"github.com/valet-sandbox/valet/server/store"
)

// accessClaims are the claims of Valet's access tokens (SMART App Launch 2.2 does not fix a format;
// these are what the FHIR server and introspection read).
type accessClaims struct {
	Iss       string `json:"iss"`
	Sub       string `json:"sub"`
	Aud       string `json:"aud"`
	ClientID  string `json:"client_id"`
	Scope     string `json:"scope"`
	Patient   string `json:"patient,omitempty"`
	Encounter string `json:"encounter,omitempty"`
	FHIRUser  string `json:"fhirUser,omitempty"`
	Exp       int64  `json:"exp"`
	Iat       int64  `json:"iat"`
	JTI       string `json:"jti"`
}

type idClaims struct {
	Iss      string `json:"iss"`
	Sub      string `json:"sub"`
	Aud      string `json:"aud"`
	Exp      int64  `json:"exp"`
	Iat      int64  `json:"iat"`
	AuthTime int64  `json:"auth_time,omitempty"`
	Nonce    string `json:"nonce,omitempty"`
	FHIRUser string `json:"fhirUser,omitempty"`
}

// issued is what one token response hands out.
type issued struct {
	grant   store.Grant
	scopes  scope.Set
	refresh bool // issue a refresh token
	nonce   string
}

func lifetime(seconds int, def time.Duration) time.Duration {
	if seconds > 0 {
		return time.Duration(seconds) * time.Second
	}
	return def
}

// mint signs the tokens of a token response, records them and builds the response body.
func (s *Server) mint(ctx context.Context, client store.Client, in issued) (map[string]any, *Error) {
	now := s.now()
	g := in.grant
	ttl := lifetime(client.AccessTokenLifetime, DefaultAccessTokenLifetime)
	if client.Type == store.ClientBackendService {
		ttl = min(ttl, BackendTokenLifetime)
	}
	sub := g.Subject
	if sub == "" {
		sub = client.ID
	}
	ac := accessClaims{Iss: s.fhirBase, Sub: sub, Aud: s.fhirBase, ClientID: client.ID, Scope: in.scopes.String(),
		Patient: g.Patient, Encounter: g.Encounter, FHIRUser: g.FHIRUser, Exp: now.Add(ttl).Unix(), Iat: now.Unix(), JTI: randomToken(16)}
	at, err := s.keys.Sign(keys.ES256, ac)
	if err != nil {
		return nil, errServerError("sign access token: %v", err)
	}
	resp := map[string]any{"access_token": at, "token_type": "Bearer", "expires_in": int(ttl.Seconds()), "scope": ac.Scope}
	var rt *store.RefreshToken
	if in.refresh {
		// offline vs online follows the grant, not a narrowed refresh request.
		grantScopes, _ := scope.ParseList(g.Scope)
		online := !grantScopes.HasKind(scope.OfflineAccess)
		rttl := lifetime(client.RefreshTokenLifetime, DefaultRefreshTokenLifetime)
		if online {
			rttl = min(rttl, OnlineRefreshTokenLifetime)
		}
		raw := randomToken(32)
		rt = &store.RefreshToken{Hash: hash(raw), GrantID: g.ID, ClientID: client.ID, Scope: g.Scope, Online: online, ExpiresAt: now.Add(rttl)}
		resp["refresh_token"] = raw
	}
	if in.scopes.HasKind(scope.OpenID) && g.FHIRUser != "" {
		ic := idClaims{Iss: s.fhirBase, Sub: g.Subject, Aud: client.ID, Exp: now.Add(IDTokenLifetime).Unix(), Iat: now.Unix(), Nonce: in.nonce}
		if !g.AuthTime.IsZero() {
			ic.AuthTime = g.AuthTime.Unix()
		}
		if in.scopes.HasKind(scope.FHIRUser) {
			ic.FHIRUser = s.fhirBase + "/" + g.FHIRUser
		}
		idt, err := s.keys.Sign(keys.RS256, ic)
		if err != nil {
			return nil, errServerError("sign id_token: %v", err)
		}
		resp["id_token"] = idt
	}
	if g.Patient != "" {
		resp["patient"] = g.Patient
	}
	if g.Encounter != "" {
		resp["encounter"] = g.Encounter
	}
	if len(g.Context) > 0 {
		var extra map[string]any
		_ = json.Unmarshal(g.Context, &extra)
		for k, v := range extra {
			resp[k] = v
		}
	}
	if err := s.store.Issue(ctx, store.AccessToken{JTI: ac.JTI, GrantID: g.ID, ClientID: client.ID, ExpiresAt: now.Add(ttl)}, rt); err != nil {
		return nil, errServerError("record tokens: %v", err)
	}
	return resp, nil
}

// grantsRefresh says whether a scope set earns a refresh token (SMART: offline_access or online_access).
func grantsRefresh(set scope.Set) bool {
	return slices.ContainsFunc(set, func(sc scope.Scope) bool {
		return sc.Kind == scope.OfflineAccess || sc.Kind == scope.OnlineAccess
	})
}

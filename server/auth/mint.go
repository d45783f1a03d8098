package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/valet-sandbox/valet/server/keys"
	"github.com/valet-sandbox/valet/server/scope"
	"github.com/valet-sandbox/valet/server/store"
)

// accessClaims are the claims of Valet's access tokens (SMART App Launch 2.2 does not fix a format;
// these are what the FHIR server and introspection read). Grant names the grant the token was issued
// from: issued tokens are not stored, so revoking the grant must reach its tokens through this claim.
// Tokens issued before store migration 0015 have none.
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
	Grant     string `json:"valet_grant,omitempty"`
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
	grant  store.Grant
	scopes scope.Set // what this response grants (a refresh may narrow the grant's)
	// grantScopes is grant.Scope parsed: whether offline or online access follows the grant, not a
	// narrowed refresh request.
	grantScopes scope.Set
	refresh     bool // issue a refresh token
	// first: the grant's first token response (its code exchange), whose refresh token is kept in the
	// grant's row (store.GrantRefreshHash) and so names the grant.
	first bool
	nonce string
	// context is grant.Context decoded, when the caller has it (a code exchange); else prepare decodes it.
	context *launchContext
}

func lifetime(seconds int, def time.Duration) time.Duration {
	if seconds > 0 {
		return time.Duration(seconds) * time.Second
	}
	return def
}

// accessLifetime is how long the client's access tokens last (a launch may shorten it: Grant.AccessTokenLifetime).
func accessLifetime(client store.Client) time.Duration {
	ttl := lifetime(client.AccessTokenLifetime, DefaultAccessTokenLifetime)
	if client.Type == store.ClientBackendService {
		ttl = min(ttl, BackendTokenLifetime)
	}
	return ttl
}

// minted is a token response being built: its grant and refresh token are stored (in one transaction)
// before its tokens are signed, so that no signature is computed while the single SQLite writer waits,
// and no token is signed whose grant is not stored.
type minted struct {
	resp   *tokenResponse
	rec    store.Issuance
	access accessClaims
	id     *idClaims
}

// prepare builds the claims, records and response body of a token response; it does no I/O.
func (s *Server) prepare(client store.Client, in issued) *minted {
	now := s.now()
	g := in.grant
	ttl := lifetime(g.AccessTokenLifetime, accessLifetime(client))
	sub := g.Subject
	if sub == "" {
		sub = client.ID
	}
	m := &minted{access: accessClaims{Iss: s.fhirBase, Sub: sub, Aud: s.fhirBase, ClientID: client.ID, Scope: in.scopes.String(),
		Patient: g.Patient, Encounter: g.Encounter, FHIRUser: g.FHIRUser.String(), Exp: now.Add(ttl).Unix(), Iat: now.Unix(), JTI: recordID(now), Grant: g.ID}}
	m.resp = &tokenResponse{TokenType: "Bearer", ExpiresIn: int(ttl.Seconds()), Scope: m.access.Scope, Patient: g.Patient, Encounter: g.Encounter}
	if in.refresh {
		online := !in.grantScopes.HasKind(scope.OfflineAccess)
		rttl := lifetime(g.RefreshTokenLifetime, lifetime(client.RefreshTokenLifetime, DefaultRefreshTokenLifetime))
		if online {
			rttl = min(rttl, OnlineRefreshTokenLifetime)
		}
		raw := randomToken(32)
		if in.first {
			raw = g.ID + "." + raw
		}
		m.rec.Refresh = &store.RefreshToken{Hash: refreshHash(raw), GrantID: g.ID, ClientID: client.ID, Scope: g.Scope, Online: online, ExpiresAt: now.Add(rttl)}
		m.resp.RefreshToken = raw
	}
	if in.scopes.HasKind(scope.OpenID) && !g.FHIRUser.IsZero() {
		ic := &idClaims{Iss: s.fhirBase, Sub: g.Subject, Aud: client.ID, Exp: now.Add(IDTokenLifetime).Unix(), Iat: now.Unix(), Nonce: in.nonce}
		if !g.AuthTime.IsZero() {
			ic.AuthTime = g.AuthTime.Unix()
		}
		if in.scopes.HasKind(scope.FHIRUser) {
			ic.FHIRUser = s.fhirBase + "/" + g.FHIRUser.String()
		}
		m.id = ic
	}
	if in.context != nil {
		m.resp.launchContext = *in.context
	} else if len(g.Context) > 0 {
		_ = json.Unmarshal(g.Context, &m.resp.launchContext)
	}
	return m
}

// sign signs the prepared tokens (ES256 access token, RS256 id_token) into the response body.
func (s *Server) sign(m *minted) (*tokenResponse, *Error) {
	at, err := s.keys.Sign(keys.ES256, m.access)
	if err != nil {
		return nil, errServerError(fmt.Errorf("sign access token: %w", err))
	}
	m.resp.AccessToken = at
	if m.id != nil {
		idt, err := s.keys.Sign(keys.RS256, m.id)
		if err != nil {
			return nil, errServerError(fmt.Errorf("sign id_token: %w", err))
		}
		m.resp.IDToken = idt
	}
	return m.resp, nil
}

// mint stores a new grant and signs its token response (client_credentials, which redeems nothing).
func (s *Server) mint(ctx context.Context, client store.Client, in issued) (*tokenResponse, *Error) {
	m := s.prepare(client, in)
	if err := s.store.CreateGrant(ctx, in.grant, func() (store.Issuance, error) { return m.rec, nil }); err != nil {
		return nil, errServerError(fmt.Errorf("record the grant: %w", err))
	}
	return s.sign(m)
}

// refreshHash is how the store knows a refresh token: its hash, and for a grant's first refresh token
// ("<grant id>.<secret>", kept in the grant's row) the grant id too. Grant ids and randomToken use the
// base64url alphabet, without dots.
func refreshHash(raw string) string {
	if id, _, ok := strings.Cut(raw, "."); ok {
		return store.GrantRefreshHash(id, hash(raw))
	}
	return hash(raw)
}

// grantsRefresh says whether a scope set earns a refresh token (SMART: offline_access or online_access).
func grantsRefresh(set scope.Set) bool {
	return slices.ContainsFunc(set, func(sc scope.Scope) bool {
		return sc.Kind == scope.OfflineAccess || sc.Kind == scope.OnlineAccess
	})
}

package auth

import (
	"context"
	"errors"

	"github.com/valet-sandbox/valet/server/events"
	"github.com/valet-sandbox/valet/server/ref"
	"github.com/valet-sandbox/valet/server/scope"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/wire"
)

// RevokeClient ends everything issued to an app (the panel's "Revoke everything" on an app card): every
// grant, and so every access and refresh token issued from them (a FHIR request with one is 401, a refresh
// invalid_grant), the codes not yet exchanged, and the consent decisions users remembered for it. The app stays registered; its next launch starts afresh.
func (s *Server) RevokeClient(ctx context.Context, clientID string) (wire.Revoked, error) {
	if _, err := s.client(ctx, clientID); errors.Is(err, store.ErrNotFound) {
		return wire.Revoked{}, wireNotFound("no client " + quote(clientID))
	} else if err != nil {
		return wire.Revoked{}, err
	}
	var out wire.Revoked
	out.Codes = s.codes.withdrawWhere(func(ac *authCode) bool { return ac.ClientID == clientID })
	n, err := s.store.RevokeClientGrants(ctx, clientID)
	if err != nil {
		return out, err
	}
	out.Grants = n
	if out.Consents, _, err = s.store.ForgetConsents(ctx, clientID, ""); err != nil {
		return out, err
	}
	s.verifier.purge()
	s.record(events.Event{Kind: "revoked", ClientID: clientID, Decision: "everything of the app revoked (control API)",
		Response: map[string]any{"grants": out.Grants, "codes": out.Codes, "consents": out.Consents}})
	return out, nil
}

// RevokeUser ends everything a user authorized, for every app: their grants and tokens, the codes issued
// to them not yet exchanged, and their remembered consent decisions.
func (s *Server) RevokeUser(ctx context.Context, user string) (wire.Revoked, error) {
	who, err := userRef(user)
	if err != nil {
		return wire.Revoked{}, err
	}
	var out wire.Revoked
	out.Codes = s.codes.withdrawWhere(func(ac *authCode) bool { return ac.Grant.FHIRUser == who })
	if out.Grants, err = s.store.RevokeUserGrants(ctx, who.String()); err != nil {
		return out, err
	}
	if out.Consents, _, err = s.store.ForgetConsents(ctx, "", who.String()); err != nil {
		return out, err
	}
	s.verifier.purge()
	s.record(events.Event{Kind: "revoked", Decision: "everything of " + who.String() + " revoked (control API)",
		Response: map[string]any{"grants": out.Grants, "codes": out.Codes, "consents": out.Consents}})
	return out, nil
}

// EndUserSessions signs a user out of every browser (the panel's "End session"): the next authorization
// asks them to sign in, a flow waiting on its pages goes back to the sign-in page, and their
// online_access refresh tokens fail with invalid_grant (SMART App Launch 2.2: online access lasts while
// the user is online). Their offline_access tokens are unaffected.
func (s *Server) EndUserSessions(ctx context.Context, user string) (wire.Revoked, error) {
	who, err := userRef(user)
	if err != nil {
		return wire.Revoked{}, err
	}
	n, err := s.store.EndUserSessions(ctx, who.String())
	if err != nil {
		return wire.Revoked{}, err
	}
	s.record(events.Event{Kind: "logout", Decision: who.String() + " signed out of every session (control API)",
		Response: map[string]any{"sessions": n}})
	return wire.Revoked{Sessions: n}, nil
}

// Sessions lists the live sign-in sessions, of one user when user is not "".
func (s *Server) Sessions(ctx context.Context, user string) ([]wire.Session, error) {
	if user != "" {
		who, err := userRef(user)
		if err != nil {
			return nil, err
		}
		user = who.String()
	}
	list, err := s.store.Sessions(ctx, user)
	if err != nil {
		return nil, err
	}
	out := make([]wire.Session, len(list))
	for i, si := range list {
		out[i] = wire.Session{ID: si.IDHash, User: si.User, CreatedAt: si.CreatedAt, ExpiresAt: si.ExpiresAt}
	}
	return out, nil
}

// userRef parses the user a control API path names (Practitioner/{id} or Patient/{id}).
func userRef(user string) (ref.Reference, error) {
	who, err := ref.ParseUser(user)
	if err != nil || who.IsZero() {
		return who, wire.Invalid("user", "user must be Practitioner/{id} or Patient/{id}")
	}
	return who, nil
}

// RememberedConsents lists remembered consent decisions (of one client or user when given).
func (s *Server) RememberedConsents(ctx context.Context, clientID, user string) ([]store.RememberedConsent, error) {
	if user != "" {
		who, err := userRef(user)
		if err != nil {
			return nil, err
		}
		user = who.String()
	}
	return s.store.RememberedConsents(ctx, clientID, user)
}

// ForgetConsent revokes a user's remembered decision for an app: the next authorization asks again, and
// the grants that user gave the app are revoked with it (their refresh tokens end), as a patient portal
// does when an app is disconnected.
func (s *Server) ForgetConsent(ctx context.Context, clientID, user string) (wire.Revoked, error) {
	if clientID == "" {
		return wire.Revoked{}, wire.Invalid("client_id", "client_id is required")
	}
	who, err := userRef(user)
	if err != nil {
		return wire.Revoked{}, err
	}
	var out wire.Revoked
	if out.Consents, out.Grants, err = s.store.ForgetConsents(ctx, clientID, who.String()); err != nil {
		return out, err
	}
	if out.Consents == 0 {
		return out, wireNotFound(who.String() + " has no remembered decision for " + quote(clientID))
	}
	s.verifier.purge()
	s.record(events.Event{Kind: "consent.forgotten", ClientID: clientID, Decision: "remembered decision of " + who.String() +
		" revoked, with its grants (control API)", Response: map[string]any{"grants": out.Grants}})
	return out, nil
}

// RememberConsent stores a user's decision for an app as the consent page's "Remember my decision"
// does, without the page: later authorizations of that user for the same or narrower scopes skip it.
// A scenario sets one this way (consent: {remember: true}).
func (s *Server) RememberConsent(ctx context.Context, in wire.ConsentInput) (store.RememberedConsent, error) {
	if in.ClientID == "" {
		return store.RememberedConsent{}, wire.Invalid("client_id", "client_id is required")
	}
	if _, err := s.client(ctx, in.ClientID); errors.Is(err, store.ErrNotFound) {
		return store.RememberedConsent{}, wire.Invalid("client_id", "no client %s", quote(in.ClientID))
	} else if err != nil {
		return store.RememberedConsent{}, err
	}
	who, err := userRef(in.User)
	if err != nil {
		return store.RememberedConsent{}, err
	}
	granted, err := scope.ParseList(in.Scope)
	if err != nil || len(granted) == 0 {
		return store.RememberedConsent{}, wire.Invalid("scope", "scope must be the space-separated scopes approved, such as \"launch openid patient/*.rs\"")
	}
	rc := store.RememberedConsent{ClientID: in.ClientID, User: who.String(), Scope: granted.String(), CreatedAt: s.now()}
	if err := s.store.RememberConsent(ctx, rc); err != nil {
		return rc, err
	}
	s.record(events.Event{Kind: "consent.set", ClientID: in.ClientID, Decision: "decision of " + who.String() +
		" remembered: " + rc.Scope + " (control API)"})
	return rc, nil
}

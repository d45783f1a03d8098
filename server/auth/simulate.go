package auth

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/valet-sandbox/valet/server/events"
	"github.com/valet-sandbox/valet/server/scope"
	"github.com/valet-sandbox/valet/server/sim"
	"github.com/valet-sandbox/valet/server/store"
)

// This file acts out the simulations (server/sim) of the token and authorization endpoints. Each is
// reached only while a simulation of its point is set (sim.Engine.Active, one atomic load).

// peek returns an outstanding code without using it up (nil when there is none).
func (b *codeBook) peek(k codeKey) *authCode {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.outstanding[k]
}

// tokenSims counts a token request whose client is authenticated against the token simulations and
// returns those that fire. The launch and flow come from the code or the refresh token's grant.
func (s *Server) tokenSims(ctx context.Context, req *tokenRequest, client store.Client) sim.Fired {
	r := sim.Request{ClientID: client.ID, Applies: func(sm *sim.Simulation) bool { return tokenSimApplies(sm.Kind, req) }}
	switch req.GrantType {
	case "authorization_code":
		if ac := s.codes.peek(keyOf(req.Code)); ac != nil {
			r.Launch, r.Flow = ac.Grant.LaunchID, ac.Grant.FlowID
		}
	case "refresh_token":
		if id, _, ok := strings.Cut(req.RefreshToken, "."); ok {
			r.Grant = id
		} else if _, g, err := s.store.LookupRefreshToken(ctx, refreshHash(req.RefreshToken)); err == nil {
			r.Grant = g.ID
		}
	}
	return s.sims.Match(ctx, sim.Token, r)
}

// tokenSimApplies says which token simulations a request can show: code kinds on code exchanges, refresh
// kinds on refreshes, a replayed jti where a client assertion was sent, a response without refresh
// token, id_token or patient on the grants that give them.
func tokenSimApplies(kind string, req *tokenRequest) bool {
	switch kind {
	case sim.TokenCodeExpired, sim.TokenCodeUsed:
		return req.GrantType == "authorization_code"
	case sim.TokenRefreshExpired, sim.TokenRefreshRevoked:
		return req.GrantType == "refresh_token"
	case sim.TokenJTIReplayed:
		return req.Assertion != ""
	case sim.TokenNoRefreshToken, sim.TokenNoIDToken, sim.TokenNoPatient:
		return req.GrantType == "authorization_code" || req.GrantType == "refresh_token"
	}
	return true
}

// tokenSimError is the refusal a token simulation answers, worded as the real refusal is; nil for the
// kinds that shape a successful response instead. A refused code is used up, as a real expired or
// replayed code is gone.
func (s *Server) tokenSimError(sm sim.Simulation, req *tokenRequest) *Error {
	switch sm.Kind {
	case sim.TokenInvalidClient:
		e := errInvalidClient("client authentication failed")
		e.Basic = req.Basic
		return e
	case sim.TokenCodeExpired:
		s.codes.withdraw(keyOf(req.Code))
		return errInvalidGrant("authorization code has expired (codes last %d seconds)", int(CodeLifetime.Seconds()))
	case sim.TokenCodeUsed:
		s.codes.withdraw(keyOf(req.Code))
		return errInvalidGrant("authorization code was already used; the tokens issued from it are revoked")
	case sim.TokenRefreshExpired:
		return errInvalidGrant("refresh token has expired")
	case sim.TokenRefreshRevoked:
		return errInvalidGrant("refresh token is unknown or revoked")
	case sim.TokenInvalidScope:
		return errInvalidScope("the requested scope is not allowed for this client")
	case sim.TokenJTIReplayed:
		jti := ""
		if a, err := parseAssertion(req.Assertion); err == nil {
			jti = a.claims.JTI
		}
		return errInvalidClient("client_assertion jti %q was already used", jti)
	case sim.TokenServerError:
		return &Error{Code: "server_error", Description: "the authorization server failed (simulated by Valet)", Status: http.StatusInternalServerError}
	}
	return nil
}

// shapeTokenResponse leaves out of a successful response what the fired simulations say, and names the
// ones that changed it.
func shapeTokenResponse(resp *tokenResponse, fired sim.Fired) *sim.Mark {
	var mark *sim.Mark
	for _, sm := range fired.Sims {
		switch {
		case sm.Kind == sim.TokenNoRefreshToken && resp.RefreshToken != "":
			resp.RefreshToken = ""
		case sm.Kind == sim.TokenNoIDToken && resp.IDToken != "":
			resp.IDToken = ""
		case sm.Kind == sim.TokenNoPatient && resp.Patient != "":
			resp.Patient = ""
		default:
			continue
		}
		if mark == nil {
			mark = sm.Mark()
		}
	}
	return mark
}

// sleep waits d or until the request is cancelled.
func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// simulatedToken acts out the token simulations that fire before the grant runs: a delay, then a
// refusal. It returns the refusal (nil: go on) and the event's mark.
func (s *Server) simulatedToken(ctx context.Context, req *tokenRequest, client store.Client, ev *events.Event) (sim.Fired, *Error) {
	fired := s.tokenSims(ctx, req, client)
	if len(fired.Sims) == 0 {
		return fired, nil
	}
	ev.ClientID, ev.LaunchID, ev.FlowID = client.ID, fired.Launch, fired.Flow
	for _, sm := range fired.Sims {
		if sim.Slow(sm.Kind) {
			ev.Simulated = sm.Mark()
		}
	}
	sleep(ctx, fired.Delay())
	for _, sm := range fired.Sims {
		if e := s.tokenSimError(sm, req); e != nil {
			ev.Simulated = sm.Mark()
			return fired, e
		}
	}
	return fired, nil
}

// authorizeSims counts an authorization request against the authorize simulations that kinds selects.
func (s *Server) authorizeSims(ctx context.Context, flow, clientID, launch string, kinds func(kind string) bool) (sim.Simulation, bool) {
	if !s.sims.Active(sim.Authorize) {
		return sim.Simulation{}, false
	}
	fired := s.sims.Match(ctx, sim.Authorize, sim.Request{ClientID: clientID, Launch: launch, Flow: flow,
		Applies: func(sm *sim.Simulation) bool { return kinds(sm.Kind) }})
	return fired.First()
}

// simulatedRefusalPage acts out authorize.invalid_client and authorize.invalid_redirect_uri for a
// request whose client and redirect_uri are good: the error page a bad one gets, never a redirect. It
// reports whether it answered.
func (s *Server) simulatedRefusalPage(w http.ResponseWriter, r *http.Request, flow string, client store.Client, redirectURI string) bool {
	sm, ok := s.authorizeSims(r.Context(), flow, client.ID, r.Form.Get("launch"), func(k string) bool {
		return k == sim.AuthorizeInvalidClient || k == sim.AuthorizeInvalidRedirectURI
	})
	if !ok {
		return false
	}
	msg := "Unknown client_id " + quote(client.ID) + "."
	if sm.Kind == sim.AuthorizeInvalidRedirectURI {
		msg = "The redirect_uri " + quote(redirectURI) + " is not registered for this app (redirect URIs must match exactly)."
	}
	s.record(events.Event{Kind: "authorize.refused", FlowID: flow, ClientID: client.ID, LaunchID: r.Form.Get("launch"),
		Decision: msg + " (error page, no redirect)", Simulated: sm.Mark()})
	s.errorPage(w, http.StatusBadRequest, msg)
	return true
}

// authorizeSimDescriptions are the error_description of each simulated error redirect, worded as a real
// server's.
var authorizeSimDescriptions = map[string]string{
	"invalid_scope":           "the requested scope is invalid, unknown, or not allowed for this app",
	"access_denied":           "the user denied the request",
	"login_required":          "the user must sign in, and the request asked for no user interaction",
	"consent_required":        "the user must consent, and the request asked for no user interaction",
	"interaction_required":    "the user must interact with the authorization server",
	"server_error":            "the authorization server failed",
	"temporarily_unavailable": "the authorization server is temporarily unavailable; try again later",
}

// simulatedErrorRedirect acts out the authorize simulations answered by an error redirect to the app
// with its state (RFC 6749 §4.1.2.1, OpenID Connect Core §3.1.2.6). It reports whether it answered.
func (s *Server) simulatedErrorRedirect(w http.ResponseWriter, r *http.Request, ar *authRequest) bool {
	sm, ok := s.authorizeSims(r.Context(), ar.ID, ar.ClientID, ar.launchID(), func(k string) bool { return sim.AuthorizeError(k) != "" })
	if !ok {
		return false
	}
	code := sim.AuthorizeError(sm.Kind)
	e := &Error{Code: code, Description: authorizeSimDescriptions[code], Status: http.StatusBadRequest}
	if code == "access_denied" {
		s.record(events.Event{Kind: "consent.denied", FlowID: ar.ID, ClientID: ar.ClientID, LaunchID: ar.launchID(),
			Decision: "user denied", Simulated: sm.Mark()})
	}
	s.record(events.Event{Kind: "authorize.refused", FlowID: ar.ID, ClientID: ar.ClientID, LaunchID: ar.launchID(),
		Decision: e.Code + ": " + e.Description, Simulated: sm.Mark(),
		Response: map[string]any{"redirect": ar.RedirectURI, "error": e.Code, "error_description": e.Description, "state": ar.State}})
	redirectError(w, ar.RedirectURI, ar.State, e)
	return true
}

// simulatedConsent narrows what a consent grants to the scopes an authorize.consent_subset simulation
// lists, as a user who unchecks the others; it returns the mark for the code's event.
func (s *Server) simulatedConsent(ctx context.Context, ar *authRequest, granted scope.Set) (scope.Set, *sim.Mark) {
	sm, ok := s.authorizeSims(ctx, ar.ID, ar.ClientID, ar.launchID(), func(k string) bool { return k == sim.AuthorizeConsentSubset })
	if !ok {
		return granted, nil
	}
	keep := strings.Fields(sm.Scope)
	out := make(scope.Set, 0, len(granted))
	for _, sc := range granted {
		if slices.Contains(keep, sc.Raw) {
			out = append(out, sc)
		}
	}
	if len(out) == 0 && len(granted) > 0 {
		// Nothing left to grant: the user in effect denied (finish redirects with access_denied).
		s.record(events.Event{Kind: "consent.denied", FlowID: ar.ID, ClientID: ar.ClientID, LaunchID: ar.launchID(),
			Decision: "user granted none of the requested scopes", Simulated: sm.Mark()})
	}
	return out, sm.Mark()
}

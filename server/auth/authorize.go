package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/valet-sandbox/valet/server/events"
	"github.com/valet-sandbox/valet/server/scope"
	"github.com/valet-sandbox/valet/server/sim"
	"github.com/valet-sandbox/valet/server/store"
)

// authRequest is an authorization request on its way through login, pickers and consent: the stored
// record (store.AuthRequest) and its scope, parsed once when the request is checked or loaded.
type authRequest struct {
	store.AuthRequest
	// PasswordsInUse is set while rendering the login page: some user has a password (not stored).
	PasswordsInUse bool
	set            scope.Set // Scope, parsed
}

// scopes is the requested scope set, parsed once.
func (ar *authRequest) scopes() scope.Set { return ar.set }

func (ar *authRequest) launchID() string {
	if ar.Launch != nil {
		return ar.Launch.ID
	}
	return ""
}

// authorize is the authorization endpoint (GET and POST, SMART authorize-post). It validates the request
// (RFC 6749 §4.1.1, RFC 7636, SMART App Launch 2.2 §Obtain authorization code) and starts the user's way
// through the pages.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, http.StatusBadRequest, "The authorization request is malformed: "+err.Error())
		return
	}
	q := r.Form
	ctx := r.Context()
	flow := randomToken(16)
	s.record(events.Event{Kind: "authorize.received", FlowID: flow, ClientID: q.Get("client_id"), LaunchID: q.Get("launch"), Request: events.Form(q)})

	// Until client and redirect_uri are known good, errors go to an error page, never to a redirect
	// (RFC 6749 §4.1.2.1): otherwise Valet would be an open redirector.
	client, err := s.client(ctx, q.Get("client_id"))
	if err != nil {
		s.refusePage(w, flow, q.Get("client_id"), "Unknown client_id "+quote(q.Get("client_id"))+".")
		return
	}
	redirectURI := q.Get("redirect_uri")
	if redirectURI == "" && len(client.RedirectURIs) == 1 {
		redirectURI = client.RedirectURIs[0]
	}
	if !slices.Contains(client.RedirectURIs, redirectURI) {
		s.refusePage(w, flow, client.ID, "The redirect_uri "+quote(redirectURI)+" is not registered for this app (redirect URIs must match exactly).")
		return
	}
	if err := checkRedirectURI(redirectURI, client.HTTPRedirects); err != nil {
		// A client stored before the rule existed: refused here as registration would refuse it now.
		s.refusePage(w, flow, client.ID, "This app's "+err.Description+". Edit the app in Valet (Apps).")
		return
	}
	if s.simulatedRefusalPage(w, r, flow, client, redirectURI) {
		return
	}
	if len(q["state"]) > 1 || len(q["scope"]) > 1 || len(q["code_challenge"]) > 1 {
		s.redirectErr(w, r, flow, client.ID, redirectURI, q.Get("state"), errInvalidRequest("parameters must not repeat"))
		return
	}
	ar := &authRequest{AuthRequest: store.AuthRequest{ID: flow, ClientID: client.ID, RedirectURI: redirectURI, State: q.Get("state"),
		Nonce: q.Get("nonce"), CodeChallenge: q.Get("code_challenge"), RedirectGiven: q.Get("redirect_uri") != ""}}
	e := readPrompt(q, ar)
	if e == nil {
		e = s.checkAuthorizeRequest(ctx, q, client, ar)
	}
	if e != nil {
		s.redirectErr(w, r, flow, client.ID, redirectURI, ar.State, e)
		return
	}
	if s.simulatedErrorRedirect(w, r, ar) {
		return
	}
	s.signIn(ctx, r, ar)
	s.advance(w, r, ar, client)
}

// checkAuthorizeRequest applies every check that is answered by redirecting with an error.
func (s *Server) checkAuthorizeRequest(ctx context.Context, q map[string][]string, client store.Client, ar *authRequest) *Error {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	switch {
	case client.Type == store.ClientBackendService:
		return errUnauthorizedClient("backend services use client_credentials, not the authorization endpoint")
	case get("response_type") != "code":
		return errUnsupportedResponseType("response_type must be code")
	case ar.State == "":
		return errInvalidRequest("state is required")
	case get("aud") != s.fhirBase:
		return errInvalidRequest("aud must be the FHIR base URL %s", s.fhirBase)
	case ar.CodeChallenge == "":
		return errInvalidRequest("PKCE is required: send code_challenge and code_challenge_method=S256")
	case get("code_challenge_method") != "S256":
		return errInvalidRequest("code_challenge_method must be S256 (plain is not accepted)")
	case len(ar.CodeChallenge) != 43:
		return errInvalidRequest("code_challenge must be the 43-character base64url SHA-256 of the verifier")
	}
	requested, err := scope.ParseList(get("scope"))
	if err != nil {
		return errInvalidScope("%v", err)
	}
	allowed := s.allowedScopes(client.Scope)
	kept := make(scope.Set, 0, len(requested))
	for _, sc := range requested {
		if sc.WithinAny(allowed) {
			kept = append(kept, sc)
		} else {
			ar.Dropped = append(ar.Dropped, sc.Raw)
		}
	}
	if len(kept) == 0 {
		return errInvalidScope("none of the requested scopes is allowed for this app")
	}
	ar.Scope, ar.set = kept.String(), kept
	if l := get("launch"); l != "" {
		if !kept.Has("launch") {
			return errInvalidScope("an EHR launch (launch parameter) needs the launch scope")
		}
		// The launch is checked here and consumed only when the code is issued (finish): a user who
		// denies, or abandons the login page, has not used up the EHR's launch.
		launch, err := s.store.Launch(ctx, l)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return errInvalidRequest("unknown launch %q", l)
		case err != nil:
			return errServerError(err)
		case launch.UsedAt != nil:
			return errInvalidRequest("launch %q was already used", l)
		case !s.now().Before(launch.ExpiresAt):
			return errInvalidRequest("launch %q has expired", l)
		case launch.ClientID != client.ID:
			return errInvalidRequest("launch %q belongs to another app", l)
		}
		ar.Launch = &launch
		ar.User, ar.Patient, ar.Encounter, ar.AutoApprove = launch.User, launch.Patient, launch.Encounter, launch.AutoApprove
		ar.EncounterDone = launch.Encounter != ""
	} else if kept.Has("launch") {
		return errInvalidScope("the launch scope is for EHR launches; this request has no launch parameter")
	}
	if ar.User.IsZero() {
		ar.User = client.User
	}
	if !ar.User.IsZero() {
		ar.AuthTime = s.now()
	}
	ar.AutoApprove = ar.AutoApprove || client.AutoApprove
	return nil
}

// advance moves a request to its next page, or finishes it with a code.
func (s *Server) advance(w http.ResponseWriter, r *http.Request, ar *authRequest, client store.Client) {
	set := ar.scopes()
	if ar.User.IsZero() {
		if !s.noInteraction(w, r, ar, "login_required", "the user must sign in") {
			s.saveAndRender(w, r, ar, func() { s.renderLogin(w, r, ar, client, "") })
		}
		return
	}
	wantsPatient := slices.ContainsFunc(set, func(sc scope.Scope) bool { return sc.Kind == scope.Launch && sc.LaunchType == "patient" })
	wantsEncounter := slices.ContainsFunc(set, func(sc scope.Scope) bool { return sc.Kind == scope.Launch && sc.LaunchType == "encounter" })
	if ar.User.IsPatient() {
		// A patient's own record is the only patient context they can choose (DESIGN.md, least privilege).
		ar.Patient = ar.User.ID
	}
	if ar.Patient == "" && wantsPatient {
		if client.Patient != "" {
			ar.Patient = client.Patient
		} else {
			if !s.noInteraction(w, r, ar, "interaction_required", "the user must choose a patient") {
				s.saveAndRender(w, r, ar, func() { s.renderPatientPicker(w, r, ar, client, pickerQuery{}) })
			}
			return
		}
	}
	if wantsEncounter && !ar.EncounterDone && ar.Patient != "" {
		if !s.noInteraction(w, r, ar, "interaction_required", "the user must choose an encounter") {
			s.saveAndRender(w, r, ar, func() { s.renderEncounterPicker(w, r, ar, client) })
		}
		return
	}
	if !ar.AutoApprove && !ar.prompts("consent") {
		granted, ok, err := s.rememberedApproval(r, ar)
		if err != nil {
			s.internalErrorPage(w, r, err)
			return
		}
		if ok {
			s.record(events.Event{Kind: "consent.remembered", FlowID: ar.ID, ClientID: ar.ClientID, LaunchID: ar.launchID(),
				Decision: "approved without asking: " + ar.User.String() + " remembered their decision for this app"})
			s.finish(w, r, ar, client, granted)
			return
		}
	}
	if !ar.AutoApprove || ar.prompts("consent") {
		if !s.noInteraction(w, r, ar, "consent_required", "the user must approve the app's access") {
			s.saveAndRender(w, r, ar, func() { s.renderConsent(w, r, ar, client) })
		}
		return
	}
	s.record(events.Event{Kind: "consent.auto", FlowID: ar.ID, ClientID: ar.ClientID, LaunchID: ar.launchID(),
		Decision: "approved without asking (auto-approve)"})
	s.finish(w, r, ar, client, leastPrivilege(set, ar.User, ar.Patient))
}

func (s *Server) saveAndRender(w http.ResponseWriter, r *http.Request, ar *authRequest, render func()) {
	if ar.Binding == "" {
		// The binding cookie and the pages' CSRF token are made only when the request waits for a page: a
		// request that finishes at once (auto-approve) leaves no cookie behind, so browsers and CI
		// clients do not accumulate one cookie per flow and send them all with every later request.
		ar.CSRF = randomToken(16)
		binding := randomToken(16)
		ar.Binding = hash(binding)
		http.SetCookie(w, &http.Cookie{Name: bindingCookie(ar.ID), Value: binding, Path: "/auth/", HttpOnly: true,
			Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode, MaxAge: int(AuthRequestLifetime.Seconds())})
	}
	if err := s.store.PutAuthRequest(r.Context(), ar.AuthRequest, s.now().Add(AuthRequestLifetime)); err != nil {
		s.internalErrorPage(w, r, fmt.Errorf("save the authorization request: %w", err))
		return
	}
	render()
}

// finish issues the authorization code for the granted scopes and redirects back to the app.
func (s *Server) finish(w http.ResponseWriter, r *http.Request, ar *authRequest, client store.Client, granted scope.Set) {
	ctx := r.Context()
	s.forgetRequest(w, r, ar)
	var simulated *sim.Mark
	if s.sims.Active(sim.Authorize) {
		granted, simulated = s.simulatedConsent(ctx, ar, granted)
	}
	if len(granted) == 0 {
		s.redirectErr(w, r, ar.ID, client.ID, ar.RedirectURI, ar.State, errAccessDenied("no scopes were granted"))
		return
	}
	g := store.Grant{ID: recordID(s.now()), ClientID: client.ID, Subject: ar.User.String(), FHIRUser: ar.User, Patient: ar.Patient,
		Encounter: ar.Encounter, Scope: granted.String(), SessionID: ar.SessionHash, LaunchID: ar.launchID(), FlowID: ar.ID,
		AuthTime: ar.AuthTime, CreatedAt: s.now()}
	if l := ar.Launch; l != nil {
		g.AccessTokenLifetime, g.RefreshTokenLifetime = l.AccessTokenLifetime, l.RefreshTokenLifetime
	}
	var lc launchContext
	lc, g.Context = contextOf(ar, s.url("/auth/style.json"))
	code := randomToken(32)
	key := keyOf(code)
	ac := &authCode{ClientID: client.ID, RedirectURI: ar.RedirectURI, RedirectOmitted: !ar.RedirectGiven, CodeChallenge: ar.CodeChallenge,
		Nonce: ar.Nonce, ExpiresAt: s.now().Add(CodeLifetime), Grant: g, Scopes: granted, Context: lc}
	// The code is held before the launch is consumed, so that a full code book does not use up the
	// EHR's launch; the grant itself is stored when the code is exchanged (codes.go).
	if err := s.codes.issue(s.now(), key, ac); err != nil {
		// RFC 6749 §4.1.2.1: temporarily_unavailable is the authorization endpoint's overload answer.
		s.redirectErr(w, r, ar.ID, client.ID, ar.RedirectURI, ar.State, errTemporarilyUnavailable(
			"%d authorization codes are waiting to be exchanged, the most Valet keeps: exchange them or let them expire (%d s), then try again",
			s.codes.max, int(CodeLifetime.Seconds())))
		return
	}
	if ar.Launch != nil {
		if e := launchError(s.store.UseLaunch(ctx, ar.Launch.ID)); e != nil {
			s.codes.withdraw(key)
			s.redirectErr(w, r, ar.ID, client.ID, ar.RedirectURI, ar.State, e)
			return
		}
	}
	to := withQuery(ar.RedirectURI, map[string][]string{"code": {code}, "state": {ar.State}})
	s.record(events.Event{Kind: "code.issued", FlowID: ar.ID, ClientID: client.ID, LaunchID: ar.launchID(),
		Decision: "granted " + g.Scope, Response: map[string]any{"redirect": ar.RedirectURI, "code": events.Redact(code), "state": ar.State},
		Simulated: simulated})
	noStore(w)
	redirect(w, to)
}

// launchError explains why a launch cannot be consumed (another flow of the same launch finished first,
// or it expired while the user was on the pages).
func launchError(l store.Launch, err error) *Error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrReused):
		return errInvalidRequest("launch %q was already used", l.ID)
	case errors.Is(err, store.ErrExpired):
		return errInvalidRequest("launch %q has expired", l.ID)
	case errors.Is(err, store.ErrNotFound):
		return errInvalidRequest("launch %q is unknown", l.ID)
	}
	return errServerError(err)
}

// contextOf is the launch context a grant's token responses carry beyond patient and encounter (SMART
// App Launch 2.2 §Launch context), and the JSON stored with the grant.
func contextOf(ar *authRequest, styleURL string) (launchContext, json.RawMessage) {
	var c launchContext
	banner := ar.Patient != ""
	if ar.Patient != "" {
		c.NeedPatientBanner, c.SmartStyleURL = &banner, styleURL
	}
	if l := ar.Launch; l != nil {
		c.SmartStyleURL, c.NeedPatientBanner = styleURL, &banner
		if l.NeedPatientBanner != nil {
			c.NeedPatientBanner = l.NeedPatientBanner
		}
		if l.SmartStyleURL != "" {
			c.SmartStyleURL = l.SmartStyleURL
		}
		c.Intent, c.Tenant, c.FHIRContext = l.Intent, l.Tenant, l.FHIRContext
	}
	body, _ := json.Marshal(c)
	if len(c.FHIRContext) > 0 {
		_ = json.Unmarshal(body, &c) // fhirContext compacted, as a refresh reads it back from the grant
	}
	return c, body
}

// forgetRequest deletes a stored request and its binding cookie once the flow has an answer. A request
// that never waited on a page was never stored and has no cookie.
func (s *Server) forgetRequest(w http.ResponseWriter, r *http.Request, ar *authRequest) {
	if ar.Binding == "" {
		return
	}
	_ = s.store.DeleteAuthRequest(r.Context(), ar.ID)
	http.SetCookie(w, &http.Cookie{Name: bindingCookie(ar.ID), Value: "", Path: "/auth/", HttpOnly: true, MaxAge: -1})
}

func (s *Server) redirectErr(w http.ResponseWriter, r *http.Request, flow, clientID, redirectURI, state string, e *Error) {
	s.record(events.Event{Kind: "authorize.refused", FlowID: flow, ClientID: clientID, Decision: e.Code + ": " + e.Description,
		Response: map[string]any{"redirect": redirectURI, "error": e.Code, "error_description": e.Description, "state": state}})
	redirectError(w, redirectURI, state, e)
}

func (s *Server) refusePage(w http.ResponseWriter, flow, clientID, msg string) {
	s.record(events.Event{Kind: "authorize.refused", FlowID: flow, ClientID: clientID, Decision: msg + " (error page, no redirect)"})
	s.errorPage(w, http.StatusBadRequest, msg)
}

func quote(s string) string { return "\"" + s + "\"" }

const sessionCookie = "valet_session"

func bindingCookie(id string) string { return "valet_flow_" + id }

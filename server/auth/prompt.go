package auth

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/valet-sandbox/valet/server/events"
	"github.com/valet-sandbox/valet/server/ref"
	"github.com/valet-sandbox/valet/server/store"
)

// OpenID Connect Core 1.0 §3.1.2.1 lets the app say how the sign-in goes: prompt (none, login, consent,
// select_account), max_age (the longest time since the user last signed in) and login_hint (who is
// expected to sign in). Valet honours them as an EHR does, so an app can test its silent re-authorization
// and its step-up sign-in.

var promptValues = []string{"none", "login", "consent", "select_account"}

// readPrompt parses prompt, max_age and login_hint into the request; a malformed value is invalid_request.
func readPrompt(q map[string][]string, ar *authRequest) *Error {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	for k := range map[string]bool{"prompt": true, "max_age": true, "login_hint": true} {
		if len(q[k]) > 1 {
			return errInvalidRequest("%s must not repeat", k)
		}
	}
	values := strings.Fields(get("prompt"))
	for _, v := range values {
		if !slices.Contains(promptValues, v) {
			return errInvalidRequest("prompt value %q is not one of %s", v, strings.Join(promptValues, ", "))
		}
	}
	if slices.Contains(values, "none") && len(values) > 1 {
		return errInvalidRequest("prompt=none must stand alone (OpenID Connect Core §3.1.2.1)")
	}
	ar.Prompt = strings.Join(values, " ")
	if raw := get("max_age"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			return errInvalidRequest("max_age must be a whole number of seconds, 0 or more")
		}
		ar.MaxAge = &n
	}
	ar.LoginHint = get("login_hint")
	return nil
}

// prompts says whether the request's prompt holds v.
func (ar *authRequest) prompts(v string) bool { return slices.Contains(strings.Fields(ar.Prompt), v) }

// signIn decides who is signed in before any page is shown. prompt=login (or select_account) asks for the
// sign-in page whatever is known — the browser's session, a user the client or launch presets; otherwise
// the browser's session signs the user in, unless it is older than max_age (the sign-in page then asks
// again). auth_time is when the session's user signed in.
func (s *Server) signIn(ctx context.Context, r *http.Request, ar *authRequest) {
	if ar.prompts("login") || ar.prompts("select_account") {
		ar.User, ar.AuthTime = ref.Reference{}, time.Time{}
		return
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return
	}
	si, err := s.store.Session(ctx, hash(c.Value))
	if err != nil {
		return
	}
	user, err := ref.ParseUser(si.User)
	if err != nil {
		return
	}
	if ar.MaxAge != nil && s.now().Sub(si.CreatedAt) > time.Duration(*ar.MaxAge)*time.Second {
		s.record(events.Event{Kind: "login.stale", FlowID: ar.ID, ClientID: ar.ClientID, LaunchID: ar.launchID(),
			Decision: "the session of " + user.String() + " is older than max_age=" + strconv.Itoa(*ar.MaxAge) + " s: sign-in asked again"})
		return
	}
	ar.User, ar.SessionHash, ar.AuthTime = user, hash(c.Value), si.CreatedAt
}

// noInteraction answers prompt=none when a page would be needed: the error redirect OpenID Connect Core
// §3.1.2.6 names (login_required, consent_required, interaction_required), with state, and no page.
func (s *Server) noInteraction(w http.ResponseWriter, r *http.Request, ar *authRequest, code, why string) bool {
	if !ar.prompts("none") {
		return false
	}
	s.forgetRequest(w, r, ar)
	s.redirectErr(w, r, ar.ID, ar.ClientID, ar.RedirectURI, ar.State, oauthError(code, 400, "%s, and the request asked for no user interaction (prompt=none)", why))
	return true
}

// hintedUser is the user login_hint names, as Practitioner/{id} or Patient/{id} or the same under the
// FHIR base (the fhirUser form); zero when it names none.
func (s *Server) hintedUser(hint string) ref.Reference {
	u, err := ref.ParseUser(strings.TrimPrefix(hint, s.fhirBase+"/"))
	if err != nil {
		return ref.Reference{}
	}
	return u
}

// stillSignedIn checks, when a page's form comes back, that the sign-in session the flow began with is
// still live. A session that expired (or was ended) meanwhile sends the user back to the sign-in page
// with a note, and the flow goes on after they sign in again; the app hears nothing until then.
func (s *Server) stillSignedIn(r *http.Request, ar *authRequest) (bool, error) {
	if ar.SessionHash == "" {
		return true, nil
	}
	if _, err := s.store.Session(r.Context(), ar.SessionHash); err == nil {
		return true, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	s.record(events.Event{Kind: "session.expired", FlowID: ar.ID, ClientID: ar.ClientID, LaunchID: ar.launchID(),
		Decision: "the sign-in session of " + ar.User.String() + " ended before the flow finished: sign-in asked again"})
	if ar.User.IsPatient() && ar.Patient == ar.User.ID {
		ar.Patient = "" // chosen for them as the patient user; whoever signs in next chooses again
	}
	ar.User, ar.SessionHash, ar.AuthTime = ref.Reference{}, "", time.Time{}
	return false, nil
}

// signedInStill is stillSignedIn for the page handlers: it answers the sign-in page itself (or the error
// page) and says whether the handler may go on.
func (s *Server) signedInStill(w http.ResponseWriter, r *http.Request, ar *authRequest, client store.Client) bool {
	ok, err := s.stillSignedIn(r, ar)
	switch {
	case err != nil:
		s.internalErrorPage(w, r, err)
	case !ok:
		s.saveAndRender(w, r, ar, func() {
			s.renderLogin(w, r, ar, client, "Your sign-in session has ended (it expired, or you were signed out). Sign in again to continue.")
		})
	}
	return ok && err == nil
}

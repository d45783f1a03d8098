package control

import (
	"net/http"

	"github.com/valet-sandbox/valet/server/wire"
)

// PUT /api/users/{type}/{id}/password with {"password": "…"} gives a login identity (Practitioner or
// Patient) a password, which the login page then asks for; DELETE removes it. Passwords are off by
// default: a user without one signs in by choosing their name.
func (a *AuthAPI) mountUsers(mux *http.ServeMux) {
	mux.HandleFunc("PUT /api/users/{type}/{id}/password", a.setPassword)
	mux.HandleFunc("DELETE /api/users/{type}/{id}/password", a.deletePassword)
	mux.HandleFunc("POST /api/users/{type}/{id}/revoke", a.revokeUser)
	mux.HandleFunc("POST /api/users/{type}/{id}/end-session", a.endUserSessions)
	mux.HandleFunc("GET /api/sessions", a.listSessions)
	mux.HandleFunc("GET /api/consents", a.listConsents)
	mux.HandleFunc("DELETE /api/consents", a.forgetConsent)
	mux.HandleFunc("PUT /api/consents", a.rememberConsent)
}

// GET /api/consents[?client_id=&user=] lists remembered consent decisions; DELETE /api/consents?client_id=
// &user= revokes one, with the grants that user gave that app.
func (a *AuthAPI) listConsents(w http.ResponseWriter, r *http.Request) {
	v, err := a.Auth.RememberedConsents(r.Context(), r.URL.Query().Get("client_id"), r.URL.Query().Get("user"))
	answer(w, r, http.StatusOK, v, err)
}

// rememberConsent is PUT /api/consents {"client_id", "user", "scope"}: a remembered decision set as
// the consent page's "Remember my decision" sets one (a scenario's consent: {remember: true}).
func (a *AuthAPI) rememberConsent(w http.ResponseWriter, r *http.Request) {
	var in wire.ConsentInput
	if !readJSON(w, r, &in) {
		return
	}
	v, err := a.Auth.RememberConsent(r.Context(), in)
	answer(w, r, http.StatusOK, v, err)
}

func (a *AuthAPI) forgetConsent(w http.ResponseWriter, r *http.Request) {
	v, err := a.Auth.ForgetConsent(r.Context(), r.URL.Query().Get("client_id"), r.URL.Query().Get("user"))
	answer(w, r, http.StatusOK, v, err)
}

// POST /api/clients/{id}/revoke, /api/users/{type}/{id}/revoke and /api/users/{type}/{id}/end-session
// answer wire.Revoked: how many grants, codes, sessions and remembered consents they ended.
func (a *AuthAPI) revokeClient(w http.ResponseWriter, r *http.Request) {
	v, err := a.Auth.RevokeClient(r.Context(), r.PathValue("id"))
	answer(w, r, http.StatusOK, v, err)
}

func (a *AuthAPI) revokeUser(w http.ResponseWriter, r *http.Request) {
	v, err := a.Auth.RevokeUser(r.Context(), userPath(r))
	answer(w, r, http.StatusOK, v, err)
}

func (a *AuthAPI) endUserSessions(w http.ResponseWriter, r *http.Request) {
	v, err := a.Auth.EndUserSessions(r.Context(), userPath(r))
	answer(w, r, http.StatusOK, v, err)
}

// GET /api/sessions[?user=Practitioner/dr1] lists the live sign-in sessions, newest first.
func (a *AuthAPI) listSessions(w http.ResponseWriter, r *http.Request) {
	v, err := a.Auth.Sessions(r.Context(), r.URL.Query().Get("user"))
	answer(w, r, http.StatusOK, v, err)
}

func userPath(r *http.Request) string { return r.PathValue("type") + "/" + r.PathValue("id") }

// answer writes v with status, or the error as fail does.
func answer(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, status, v)
}

func (a *AuthAPI) setPassword(w http.ResponseWriter, r *http.Request) {
	var in wire.PasswordInput
	if !readJSON(w, r, &in) {
		return
	}
	if err := a.Auth.SetUserPassword(r.Context(), userPath(r), in); err != nil {
		fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *AuthAPI) deletePassword(w http.ResponseWriter, r *http.Request) {
	if err := a.Auth.DeleteUserPassword(r.Context(), userPath(r)); err != nil {
		fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

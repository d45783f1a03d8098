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
}

func (a *AuthAPI) setPassword(w http.ResponseWriter, r *http.Request) {
	var in wire.PasswordInput
	if !readJSON(w, r, &in) {
		return
	}
	if err := a.Auth.SetUserPassword(r.Context(), r.PathValue("type")+"/"+r.PathValue("id"), in); err != nil {
		fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *AuthAPI) deletePassword(w http.ResponseWriter, r *http.Request) {
	if err := a.Auth.DeleteUserPassword(r.Context(), r.PathValue("type")+"/"+r.PathValue("id")); err != nil {
		fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

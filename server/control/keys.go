package control

import "net/http"

func (a *AuthAPI) listKeys(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, a.Keys())
}

func (a *AuthAPI) rotateKeys(w http.ResponseWriter, r *http.Request) {
	if err := a.Auth.RotateKeys(r.Context()); err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.Keys())
}

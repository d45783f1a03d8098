package control

import "net/http"

func (a *AuthAPI) createLaunch(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	out, err := a.Auth.CreateLaunchJSON(r.Context(), body)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

func (a *AuthAPI) listLaunches(w http.ResponseWriter, r *http.Request) {
	ls, err := a.Launches.ListLaunches(r.Context(), 100)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ls)
}

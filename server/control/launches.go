package control

import (
	"net/http"

	"github.com/valet-sandbox/valet/server/wire"
)

func (a *AuthAPI) createLaunch(w http.ResponseWriter, r *http.Request) {
	var in wire.LaunchInput
	if !readJSON(w, r, &in) {
		return
	}
	if err := launchSimulations(in.Simulations); err != nil {
		fail(w, r, err)
		return
	}
	out, err := a.Auth.CreateLaunch(r.Context(), in)
	if err != nil {
		fail(w, r, err)
		return
	}
	for _, s := range in.Simulations {
		s.Launch = out.Launch
		added, err := a.Simulations.Add(r.Context(), s)
		if err != nil {
			fail(w, r, simError(err))
			return
		}
		out.Simulations = append(out.Simulations, added)
	}
	writeJSON(w, http.StatusCreated, out)
}

func (a *AuthAPI) listLaunches(w http.ResponseWriter, r *http.Request) {
	ls, err := a.Launches.ListLaunches(r.Context(), 100)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ls)
}

// POST /api/expire makes one credential expire now (wire.ExpireInput names it).
func (a *AuthAPI) expire(w http.ResponseWriter, r *http.Request) {
	var in wire.ExpireInput
	if !readJSON(w, r, &in) {
		return
	}
	out, err := a.Auth.Expire(r.Context(), in)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

package control

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/valet-sandbox/valet/server/sim"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/wire"
)

// mountSimulations registers /api/simulations (docs/control-api.md#simulations).
func (a *AuthAPI) mountSimulations(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/simulations", a.listSimulations)
	mux.HandleFunc("GET /api/simulations/kinds", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"kinds": sim.Kinds})
	})
	mux.HandleFunc("POST /api/simulations", a.addSimulation)
	mux.HandleFunc("DELETE /api/simulations/{id}", a.removeSimulation)
	mux.HandleFunc("DELETE /api/simulations", a.clearSimulations)
}

func simFilter(r *http.Request) sim.Filter {
	q := r.URL.Query()
	return sim.Filter{ClientID: q.Get("client_id"), Launch: q.Get("launch"), GlobalOnly: q.Get("global") == "true"}
}

// listSimulations is GET /api/simulations?client_id=&launch=&global=true.
func (a *AuthAPI) listSimulations(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"simulations": a.Simulations.List(simFilter(r))})
}

func (a *AuthAPI) addSimulation(w http.ResponseWriter, r *http.Request) {
	var in sim.Simulation
	if !readJSON(w, r, &in) {
		return
	}
	if err := a.checkSimScope(r.Context(), in); err != nil {
		fail(w, r, err)
		return
	}
	out, err := a.Simulations.Add(r.Context(), in)
	if err != nil {
		fail(w, r, simError(err))
		return
	}
	w.Header().Set("Location", "/api/simulations/"+out.ID)
	writeJSON(w, http.StatusCreated, out)
}

func (a *AuthAPI) removeSimulation(w http.ResponseWriter, r *http.Request) {
	err := a.Simulations.Remove(r.Context(), r.PathValue("id"))
	if errors.Is(err, sim.ErrNotFound) {
		writeError(w, http.StatusNotFound, err.Error())
		return
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// clearSimulations is DELETE /api/simulations with the list's filters (none: every simulation).
func (a *AuthAPI) clearSimulations(w http.ResponseWriter, r *http.Request) {
	n, err := a.Simulations.Clear(r.Context(), simFilter(r))
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"removed": n})
}

// checkSimScope refuses a simulation for a client or launch that does not exist: it would never fire.
func (a *AuthAPI) checkSimScope(ctx context.Context, s sim.Simulation) error {
	if s.ClientID != "" {
		if _, err := a.Clients.Client(ctx, s.ClientID); errors.Is(err, store.ErrNotFound) {
			return wire.Invalid("client_id", "unknown client_id %q", s.ClientID)
		} else if err != nil {
			return err
		}
	}
	if s.Launch != "" {
		if _, err := a.Launches.Launch(ctx, s.Launch); errors.Is(err, store.ErrNotFound) {
			return wire.Invalid("launch", "unknown launch %q", s.Launch)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// simError turns the engine's refusal of bad input into the control API's 400.
func simError(err error) error {
	var ie *sim.InvalidError
	if errors.As(err, &ie) {
		return wire.Invalid(ie.Field, "%s", ie.Message)
	}
	return err
}

// launchSimulations checks the simulations a launch request carries before the launch is made, each
// named by its place in the list ("simulations[1].kind").
func launchSimulations(in []sim.Simulation) error {
	for i := range in {
		s := in[i]
		if s.ClientID != "" || s.Launch != "" {
			return wire.Invalid(simField(i, "launch"), "a launch's simulations belong to it: leave client_id and launch out")
		}
		if err := s.Validate(); err != nil {
			var ie *sim.InvalidError
			if errors.As(err, &ie) {
				return wire.Invalid(simField(i, ie.Field), "%s", ie.Message)
			}
			return err
		}
	}
	return nil
}

func simField(i int, field string) string {
	return "simulations[" + strconv.Itoa(i) + "]." + field
}

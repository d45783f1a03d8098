package control

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/valet-sandbox/valet/server/sim"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/wire"
)

// Auth is what the control API needs from the authorization server (server/auth's Admin). Bad input
// comes back as *wire.FieldError.
type Auth interface {
	CreateClient(ctx context.Context, in wire.ClientInput) (wire.Client, error)
	UpdateClient(ctx context.Context, id string, in wire.ClientInput) (wire.Client, error)
	DeleteClient(ctx context.Context, id string) error
	CreateLaunch(ctx context.Context, in wire.LaunchInput) (wire.Launch, error)
	Expire(ctx context.Context, in wire.ExpireInput) (wire.Expired, error)
	RevokeClient(ctx context.Context, id string) (wire.Revoked, error)
	RevokeUser(ctx context.Context, fhirUser string) (wire.Revoked, error)
	EndUserSessions(ctx context.Context, fhirUser string) (wire.Revoked, error)
	Sessions(ctx context.Context, fhirUser string) ([]wire.Session, error)
	RememberedConsents(ctx context.Context, clientID, fhirUser string) ([]store.RememberedConsent, error)
	ForgetConsent(ctx context.Context, clientID, fhirUser string) (wire.Revoked, error)
	RememberConsent(ctx context.Context, in wire.ConsentInput) (store.RememberedConsent, error)
	RotateKeys(ctx context.Context) error
	SetUserPassword(ctx context.Context, fhirUser string, in wire.PasswordInput) error
	DeleteUserPassword(ctx context.Context, fhirUser string) error
}

// AuthAPI serves /api/clients, /api/launches, /api/keys, /api/events and /api/users/…/password.
type AuthAPI struct {
	Auth       Auth
	Clients    store.Clients
	Launches   store.Launches
	ClientView func(store.Client) wire.Client
	Keys       func() any // the published signing keys
	Events     EventSource
	// Simulations are the simulated failures (/api/simulations).
	Simulations *sim.Engine
	// Stopping is closed when the server begins to shut down; event streams end on it.
	Stopping <-chan struct{}
}

// Mount registers the endpoints.
func (a *AuthAPI) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/clients", a.listClients)
	mux.HandleFunc("POST /api/clients", a.createClient)
	mux.HandleFunc("GET /api/clients/{id}", a.getClient)
	mux.HandleFunc("PUT /api/clients/{id}", a.updateClient)
	mux.HandleFunc("DELETE /api/clients/{id}", a.deleteClient)
	mux.HandleFunc("POST /api/clients/{id}/revoke", a.revokeClient)
	mux.HandleFunc("GET /api/launches", a.listLaunches)
	mux.HandleFunc("POST /api/launches", a.createLaunch)
	mux.HandleFunc("POST /api/expire", a.expire)
	mux.HandleFunc("GET /api/keys", a.listKeys)
	mux.HandleFunc("POST /api/keys/rotate", a.rotateKeys)
	mux.HandleFunc("GET /api/events", a.listEvents)
	mux.HandleFunc("GET /api/events/stream", a.streamEvents)
	a.mountUsers(mux)
	a.mountSimulations(mux)
}

// fail answers an error of the layer below: bad input (wire.FieldError) 400 with its field, a missing
// record 404, anything else 500 with an error id.
func fail(w http.ResponseWriter, r *http.Request, err error) {
	var fe *wire.FieldError
	switch {
	case errors.As(err, &fe):
		writeJSON(w, http.StatusBadRequest, wire.Error{Error: fe.Message, Field: fe.Field})
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, err.Error())
	default:
		internalError(w, r, err)
	}
}

func (a *AuthAPI) listClients(w http.ResponseWriter, r *http.Request) {
	cs, err := a.Clients.ListClients(r.Context())
	if err != nil {
		fail(w, r, err)
		return
	}
	out := make([]wire.Client, len(cs))
	for i, c := range cs {
		out[i] = a.ClientView(c)
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *AuthAPI) getClient(w http.ResponseWriter, r *http.Request) {
	c, err := a.Clients.Client(r.Context(), r.PathValue("id"))
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.ClientView(c))
}

// readJSON decodes the request body into v; a body that is not such JSON is answered 400 (false).
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "the body must be a JSON object: "+err.Error())
		return false
	}
	return true
}

func (a *AuthAPI) createClient(w http.ResponseWriter, r *http.Request) {
	var in wire.ClientInput
	if !readJSON(w, r, &in) {
		return
	}
	out, err := a.Auth.CreateClient(r.Context(), in)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

func (a *AuthAPI) updateClient(w http.ResponseWriter, r *http.Request) {
	var in wire.ClientInput
	if !readJSON(w, r, &in) {
		return
	}
	out, err := a.Auth.UpdateClient(r.Context(), r.PathValue("id"), in)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *AuthAPI) deleteClient(w http.ResponseWriter, r *http.Request) {
	if err := a.Auth.DeleteClient(r.Context(), r.PathValue("id")); err != nil {
		fail(w, r, err)
		return
	}
	// Its simulations would never fire again (a new client of the same id is a new app).
	if _, err := a.Simulations.Clear(r.Context(), sim.Filter{ClientID: r.PathValue("id")}); err != nil {
		fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

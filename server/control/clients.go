package control

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/valet-sandbox/valet/server/store"
)

// Auth is what the control API needs from the authorization server. It takes JSON bodies so that this
// package does not import server/auth (the two are peers); the auth server validates them.
type Auth interface {
	CreateClientJSON(ctx context.Context, body []byte) (any, error)
	UpdateClientJSON(ctx context.Context, id string, body []byte) (any, error)
	DeleteClient(ctx context.Context, id string) error
	CreateLaunchJSON(ctx context.Context, body []byte) (any, error)
	RotateKeys(ctx context.Context) error
	SetUserPasswordJSON(ctx context.Context, fhirUser string, body []byte) error
	DeleteUserPassword(ctx context.Context, fhirUser string) error
}

// AuthAPI serves /api/clients, /api/launches, /api/keys, /api/events and /api/users/…/password.
type AuthAPI struct {
	Auth       Auth
	Clients    store.Clients
	Launches   store.Launches
	ClientView func(store.Client) any
	Keys       func() any // the published signing keys
	Events     EventSource
	// Invalid is the error the Auth methods wrap around bad input (answered with 400).
	Invalid error
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
	mux.HandleFunc("GET /api/launches", a.listLaunches)
	mux.HandleFunc("POST /api/launches", a.createLaunch)
	mux.HandleFunc("GET /api/keys", a.listKeys)
	mux.HandleFunc("POST /api/keys/rotate", a.rotateKeys)
	mux.HandleFunc("GET /api/events", a.listEvents)
	mux.HandleFunc("GET /api/events/stream", a.streamEvents)
	a.mountUsers(mux)
}

func (a *AuthAPI) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, a.Invalid):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, err.Error())
	default:
		internalError(w, r, err)
	}
}

func (a *AuthAPI) listClients(w http.ResponseWriter, r *http.Request) {
	cs, err := a.Clients.ListClients(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := make([]any, len(cs))
	for i, c := range cs {
		out[i] = a.ClientView(c)
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *AuthAPI) getClient(w http.ResponseWriter, r *http.Request) {
	c, err := a.Clients.Client(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.ClientView(c))
}

func readBody(r *http.Request) ([]byte, error) {
	return io.ReadAll(http.MaxBytesReader(nil, r.Body, 1<<20))
}

func (a *AuthAPI) createClient(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	out, err := a.Auth.CreateClientJSON(r.Context(), body)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

func (a *AuthAPI) updateClient(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	out, err := a.Auth.UpdateClientJSON(r.Context(), r.PathValue("id"), body)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *AuthAPI) deleteClient(w http.ResponseWriter, r *http.Request) {
	if err := a.Auth.DeleteClient(r.Context(), r.PathValue("id")); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

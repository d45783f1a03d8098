package control

import (
	"context"
	"net/http"

	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/wire"
)

// Credentials are a shared sandbox's API keys and initial access tokens (server/admin).
type Credentials interface {
	CreateCredential(ctx context.Context, kind, name string) (wire.Credential, error)
	ListCredentials(ctx context.Context, kind string) ([]wire.Credential, error)
	RevokeCredential(ctx context.Context, kind, id string) error
}

// CredentialsAPI serves /api/admin/api-keys and /api/admin/registration-tokens; it is mounted in shared
// mode only, behind the admin's sign-in.
type CredentialsAPI struct {
	Credentials Credentials
}

// Mount registers list, create and revoke for each kind.
func (a *CredentialsAPI) Mount(mux *http.ServeMux) {
	for path, kind := range map[string]string{"api-keys": store.CredentialAPIKey, "registration-tokens": store.CredentialRegistration} {
		mux.HandleFunc("GET /api/admin/"+path, func(w http.ResponseWriter, r *http.Request) {
			cs, err := a.Credentials.ListCredentials(r.Context(), kind)
			if err != nil {
				fail(w, r, err)
				return
			}
			writeJSON(w, http.StatusOK, cs)
		})
		mux.HandleFunc("POST /api/admin/"+path, func(w http.ResponseWriter, r *http.Request) {
			var in wire.CredentialInput
			if !readJSON(w, r, &in) {
				return
			}
			c, err := a.Credentials.CreateCredential(r.Context(), kind, in.Name)
			if err != nil {
				fail(w, r, err)
				return
			}
			writeJSON(w, http.StatusCreated, c)
		})
		mux.HandleFunc("DELETE /api/admin/"+path+"/{id}", func(w http.ResponseWriter, r *http.Request) {
			if err := a.Credentials.RevokeCredential(r.Context(), kind, r.PathValue("id")); err != nil {
				fail(w, r, err)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		})
	}
}

package control

import (
	"context"
	"errors"
	"net/http"

	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/wire"
)

// Exports are the Bulk Data exports (server/bulk) and the Groups they can be of, as the panel shows them.
type Exports interface {
	List(ctx context.Context) ([]wire.Export, error)
	Groups(ctx context.Context) ([]wire.Group, error)
	// Download writes a complete export's file (a 404 for a file it does not have); store.ErrNotFound,
	// with nothing written, when there is no such export.
	Download(w http.ResponseWriter, r *http.Request, id, file string) error
	// Delete stops an export if it runs and removes it with its files; store.ErrNotFound when there is none.
	Delete(ctx context.Context, id string) error
}

func (a *API) mountExports(mux *http.ServeMux) {
	if a.Exports == nil {
		return
	}
	mux.HandleFunc("GET /api/exports", a.listExports)
	mux.HandleFunc("GET /api/exports/{id}/files/{file}", a.downloadExport)
	mux.HandleFunc("DELETE /api/exports/{id}", a.deleteExport)
	mux.HandleFunc("GET /api/groups", a.listGroups)
}

func (a *API) listExports(w http.ResponseWriter, r *http.Request) {
	xs, err := a.Exports.List(r.Context())
	if err != nil {
		internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"exports": xs})
}

func (a *API) downloadExport(w http.ResponseWriter, r *http.Request) {
	err := a.Exports.Download(w, r, r.PathValue("id"), r.PathValue("file"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "no such export: it was deleted or it expired")
	case err != nil:
		internalError(w, r, err)
	}
}

func (a *API) deleteExport(w http.ResponseWriter, r *http.Request) {
	err := a.Exports.Delete(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "no such export")
	case err != nil:
		internalError(w, r, err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (a *API) listGroups(w http.ResponseWriter, r *http.Request) {
	gs, err := a.Exports.Groups(r.Context())
	if err != nil {
		internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"groups": gs})
}

package control

import (
	"context"
	"fmt"
	"net/http"

	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/wire"
)

// Storage is the database's size and what retention keeps (server/retention).
type Storage interface {
	Size() (int64, error)
	CountEvents(ctx context.Context) (int64, error)
	Usage(ctx context.Context) ([]store.TableUsage, error)
	ClearEvents(ctx context.Context) (int, error)
	Retention(ctx context.Context) (wire.Retention, error)
	SetRetention(ctx context.Context, r wire.Retention) error
	LastPrune() *wire.Prune
}

func (a *API) mountStorage(mux *http.ServeMux) {
	if a.Storage == nil {
		return
	}
	mux.HandleFunc("GET /api/storage", a.getStorage)
	mux.HandleFunc("GET /api/storage/usage", a.storageUsage)
	mux.HandleFunc("GET /api/retention", a.getRetention)
	mux.HandleFunc("PUT /api/retention", a.putRetention)
	mux.HandleFunc("DELETE /api/events", a.clearEvents)
}

func (a *API) getStorage(w http.ResponseWriter, r *http.Request) {
	size, err := a.Storage.Size()
	if err != nil {
		internalError(w, r, fmt.Errorf("database size: %w", err))
		return
	}
	events, err := a.Storage.CountEvents(r.Context())
	if err != nil {
		internalError(w, r, err)
		return
	}
	ret, err := a.Storage.Retention(r.Context())
	if err != nil {
		internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.Storage{DatabaseBytes: size, Events: events, Retention: ret, LastPrune: a.Storage.LastPrune()})
}

// storageUsage reads every page of the database (SQLite's dbstat): on request only.
func (a *API) storageUsage(w http.ResponseWriter, r *http.Request) {
	u, err := a.Storage.Usage(r.Context())
	if err != nil {
		internalError(w, r, err)
		return
	}
	if u == nil {
		u = []store.TableUsage{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"tables": u})
}

func (a *API) getRetention(w http.ResponseWriter, r *http.Request) {
	ret, err := a.Storage.Retention(r.Context())
	if err != nil {
		internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ret)
}

func (a *API) putRetention(w http.ResponseWriter, r *http.Request) {
	var in wire.Retention
	if !readJSON(w, r, &in) {
		return
	}
	if err := a.Storage.SetRetention(r.Context(), in); err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, in)
}

// clearEvents is the panel's "clear flow history".
func (a *API) clearEvents(w http.ResponseWriter, r *http.Request) {
	n, err := a.Storage.ClearEvents(r.Context())
	if err != nil {
		internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"removed": n})
}

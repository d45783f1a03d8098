package control

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// AuditLog is the FHIR server's record of requests.
type AuditLog interface {
	AuditEvents(ctx context.Context, limit int) ([]json.RawMessage, error)
}

// audit answers GET /api/audit?limit=N: the newest AuditEvents, most recent first.
func (a *API) audit(w http.ResponseWriter, r *http.Request) {
	if a.Audit == nil {
		writeError(w, http.StatusNotFound, "no audit log")
		return
	}
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			writeError(w, http.StatusBadRequest, "limit must be 1–1000")
			return
		}
		limit = n
	}
	evs, err := a.Audit.AuditEvents(r.Context(), limit)
	if err != nil {
		internalError(w, r, fmt.Errorf("read audit events: %w", err))
		return
	}
	if evs == nil {
		evs = []json.RawMessage{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": evs})
}

// Package control is the JSON control API under /api that the control panel, the CLI and tests use to
// drive the sandbox.
package control

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/valet-sandbox/valet/server/incident"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/wire"
)

// Info describes the running sandbox; the server fills it per request.
type Info struct {
	Version   string
	StartedAt time.Time
	Now       time.Time
	BaseURL   string
	FHIRBase  string
	DataFile  string
	// Shared is whether the sandbox runs in shared mode (server/admin); Warning is what the panel must
	// show about it (plain HTTP on a network), if anything.
	Shared  bool
	Warning string
}

// API serves /api.
type API struct {
	Store store.Resources
	Info  func() Info
	// Audit is the FHIR request log behind /api/audit; nil when there is none.
	Audit AuditLog
	// Jobs runs long work (generation, import, reset); Population does that work.
	Jobs       *Jobs
	Population Population
	// Patients answers the control panel's patient list and record views.
	Patients Directory
	// Stopping is closed when the server begins to shut down, so that event streams end and let it.
	Stopping <-chan struct{}
	// Storage reports the database's size and holds the retention settings; nil leaves /api/storage out.
	Storage Storage
	// TLS is the HTTPS switch of Settings; nil leaves /api/tls out.
	TLS TLSSettings
	// Exports are the Bulk Data exports and Groups; nil leaves /api/exports and /api/groups out.
	Exports Exports
	// Clock is the sandbox clock behind /api/clock; nil leaves it out.
	Clock Clock
}

// Mount registers the control endpoints.
func (a *API) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/status", a.status)
	mux.HandleFunc("GET /api/audit", a.audit)
	a.mountJobs(mux)
	a.mountPopulation(mux)
	a.mountPatients(mux)
	a.mountStorage(mux)
	a.mountTLS(mux)
	a.mountExports(mux)
	a.mountClock(mux)
	mux.HandleFunc("/api/", notFound)
}

// Status is the body of GET /api/status.
type Status struct {
	Version               string         `json:"version"`
	StartedAt             time.Time      `json:"started_at"`
	UptimeSeconds         float64        `json:"uptime_seconds"`
	BaseURL               string         `json:"base_url"`
	ControlPanelURL       string         `json:"control_panel_url"`
	FHIRBaseURL           string         `json:"fhir_base_url"`
	SMARTConfigurationURL string         `json:"smart_configuration_url"`
	DataFile              string         `json:"data_file"`
	ResourceCounts        map[string]int `json:"resource_counts"`
	ResourceTotal         int            `json:"resource_total"`
	// DatabaseBytes is the database's size on disk (with its write-ahead log), Events the flow events
	// stored (both 0 when the API has no Storage).
	DatabaseBytes int64 `json:"database_bytes"`
	Events        int64 `json:"events"`
	// ClockOffsetSeconds is how far the sandbox clock is moved (PUT /api/clock); 0 when it is not.
	ClockOffsetSeconds int64 `json:"clock_offset_seconds"`
	// Shared is true in shared mode (the panel then offers sign-out, API keys and registration tokens);
	// Warning says what is unsafe about how this sandbox is served (--insecure-http), if anything.
	Shared  bool   `json:"shared"`
	Warning string `json:"warning,omitempty"`
}

func (a *API) status(w http.ResponseWriter, r *http.Request) {
	counts, err := a.Store.CountByType(r.Context())
	if err != nil {
		internalError(w, r, fmt.Errorf("count resources: %w", err))
		return
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	var size, events int64
	if a.Storage != nil {
		if size, err = a.Storage.Size(); err == nil {
			events, err = a.Storage.CountEvents(r.Context())
		}
		if err != nil {
			internalError(w, r, fmt.Errorf("storage: %w", err))
			return
		}
	}
	in := a.Info()
	var offset int64
	if a.Clock != nil {
		offset = int64(a.Clock.ClockOffset() / time.Second)
	}
	writeJSON(w, http.StatusOK, Status{
		ClockOffsetSeconds:    offset,
		DatabaseBytes:         size,
		Events:                events,
		Version:               in.Version,
		StartedAt:             in.StartedAt.UTC().Truncate(time.Second),
		UptimeSeconds:         in.Now.Sub(in.StartedAt).Seconds(),
		BaseURL:               in.BaseURL,
		ControlPanelURL:       in.BaseURL + "/",
		FHIRBaseURL:           in.FHIRBase,
		SMARTConfigurationURL: in.FHIRBase + "/.well-known/smart-configuration",
		DataFile:              in.DataFile,
		ResourceCounts:        counts,
		ResourceTotal:         total,
		Shared:                in.Shared,
		Warning:               in.Warning,
	})
}

func notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, "no control API endpoint "+r.Method+" "+r.URL.Path)
}

// internalError answers an unexpected failure (a database error) with an id to find it in the log; its
// text is logged, never sent.
func internalError(w http.ResponseWriter, r *http.Request, err error) {
	writeError(w, http.StatusInternalServerError, incident.Report(r, err))
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, wire.Error{Error: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		slog.Warn("write control API response", "err", err)
	}
}

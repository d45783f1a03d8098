package control

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// Population fills the FHIR store with synthetic or imported patients. The server implements it with the
// generator and the FHIR service; the CLI calls the same implementation without HTTP.
type Population interface {
	Generate(ctx context.Context, req GenerateRequest, report func(Progress)) (GenerateResult, error)
	Reset(ctx context.Context, report func(Progress)) (GenerateResult, error)
}

// GenerateRequest is the body of POST /api/generate (the flags of `valet generate`).
type GenerateRequest struct {
	Patients int   `json:"patients"`
	Seed     int64 `json:"seed"`
	Personas bool  `json:"personas"`
	Years    int   `json:"years"`
}

// Limits on one generation request: enough for load tests, small enough that a typo does not fill the disk.
const (
	MaxPatients = 100_000
	MaxYears    = 100
)

// Validate says what is wrong with the request, in words a user can act on.
func (g GenerateRequest) Validate() error {
	if g.Patients < 0 || g.Patients > MaxPatients {
		return fmt.Errorf("patients must be between 0 and %d (got %d)", MaxPatients, g.Patients)
	}
	if g.Years < 0 || g.Years > MaxYears {
		return fmt.Errorf("years must be between 1 and %d, or 0 for the default (got %d)", MaxYears, g.Years)
	}
	if g.Patients == 0 && !g.Personas {
		return fmt.Errorf("nothing to generate: ask for patients (1–%d) or personas", MaxPatients)
	}
	return nil
}

// GenerateResult is what a generation or reset stored.
type GenerateResult struct {
	Patients  int            `json:"patients"`
	Resources int            `json:"resources"`
	ByType    map[string]int `json:"by_type"`
	Seconds   float64        `json:"seconds"`
}

func (a *API) mountPopulation(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/generate", a.generate)
	mux.HandleFunc("POST /api/reset", a.reset)
}

func (a *API) generate(w http.ResponseWriter, r *http.Request) {
	if a.Population == nil {
		writeError(w, http.StatusNotImplemented, "this server has no generator")
		return
	}
	var req GenerateRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "body must be JSON like {\"patients\": 100, \"seed\": 42, \"personas\": false, \"years\": 10}: "+err.Error())
		return
	}
	if err := req.Validate(); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	a.startJob(w, "generate", func(ctx context.Context, report func(Progress)) (any, error) {
		return a.Population.Generate(ctx, req, report)
	})
}

func (a *API) reset(w http.ResponseWriter, r *http.Request) {
	if a.Population == nil {
		writeError(w, http.StatusNotImplemented, "this server has no generator")
		return
	}
	a.startJob(w, "reset", func(ctx context.Context, report func(Progress)) (any, error) {
		return a.Population.Reset(ctx, report)
	})
}

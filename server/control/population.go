package control

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/valet-sandbox/valet/server/population"
)

// Population fills the FHIR store with synthetic or imported patients. The server implements it with the
// generator and the FHIR service; the CLI calls the same implementation without HTTP. Its requests,
// progress and results are the population package's.
type Population interface {
	Generate(ctx context.Context, req population.GenerateRequest, report func(population.Progress)) (population.GenerateResult, error)
	Reset(ctx context.Context, report func(population.Progress)) (population.GenerateResult, error)
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
	var req population.GenerateRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "body must be JSON like {\"patients\": 100, \"seed\": 42, \"personas\": false, \"years\": 10, \"as_of\": \"2025-06-30\"}: "+err.Error())
		return
	}
	if err := req.Validate(); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	a.startJob(w, "generate", func(ctx context.Context, report func(population.Progress)) (any, error) {
		return a.Population.Generate(ctx, req, report)
	})
}

func (a *API) reset(w http.ResponseWriter, r *http.Request) {
	if a.Population == nil {
		writeError(w, http.StatusNotImplemented, "this server has no generator")
		return
	}
	a.startJob(w, "reset", func(ctx context.Context, report func(population.Progress)) (any, error) {
		return a.Population.Reset(ctx, report)
	})
}

package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/valet-sandbox/valet/server/incident"
	"github.com/valet-sandbox/valet/server/scenario"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/wire"
)

// ScenarioInput is the body of POST /api/scenarios: a scenario file's text. It comes wrapped in JSON
// because the control API takes state changes only as JSON (control.FirstPartyOnly).
type ScenarioInput struct {
	YAML string `json:"yaml"`
	// File names the scenario in errors ("scenario.yaml" when not given).
	File string `json:"file"`
}

// ScenarioProblem is one problem of a refused scenario, at its line and column.
type ScenarioProblem struct {
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

// mountScenarios registers POST /api/scenarios and GET /api/launches/{id}/scenario on api, the control
// API's mux behind the first-party and sign-in checks. A scenario is applied by the same code as
// `valet scenario run`, calling api in-process, so it meets the checks of every other caller.
func (s *Server) mountScenarios(api *http.ServeMux) {
	self := scenario.InProcess(s.cfg.BaseURL, api)
	api.HandleFunc("POST /api/scenarios", func(w http.ResponseWriter, r *http.Request) {
		var in ScenarioInput
		dec := json.NewDecoder(io.LimitReader(r.Body, 2*scenario.MaxFileBytes))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			scenarioJSON(w, http.StatusBadRequest, wire.Error{Error: "the body must be JSON {\"yaml\": \"<the scenario file's text>\", \"file\": \"name.yaml\"}: " + err.Error()})
			return
		}
		file := in.File
		if file == "" {
			file = "scenario.yaml"
		}
		sc, err := scenario.Parse(file, []byte(in.YAML))
		var res *scenario.Result
		if err == nil {
			res, err = sc.Apply(r.Context(), self)
		}
		var se scenario.Errors
		switch {
		case errors.As(err, &se):
			out := struct {
				Error  string            `json:"error"`
				Errors []ScenarioProblem `json:"errors"`
			}{Error: se.Error()}
			for _, e := range se {
				out.Errors = append(out.Errors, ScenarioProblem{Line: e.Line, Column: e.Column, Path: e.Path, Message: e.Message})
			}
			scenarioJSON(w, http.StatusBadRequest, out)
		case err != nil:
			scenarioJSON(w, http.StatusInternalServerError, wire.Error{Error: incident.Report(r, fmt.Errorf("scenario %s: %w", file, err))})
		default:
			scenarioJSON(w, http.StatusOK, res)
		}
	})
	api.HandleFunc("GET /api/launches/{id}/scenario", func(w http.ResponseWriter, r *http.Request) {
		l, err := s.cfg.Store.Launch(r.Context(), r.PathValue("id"))
		if errors.Is(err, store.ErrNotFound) {
			scenarioJSON(w, http.StatusNotFound, wire.Error{Error: "there is no launch " + r.PathValue("id")})
			return
		}
		var snap scenario.Snapshot
		if err == nil {
			snap, err = self.Snapshot(r.Context(), l)
		}
		sc := scenario.FromLaunch(snap)
		var b []byte
		if err == nil {
			b, err = sc.Marshal()
		}
		if err != nil {
			scenarioJSON(w, http.StatusInternalServerError, wire.Error{Error: incident.Report(r, err)})
			return
		}
		w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+sc.Name+`.yaml"`)
		_, _ = w.Write(b)
	})
}

func scenarioJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

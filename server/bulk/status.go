package bulk

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/valet-sandbox/valet/server/fhir"
	"github.com/valet-sandbox/valet/server/store"
)

// manifest is the completion manifest (http://hl7.org/fhir/uv/bulkdata/export.html#response---complete-status).
type manifest struct {
	TransactionTime     string         `json:"transactionTime"`
	Request             string         `json:"request"`
	RequiresAccessToken bool           `json:"requiresAccessToken"`
	Output              []manifestItem `json:"output"`
	Error               []manifestItem `json:"error"`
}

type manifestItem struct {
	Type  string `json:"type"`
	URL   string `json:"url"`
	Count int    `json:"count"`
}

// job finds the job of the request's {job} for its token's client. Another client's job, a cancelled
// one and an expired one are all 404: a client learns nothing of the jobs it cannot use.
func (e *Exporter) job(r *http.Request) (store.ExportJob, *fhir.Outcome) {
	acc, o := e.cfg.FHIR.Authenticate(r)
	if o != nil {
		return store.ExportJob{}, o
	}
	id := r.PathValue("job")
	j, err := e.cfg.Store.Export(r.Context(), id)
	if err != nil && err != store.ErrNotFound {
		return j, fhir.Internal(err)
	}
	if err == store.ErrNotFound || j.ClientID != acc.ClientID || expired(j, e.cfg.Now()) {
		return j, &fhir.Outcome{Status: http.StatusNotFound, Issues: []fhir.Issue{{Severity: "error", Code: "not-found",
			Diagnostics: fmt.Sprintf("there is no export %s for this client: it was cancelled, it expired, or another client started it", id)}}}
	}
	return j, nil
}

// status answers a status poll: 202 with X-Progress and Retry-After while the job runs, 200 with the
// manifest once complete, 500 with an OperationOutcome if it failed.
func (e *Exporter) status(w http.ResponseWriter, r *http.Request) {
	j, o := e.job(r)
	if o != nil {
		fhir.WriteOutcome(w, o)
		return
	}
	switch j.Status {
	case store.ExportFailed:
		fhir.WriteOutcome(w, &fhir.Outcome{Status: http.StatusInternalServerError, Issues: []fhir.Issue{{Severity: "error", Code: "exception",
			Diagnostics: "the export failed: " + j.Error}}})
	case store.ExportComplete:
		var fs files
		if err := json.Unmarshal([]byte(j.Manifest), &fs); err != nil {
			fhir.WriteOutcome(w, fhir.Internal(err))
			return
		}
		m := manifest{TransactionTime: j.Created.UTC().Format(time.RFC3339Nano), Request: j.Request, RequiresAccessToken: true,
			Output: []manifestItem{}, Error: []manifestItem{}}
		for _, f := range fs.Output {
			m.Output = append(m.Output, manifestItem{Type: f.Type, URL: e.fileURL(j.ID, f.File), Count: f.Count})
		}
		for _, f := range fs.Error {
			m.Error = append(m.Error, manifestItem{Type: f.Type, URL: e.fileURL(j.ID, f.File), Count: f.Count})
		}
		body, _ := json.Marshal(m)
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Expires", j.Expires.UTC().Format(http.TimeFormat))
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	default:
		h := w.Header()
		h.Set("X-Progress", e.progress(j.ID))
		h.Set("Retry-After", retryAfter)
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusAccepted)
	}
}

// progress is the X-Progress of a running job.
func (e *Exporter) progress(id string) string {
	e.mu.Lock()
	a := e.running[id]
	e.mu.Unlock()
	switch {
	case a == nil:
		return "finishing"
	case !a.started.Load():
		return "queued behind another export"
	}
	return fmt.Sprintf("%.1f%% (%d resources)", float64(a.progress.Load())/10, a.exported.Load())
}

// Progress is how far a running job is, as a fraction, and the resources it has written; ok is false
// when the job is not running in this process.
func (e *Exporter) Progress(id string) (fraction float64, exported int64, ok bool) {
	e.mu.Lock()
	a := e.running[id]
	e.mu.Unlock()
	if a == nil {
		return 0, 0, false
	}
	return float64(a.progress.Load()) / 1000, a.exported.Load(), true
}

// cancel answers DELETE on a status URL (http://hl7.org/fhir/uv/bulkdata/export.html#bulk-data-delete-request):
// the job stops, its files and its row go, and later polls are 404.
func (e *Exporter) cancel(w http.ResponseWriter, r *http.Request) {
	j, o := e.job(r)
	if o != nil {
		fhir.WriteOutcome(w, o)
		return
	}
	if err := e.Delete(r.Context(), j.ID); err != nil {
		fhir.WriteOutcome(w, fhir.Internal(err))
		return
	}
	body, _ := json.Marshal(map[string]any{"resourceType": "OperationOutcome", "issue": []fhir.Issue{{Severity: "information",
		Code: "informational", Diagnostics: "the export was cancelled and its files deleted"}}})
	w.Header().Set("Content-Type", "application/fhir+json; charset=utf-8")
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write(body)
}

// Delete stops a job if it runs and removes it with its files.
func (e *Exporter) Delete(ctx context.Context, id string) error {
	e.mu.Lock()
	a := e.running[id]
	e.mu.Unlock()
	if a != nil {
		a.cancel()
		<-a.done
	}
	return e.remove(ctx, id)
}

// file serves one of a complete job's files to the client that started it
// (http://hl7.org/fhir/uv/bulkdata/export.html#file-request).
func (e *Exporter) file(w http.ResponseWriter, r *http.Request) {
	j, o := e.job(r)
	if o != nil {
		fhir.WriteOutcome(w, o)
		return
	}
	e.ServeFile(w, r, j, r.PathValue("file"))
}

// ServeFile serves the file name of the complete job j as NDJSON; a name the manifest does not list is 404.
func (e *Exporter) ServeFile(w http.ResponseWriter, r *http.Request, j store.ExportJob, name string) {
	var fs files
	_ = json.Unmarshal([]byte(j.Manifest), &fs)
	listed := func(f fileItem) bool { return f.File == name }
	if j.Status != store.ExportComplete || !slices.ContainsFunc(fs.Output, listed) && !slices.ContainsFunc(fs.Error, listed) {
		fhir.WriteOutcome(w, &fhir.Outcome{Status: http.StatusNotFound, Issues: []fhir.Issue{{Severity: "error", Code: "not-found",
			Diagnostics: fmt.Sprintf("export %s has no file %q: its manifest lists the files", j.ID, name)}}})
		return
	}
	f, err := os.Open(filepath.Join(e.jobDir(j.ID), name))
	if err != nil {
		fhir.WriteOutcome(w, fhir.Internal(err))
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		fhir.WriteOutcome(w, fhir.Internal(err))
		return
	}
	w.Header().Set("Content-Type", "application/fhir+ndjson")
	w.Header().Set("Cache-Control", "no-store")
	http.ServeContent(w, r, name, fi.ModTime(), f)
}

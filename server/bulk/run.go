package bulk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/valet-sandbox/valet/server/fhir"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/synth"
	"github.com/valet-sandbox/valet/synth/fhirio"
)

// errorFile is the name of a job's OperationOutcome NDJSON file (OperationOutcome is never stored, so it
// cannot clash with an exported type's file).
const errorFile = "OperationOutcome.ndjson"

// files is what a finished job wrote, as stored in its row (the manifest's output and error, without
// the URLs, which depend on the base URL the server runs at).
type files struct {
	Output []fileItem `json:"output"`
	Error  []fileItem `json:"error"`
}

type fileItem struct {
	Type  string `json:"type"`
	File  string `json:"file"`
	Count int    `json:"count"`
}

// start records the job and runs it in the background; a client with MaxActive jobs running gets 429.
func (e *Exporter) start(ctx context.Context, p *plan) *fhir.Outcome {
	e.mu.Lock()
	n := 0
	for _, a := range e.running {
		if a.clientID == p.job.ClientID {
			n++
		}
	}
	e.mu.Unlock()
	if n >= e.cfg.MaxActive {
		return &fhir.Outcome{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"10"}},
			Issues: []fhir.Issue{{Severity: "error", Code: "throttled", Diagnostics: fmt.Sprintf(
				"this client has %d exports running, the most this server runs for one client: wait for one to finish or cancel one (DELETE its status URL)", n)}}}
	}
	if err := e.cfg.Store.CreateExport(ctx, p.job); err != nil {
		return fhir.Internal(err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	a := &active{clientID: p.job.ClientID, cancel: cancel, done: make(chan struct{})}
	e.mu.Lock()
	e.running[p.job.ID] = a
	e.mu.Unlock()
	e.wg.Add(1)
	go e.run(runCtx, a, p)
	return nil
}

// run waits for its turn, writes the files and records the outcome. A cancelled job records nothing:
// whoever cancelled it removes it.
func (e *Exporter) run(ctx context.Context, a *active, p *plan) {
	defer e.wg.Done()
	defer close(a.done)
	defer func() {
		e.mu.Lock()
		delete(e.running, p.job.ID)
		e.mu.Unlock()
		a.cancel()
	}()
	select {
	case e.turn <- struct{}{}:
		defer func() { <-e.turn }()
	case <-ctx.Done():
		return
	}
	a.started.Store(true)
	j := p.job
	fs, err := e.write(ctx, a, p)
	if ctx.Err() != nil {
		return
	}
	j.Finished = e.cfg.Now()
	j.Expires = j.Finished.Add(e.cfg.Keep)
	if err != nil {
		j.Status = store.ExportFailed
		j.Error = fhir.Internal(err).Error() // the cause goes to the log under an incident id
		_ = os.RemoveAll(e.jobDir(j.ID))
	} else {
		j.Status = store.ExportComplete
		for _, f := range fs.Output {
			j.Exported += f.Count
		}
		b, _ := json.Marshal(fs)
		j.Manifest = string(b)
	}
	err = e.cfg.Store.FinishExport(context.Background(), j)
	if errors.Is(err, store.ErrNotFound) {
		_ = os.RemoveAll(e.jobDir(j.ID)) // a reset removed the job while it ran
	} else if err != nil {
		slog.Error("bulk: recording a finished export", "job", j.ID, "err", err) // it stays "running" until the next start fails it
	}
}

// write scans the store and writes one <Type>.ndjson per exported type (with fhirio's writer, as
// `valet export` does, so both write the same bytes), then the warnings as OperationOutcome NDJSON.
func (e *Exporter) write(ctx context.Context, a *active, p *plan) (files, error) {
	var fs files
	dir := e.jobDir(p.job.ID)
	w, err := fhirio.NewNDJSONWriter(dir)
	if err != nil {
		return fs, err
	}
	err = e.cfg.Store.ScanExport(ctx, p.scan, func(row store.ExportRow) error {
		a.exported.Add(1)
		body := row.JSON
		if els := p.elements[row.Type]; els != nil {
			body = fhir.Subset(body, els)
		}
		return w.Write(synth.Resource{Type: row.Type, JSON: body})
	}, func(f float64) { a.progress.Store(uint64(f * 1000)) })
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fs, err
	}
	for t, n := range w.Counts() {
		fs.Output = append(fs.Output, fileItem{Type: t, File: t + ".ndjson", Count: n})
	}
	slices.SortFunc(fs.Output, func(x, y fileItem) int { return strings.Compare(x.Type, y.Type) })
	fs.Error = []fileItem{}
	if len(p.warnings) > 0 {
		f, err := os.Create(filepath.Join(dir, errorFile))
		if err != nil {
			return fs, err
		}
		for _, is := range p.warnings {
			b, _ := json.Marshal(map[string]any{"resourceType": "OperationOutcome", "issue": []fhir.Issue{is}})
			_, err = f.Write(append(b, '\n'))
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fs, err
		}
		fs.Error = append(fs.Error, fileItem{Type: "OperationOutcome", File: errorFile, Count: len(p.warnings)})
	}
	return fs, nil
}

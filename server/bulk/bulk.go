// Package bulk is Valet's FHIR Bulk Data export (Bulk Data Access IG 2.0,
// http://hl7.org/fhir/uv/bulkdata/export.html): the $export kick-off at system, Patient and Group level,
// status polling, the completion manifest, cancellation and the NDJSON files, behind the same tokens and
// the same permits as the FHIR API (server/fhir). Jobs are rows of the store's bulk_exports table; their
// files live in a directory of the data directory (Config.Dir), one <Type>.ndjson per type, written by
// the same writer as `valet export`.
package bulk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valet-sandbox/valet/server/cors"
	"github.com/valet-sandbox/valet/server/fhir"
	"github.com/valet-sandbox/valet/server/store"
)

// Store is what exports need from persistence.
type Store interface {
	ReadResource(ctx context.Context, typ, id string) (store.Resource, error)
	CountByType(ctx context.Context) (map[string]int, error)
	Matches(ctx context.Context, rid int64, where ...store.Cond) (bool, error)
	Search(ctx context.Context, q store.Query) (store.Page, error)
	ScanExport(ctx context.Context, q store.ExportScan, fn func(store.ExportRow) error, progress func(float64)) error
	CreateExport(ctx context.Context, j store.ExportJob) error
	FinishExport(ctx context.Context, j store.ExportJob) error
	Export(ctx context.Context, id string) (store.ExportJob, error)
	Exports(ctx context.Context) ([]store.ExportJob, error)
	DeleteExport(ctx context.Context, id string) error
	FailRunningExports(ctx context.Context, reason string, now, expires time.Time) error
}

var _ Store = (*store.DB)(nil)

// Config is what the exporter needs.
type Config struct {
	Store Store
	FHIR  *fhir.Service
	// Dir holds the jobs' files, one directory per job (<data dir>/exports).
	Dir string
	Now func() time.Time
	// Keep is how long a finished job and its files stay; DefaultKeep when zero.
	Keep time.Duration
	// MaxActive bounds the jobs one client may have running at once (429 beyond); DefaultMaxActive when zero.
	MaxActive int
}

// Defaults.
const (
	DefaultKeep      = time.Hour
	DefaultMaxActive = 4
	// retryAfter is the Retry-After of a status poll while a job runs, in seconds.
	retryAfter = "2"
	// sweepEvery is how often expired jobs are looked for.
	sweepEvery = time.Minute
)

// Exporter serves the Bulk Data endpoints and runs their jobs.
type Exporter struct {
	cfg  Config
	base string // the FHIR base URL

	mu      sync.Mutex
	running map[string]*active
	wg      sync.WaitGroup
	// turn lets one job scan at a time: an export reads the whole table, and two at once on the
	// machine's few cores only make both slower. The others wait their turn (X-Progress says so).
	turn chan struct{}
}

// active is a job being run: how far it is, and how to stop it.
type active struct {
	clientID string
	cancel   context.CancelFunc
	done     chan struct{}
	started  atomic.Bool
	progress atomic.Uint64 // per mille of the table's row range passed
	exported atomic.Int64
}

// New makes the exporter and marks the jobs a previous process left running as failed (their process
// is gone), and removes files that no job owns.
func New(ctx context.Context, cfg Config) (*Exporter, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Keep <= 0 {
		cfg.Keep = DefaultKeep
	}
	if cfg.MaxActive <= 0 {
		cfg.MaxActive = DefaultMaxActive
	}
	e := &Exporter{cfg: cfg, base: cfg.FHIR.Base(), running: map[string]*active{}, turn: make(chan struct{}, 1)}
	now := cfg.Now()
	if err := cfg.Store.FailRunningExports(ctx, "the server stopped while this export ran: kick it off again", now, now.Add(cfg.Keep)); err != nil {
		return nil, err
	}
	if err := e.removeOrphans(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// bulkCORS lets browser apps kick off, poll and download with a bearer token, and read the headers
// the protocol answers with.
var bulkCORS = cors.Policy{
	Methods: "GET, POST, DELETE, OPTIONS",
	Headers: "Authorization, Content-Type, Accept, Prefer",
	Expose:  "Content-Location, X-Progress, Retry-After, Expires, WWW-Authenticate",
}

// Mount registers the kick-off endpoints under /fhir and the status and file endpoints under /bulk.
func (e *Exporter) Mount(mux *http.ServeMux) {
	h := func(pattern string, f http.HandlerFunc) { mux.Handle(pattern, bulkCORS.Wrap(f)) }
	for _, p := range []string{"/fhir/$export", "/fhir/Patient/$export", "/fhir/Group/{id}/$export"} {
		h("GET "+p, e.kickOff)
		h("POST "+p, e.kickOff)
	}
	h("GET /bulk/status/{job}", e.status)
	h("DELETE /bulk/status/{job}", e.cancel)
	h("GET /bulk/files/{job}/{file}", e.file)
	h("OPTIONS /bulk/", nil)
}

// StatusURL is where a job's status is polled.
func (e *Exporter) StatusURL(id string) string { return e.origin() + "/bulk/status/" + id }

func (e *Exporter) fileURL(id, name string) string {
	return e.origin() + "/bulk/files/" + id + "/" + name
}

func (e *Exporter) origin() string { return strings.TrimSuffix(e.base, "/fhir") }

func (e *Exporter) jobDir(id string) string { return filepath.Join(e.cfg.Dir, id) }

// newID is a job id: random, so that one client cannot guess another's status URL (each is checked
// against its client anyway).
func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Close cancels the running jobs and waits for them to stop; they are marked failed at the next start.
func (e *Exporter) Close() {
	e.mu.Lock()
	for _, a := range e.running {
		a.cancel()
	}
	e.mu.Unlock()
	e.wg.Wait()
}

// Run removes expired jobs and their files every minute until ctx ends.
func (e *Exporter) Run(ctx context.Context) {
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		if err := e.Sweep(ctx); err != nil && ctx.Err() == nil {
			slog.Warn("bulk: sweeping expired exports", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Sweep removes the finished jobs whose time has passed, with their files, and the files no job owns
// (a reset removes the jobs).
func (e *Exporter) Sweep(ctx context.Context) error {
	if err := e.removeOrphans(ctx); err != nil {
		return err
	}
	jobs, err := e.cfg.Store.Exports(ctx)
	if err != nil {
		return err
	}
	now := e.cfg.Now()
	for _, j := range jobs {
		if expired(j, now) {
			if err := e.remove(ctx, j.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

func expired(j store.ExportJob, now time.Time) bool {
	return j.Status != store.ExportRunning && !j.Expires.IsZero() && !now.Before(j.Expires)
}

// remove deletes a job's files, then its row.
func (e *Exporter) remove(ctx context.Context, id string) error {
	if err := os.RemoveAll(e.jobDir(id)); err != nil {
		return err
	}
	if err := e.cfg.Store.DeleteExport(ctx, id); err != nil && err != store.ErrNotFound {
		return err
	}
	return nil
}

// removeOrphans deletes the directories under Dir that belong to no job (a reset removed the rows, or
// the process stopped between removing a job's files and its row).
func (e *Exporter) removeOrphans(ctx context.Context) error {
	entries, err := os.ReadDir(e.cfg.Dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, d := range entries {
		if _, err := e.cfg.Store.Export(ctx, d.Name()); err == store.ErrNotFound {
			if err := os.RemoveAll(filepath.Join(e.cfg.Dir, d.Name())); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
	}
	return nil
}

// Package load fills the sandbox's FHIR store with patients. It is the work behind `valet generate`,
// `valet import`, `valet reset`, POST /api/generate and /api/reset, and a new sandbox's first start; it
// speaks the population package's requests, progress and results.
//
// A generation runs in stages that overlap: the synthetic generator (synth) builds whole patient records,
// the FHIR loader prepares them (decode, index) and its single writer commits several records per
// transaction, in the order they were generated. A load that more than doubles the sandbox defers the
// value indexes and builds them once at the end ("building search indexes"), also when it is cancelled,
// which keeps the records already committed. The default population (25 patients and every persona,
// fixed seed) is such a generation: it seeds a new sandbox once and comes back with a reset. An import
// stores each FHIR file as one transaction, whole or not at all.
package load

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/valet-sandbox/valet/internal/gctune"
	"github.com/valet-sandbox/valet/server/fhir"
	"github.com/valet-sandbox/valet/server/population"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/synth"
)

// Population fills one sandbox's FHIR store: it generates patients, loads the default population and
// imports files. A generation streams whole patient records into transactions, so memory stays flat
// however many patients are asked for and a cancelled run keeps the records it committed. The server
// hands the same Population to the control API and to the CLI.
type Population struct {
	FHIR  *fhir.Service
	Store *store.DB
	Now   func() time.Time
}

// SeededSetting records that the default population was loaded once, so an emptied sandbox is not
// silently re-seeded at the next start.
const SeededSetting = "population.seeded"

// Generate stores a generated population.
func (p *Population) Generate(ctx context.Context, req population.GenerateRequest, report func(population.Progress)) (population.GenerateResult, error) {
	if err := req.Validate(); err != nil {
		return population.GenerateResult{}, err
	}
	return p.generate(ctx, synth.Options{Patients: req.Patients, Seed: req.Seed, Personas: req.Personas, Years: req.Years, Reference: req.Reference()}, report)
}

func (p *Population) generate(ctx context.Context, opt synth.Options, report func(population.Progress)) (population.GenerateResult, error) {
	start := time.Now() // elapsed time is wall-clock time, whatever the sandbox clock says
	// The pipeline's buffers are garbage once the run ends; hand the memory back to the OS then, or a
	// sandbox that loaded a population keeps it resident while it idles.
	defer debug.FreeOSMemory()
	defer gctune.Less()() // the pipeline allocates a great deal, nearly all of it short-lived
	if opt.Workers == 0 {
		// Building records is a small part of a load's CPU; the single writer and the preparation beside
		// it are what bound it, and generator goroutines on every core would only take turns with the
		// writer (docs/performance.md, "Generate and store").
		opt.Workers = max(1, runtime.GOMAXPROCS(0)/4)
	}
	res := population.GenerateResult{ByType: map[string]int{}}
	bulk, err := p.beginBulk(ctx, opt.Patients*resourcesPerPatient)
	if err != nil {
		return res, fmt.Errorf("generate: %w", err)
	}
	// Generation, preparation (decode, validate, index) and writing overlap: the loader commits whole
	// patient records, several per transaction, in the order they were generated. The result and the
	// progress count what is committed, so a cancelled run reports what it kept.
	load := p.FHIR.NewLoader(ctx, fhir.LoadOptions{Trusted: true})
	var total atomic.Int64 // records to emit, known from the generator's first progress report
	records := 0           // committed records; touched only by the loader's writer
	emit := func(rs []synth.Resource) error {
		batch := make([]fhir.Resource, len(rs)) // the loader holds it until prepared
		byType := map[string]int{}
		patients := 0
		for i, r := range rs {
			batch[i] = fhir.Resource{Type: r.Type, ID: r.ID, JSON: r.JSON}
			byType[r.Type]++
			if r.Type == "Patient" {
				patients++
			}
		}
		record := patients > 0 // the shared pool (first) and the population's Groups (last) hold no Patient
		return load.Add(batch, func() {
			for t, n := range byType {
				res.ByType[t] += n
			}
			res.Patients += patients
			res.Resources += len(rs)
			if record {
				records++
			}
			if report != nil && record {
				report(population.Progress{Done: records, Total: int(total.Load()), Resources: res.Resources})
			}
		})
	}
	progress := func(pr synth.Progress) {
		total.Store(int64(max(pr.Total, 1)))
		if pr.Done == 0 && report != nil {
			report(population.Progress{Done: 0, Total: pr.Total, Resources: 0})
		}
	}
	err = synth.Generate(ctx, opt, emit, progress)
	if cerr := load.Close(); err == nil {
		err = cerr
	}
	if bulk {
		if report != nil {
			report(population.Progress{Done: records, Total: int(total.Load()), Resources: res.Resources, Message: "building search indexes"})
		}
		if berr := p.endBulk(ctx); err == nil {
			err = berr
		}
	}
	res.Seconds = time.Since(start).Seconds()
	if err != nil {
		return res, fmt.Errorf("generate: %w", err)
	}
	return res, nil
}

// resourcesPerPatient is about how many resources the generator writes per patient (about 110 at 10 years).
const resourcesPerPatient = 100

// BeginImport prepares the store for an import of about resources resources (an estimate is enough):
// when that more than doubles the sandbox, the value indexes an import does not search are built once at
// the end, as for generation (idx_token_value stays: the files' conditional references search by
// identifier). end must be called, also after a failed or cancelled import, with a function that shows
// a note; it says "building search indexes" when it has that to do.
func (p *Population) BeginImport(ctx context.Context, resources int) (end func(note func(string)) error, err error) {
	bulk, err := p.beginBulk(ctx, resources, "idx_token_value")
	if err != nil || !bulk {
		return func(func(string)) error { return nil }, err
	}
	return func(note func(string)) error {
		note("building search indexes")
		return p.endBulk(ctx)
	}, nil
}

// beginBulk defers the value indexes but keep (store.BeginBulkLoad) when a load of about resources
// resources will more than double the sandbox: building them once from sorted rows is then cheaper than
// inserting into them row by row.
func (p *Population) beginBulk(ctx context.Context, resources int, keep ...string) (bool, error) {
	counts, err := p.Store.CountByType(ctx)
	if err != nil {
		return false, err
	}
	existing := 0
	for _, n := range counts {
		existing += n
	}
	if resources <= existing {
		return false, nil
	}
	return true, p.Store.BeginBulkLoad(ctx, keep...)
}

// endBulk builds the deferred indexes, also after a cancelled load.
func (p *Population) endBulk(ctx context.Context) error {
	return p.Store.EndBulkLoad(context.WithoutCancel(ctx))
}

// Reset deletes every FHIR resource and loads the default population again.
func (p *Population) Reset(ctx context.Context, report func(population.Progress)) (population.GenerateResult, error) {
	if report != nil {
		report(population.Progress{Message: "deleting FHIR data"})
	}
	if err := p.Store.DeleteAllResources(ctx); err != nil {
		return population.GenerateResult{}, fmt.Errorf("reset: %w", err)
	}
	return p.SeedDefault(ctx, report)
}

// SeedDefault loads the default population (25 patients and every persona, fixed seed) and records it.
func (p *Population) SeedDefault(ctx context.Context, report func(population.Progress)) (population.GenerateResult, error) {
	res, err := p.generate(ctx, synth.DefaultOptions(), report)
	if err != nil {
		return res, err
	}
	return res, p.Store.PutSetting(ctx, SeededSetting, p.now().UTC().Format(time.RFC3339))
}

func (p *Population) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

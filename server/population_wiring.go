package server

import (
	"context"
	"errors"

	"github.com/valet-sandbox/valet/server/control"
	"github.com/valet-sandbox/valet/server/population"
	"github.com/valet-sandbox/valet/server/population/load"
	"github.com/valet-sandbox/valet/server/store"
)

// The control API's generate and reset run on the same loader the CLI uses.
var _ control.Population = (*load.Population)(nil)

// Population loads generated (and imported) patients into this sandbox's FHIR store.
func (s *Server) Population() *load.Population {
	return &load.Population{FHIR: s.fhir, Store: s.cfg.Store, Now: s.cfg.Now}
}

// SeedInBackground starts loading the default population as a job when this sandbox is new (never seeded,
// no resources), so the server answers at once and the control panel shows the progress. done, when not
// nil, is called once the job has ended, with what it stored or why it stopped (context.Canceled when
// the server stopped first). It reports whether there was a job to start.
func (s *Server) SeedInBackground(ctx context.Context, done func(population.GenerateResult, error)) (started bool, err error) {
	if _, err := s.cfg.Store.Setting(ctx, load.SeededSetting); err == nil {
		return false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	counts, err := s.cfg.Store.CountByType(ctx)
	if err != nil || len(counts) > 0 {
		return false, err
	}
	pop := s.Population()
	var res population.GenerateResult
	var seedErr error
	job, err := s.jobs.Start("seed", func(ctx context.Context, report func(population.Progress)) (any, error) {
		res, seedErr = pop.SeedDefault(ctx, report)
		return res, seedErr
	})
	if err != nil {
		return false, err
	}
	if done != nil {
		// The job's updates end when its final state is recorded, after res and seedErr were set.
		_, updates, _, _ := s.jobs.Subscribe(job.ID)
		go func() {
			for range updates {
			}
			done(res, seedErr)
		}()
	}
	return true, nil
}

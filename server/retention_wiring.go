package server

import (
	"context"
	"time"

	"github.com/valet-sandbox/valet/server/auth"
	"github.com/valet-sandbox/valet/server/control"
	"github.com/valet-sandbox/valet/server/retention"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/wire"
)

// newPruner builds the background pruner, stores the retention flags, and has the event log tell it
// how many events it writes.
func (s *Server) newPruner() error {
	s.pruner = &retention.Pruner{Store: s.cfg.Store, Skew: auth.ClockSkew, Now: s.cfg.Now, Pause: 2 * time.Millisecond,
		LongestAccessToken: func(ctx context.Context) (time.Duration, error) {
			d, err := auth.KeyRetention(ctx, s.cfg.Store) // the longest token any client is issued, plus skew
			return d - auth.ClockSkew, err
		}}
	if err := s.pruner.Apply(context.Background(), s.cfg.Retention); err != nil {
		return err
	}
	s.events.OnStored(s.pruner.EventsWritten)
	return nil
}

// Pruner is the background pruner (tests and benchmarks run passes themselves).
func (s *Server) Pruner() *retention.Pruner { return s.pruner }

// storage is the control API's view of the database's size and retention.
type storage struct {
	*store.DB
	pruner *retention.Pruner
}

var _ control.Storage = storage{}

func (s *Server) storage() storage { return storage{DB: s.cfg.Store, pruner: s.pruner} }

func (st storage) Retention(ctx context.Context) (wire.Retention, error) {
	return st.pruner.Settings(ctx)
}
func (st storage) SetRetention(ctx context.Context, r wire.Retention) error {
	return st.pruner.SetSettings(ctx, r)
}
func (st storage) LastPrune() *wire.Prune { return st.pruner.Last().Wire() }

package server

import (
	"context"

	"github.com/valet-sandbox/valet/server/sim"
)

// newSimulations loads the stored simulations and lets the engine trace a grant to its launch and flow.
func (s *Server) newSimulations() error {
	e, err := sim.New(context.Background(), s.cfg.Store, s.cfg.Now)
	if err != nil {
		return err
	}
	e.SetTrace(func(ctx context.Context, grant string) (string, string) {
		g, err := s.cfg.Store.GrantByID(ctx, grant)
		if err != nil {
			return "", ""
		}
		return g.LaunchID, g.FlowID
	})
	s.sims = e
	return nil
}

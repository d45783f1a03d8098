package load

import (
	"context"
	"errors"
	"maps"
	"testing"

	"github.com/valet-sandbox/valet/server/population"
	"github.com/valet-sandbox/valet/server/store"
)

// A cancelled generation keeps only whole patient records: every stored Patient has exactly the
// compartment a complete run gives it, and the result counts what was stored.
func TestCancelledGenerationKeepsWholePatients(t *testing.T) {
	req := population.GenerateRequest{Patients: 30, Seed: 11, Years: 2}
	full, fullDB := newTestPopulation(t)
	if _, err := full.Generate(context.Background(), req, nil); err != nil {
		t.Fatal(err)
	}
	pop, db := newTestPopulation(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := pop.Generate(ctx, req, func(p population.Progress) {
		if p.Done >= 3 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v", err)
	}
	counts, _ := db.CountByType(context.Background())
	if res.Patients < 3 || res.Patients >= req.Patients || counts["Patient"] != res.Patients || res.ByType["Observation"] != counts["Observation"] {
		t.Fatalf("result %+v, store %v", res, counts)
	}
	// The load into the empty sandbox deferred its search indexes; cancelled, it still built them.
	var deferred, indexes int
	err = db.Tx(context.Background(), func(tx *store.Tx) error {
		if err := tx.SQL().QueryRow(`SELECT COUNT(*) FROM deferred_indexes`).Scan(&deferred); err != nil {
			return err
		}
		return tx.SQL().QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN ('idx_token_value', 'idx_ref_target')`).Scan(&indexes)
	})
	if err != nil || deferred != 0 || indexes != 2 {
		t.Errorf("after a cancelled bulk load: %d indexes still deferred, %d of 2 value indexes present (%v)", deferred, indexes, err)
	}
	pats, err := db.ListResources(context.Background(), "Patient", "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pats {
		got, _ := db.CompartmentCounts(context.Background(), p.ID)
		want, _ := fullDB.CompartmentCounts(context.Background(), p.ID)
		delete(want, "Group") // the population's Groups come after the last record, which a cancelled run never reaches
		if !maps.Equal(got, want) {
			t.Errorf("Patient/%s kept %v, a whole record is %v", p.ID, got, want)
		}
	}
}

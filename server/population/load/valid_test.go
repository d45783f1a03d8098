package load

import (
	"context"
	"testing"

	"github.com/valet-sandbox/valet/server/fhir"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/synth"
)

// The population loader trusts the generator and skips R4 validation (fhir.LoadOptions.Trusted); this
// is what makes that safe: every record of several seeds, personas included, passes Ingest, which
// validates each resource and refuses the whole batch on the first problem.
func TestGeneratedRecordsPassValidation(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, store.Memory, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := fhir.New(fhir.Config{BaseURL: "http://127.0.0.1:1/fhir", Store: db})
	defer svc.Close()
	for _, seed := range []int64{1, 42} {
		opt := synth.DefaultOptions()
		opt.Seed, opt.Patients, opt.Personas = seed, 25, seed == 42
		n := 0
		err := synth.Generate(ctx, opt, func(batch []synth.Resource) error {
			rs := make([]fhir.Resource, len(batch))
			for i, r := range batch {
				rs[i] = fhir.Resource{Type: r.Type, ID: r.ID, JSON: r.JSON}
			}
			n += len(rs)
			return svc.Ingest(ctx, rs)
		}, nil)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if n < 25*20 {
			t.Fatalf("seed %d: only %d resources", seed, n)
		}
	}
}

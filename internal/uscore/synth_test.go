package uscore_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/valet-sandbox/valet/internal/uscore"
	"github.com/valet-sandbox/valet/synth"
)

// TestGeneratedDataMeetsItsProfiles checks every resource the generator writes (random patients and every
// persona) against the US Core profiles it claims: what a new sandbox holds is what it says it is.
func TestGeneratedDataMeetsItsProfiles(t *testing.T) {
	perProfile := map[string]int{}
	bad := 0
	err := synth.Generate(context.Background(), synth.Options{Patients: 30, Seed: 7, Personas: true}, func(batch []synth.Resource) error {
		for _, r := range batch {
			var m map[string]any
			if err := json.Unmarshal(r.JSON, &m); err != nil {
				t.Fatalf("%s/%s: %v", r.Type, r.ID, err)
			}
			for _, p := range uscore.Check(m) {
				if bad++; bad <= 20 {
					t.Errorf("%s/%s: %s", r.Type, r.ID, p)
				}
			}
			meta, _ := m["meta"].(map[string]any)
			profiles, _ := meta["profile"].([]any)
			for _, u := range profiles {
				if p, ok := uscore.ByURL(u.(string)); ok {
					perProfile[p.ID]++
				}
			}
		}
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bad > 20 {
		t.Errorf("%d problems in all", bad)
	}
	if len(perProfile) < 15 {
		t.Errorf("only %d US Core profiles claimed by generated data: %v", len(perProfile), perProfile)
	}
	t.Logf("resources per profile: %v", perProfile)
}

package synth

import (
	"testing"

	"github.com/valet-sandbox/valet/internal/uscore"
)

// Every US Core 6.1 profile is exercised by a generated population: some resource declares it in
// meta.profile (a parent profile such as us-core-vital-signs through its children) and meets the
// required elements and value-set bindings internal/uscore encodes; no generated resource fails a
// profile it declares.
func TestEveryUSCoreProfileIsGenerated(t *testing.T) {
	passing := map[string]int{}
	bad := 0
	for _, g := range generate(t, Options{Patients: 100, Seed: 21, Personas: true}) {
		for i, m := range g.res {
			problems := uscore.Check(m)
			for _, p := range problems {
				if bad++; bad <= 20 {
					t.Errorf("%s/%s: %s", g.batch[i].Type, g.batch[i].ID, p)
				}
			}
			if len(problems) > 0 {
				continue
			}
			for _, u := range get(m, "meta", "profile") {
				if p, ok := uscore.ByURL(u.(string)); ok {
					passing[p.ID]++
				}
			}
		}
	}
	covered := func(id string) bool { return passing[id] > 0 }
	for _, p := range uscore.Profiles() {
		if covered(p.ID) {
			continue
		}
		child := false
		for _, c := range uscore.Profiles() {
			child = child || (c.Parent == p.ID && covered(c.ID))
		}
		if !child {
			t.Errorf("no generated resource declares and meets %s (%s)", p.ID, p.Title)
		}
	}
	t.Logf("%d profiles; resources meeting each: %v", len(uscore.Profiles()), passing)
}

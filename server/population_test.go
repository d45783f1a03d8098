package server

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/internal/uscore"
	"github.com/valet-sandbox/valet/server/control"
	"github.com/valet-sandbox/valet/server/directory"
	"github.com/valet-sandbox/valet/server/population"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/synth"
)

func newTestServer(t *testing.T) (*Server, *store.DB) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "valet.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{BaseURL: "http://127.0.0.1:1", Version: "test", Store: db})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(); db.Close() })
	return srv, db
}

func TestSeedInBackgroundLoadsTheDefaultPopulationOnce(t *testing.T) {
	ctx := context.Background()
	srv, db := newTestServer(t)
	type ended struct {
		res population.GenerateResult
		err error
	}
	finished := make(chan ended, 1)
	started, err := srv.SeedInBackground(ctx, func(res population.GenerateResult, err error) { finished <- ended{res, err} })
	jobs := srv.jobs.List()
	if err != nil || !started || len(jobs) != 1 || jobs[0].Kind != "seed" {
		t.Fatalf("first start: started %v, jobs %+v, err %v", started, jobs, err)
	}
	var end ended
	select {
	case end = <-finished:
	case <-time.After(2 * time.Minute):
		t.Fatal("seeding did not finish")
	}
	final, _ := srv.jobs.Get(jobs[0].ID)
	res, _ := final.Result.(population.GenerateResult)
	personas := len(synth.Personas())
	if final.State != control.JobDone || res.Patients < synth.DefaultPatients+personas ||
		final.Progress.Done != final.Progress.Total || final.Progress.Total != synth.DefaultPatients+personas {
		t.Fatalf("seed job ended %+v; want %d random patients + %d personas", final, synth.DefaultPatients, personas)
	}
	if end.err != nil || end.res.Patients != res.Patients || end.res.Resources != res.Resources {
		t.Errorf("done was told %+v, %v; the job stored %+v", end.res, end.err, res)
	}
	counts, _ := db.CountByType(ctx)
	if counts["Patient"] != res.Patients || counts["Observation"] == 0 || counts["Practitioner"] == 0 {
		t.Errorf("store holds %v after seeding %+v", counts, res)
	}
	// An emptied sandbox stays empty at the next start: seeding is a first-start thing.
	if err := db.DeleteAllResources(ctx); err != nil {
		t.Fatal(err)
	}
	if started, err := srv.SeedInBackground(ctx, nil); started || err != nil {
		t.Errorf("second start re-seeded (%v, %v)", started, err)
	}
	if counts, _ := db.CountByType(ctx); len(counts) != 0 {
		t.Errorf("DeleteAllResources left %v", counts)
	}
}

func TestGenerateResetAndDirectory(t *testing.T) {
	ctx := context.Background()
	srv, db := newTestServer(t)
	pop := srv.Population()
	res, err := pop.Generate(ctx, population.GenerateRequest{Patients: 4, Seed: 9, Years: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Patients != 4 || res.Resources == 0 || res.ByType["Patient"] != 4 {
		t.Fatalf("result %+v", res)
	}
	dir := directory.New(db, srv.searchOptions)
	all, total, err := dir.FindPatients(ctx, "", 20, 0)
	if err != nil || total != 4 || len(all) != 4 {
		t.Fatalf("list: %d of %d (%v)", len(all), total, err)
	}
	first := control.SummarizePatient(all[0])
	// Search by family name, by MRN and by birth date finds that patient.
	for _, q := range []string{first.Family, first.MRN, first.BirthDate, first.Given[0] + " " + first.Family} {
		got, n, err := dir.FindPatients(ctx, q, 20, 0)
		if err != nil || n == 0 || !containsID(got, first.ID) {
			t.Errorf("search %q: %d results (%v), want %s among them", q, n, err, first.ID)
		}
	}
	if _, n, _ := dir.FindPatients(ctx, "Zzyzxnotaname", 20, 0); n != 0 {
		t.Errorf("nonsense search found %d", n)
	}
	page2, total2, _ := dir.FindPatients(ctx, "", 3, 3)
	if total2 != 4 || len(page2) != 1 {
		t.Errorf("page 2: %d of %d", len(page2), total2)
	}
	p, counts, vitals, err := dir.PatientRecord(ctx, first.ID)
	if err != nil || p == nil || counts["Patient"] != 1 || counts["Encounter"] == 0 || len(vitals) == 0 {
		t.Errorf("record: counts %v, %d vital observations, %v", counts, len(vitals), err)
	}
	profiles, err := dir.ProfileCounts(ctx, first.ID)
	byProfile := map[string]int{}
	for _, p := range profiles {
		byProfile[p.Type+" "+p.Profile] = p.Count
	}
	if err != nil || byProfile["Patient "+uscore.Base+"us-core-patient"] != 1 || byProfile["Encounter "+uscore.Base+"us-core-encounter"] != counts["Encounter"] {
		t.Errorf("profile counts %v (%v), record counts %v", profiles, err, counts)
	}
	docs, reports, err := dir.Notes(ctx, first.ID, 500)
	if err != nil || len(docs) != counts["DocumentReference"] || len(reports) > counts["DiagnosticReport"] {
		t.Errorf("notes: %d documents and %d reports (%v), record counts %v", len(docs), len(reports), err, counts)
	}
	encounters, err := dir.Encounters(ctx, first.ID, 50)
	if err != nil || len(encounters) != counts["Encounter"] {
		t.Errorf("encounters: %d (%v), record counts %d", len(encounters), err, counts["Encounter"])
	}
	for i := 1; i < len(encounters); i++ {
		if control.SummarizeEncounter(encounters[i-1]).Start < control.SummarizeEncounter(encounters[i]).Start {
			t.Errorf("encounters not most recent first at %d", i)
		}
	}
	pracs, nPracs, err := dir.FindPractitioners(ctx, "", 50, 0)
	if err != nil || nPracs == 0 || len(pracs) != nPracs {
		t.Fatalf("practitioners: %d of %d (%v)", len(pracs), nPracs, err)
	}
	doc := control.SummarizePractitioner(pracs[0])
	if doc.NPI == "" || doc.Name == "" {
		t.Errorf("practitioner summary %+v", doc)
	}
	if got, n, _ := dir.FindPractitioners(ctx, doc.NPI, 50, 0); n != 1 || control.SummarizePractitioner(got[0]).ID != doc.ID {
		t.Errorf("search by NPI %s found %d", doc.NPI, n)
	}
	if _, _, _, err := dir.PatientRecord(ctx, "no-such-patient"); err != store.ErrNotFound {
		t.Errorf("unknown patient: %v", err)
	}

	reset, err := pop.Reset(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("reset: %d patients, %d resources in %.2f s", reset.Patients, reset.Resources, reset.Seconds)
	if _, total, _ := dir.FindPatients(ctx, "", 1, 0); total != reset.Patients || total < synth.DefaultPatients+len(synth.Personas()) {
		t.Errorf("after reset: %d patients, the default population has %d", total, reset.Patients)
	}
	if _, n, _ := dir.FindPatients(ctx, first.MRN, 20, 0); n != 0 {
		t.Errorf("reset kept the generated patient %s", first.MRN)
	}
}

func containsID(rs [][]byte, id string) bool {
	for _, r := range rs {
		if control.SummarizePatient(r).ID == id {
			return true
		}
	}
	return false
}

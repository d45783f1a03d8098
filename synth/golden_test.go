package synth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the generator")

// goldenOptions is the pinned population: 3 patients and every persona, seed 42.
func goldenOptions() Options { return Options{Patients: 3, Seed: 42, Personas: true} }

// render writes a population as NDJSON; big is the persona left out of the readable golden file (its
// 5,000 glucose readings are covered by the digest instead).
func render(t *testing.T, opt Options) (readable, all []byte) {
	t.Helper()
	var r, a bytes.Buffer
	skip := populationTag(opt.Seed) + "-many-observations"
	err := Generate(context.Background(), opt, func(b []Resource) error {
		for _, res := range b {
			a.Write(res.JSON)
			a.WriteByte('\n')
			if !bytes.HasPrefix([]byte(res.ID), []byte(skip)) {
				r.Write(res.JSON)
				r.WriteByte('\n')
			}
		}
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r.Bytes(), a.Bytes()
}

func TestGolden(t *testing.T) {
	readable, all := render(t, goldenOptions())
	sum := sha256.Sum256(all)
	digest := []byte(hex.EncodeToString(sum[:]) + "\n")
	files := map[string][]byte{"population.ndjson": readable, "population.sha256": digest}
	for name, got := range files {
		path := filepath.Join("testdata", "golden", name)
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./synth -run TestGolden -update)", err)
		}
		if !bytes.Equal(got, want) {
			gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
			for i := range min(len(gl), len(wl)) {
				if !bytes.Equal(gl[i], wl[i]) {
					t.Fatalf("%s differs at line %d:\n got %.300s\nwant %.300s\n(run go test ./synth -run TestGolden -update if the change is intended)", name, i+1, gl[i], wl[i])
				}
			}
			t.Fatalf("%s differs in length: %d lines, want %d", name, len(gl), len(wl))
		}
	}
}

// The output must not depend on scheduling: one worker and many give the same bytes.
func TestDeterministicAcrossWorkers(t *testing.T) {
	opt := Options{Patients: 40, Seed: 7, Personas: true, Workers: 1}
	_, one := render(t, opt)
	opt.Workers = 8
	_, many := render(t, opt)
	if !bytes.Equal(one, many) {
		t.Fatal("output differs between 1 and 8 workers")
	}
}

// A patient's record depends on the seed and its index only, not on how many patients are generated;
// a persona's on the seed and its name only.
func TestRecordsIndependentOfPopulationSize(t *testing.T) {
	small := generate(t, Options{Patients: 2, Seed: 9, OnlyPersonas: []string{"newborn"}})
	large := generate(t, Options{Patients: 5, Seed: 9, Personas: true})
	if !slices.EqualFunc(small[1].batch, large[1].batch, sameResource) {
		t.Error("patient 0 differs between populations of 2 and 5")
	}
	if !slices.EqualFunc(small[3].batch, large[6].batch, sameResource) {
		t.Error("persona newborn differs when generated alone")
	}
}

func sameResource(a, b Resource) bool {
	return a.Type == b.Type && a.ID == b.ID && bytes.Equal(a.JSON, b.JSON)
}

func TestSeedsAndReferenceChangeOutput(t *testing.T) {
	a := generate(t, Options{Patients: 1, Seed: 1})
	b := generate(t, Options{Patients: 1, Seed: 2})
	if a[1].batch[0].ID == b[1].batch[0].ID {
		t.Error("different seeds gave the same patient id")
	}
	c := generate(t, Options{Patients: 1, Seed: 1, Reference: time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)})
	if bytes.Equal(a[1].batch[0].JSON, c[1].batch[0].JSON) {
		t.Error("a different reference date gave the same patient")
	}
}

func TestIDs(t *testing.T) {
	seen := map[string]bool{}
	for _, g := range generate(t, goldenOptions()) {
		prev := ""
		for _, r := range g.batch {
			if !idPattern.MatchString(r.ID) {
				t.Errorf("%s/%s: id does not match FHIR id rules", r.Type, r.ID)
			}
			if seen[r.Type+"/"+r.ID] {
				t.Errorf("duplicate %s/%s", r.Type, r.ID)
			}
			seen[r.Type+"/"+r.ID] = true
			// within a patient record ids sort in generation order (the merged persona appends the
			// replaced Patient it allocated first)
			if r.Type != "Patient" && prev != "" && r.ID < prev && g.batch[0].Type == "Patient" {
				t.Errorf("%s/%s sorts before the previous id %s", r.Type, r.ID, prev)
			}
			if r.Type != "Patient" {
				prev = r.ID
			}
		}
	}
}

package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/valet-sandbox/valet/server/fhir"
	"github.com/valet-sandbox/valet/server/store"
)

// ScanExport at Patient and Group level keeps exactly the cohort's compartments, each resource once, both
// when a small cohort drives the scan from the compartment index and when a large one is filtered row by
// row, and never a shared resource.
func TestScanExportCohorts(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "valet.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const n = 260
	rs := []fhir.Resource{{Type: "Practitioner", ID: "dr", JSON: []byte(`{"resourceType":"Practitioner","id":"dr"}`)}}
	var ids []string
	for i := range n {
		id := fmt.Sprintf("p%03d", i)
		ids = append(ids, id)
		rs = append(rs, fhir.Resource{Type: "Patient", ID: id, JSON: []byte(`{"resourceType":"Patient","id":"` + id + `"}`)},
			fhir.Resource{Type: "Observation", ID: "o" + id, JSON: []byte(`{"resourceType":"Observation","id":"o` + id +
				`","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/` + id + `"},"performer":[{"reference":"Practitioner/dr"}]}`)})
	}
	// One Observation in two compartments: exported once.
	rs = append(rs, fhir.Resource{Type: "Observation", ID: "shared", JSON: []byte(`{"resourceType":"Observation","id":"shared","status":"final",` +
		`"code":{"text":"x"},"subject":{"reference":"Patient/p000"},"performer":[{"reference":"Patient/p001"}]}`)})
	s := fhir.New(fhir.Config{BaseURL: "http://127.0.0.1:1", Store: db})
	defer s.Close()
	if err := s.Ingest(ctx, rs); err != nil {
		t.Fatal(err)
	}
	parts := []store.ExportPart{{Type: "Patient"}, {Type: "Observation"}, {Type: "Practitioner"}}
	count := func(q store.ExportScan) map[string]int {
		got := map[string]int{}
		seen := map[int64]bool{}
		if err := db.ScanExport(ctx, q, func(r store.ExportRow) error {
			if seen[r.RowID] {
				t.Errorf("row %d exported twice", r.RowID)
			}
			seen[r.RowID] = true
			got[r.Type]++
			return nil
		}, nil); err != nil {
			t.Fatal(err)
		}
		return got
	}
	large := append(append([]string{}, ids[:230]...), "nobody", "else")
	for name, tc := range map[string]struct {
		q    store.ExportScan
		want map[string]int
	}{
		"every patient": {store.ExportScan{Parts: parts, Compartment: true}, map[string]int{"Patient": n, "Observation": n + 1}},
		"small cohort":  {store.ExportScan{Parts: parts, Compartment: true, Patients: []string{"p001", "p005"}}, map[string]int{"Patient": 2, "Observation": 3}},
		"large cohort":  {store.ExportScan{Parts: parts, Compartment: true, Patients: large}, map[string]int{"Patient": 230, "Observation": 231}},
		"empty cohort":  {store.ExportScan{Parts: parts, Compartment: true, Patients: []string{}}, map[string]int{}},
		"system":        {store.ExportScan{Parts: parts}, map[string]int{"Patient": n, "Observation": n + 1, "Practitioner": 1}},
	} {
		got := count(tc.q)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: %v, want %v", name, got, tc.want)
		}
	}
}

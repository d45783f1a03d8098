package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// An export reads the table in row order and never sorts: a sort would hold every exported row (JSON
// included) in a temporary b-tree, and a scan that turns into one is what made a 10,000-patient export
// slow. Each form of the query is checked on a real database.
func TestExportQueryPlans(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "valet.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lab := Token("Observation", "category", TokenValue{Code: "laboratory"})
	cohort := make([]string, smallCohort+1)
	for i := range cohort {
		cohort[i] = "p" + string(rune('a'+i%26))
	}
	for name, q := range map[string]ExportScan{
		"system":        {Parts: []ExportPart{{Type: "Patient"}, {Type: "Observation"}}},
		"since":         {Parts: []ExportPart{{Type: "Patient"}}, Since: time.Now()},
		"with a filter": {Parts: []ExportPart{{Type: "Patient"}, {Type: "Observation", Where: &lab}}},
		"patient level": {Parts: []ExportPart{{Type: "Observation"}}, Compartment: true},
		"small cohort":  {Parts: []ExportPart{{Type: "Observation"}}, Compartment: true, Patients: []string{"a", "b"}},
		"large cohort":  {Parts: []ExportPart{{Type: "Observation"}}, Compartment: true, Patients: cohort},
	} {
		query, args := exportSQL(q)
		rows, err := db.r.Query("EXPLAIN QUERY PLAN "+query, args...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		joined := strings.Join(plan, "; ")
		if strings.Contains(joined, "TEMP B-TREE") || strings.Contains(joined, "resources_type_updated") {
			t.Errorf("%s: the export query sorts or reads by type: %s", name, joined)
		}
	}
}

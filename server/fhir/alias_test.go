package fhir

import (
	"context"
	"slices"
	"sort"
	"testing"

	"github.com/valet-sandbox/valet/server/store"
)

// Observation's patient (its subject, when a Patient) and combo-code (code or component code) have no
// index rows of their own; every way of searching them must still mean what the specification says.
func TestParametersStoredAsOthersRows(t *testing.T) {
	e := newEnv(t)
	loinc := func(code string) map[string]any {
		return map[string]any{"coding": []any{map[string]any{"system": "http://loinc.org", "code": code}}}
	}
	obs := func(id, subject, code string) map[string]any {
		m := map[string]any{"resourceType": "Observation", "id": id, "status": "final", "code": loinc(code)}
		if subject != "" {
			m["subject"] = map[string]any{"reference": subject}
		}
		return m
	}
	put := func(m map[string]any) {
		t.Helper()
		if r := e.do("PUT", "/"+m["resourceType"].(string)+"/"+m["id"].(string), "admin", m); r.status != 201 && r.status != 200 {
			t.Fatalf("PUT %s: %d %s", m["id"], r.status, r.raw)
		}
	}
	put(map[string]any{"resourceType": "Patient", "id": "p1"})
	put(map[string]any{"resourceType": "Group", "id": "g1", "type": "person", "actual": true})
	put(obs("op", "Patient/p1", "111-1"))
	put(obs("og", "Group/g1", "111-1"))
	bp := obs("oc", "", "85354-9")
	bp["component"] = []any{map[string]any{"code": loinc("8480-6")}, map[string]any{"code": loinc("8462-4")}}
	put(bp)

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"Observation?patient=p1", []string{"Observation/op"}},
		{"Observation?patient=Patient/p1", []string{"Observation/op"}},
		{"Observation?patient=Group/g1", nil},
		{"Observation?subject=Group/g1", []string{"Observation/og"}},
		{"Observation?patient:missing=true", []string{"Observation/oc", "Observation/og"}},
		{"Observation?patient:missing=false", []string{"Observation/op"}},
		{"Observation?patient.gender:missing=true", []string{"Observation/op"}},
		{"Observation?combo-code=111-1", []string{"Observation/og", "Observation/op"}},
		{"Observation?combo-code=http://loinc.org|8480-6", []string{"Observation/oc"}},
		{"Observation?combo-code=85354-9", []string{"Observation/oc"}},
		{"Observation?combo-code:not=111-1", []string{"Observation/oc"}},
		{"Observation?combo-code:missing=true", nil},
		{"Patient?_has:Observation:patient:code=111-1", []string{"Patient/p1"}},
		{"Group?_has:Observation:patient:code=111-1", nil},
		{"Group?_has:Observation:subject:code=111-1", []string{"Group/g1"}},
	} {
		r := e.do("GET", "/"+tc.query, "admin", nil)
		if r.status != 200 {
			t.Errorf("%s: %d %s", tc.query, r.status, r.raw)
			continue
		}
		got := r.entryIDs("match")
		sort.Strings(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.query, got, tc.want)
		}
	}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"Observation?_id=op&_include=Observation:patient", []string{"Patient/p1"}},
		{"Observation?_id=og&_include=Observation:patient", nil},
		{"Observation?_id=og&_include=Observation:subject", []string{"Group/g1"}},
		{"Patient?_id=p1&_revinclude=Observation:patient", []string{"Observation/op"}},
		{"Group?_id=g1&_revinclude=Observation:patient", nil},
		{"Group?_id=g1&_revinclude=Observation:subject", []string{"Observation/og"}},
	} {
		r := e.do("GET", "/"+tc.query, "admin", nil)
		if r.status != 200 {
			t.Errorf("%s: %d %s", tc.query, r.status, r.raw)
			continue
		}
		if got := r.entryIDs("include"); !slices.Equal(got, tc.want) {
			t.Errorf("%s: included %v, want %v", tc.query, got, tc.want)
		}
	}
	r := e.do("GET", "/Observation?_sort=-patient,_id", "admin", nil)
	if got := r.entryIDs("match"); r.status != 200 || len(got) != 3 || got[0] != "Observation/op" {
		t.Errorf("_sort=-patient: %d %v", r.status, got)
	}
	// And nothing was indexed twice.
	var dup int
	err := e.db.Tx(context.Background(), func(tx *store.Tx) error {
		return tx.SQL().QueryRow(`SELECT (SELECT COUNT(*) FROM idx_ref WHERE type = 'Observation' AND param = 'patient') +
			(SELECT COUNT(*) FROM idx_token WHERE type = 'Observation' AND param = 'combo-code')`).Scan(&dup)
	})
	if err != nil || dup != 0 {
		t.Errorf("%d rows under patient or combo-code (%v)", dup, err)
	}
}

package fhir

import (
	"context"
	"strings"
	"testing"
)

// Transaction entries are stored together, but an entry outside the token's view still fails the whole
// Bundle, naming that entry, and an entry reading what an earlier one wrote sees it.
func TestTransactionDeferredWrites(t *testing.T) {
	e := loaded(t, 2)
	e.v["p1-write"] = access(t, "patient/Observation.cu patient/Observation.rs", "p1", "")
	before, _ := e.db.CountByType(context.Background())
	r := e.do("POST", "", "p1-write", map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": []any{
		map[string]any{"resource": obsFor("p1"), "request": map[string]any{"method": "POST", "url": "Observation"}},
		map[string]any{"resource": obsFor("p2"), "request": map[string]any{"method": "POST", "url": "Observation"}},
		map[string]any{"resource": obsFor("p1"), "request": map[string]any{"method": "POST", "url": "Observation"}},
	}})
	if r.status != 403 || !strings.Contains(string(r.raw), "Bundle.entry[1]") {
		t.Errorf("write outside the compartment: %d %s", r.status, r.raw)
	}
	if after, _ := e.db.CountByType(context.Background()); after["Observation"] != before["Observation"] {
		t.Errorf("the refused transaction stored Observations: %d → %d", before["Observation"], after["Observation"])
	}

	// Two PUTs of one new id in one transaction: the second is version 2 of what the first created.
	put := func(gender string) map[string]any {
		return map[string]any{"resource": map[string]any{"resourceType": "Patient", "id": "twice", "gender": gender},
			"request": map[string]any{"method": "PUT", "url": "Patient/twice"}}
	}
	r = e.do("POST", "", "admin", map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": []any{put("male"), put("female")}})
	if r.status != 200 {
		t.Fatalf("two PUTs: %d %s", r.status, r.raw)
	}
	got := e.do("GET", "/Patient/twice", "admin", nil)
	if got.body["gender"] != "female" || got.body["meta"].(map[string]any)["versionId"] != "2" {
		t.Errorf("after two PUTs: %s", got.raw)
	}
	es := r.body["entry"].([]any)
	if loc := es[1].(map[string]any)["response"].(map[string]any)["location"]; loc != "Patient/twice/_history/2" {
		t.Errorf("second PUT answered location %v", loc)
	}
}

func obsFor(patient string) map[string]any {
	return map[string]any{"resourceType": "Observation", "status": "final", "code": map[string]any{"text": "t"},
		"subject": map[string]any{"reference": "Patient/" + patient}}
}

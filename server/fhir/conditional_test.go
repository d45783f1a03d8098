package fhir

import (
	"strings"
	"testing"
)

func TestConditionalUpdateAndDelete(t *testing.T) {
	e := newEnv(t)
	pat := func(mrn, family string) map[string]any {
		return map[string]any{"resourceType": "Patient", "identifier": []any{map[string]any{"system": "urn:mrn", "value": mrn}},
			"name": []any{map[string]any{"family": family}}}
	}
	// No match, no id: created with a server id.
	r := e.do("PUT", "/Patient?identifier=urn:mrn|1", "admin", pat("1", "A"))
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	id := r.body["id"].(string)
	// One match: updated in place.
	r = e.do("PUT", "/Patient?identifier=urn:mrn|1", "admin", pat("1", "B"))
	if r.status != 200 || r.body["id"] != id || r.body["meta"].(map[string]any)["versionId"] != "2" {
		t.Fatalf("update: %d %s", r.status, r.raw)
	}
	// One match but the body names another id: 400.
	other := pat("1", "C")
	other["id"] = "someone-else"
	if r = e.do("PUT", "/Patient?identifier=urn:mrn|1", "admin", other); r.status != 400 {
		t.Errorf("id mismatch: %d %s", r.status, r.raw)
	}
	// No match with an id: update-as-create with that id.
	withID := pat("2", "D")
	withID["id"] = "p2"
	if r = e.do("PUT", "/Patient?identifier=urn:mrn|2", "admin", withID); r.status != 201 || r.body["id"] != "p2" {
		t.Errorf("update-as-create: %d %s", r.status, r.raw)
	}
	// Several matches: 412 for update and delete.
	if r = e.do("PUT", "/Patient?identifier=urn:mrn|", "admin", pat("3", "E")); r.status != 412 {
		t.Errorf("ambiguous update: %d %s", r.status, r.raw)
	}
	if r = e.do("DELETE", "/Patient?identifier=urn:mrn|", "admin", nil); r.status != 412 {
		t.Errorf("ambiguous delete: %d %s", r.status, r.raw)
	}
	// One match: deleted; then nothing matches: 404.
	if r = e.do("DELETE", "/Patient?identifier=urn:mrn|1", "admin", nil); r.status != 204 {
		t.Errorf("delete: %d %s", r.status, r.raw)
	}
	if r = e.do("GET", "/Patient/"+id, "admin", nil); r.status != 410 {
		t.Errorf("read after conditional delete: %d", r.status)
	}
	if r = e.do("DELETE", "/Patient?identifier=urn:mrn|1", "admin", nil); r.status != 404 {
		t.Errorf("delete of nothing: %d %s", r.status, r.raw)
	}
	// Unknown parameters in a condition are refused rather than matching everything.
	if r = e.do("DELETE", "/Patient?nonsense=1", "admin", nil); r.status != 400 {
		t.Errorf("unknown parameter: %d %s", r.status, r.raw)
	}
}

func TestBatchGetEntries(t *testing.T) {
	e := newEnv(t)
	r := e.do("PUT", "/Patient/b1", "admin", map[string]any{"resourceType": "Patient", "id": "b1", "gender": "female"})
	if r.status != 201 {
		t.Fatalf("seed: %d %s", r.status, r.raw)
	}
	get := func(url string) map[string]any {
		return map[string]any{"request": map[string]any{"method": "GET", "url": url}}
	}
	batch := map[string]any{"resourceType": "Bundle", "type": "batch", "entry": []any{
		get("Patient/b1"), get("Patient?gender=female"), get("Patient/missing"), get("Patient/b1/_history/1"),
		get("Patient/b1/_history"), get("Nope/1"),
	}}
	r = e.do("POST", "", "admin", batch)
	if r.status != 200 {
		t.Fatalf("batch: %d %s", r.status, r.raw)
	}
	es := r.body["entry"].([]any)
	want := []string{"200", "200", "404", "200", "200", "404"}
	for i, w := range want {
		en := es[i].(map[string]any)
		if st := en["response"].(map[string]any)["status"].(string); !strings.HasPrefix(st, w) {
			t.Errorf("entry %d: %s, want %s: %v", i, st, w, en)
		}
	}
	if es[0].(map[string]any)["resource"].(map[string]any)["id"] != "b1" {
		t.Errorf("read entry: %v", es[0])
	}
	if b := es[1].(map[string]any)["resource"].(map[string]any); b["type"] != "searchset" || len(b["entry"].([]any)) != 1 {
		t.Errorf("search entry: %v", b)
	}
}

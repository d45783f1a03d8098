package fhir

import (
	"context"
	"strings"
	"sync"
	"testing"
)

func TestTransaction(t *testing.T) {
	e := loaded(t, 1)
	tx := map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": []any{
		map[string]any{"fullUrl": "urn:uuid:11111111-1111-1111-1111-111111111111",
			"resource": map[string]any{"resourceType": "Patient", "name": []any{map[string]any{"family": "New"}}},
			"request":  map[string]any{"method": "POST", "url": "Patient"}},
		map[string]any{"resource": map[string]any{"resourceType": "Observation", "status": "final", "code": map[string]any{"text": "t"},
			"subject":   map[string]any{"reference": "urn:uuid:11111111-1111-1111-1111-111111111111"},
			"performer": []any{map[string]any{"reference": "Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|1234567893"}}},
			"request": map[string]any{"method": "POST", "url": "Observation"}},
	}}
	r := e.do("POST", "", "admin", tx)
	if r.status != 200 || r.body["type"] != "transaction-response" {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	obs := r.body["entry"].([]any)[1].(map[string]any)["resource"].(map[string]any)
	pat := r.body["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any)
	if obs["subject"].(map[string]any)["reference"] != "Patient/"+pat["id"].(string) ||
		obs["performer"].([]any)[0].(map[string]any)["reference"] != "Practitioner/dr1" {
		t.Errorf("references not rewritten: %v", obs)
	}
	// One bad entry rolls back everything.
	before, _ := e.db.CountByType(context.Background())
	bad := map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": []any{
		map[string]any{"resource": map[string]any{"resourceType": "Patient"}, "request": map[string]any{"method": "POST", "url": "Patient"}},
		map[string]any{"resource": map[string]any{"resourceType": "Observation", "status": "final"}, "request": map[string]any{"method": "POST", "url": "Observation"}},
	}}
	r = e.do("POST", "", "admin", bad)
	if r.status != 422 || !strings.Contains(string(r.raw), `"expression":["Bundle.entry[1].resource.code"]`) {
		t.Errorf("bad transaction: %d %s", r.status, r.raw)
	}
	after, _ := e.db.CountByType(context.Background())
	if before["Patient"] != after["Patient"] || before["Observation"] != after["Observation"] {
		t.Errorf("a failed transaction left a trace: %v → %v", before, after)
	}
	// A batch applies entries independently.
	batch := map[string]any{"resourceType": "Bundle", "type": "batch", "entry": bad["entry"]}
	r = e.do("POST", "", "admin", batch)
	es := r.body["entry"].([]any)
	if r.status != 200 || !strings.HasPrefix(es[0].(map[string]any)["response"].(map[string]any)["status"].(string), "201") ||
		!strings.HasPrefix(es[1].(map[string]any)["response"].(map[string]any)["status"].(string), "422") {
		t.Errorf("batch: %s", r.raw)
	}
}

func TestConcurrentWriters(t *testing.T) {
	e := loaded(t, 1)
	var wg sync.WaitGroup
	codes := make(chan int, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := map[string]any{"resourceType": "Patient", "id": "p1", "gender": "other"}
			codes <- e.do("PUT", "/Patient/p1", "admin", u, "If-Match", `W/"1"`).status
		}()
	}
	wg.Wait()
	close(codes)
	ok := 0
	for c := range codes {
		switch c {
		case 200:
			ok++
		case 412, 409:
		default:
			t.Errorf("unexpected status %d", c)
		}
	}
	if ok != 1 {
		t.Errorf("%d updates won with If-Match W/\"1\", want exactly 1", ok)
	}
}

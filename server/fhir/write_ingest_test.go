package fhir

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// Ingest stores nothing from a batch with one invalid resource, and names it.
func TestIngestInvalidResourceStoresNothing(t *testing.T) {
	e := newEnv(t)
	rs := dataset(1)
	rs = append(rs, Resource{Type: "Observation", ID: "bad", JSON: []byte(`{"resourceType":"Observation","status":"final"}`)})
	err := e.s.Ingest(context.Background(), rs)
	var o *Outcome
	if !errors.As(err, &o) || !strings.Contains(err.Error(), "Observation/bad") {
		t.Fatalf("Ingest with an invalid resource: %v", err)
	}
	if counts, _ := e.db.CountByType(context.Background()); len(counts) != 0 {
		t.Errorf("a failed batch stored %v", counts)
	}
}

// A Loader commits whole batches in order; a batch with an invalid resource stops it, and what was added
// before it is stored, nothing after.
func TestLoaderStopsAtAnInvalidBatch(t *testing.T) {
	e := newEnv(t)
	l := e.s.NewLoader(context.Background(), LoadOptions{})
	var committed []int
	for i := range 6 {
		rs := []Resource{{Type: "Patient", ID: "lp" + string(rune('0'+i)), JSON: []byte(`{"resourceType":"Patient"}`)}}
		if i == 3 {
			rs = append(rs, Resource{Type: "Observation", ID: "bad", JSON: []byte(`{"resourceType":"Observation"}`)})
		}
		if err := l.Add(rs, func() { committed = append(committed, i) }); err != nil {
			break
		}
	}
	err := l.Close()
	if err == nil || !strings.Contains(err.Error(), "Observation/bad") {
		t.Fatalf("Close: %v", err)
	}
	counts, _ := e.db.CountByType(context.Background())
	if len(committed) != 3 || committed[2] != 2 || counts["Patient"] != 3 || counts["Observation"] != 0 {
		t.Errorf("committed %v, store holds %v; want the 3 batches before the invalid one", committed, counts)
	}
}

// A trusted Loader stores a resource's own bytes with the stamp spliced in only when they already say its
// id; otherwise (no id in the JSON, or another) what is stored is the stamped resource, id included.
func TestTrustedLoaderStoresTheStampedResource(t *testing.T) {
	e := newEnv(t)
	l := e.s.NewLoader(context.Background(), LoadOptions{Trusted: true})
	err := l.Add([]Resource{
		{Type: "Patient", ID: "t1", JSON: []byte(`{"resourceType":"Patient","id":"t1","meta":{"profile":["p"]},"gender":"female"}`)},
		{Type: "Patient", ID: "t2", JSON: []byte(`{"resourceType":"Patient","meta":{"profile":["p"]},"gender":"male"}`)},
		{Type: "Patient", ID: "t3", JSON: []byte(`{"resourceType":"Patient","id":"other","meta":{"profile":["p"]}}`)},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"t1", "t2", "t3"} {
		r := e.do("GET", "/Patient/"+id, "admin", nil)
		meta, _ := r.body["meta"].(map[string]any)
		if r.status != 200 || r.body["id"] != id || meta["versionId"] != "1" || meta["lastUpdated"] == nil || meta["profile"] == nil {
			t.Errorf("Patient/%s: %d %s", id, r.status, r.raw)
		}
	}
}

// Ingest prepares large batches in parallel slices; the error still names the first bad resource.
func TestIngestNamesTheFirstBadResource(t *testing.T) {
	e := newEnv(t)
	var rs []Resource
	for i := range 100 {
		j := `{"resourceType":"Patient"}`
		if i == 10 || i == 90 {
			j = `{"resourceType":"Patient","gender":7}`
		}
		rs = append(rs, Resource{Type: "Patient", ID: fmt.Sprintf("bp%d", i), JSON: []byte(j)})
	}
	err := e.s.Ingest(context.Background(), rs)
	if err == nil || !strings.Contains(err.Error(), "Patient/bp10") {
		t.Fatalf("Ingest: %v", err)
	}
	if counts, _ := e.db.CountByType(context.Background()); len(counts) != 0 {
		t.Errorf("a failed batch stored %v", counts)
	}
}

// A batch is written as creates first; one that holds a resource already stored stores it as its next
// version instead, with the rest of the batch, and nothing twice.
func TestIngestStoresExistingResourcesAsNewVersions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pat := func(family string) Resource {
		return Resource{Type: "Patient", ID: "p1", JSON: []byte(`{"resourceType":"Patient","name":[{"family":"` + family + `"}]}`)}
	}
	obs := Resource{Type: "Observation", ID: "o1", JSON: []byte(`{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/p1"}}`)}
	if err := e.s.Ingest(ctx, []Resource{pat("Before")}); err != nil {
		t.Fatal(err)
	}
	if err := e.s.Ingest(ctx, []Resource{obs, pat("After")}); err != nil {
		t.Fatal(err)
	}
	r := e.do("GET", "/Patient/p1", "admin", nil)
	meta, _ := r.body["meta"].(map[string]any)
	if r.status != 200 || meta["versionId"] != "2" || r.header.Get("ETag") != `W/"2"` || !strings.Contains(string(r.raw), "After") {
		t.Errorf("Patient/p1 after a second ingest: %d %s", r.status, r.raw)
	}
	if r := e.do("GET", "/Patient/p1/_history", "admin", nil); len(r.body["entry"].([]any)) != 2 {
		t.Errorf("history: %s", r.raw)
	}
	for q, want := range map[string]float64{"/Patient?family=after": 1, "/Patient?family=before": 0, "/Observation?patient=p1": 1} {
		if r := e.do("GET", q+"&_total=accurate", "admin", nil); r.body["total"] != want {
			t.Errorf("%s: %s", q, r.raw)
		}
	}
	if r := e.do("GET", "/Observation/o1", "admin", nil); r.status != 200 || r.body["meta"].(map[string]any)["versionId"] != "1" {
		t.Errorf("Observation/o1: %d %s", r.status, r.raw)
	}
	// The creates rolled back with the first attempt are counted once, by the second.
	if counts, err := e.db.CountByType(ctx); err != nil || counts["Patient"] != 1 || counts["Observation"] != 1 {
		t.Errorf("resource counts: %v %v", counts, err)
	}
}

package fhir

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server/store"
)

// The lean audit log still answers /fhir/AuditEvent searches with the usual parameters: the rows
// become AuditEvent resources when a request names AuditEvent.
func TestAuditEventSearchFromLog(t *testing.T) {
	e := loaded(t, 2)
	e.v["sys-audit"] = access(t, "system/AuditEvent.rs", "", "")
	e.v["p1"] = access(t, "patient/*.rs", "p1", "")
	e.v["doc"] = access(t, "user/*.rs", "", "Practitioner/dr1")
	e.do("GET", "/Observation/p1-enc1-bp", "admin", nil)
	e.do("GET", "/Observation/nope", "admin", nil)               // 404 → outcome 4
	e.do("GET", "/Patient/p2", "doc", nil)                       // agent Practitioner/dr1, entity Patient/p2
	e.do("GET", "/Condition?patient=p1", "p1", nil)              // entity Patient/p1 (the token's patient)
	e.do("GET", "/Observation/p1-enc1-bp", "no-such-token", nil) // 401, anonymous agent
	e.s.Flush()
	if ok, _ := e.db.PendingAudit(context.Background(), ""); !ok {
		t.Fatal("no pending audit rows after Flush")
	}
	// The searches below are audited too, so the queries that could match them also ask for subtype=read.
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"subtype=read", 4},
		{"subtype=http://hl7.org/fhir/restful-interaction|search-type&patient=p1", 1},
		{"outcome=4", 2},
		{"outcome=0&subtype=read", 2},
		{"entity=Observation/p1-enc1-bp", 1}, // the anonymous request names nothing
		{"entity=Patient/p2", 1},
		{"patient=p1", 1},
		{"patient=Patient/p2", 1},
		{"agent=Practitioner/dr1", 1},
		{"altid=app&subtype=read", 3},
		{"type=rest&subtype=read", 4},
		{"action=R&subtype=read", 4},
		{"date=ge2026-03-04&subtype=read", 4},
		{"date=lt2026-03-04", 0},
		{"entity-name=" + url.QueryEscape("GET /fhir/Condition?patient=p1"), 1},
	} {
		r := e.do("GET", "/AuditEvent?_total=accurate&"+tc.query, "sys-audit", nil)
		if r.status != 200 || r.body["total"] != float64(tc.want) {
			t.Errorf("AuditEvent?%s: %d total %v, want %d (%s)", tc.query, r.status, r.body["total"], tc.want, r.raw)
		}
	}
	// A read by id of one of them works too (the search above materialised them; its own audit row is new).
	r := e.do("GET", "/AuditEvent?entity=Patient/p2", "sys-audit", nil)
	ids := r.entryIDs("match")
	if len(ids) != 1 {
		t.Fatalf("entity search: %v", ids)
	}
	if r := e.do("GET", "/"+ids[0], "sys-audit", nil); r.status != 200 || r.body["outcome"] != "0" {
		t.Errorf("read %s: %d %s", ids[0], r.status, r.raw)
	}
	// The control API's newest-first list includes the requests just made.
	evs, err := e.s.AuditEvents(context.Background(), 3)
	if err != nil || len(evs) != 3 {
		t.Fatalf("AuditEvents: %v %d", err, len(evs))
	}
}

// $everything of a patient with pending audit rows in its compartment materialises them first.
func TestEverythingSeesPendingAudit(t *testing.T) {
	e := loaded(t, 2)
	e.do("GET", "/Patient/p1", "admin", nil)
	e.s.Flush()
	r := e.do("GET", "/Patient/p1/$everything?_count=1000", "admin", nil)
	if n := auditEventsIn(r); r.status != 200 || n != 1 {
		t.Errorf("$everything: %d, %d AuditEvents (want 1)", r.status, n)
	}
	// p2 has none pending: its $everything leaves the log alone.
	e.do("GET", "/Patient/p1", "admin", nil)
	e.s.Flush()
	e.do("GET", "/Patient/p2/$everything", "admin", nil)
	if ok, _ := e.db.PendingAudit(context.Background(), "p1"); !ok {
		t.Error("p2's $everything materialised p1's pending row")
	}
}

// Close writes every queued record, and the rows survive into the next Service on the same database.
func TestAuditCloseLosesNothing(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "valet.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v := mapVerifier{"admin": access(t, "system/*.cruds", "", "")}
	// A flush interval far beyond the test: only Close can write the queue.
	s := New(Config{BaseURL: "http://valet.test", Store: db, Verifier: v, Now: func() time.Time { return t0 }, AuditFlush: time.Hour})
	mux := http.NewServeMux()
	s.Mount(mux)
	srv := httptest.NewServer(mux)
	const n = 1500 // more than one batch and one materialisation chunk
	for i := 0; i < n; i++ {
		req, _ := http.NewRequest("GET", srv.URL+"/fhir/Patient/x", nil)
		req.Header.Set("Authorization", "Bearer admin")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	srv.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := New(Config{BaseURL: "http://valet.test", Store: db, Verifier: v, Now: func() time.Time { return t0 }})
	defer s2.Close()
	evs, err := s2.AuditEvents(context.Background(), 5000)
	if err != nil || len(evs) != n {
		t.Fatalf("after Close: %d AuditEvents (want %d), %v", len(evs), n, err)
	}
	page, err := db.Search(context.Background(), store.Query{Types: []string{"AuditEvent"}, Limit: 5000})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range page.Resources {
		ids[r.ID] = true
	}
	if len(ids) != n || !slices.IsSortedFunc(page.Resources, func(a, b store.Resource) int { return int(a.RowID - b.RowID) }) {
		t.Errorf("%d distinct ids of %d", len(ids), n)
	}
}

// A request that finishes after Close (a server draining its last connections) is still recorded.
func TestAuditAfterCloseIsWritten(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "valet.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v := mapVerifier{"admin": access(t, "system/*.cruds", "", "")}
	s := New(Config{BaseURL: "http://valet.test", Store: db, Verifier: v, Now: func() time.Time { return t0 }})
	mux := http.NewServeMux()
	s.Mount(mux)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/fhir/Patient/x", nil)
	req.Header.Set("Authorization", "Bearer admin")
	mux.ServeHTTP(httptest.NewRecorder(), req)
	if ok, err := db.PendingAudit(context.Background(), ""); !ok || err != nil {
		t.Errorf("no audit row for a request after Close (%v)", err)
	}
}

// An AuditEvent search, and a patient's $everything, see every request that finished before them even
// while its record still waits in the queue (here the writer's ticker never fires): it is written first.
func TestAuditReadersSeeQueuedRecords(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "valet.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := mapVerifier{"admin": access(t, "system/*.cruds", "", "")}
	s := New(Config{BaseURL: "http://valet.test", Store: db, Verifier: v, Now: func() time.Time { return t0 }, AuditFlush: time.Hour})
	mux := http.NewServeMux()
	s.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { srv.Close(); s.Close(); db.Close() })
	e := &env{t: t, s: s, db: db, srv: srv, v: v}
	if err := s.Ingest(ctx, dataset(2)); err != nil {
		t.Fatal(err)
	}
	e.do("GET", "/Patient/p1", "admin", nil)
	if r := e.do("GET", "/AuditEvent?entity=Patient/p1&_total=accurate", "admin", nil); r.status != 200 || r.body["total"] != float64(1) {
		t.Errorf("AuditEvent search: %d total %v, want 1 (%s)", r.status, r.body["total"], r.raw)
	}
	e.do("GET", "/Patient/p2", "admin", nil)
	r := e.do("GET", "/Patient/p2/$everything?_count=1000", "admin", nil)
	if n := auditEventsIn(r); r.status != 200 || n != 1 {
		t.Errorf("$everything: %d, %d AuditEvents (want 1)", r.status, n)
	}
}

// auditEventsIn counts the AuditEvents among a searchset's matches.
func auditEventsIn(r result) int {
	n := 0
	for _, id := range r.entryIDs("match") {
		if strings.HasPrefix(id, "AuditEvent/") {
			n++
		}
	}
	return n
}

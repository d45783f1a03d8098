package fhir

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/valet-sandbox/valet/synth"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/token"
)

// benchPatients sizes the benchmark database: each patient has ~100 resources (the dataset's 20 plus
// 80 more vital signs), so 1,000 patients are ~100,000 resources. VALET_BENCH_PATIENTS overrides it.
func benchPatients() int {
	n := 1000
	if v := os.Getenv("VALET_BENCH_PATIENTS"); v != "" {
		fmt.Sscan(v, &n)
	}
	return n
}

// patientRecord is one patient's ~100 resources, as the generator emits them per batch.
func patientRecord(i int) []Resource {
	rs := dataset(1)
	out := make([]Resource, 0, 100)
	for _, r := range rs {
		if r.Type == "Practitioner" || r.Type == "Medication" {
			if i != 1 {
				continue
			}
		}
		r.ID = strings.Replace(r.ID, "p1", fmt.Sprintf("p%d", i), 1)
		r.JSON = []byte(strings.ReplaceAll(string(r.JSON), `p1`, fmt.Sprintf("p%d", i)))
		out = append(out, r)
	}
	for k := 0; k < 80; k++ {
		id := fmt.Sprintf("p%d-v%d", i, k)
		b, _ := json.Marshal(map[string]any{"resourceType": "Observation", "id": id, "status": "final",
			"category": []any{map[string]any{"coding": []any{map[string]any{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"}}}},
			"code":     map[string]any{"coding": []any{map[string]any{"system": "http://loinc.org", "code": "8867-4", "display": "Heart rate"}}},
			"subject":  map[string]any{"reference": fmt.Sprintf("Patient/p%d", i)}, "effectiveDateTime": fmt.Sprintf("2020-01-%02dT10:00:00Z", 1+k%28),
			"valueQuantity": map[string]any{"value": 60 + k%40, "unit": "/min", "system": "http://unitsofmeasure.org", "code": "/min"}})
		out = append(out, Resource{Type: "Observation", ID: id, JSON: b})
	}
	return out
}

var bench struct {
	once sync.Once
	dir  string // removed by TestMain
	s    *Service
	db   *store.DB
	srv  *httptest.Server
	err  error
}

func benchEnv(b *testing.B) (*Service, *store.DB, *httptest.Server) {
	bench.once.Do(func() {
		dir, _ := os.MkdirTemp("", "valet-bench")
		bench.dir = dir
		db, err := store.Open(context.Background(), filepath.Join(dir, "bench.db"), store.Options{})
		if err != nil {
			bench.err = err
			return
		}
		v := mapVerifier{"admin": access(b, "system/*.rs", "", ""), "p7": access(b, "patient/*.rs", "p7", "")}
		s := New(Config{BaseURL: "http://valet.test", Store: db, Verifier: v})
		start := time.Now()
		n := benchPatients()
		total := 0
		for i := 1; i <= n; i++ {
			rec := patientRecord(i)
			total += len(rec)
			if err := s.Ingest(context.Background(), rec); err != nil {
				bench.err = err
				return
			}
		}
		if err := db.Checkpoint(context.Background()); err != nil {
			bench.err = err
			return
		}
		fmt.Fprintf(os.Stderr, "loaded %d resources for %d patients in %v\n", total, n, time.Since(start).Round(time.Millisecond))
		mux := http.NewServeMux()
		s.Mount(mux)
		one := []byte(`{"resourceType":"Basic","id":"x","text":{"div":"` + strings.Repeat("x", 960) + `"}}`)
		mux.HandleFunc("GET /trivial", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/fhir+json")
			w.Write(one)
		})
		bench.s, bench.db, bench.srv = s, db, httptest.NewServer(mux)
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.s, bench.db, bench.srv
}

// TestMain removes the benchmark database, which benchEnv shares across benchmarks (so no b.TempDir):
// each run of the benchmarks left ~170 MB behind in the temporary directory.
func TestMain(m *testing.M) {
	code := m.Run()
	if bench.srv != nil {
		bench.srv.Close()
	}
	if bench.s != nil {
		bench.s.Close()
	}
	if bench.db != nil {
		bench.db.Close()
	}
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}

func get(b *testing.B, c *http.Client, url, bearer string) { send(b, c, "GET", url, bearer, nil) }

// send makes one request (a FHIR JSON body when body is not nil) and fails b unless it answers 200.
func send(b *testing.B, c *http.Client, method, url, bearer string, body []byte, hdr ...string) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, _ := http.NewRequest(method, url, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Fatalf("%s %s: %d", method, url, resp.StatusCode)
	}
}

// runHTTP measures requests/s at concurrency 1 and 16; path gets the iteration number.
func runHTTP(b *testing.B, bearer string, path func(i int64) string) {
	_, _, srv := benchEnv(b)
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	c := &http.Client{Transport: tr}
	for _, conc := range []int{1, 16} {
		b.Run(fmt.Sprintf("c%d", conc), func(b *testing.B) {
			var n atomic.Int64
			b.SetParallelism((conc + 1) / 2) // GOMAXPROCS is 2 on the reference machine
			cpu0 := cpuTime()
			if conc == 1 {
				for i := 0; i < b.N; i++ {
					get(b, c, srv.URL+path(int64(i)), bearer)
				}
			} else {
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						get(b, c, srv.URL+path(n.Add(1)), bearer)
					}
				})
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}

// cpuTime is the CPU time this process (client and server both) has used: per request, it is steadier
// than requests/s when other work shares the machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkTrivial1KB(b *testing.B) { runHTTP(b, "", func(int64) string { return "/trivial" }) }

func BenchmarkReadByID(b *testing.B) {
	n := int64(benchPatients())
	runHTTP(b, "admin", func(i int64) string { return fmt.Sprintf("/fhir/Observation/p%d-v%d", 1+i%n, i%80) })
}

func BenchmarkSearchPatientCategory(b *testing.B) {
	n := int64(benchPatients())
	runHTTP(b, "admin", func(i int64) string {
		return fmt.Sprintf("/fhir/Observation?patient=p%d&category=laboratory", 1+i%n)
	})
}

func BenchmarkEverything(b *testing.B) {
	n := int64(benchPatients())
	runHTTP(b, "admin", func(i int64) string { return fmt.Sprintf("/fhir/Patient/p%d/$everything", 1+i%n) })
}

func BenchmarkStorePrimaryKeyRead(b *testing.B) {
	_, db, _ := benchEnv(b)
	n := benchPatients()
	ctx := context.Background()
	b.Run("c1", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := db.ReadResource(ctx, "Observation", fmt.Sprintf("p%d-v%d", 1+i%n, i%80)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
	})
}

// patientBundle is patientRecord(i) as a transaction Bundle of PUTs, the way a test harness loads data.
func patientBundle(i int) []byte {
	var entries []any
	for _, r := range patientRecord(i) {
		entries = append(entries, map[string]any{"resource": json.RawMessage(r.JSON),
			"request": map[string]any{"method": "PUT", "url": r.Type + "/" + r.ID}})
	}
	body, _ := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": entries})
	return body
}

// syntheaBundle is patientRecord(i) shaped like a Synthea patient Bundle: every entry POSTed with a
// urn:uuid fullUrl that the record's references use, and the shared Practitioner and Medication named
// by conditional references (Practitioner?identifier=…), which the server resolves against what is
// stored. syntheaShared stores those two first.
func syntheaBundle(i int) []byte {
	var rec []Resource
	for _, r := range patientRecord(i) {
		if r.Type != "Practitioner" && r.Type != "Medication" { // stored once, by syntheaShared
			rec = append(rec, r)
		}
	}
	urn := map[string]string{}
	for k, r := range rec {
		urn[r.Type+"/"+r.ID] = fmt.Sprintf("urn:uuid:%08x-0000-4000-8000-%012x", i, k)
	}
	shared := strings.NewReplacer(`"reference":"Practitioner/dr1"`, `"reference":"Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|1234567893"`,
		`"reference":"Medication/med1"`, `"reference":"Medication?code=http://www.nlm.nih.gov/research/umls/rxnorm|860975"`)
	var entries []any
	for _, r := range rec {
		var m map[string]any
		json.Unmarshal([]byte(shared.Replace(string(r.JSON))), &m)
		delete(m, "id")
		b, _ := json.Marshal(m)
		body := string(b)
		for ref, u := range urn {
			body = strings.ReplaceAll(body, `"reference":"`+ref+`"`, `"reference":"`+u+`"`)
		}
		entries = append(entries, map[string]any{"fullUrl": urn[r.Type+"/"+r.ID], "resource": json.RawMessage(body),
			"request": map[string]any{"method": "POST", "url": r.Type}})
	}
	out, _ := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": entries})
	return out
}

func syntheaShared(b *testing.B, s *Service) {
	var shared []Resource
	for _, r := range patientRecord(1) {
		if r.Type == "Practitioner" || r.Type == "Medication" {
			shared = append(shared, r)
		}
	}
	if err := s.Ingest(context.Background(), shared); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkTransactionBundle is ingest the way apps and `valet import` do it: one transaction Bundle
// of a patient's ~100 resources per request, POSTed over loopback HTTP with a token, into a new database.
func BenchmarkTransactionBundle(b *testing.B) {
	// The default answer carries every stored resource back; a loader asks for return=minimal. "synthea"
	// is minimal with Synthea's shape of Bundle (syntheaBundle) instead of PUTs with client ids.
	for _, prefer := range []string{"representation", "minimal", "synthea"} {
		for _, conc := range []int{1, 16} {
			b.Run(fmt.Sprintf("%s/c%d", prefer, conc), func(b *testing.B) {
				s := emptyService(b, mapVerifier{"admin": access(b, "system/*.cruds", "", "")})
				bundle, ret := patientBundle, prefer
				if prefer == "synthea" {
					syntheaShared(b, s)
					bundle, ret = syntheaBundle, "minimal"
				}
				mux := http.NewServeMux()
				s.Mount(mux)
				srv := httptest.NewServer(mux)
				defer srv.Close()
				c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
				bodies := make([][]byte, b.N+1)
				for i := range bodies {
					bodies[i] = bundle(i + 1)
				}
				var next, total atomic.Int64
				per := int64(len(patientRecord(1)))
				work := func() {
					send(b, c, "POST", srv.URL+"/fhir", "admin", bodies[next.Add(1)-1], "Prefer", "return="+ret)
					total.Add(per)
				}
				cpu0 := cpuTime()
				groups := groupStats(s)
				b.ResetTimer()
				concurrently(b, conc, work)
				b.ReportMetric(float64(total.Load())/b.Elapsed().Seconds(), "resources/s")
				b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(total.Load()), "cpu-µs/resource")
				groups(b)
			})
		}
	}
}

// groupStats starts counting the store's writes; the function it returns reports how many write
// transactions each commit carried on average (store group commit) and the share of the time the single
// writer was busy (near 100 %: the writer is what limits).
func groupStats(s *Service) func(b *testing.B) {
	db := s.cfg.Store.(*store.DB)
	w0 := db.WriteStats()
	return func(b *testing.B) {
		w := db.WriteStats()
		if w.Commits > w0.Commits {
			b.ReportMetric(float64(w.Calls-w0.Calls)/float64(w.Commits-w0.Commits), "tx/commit")
			b.ReportMetric(100*float64(w.Busy-w0.Busy)/float64(b.Elapsed()), "writer-busy-%")
		}
	}
}

// emptyService is a FHIR service on a new on-disk database, for the ingest benchmarks.
func emptyService(b *testing.B, v token.Verifier) *Service {
	db, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "ingest.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	s := New(Config{BaseURL: "http://valet.test", Store: db, Verifier: v})
	b.Cleanup(func() { s.Close(); db.Close() })
	return s
}

// concurrently calls work b.N times, from one goroutine when conc is 1, else from conc goroutines.
func concurrently(b *testing.B, conc int, work func()) {
	if conc == 1 {
		for i := 0; i < b.N; i++ {
			work()
		}
		return
	}
	b.SetParallelism(conc / 2) // GOMAXPROCS is 2 on the reference machine
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			work()
		}
	})
}

// BenchmarkStoreWriter is the single SQLite writer alone: batches of a patient's ~100 resources, decoded,
// validated and indexed before the timer, stored one transaction each. Every ingest path (transaction
// Bundles, Ingest, the generator's loader) is bounded by this figure; cpu-µs/resource is the writer's
// own CPU (nothing else runs), steadier than resources/s on a shared machine.
func BenchmarkStoreWriter(b *testing.B) {
	s := emptyService(b, nil)
	batches := make([]*preparedBatch, b.N)
	for i := range batches {
		p, err := s.prepareBatch(patientRecord(i+1), true)
		if err != nil {
			b.Fatal(err)
		}
		batches[i] = p
	}
	total := 0
	runtime.GC()
	cpu0 := cpuTime()
	b.ResetTimer()
	for _, p := range batches {
		err := s.cfg.Store.Tx(context.Background(), func(tx *store.Tx) error {
			return s.storeBatches(context.Background(), tx, []*preparedBatch{p})
		})
		if err != nil {
			b.Fatal(err)
		}
		total += len(p.items)
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "resources/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(total), "cpu-µs/resource")
}

func BenchmarkIngest(b *testing.B) {
	for _, conc := range []int{1, 16} {
		b.Run(fmt.Sprintf("c%d", conc), func(b *testing.B) {
			s := emptyService(b, nil)
			var next atomic.Int64
			var total atomic.Int64
			recs := make([][]Resource, b.N+1)
			for i := range recs {
				recs[i] = patientRecord(i + 1)
			}
			work := func() {
				rec := recs[next.Add(1)-1]
				if err := s.Ingest(context.Background(), rec); err != nil {
					b.Fatal(err)
				}
				total.Add(int64(len(rec)))
			}
			groups := groupStats(s)
			b.ResetTimer()
			concurrently(b, conc, work)
			b.ReportMetric(float64(total.Load())/b.Elapsed().Seconds(), "resources/s")
			groups(b)
		})
	}
}

// BenchmarkPrepareGenerated is the loader's preparing stage on the generator's records (trusted: no
// validation): decode, stamp, splice and extract index rows, on the goroutines beside the single writer.
// It runs in parallel with the writer, so its CPU is what the writer's core shares with generation.
//
//	go test ./server/fhir -run '^$' -bench PrepareGenerated -benchmem
func BenchmarkPrepareGenerated(b *testing.B) {
	s := emptyService(b, nil)
	var rs []Resource
	err := synth.Generate(context.Background(), synth.Options{Patients: 20, Seed: 1}, func(batch []synth.Resource) error {
		for _, r := range batch {
			rs = append(rs, Resource{Type: r.Type, ID: r.ID, JSON: r.JSON})
		}
		return nil
	}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.prepareBatch(rs, false); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(rs)), "ns/resource")
}

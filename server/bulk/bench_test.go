package bulk_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server"
	"github.com/valet-sandbox/valet/server/bulk"
	"github.com/valet-sandbox/valet/server/fhir"
	"github.com/valet-sandbox/valet/server/population"
	"github.com/valet-sandbox/valet/server/store"
)

// BenchmarkExport runs $export through the HTTP protocol (kick-off, polls every 20 ms, manifest): at
// system level, of every resource, and at Group level, of a Group of every patient (the compartments
// read through the compartment table), and reports resources/s, MB/s of NDJSON written, and the peak heap and
// resident set sampled while it runs. It exports a 1,000-patient sandbox it generates, or the database
// VALET_BENCH_DB names (a copy: opening it applies Valet's migrations), e.g. 10,000 patients:
//
//	go test -run '^$' -bench Export -benchtime 1x ./server/bulk/
//	valet generate --patients 10000 --data /tmp/valet10k && \
//	  VALET_BENCH_DB=/tmp/valet10k/valet.db go test -run '^$' -bench Export -benchtime 1x ./server/bulk/
func BenchmarkExport(b *testing.B) {
	ctx := context.Background()
	path := os.Getenv("VALET_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "valet.db")
	}
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if os.Getenv("VALET_BENCH_DB") == "" {
		srv, err := server.New(server.Config{BaseURL: "http://127.0.0.1:1", Store: db})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := srv.Population().Generate(ctx, population.GenerateRequest{Patients: 1000, Seed: 42}, nil); err != nil {
			b.Fatal(err)
		}
		srv.Close()
	}
	f := fhir.New(fhir.Config{BaseURL: "http://127.0.0.1:1", Store: db, Verifier: clients{}})
	defer f.Close()
	dir := b.TempDir()
	e, err := bulk.New(ctx, bulk.Config{Store: db, FHIR: f, Dir: dir})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	mux := http.NewServeMux()
	e.Mount(mux)
	ts := httptest.NewServer(mux)
	defer ts.Close()
	// A Group of every patient, as the generator's all-patients Group.
	g := map[string]any{"resourceType": "Group", "id": "bench-all", "type": "person", "actual": true}
	var members []any
	if err := db.EachResource(ctx, []string{"Patient"}, func(r store.Resource) error {
		members = append(members, map[string]any{"entity": map[string]string{"reference": "Patient/" + r.ID}})
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	g["member"] = members
	gj, _ := json.Marshal(g)
	if err := f.Ingest(ctx, []fhir.Resource{{Type: "Group", ID: "bench-all", JSON: gj}}); err != nil {
		b.Fatal(err)
	}
	for _, level := range []struct{ name, path string }{{"system", "/fhir/$export"}, {"group-all", "/fhir/Group/bench-all/$export"}} {
		b.Run(level.name, func(b *testing.B) { benchExport(b, e, ts.URL+level.path, dir) })
	}
}

func benchExport(b *testing.B, e *bulk.Exporter, kickOff, dir string) {
	ctx := context.Background()
	ts := struct{ URL string }{kickOff[:strings.Index(kickOff, "/fhir/")]}
	for range b.N {
		runtime.GC()
		var ms runtime.MemStats
		var peakHeap, peakRSS uint64
		t0 := time.Now()
		resp, body := call(b, "GET", kickOff, "bench")
		if resp.StatusCode != 202 {
			b.Fatalf("kick-off: %d %s", resp.StatusCode, body)
		}
		job := statusPath(e, resp.Header.Get("Content-Location"))
		var m struct{ Output []struct{ Count int } }
		for {
			runtime.ReadMemStats(&ms)
			peakHeap, peakRSS = max(peakHeap, ms.HeapAlloc), max(peakRSS, rss())
			resp, body := call(b, "GET", ts.URL+"/bulk/status/"+job, "bench")
			if resp.StatusCode == 200 {
				if err := json.Unmarshal([]byte(body), &m); err != nil {
					b.Fatal(err)
				}
				break
			}
			if resp.StatusCode != 202 {
				b.Fatalf("status: %d %s", resp.StatusCode, body)
			}
			time.Sleep(20 * time.Millisecond)
		}
		secs := time.Since(t0).Seconds()
		n := 0
		for _, o := range m.Output {
			n += o.Count
		}
		var bytes int64
		entries, _ := os.ReadDir(filepath.Join(dir, job))
		for _, en := range entries {
			if fi, err := en.Info(); err == nil {
				bytes += fi.Size()
			}
		}
		b.ReportMetric(float64(n), "resources")
		b.ReportMetric(float64(n)/secs, "resources/s")
		b.ReportMetric(float64(bytes)/secs/(1<<20), "MB/s")
		b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(peakRSS)/(1<<20), "peak-RSS-MB")
		if err := e.Delete(ctx, job); err != nil {
			b.Fatal(err)
		}
	}
}

// rss is the process's resident set size (Linux), 0 elsewhere.
func rss() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

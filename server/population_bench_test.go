package server

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/valet-sandbox/valet/server/control"
	"github.com/valet-sandbox/valet/server/store"
)

// BenchmarkGenerateAndStore1000 measures the whole path `valet generate` takes: generate 1,000 patients and
// store them with their search indexes in an on-disk database, one patient record per transaction.
//
//	go test -run '^$' -bench GenerateAndStore1000 -benchtime 1x ./server/
func BenchmarkGenerateAndStore1000(b *testing.B) {
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		db, err := store.Open(ctx, filepath.Join(b.TempDir(), "valet.db"), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		srv, err := New(Config{BaseURL: "http://127.0.0.1:1", Store: db})
		if err != nil {
			b.Fatal(err)
		}
		var peak uint64
		var ms runtime.MemStats
		b.StartTimer()
		res, err := srv.Population().Generate(ctx, control.GenerateRequest{Patients: 1000, Seed: 42}, func(p control.Progress) {
			if p.Done%100 == 0 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
		})
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Patients)/res.Seconds, "patients/s")
		b.ReportMetric(float64(res.Resources)/res.Seconds, "resources/s")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		srv.Close()
		db.Close()
	}
}

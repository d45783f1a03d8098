package server

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/valet-sandbox/valet/server/population"
	"github.com/valet-sandbox/valet/server/store"
)

// BenchmarkGenerateAndStore1000 measures the whole path `valet generate` takes into a new sandbox:
// generate 1,000 patients and store them with their search indexes in an on-disk database (the value
// indexes built at the end, the WAL checkpointed), reporting the peak heap sampled every 100 patients.
//
//	go test -run '^$' -bench GenerateAndStore1000 -benchtime 1x ./server/
func BenchmarkGenerateAndStore1000(b *testing.B) { benchGenerateAndStore(b, 1000) }

// BenchmarkGenerateAndStoreScaling is the same at other sizes, to show the peak heap does not grow with
// the number of patients (the population is streamed, never held).
//
//	go test -run '^$' -bench GenerateAndStoreScaling -benchtime 1x ./server/
func BenchmarkGenerateAndStoreScaling(b *testing.B) {
	for _, n := range []int{250, 500, 2000} {
		b.Run(fmt.Sprintf("patients=%d", n), func(b *testing.B) { benchGenerateAndStore(b, n) })
	}
}

func benchGenerateAndStore(b *testing.B, patients int) {
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
		w0 := db.WriteStats()
		b.StartTimer()
		res, err := srv.Population().Generate(ctx, population.GenerateRequest{Patients: patients, Seed: 42}, func(p population.Progress) {
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
		// Near 100 %: the single writer is what limits (the index build at the end included).
		b.ReportMetric(100*(db.WriteStats().Busy-w0.Busy).Seconds()/res.Seconds, "writer-busy-%")
		srv.Close()
		db.Close()
	}
}

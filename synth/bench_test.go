package synth

import (
	"context"
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkGenerate1000 measures generation alone (JSON bytes built, nothing stored) for 1,000 patients.
//
//	go test ./synth -run '^$' -bench Generate1000 -benchtime 3x
func BenchmarkGenerate1000(b *testing.B) {
	benchmarkGenerate(b, 1000)
}

func benchmarkGenerate(b *testing.B, n int) {
	opt := Options{Patients: n, Seed: 1}
	resources, bytes, pool := 0, 0, 0
	b.ReportAllocs()
	for b.Loop() {
		resources, bytes, pool = 0, 0, 0
		err := Generate(context.Background(), opt, func(batch []Resource) error {
			if pool == 0 {
				pool = len(batch)
			}
			resources += len(batch)
			for _, r := range batch {
				bytes += len(r.JSON)
			}
			return nil
		}, nil)
		if err != nil {
			b.Fatal(err)
		}
	}
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(n)/sec, "patients/s")
	b.ReportMetric(float64(resources)/sec, "resources/s")
	b.ReportMetric(float64(resources-pool)/float64(n), "resources/patient")
	b.ReportMetric(float64(bytes)/float64(resources), "bytes/resource")
}

// BenchmarkPeakHeap reports the heap high-water mark while generating 100 and 1,000 patients: it stays
// flat because records are streamed (a window of 2 × workers records in flight), not held.
//
//	go test ./synth -run '^$' -bench PeakHeap -benchtime 1x
func BenchmarkPeakHeap(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("patients=%d", n), func(b *testing.B) {
			var peak uint64
			for b.Loop() {
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				base := ms.HeapAlloc
				peak = 0
				i := 0
				err := Generate(context.Background(), Options{Patients: n, Seed: 1}, func(batch []Resource) error {
					if i++; i%10 == 0 {
						runtime.ReadMemStats(&ms)
						peak = max(peak, ms.HeapAlloc-min(base, ms.HeapAlloc))
					}
					return nil
				}, nil)
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}

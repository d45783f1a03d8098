package fhir

import (
	"context"
	"testing"

	"github.com/valet-sandbox/valet/synth"
)

// benchSamples picks, from a generated patient, the Patient and the Observation closest to 2 KB
// (a lab result with referenceRange and interpretation, or a vital-sign panel with components).
func benchSamples(b *testing.B) map[string][]byte {
	out := map[string][]byte{}
	best := 0
	err := synth.Generate(context.Background(), synth.Options{Patients: 1, Seed: 3}, func(batch []synth.Resource) error {
		for _, r := range batch {
			switch {
			case r.Type == "Patient":
				out["Patient"] = r.JSON
			case r.Type == "Observation" && (best == 0 || abs(len(r.JSON)-2048) < abs(best-2048)):
				out["Observation"], best = r.JSON, len(r.JSON)
			}
		}
		return nil
	}, nil)
	if err != nil {
		b.Fatal(err)
	}
	return out
}

func abs(x int) int { return max(x, -x) }

// BenchmarkValidate measures the validator alone (decoding excluded), per resource.
func BenchmarkValidate(b *testing.B) {
	for typ, body := range benchSamples(b) {
		m, o := decode(body)
		if o != nil {
			b.Fatal(o)
		}
		b.Run(typ, func(b *testing.B) {
			b.ReportMetric(float64(len(body)), "bytes/resource")
			b.ReportAllocs()
			for b.Loop() {
				if o := validate(m, typ, false); o != nil {
					b.Fatal(o.Issues)
				}
			}
		})
	}
}

// BenchmarkDecodeValidate is decode + validate, what Ingest spends per resource before encoding.
func BenchmarkDecodeValidate(b *testing.B) {
	body := benchSamples(b)["Observation"]
	b.ReportAllocs()
	for b.Loop() {
		m, _ := decode(body)
		if o := validate(m, "Observation", false); o != nil {
			b.Fatal(o.Issues)
		}
	}
}

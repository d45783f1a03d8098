package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/synth"
	"github.com/valet-sandbox/valet/synth/fhirio"
)

// BenchmarkImportSyntheaDir is `valet import` of a directory shaped like Synthea's output: one
// transaction Bundle per patient (every entry POSTed under a urn:uuid fullUrl, the shared practitioners
// and organizations named by conditional references on their NPI) and a practitionerInformation file,
// sorted after the patients' files, that creates them. The records are the generator's, 200 patients.
//
//	go test -run '^$' -bench ImportSyntheaDir -benchtime 1x .
func BenchmarkImportSyntheaDir(b *testing.B) {
	in := b.TempDir()
	resources := writeSyntheaDir(b, in, 200)
	paths, err := fhirio.Paths(in)
	if err != nil {
		b.Fatal(err)
	}
	var busy, wall time.Duration
	var commits int64
	for range b.N {
		b.StopTimer()
		data := b.TempDir()
		o, err := openOffline(context.Background(), data)
		if err != nil {
			b.Fatal(err)
		}
		before, _ := o.db.CountByType(context.Background())
		w0 := o.db.WriteStats()
		b.StartTimer()
		t0 := time.Now()
		err = importPaths(context.Background(), o, paths, io.Discard, io.Discard)
		b.StopTimer()
		w := o.db.WriteStats()
		busy += w.Busy - w0.Busy
		wall += time.Since(t0)
		commits += w.Commits - w0.Commits
		if err != nil {
			b.Fatal(err)
		}
		after, _ := o.db.CountByType(context.Background())
		if got := sum(after) - sum(before); got != resources {
			b.Fatalf("stored %d resources, want %d", got, resources)
		}
		o.close()
		b.StartTimer()
	}
	b.ReportMetric(float64(resources*b.N)/b.Elapsed().Seconds(), "resources/s")
	b.ReportMetric(100*busy.Seconds()/wall.Seconds(), "writer-busy-%")
	b.ReportMetric(float64(commits)/float64(b.N), "commits")
}

func sum(m map[string]int) (n int) {
	for _, v := range m {
		n += v
	}
	return n
}

// writeSyntheaDir writes the generator's records for patients patients as Synthea lays them out, and
// returns how many resources the files hold.
func writeSyntheaDir(b *testing.B, dir string, patients int) int {
	cond := map[string]string{} // Type/id of a shared resource → its conditional reference
	total, files := 0, 0
	write := func(name string, entries []any) {
		body, err := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": entries})
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, name), body, 0o644)
		}
		if err != nil {
			b.Fatal(err)
		}
		total += len(entries)
	}
	emit := func(rs []synth.Resource) error {
		files++
		var entries []any
		if files == 1 { // the shared pool: created once, by NPI, as Synthea's practitionerInformation does
			for _, r := range rs {
				m := decodeMap(b, r.JSON)
				req := map[string]any{"method": "PUT", "url": r.Type + "/" + r.ID}
				if npi := npiOf(m); npi != "" {
					q := "identifier=http://hl7.org/fhir/sid/us-npi|" + npi
					cond[r.Type+"/"+r.ID] = r.Type + "?" + q
					delete(m, "id")
					req = map[string]any{"method": "POST", "url": r.Type, "ifNoneExist": q}
				}
				entries = append(entries, map[string]any{"resource": m, "request": req})
			}
			write("practitionerInformation1.json", entries)
			return nil
		}
		urn := map[string]string{}
		for k, r := range rs {
			urn[r.Type+"/"+r.ID] = fmt.Sprintf("urn:uuid:%08x-0000-4000-8000-%012x", files, k)
		}
		for _, r := range rs {
			m := decodeMap(b, r.JSON)
			delete(m, "id")
			rewrite(m, urn, cond)
			entries = append(entries, map[string]any{"fullUrl": urn[r.Type+"/"+r.ID], "resource": m,
				"request": map[string]any{"method": "POST", "url": r.Type}})
		}
		write(fmt.Sprintf("Patient%05d.json", files), entries)
		return nil
	}
	if err := synth.Generate(context.Background(), synth.Options{Patients: patients, Seed: 7}, emit, nil); err != nil {
		b.Fatal(err)
	}
	return total
}

func decodeMap(b *testing.B, raw []byte) map[string]any {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		b.Fatal(err)
	}
	return m
}

func npiOf(m map[string]any) string {
	ids, _ := m["identifier"].([]any)
	for _, x := range ids {
		id, _ := x.(map[string]any)
		if id["system"] == "http://hl7.org/fhir/sid/us-npi" {
			v, _ := id["value"].(string)
			return v
		}
	}
	return ""
}

// rewrite points v's references at the record's urn:uuids and the shared resources' conditional references.
func rewrite(v any, urn, cond map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, y := range x {
			if ref, ok := y.(string); ok && k == "reference" {
				if to, ok := urn[ref]; ok {
					x[k] = to
				} else if to, ok := cond[ref]; ok {
					x[k] = to
				}
				continue
			}
			rewrite(y, urn, cond)
		}
	case []any:
		for _, y := range x {
			rewrite(y, urn, cond)
		}
	}
}

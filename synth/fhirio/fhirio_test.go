package fhirio

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/valet-sandbox/valet/synth"
)

const dir = "../testdata/import/"

func TestReadSyntheaTransaction(t *testing.T) {
	f, err := ReadFile(dir + "synthea-transaction.json")
	if err != nil {
		t.Fatal(err)
	}
	if f.Format != FormatBundle || f.BundleType != "transaction" || len(f.Entries) != 4 {
		t.Fatalf("got %s %s with %d entries", f.Format, f.BundleType, len(f.Entries))
	}
	pt := f.Entries[0]
	if pt.FullURL != "urn:uuid:6f1c2b0e-3c55-4a43-9d1e-2c3f4a5b6c7d" || pt.ResourceType != "Patient" || pt.Method != "POST" || pt.Line != 5 {
		t.Errorf("patient entry %+v", pt)
	}
	// references are passed through untouched for the server's transaction processing
	enc := string(f.Entries[1].Resource)
	if !strings.Contains(enc, `"reference":"urn:uuid:6f1c2b0e-3c55-4a43-9d1e-2c3f4a5b6c7d"`) || !strings.Contains(enc, "Practitioner?identifier=") {
		t.Errorf("encounter resource changed: %s", enc)
	}
	if bytes.ContainsAny(f.Entries[1].Resource, "\n") {
		t.Error("resource not compacted")
	}
	if f.Entries[2].IfNoneExist == "" {
		t.Error("ifNoneExist lost")
	}
	if del := f.Entries[3]; del.Method != "DELETE" || del.Resource != nil {
		t.Errorf("delete entry %+v", del)
	}
}

func TestReadBatchCollectionNDJSONAndSingle(t *testing.T) {
	for _, c := range []struct {
		file, format, btype string
		n                   int
		method, url         string // Request() of the first entry
	}{
		{"batch.json", FormatBundle, "batch", 2, "PUT", "Patient/b1"},
		{"collection.json", FormatBundle, "collection", 2, "PUT", "Patient/c1"},
		{"resources.ndjson", FormatNDJSON, "", 3, "PUT", "Patient/n1"},
		{"single-resource.json", FormatResource, "", 1, "PUT", "Practitioner/pr-1"},
	} {
		f, err := ReadFile(dir + c.file)
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		if f.Format != c.format || f.BundleType != c.btype || len(f.Entries) != c.n {
			t.Errorf("%s: %s %s %d entries", c.file, f.Format, f.BundleType, len(f.Entries))
			continue
		}
		if m, u := f.Entries[0].Request(); m != c.method || u != c.url {
			t.Errorf("%s: first request %s %s", c.file, m, u)
		}
	}
	f, _ := ReadFile(dir + "collection.json")
	if m, u := f.Entries[1].Request(); m != "POST" || u != "Observation" {
		t.Errorf("resource without id: %s %s", m, u)
	}
	f, _ = ReadFile(dir + "resources.ndjson")
	if f.Entries[1].Line != 3 || f.Entries[2].Line != 4 {
		t.Errorf("ndjson lines %d %d", f.Entries[1].Line, f.Entries[2].Line)
	}
}

func TestInvalidInputsAreLocated(t *testing.T) {
	for _, c := range []struct {
		file  string
		line  int
		entry int
		path  string
	}{
		{"invalid-entry.json", 9, 1, "Bundle.entry[1].resource.name[0].given[0]"},
		{"invalid.ndjson", 2, -1, "resourceType"},
		{"truncated.json", 5, 0, ""},
	} {
		_, err := ReadFile(dir + c.file)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: error %v, want *Error", c.file, err)
			continue
		}
		if e.File != dir+c.file || e.Line != c.line || e.Entry != c.entry || e.Path != c.path {
			t.Errorf("%s: got %s (line %d, entry %d, path %q)", c.file, e, e.Line, e.Entry, e.Path)
		}
	}
}

func TestStructuralRules(t *testing.T) {
	for _, c := range []struct{ doc, path string }{
		{`{"resourceType":"Patinet"}`, "Patinet.resourceType"},
		{`{"resourceType":"Patient","id":"has space"}`, "Patient.id"},
		{`{"resourceType":"Patient","active":null}`, "Patient.active"},
		{`{"resourceType":"Patient","name":[]}`, "Patient.name"},
		{`{"resourceType":"Patient","name":[{}]}`, "Patient.name[0]"},
		{`[1,2]`, ""},
		{`{"resourceType":"Bundle","type":"history","entry":[]}`, "Bundle.type"},
		{`{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient"},"request":{"method":"FETCH","url":"Patient"}}]}`, "Bundle.entry[0].request.method"},
		{`{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient"}}]}`, "Bundle.entry[0].request.method"},
		{`{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:1","resource":{"resourceType":"Patient"}},{"fullUrl":"urn:uuid:1","resource":{"resourceType":"Patient"}}]}`, "Bundle.entry[1].fullUrl"},
		{`{"resourceType":"Bundle","type":"batch","entry":[{"request":{"method":"POST","url":"Patient"}}]}`, "Bundle.entry[0].resource"},
		{`{"resourceType":"Bundle","type":"batch","entry":[{"request":"POST"}]}`, "Bundle.entry[0].request"},
	} {
		_, err := Read("x.json", strings.NewReader(c.doc))
		var e *Error
		if !errors.As(err, &e) || e.Path != c.path {
			t.Errorf("%s: got %v, want path %q", c.doc, err, c.path)
		}
	}
	// primitive arrays may hold null placeholders matched by an _element array
	ok := `{"resourceType":"Patient","name":[{"given":["A",null],"_given":[null,{"extension":[{"url":"http://x","valueString":"y"}]}]}]}`
	if _, err := Read("x.json", strings.NewReader(ok)); err != nil {
		t.Errorf("placeholder nulls rejected: %v", err)
	}
}

func TestGzipAndPaths(t *testing.T) {
	tmp := t.TempDir()
	raw, _ := os.ReadFile(dir + "resources.ndjson")
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(raw)
	zw.Close()
	os.WriteFile(filepath.Join(tmp, "b.ndjson.gz"), buf.Bytes(), 0o644)
	os.WriteFile(filepath.Join(tmp, "a.json"), []byte(`{"resourceType":"Patient"}`), 0o644)
	os.WriteFile(filepath.Join(tmp, "notes.txt"), []byte("x"), 0o644)
	paths, err := Paths(tmp)
	if err != nil || len(paths) != 2 || !strings.HasSuffix(paths[0], "a.json") {
		t.Fatalf("paths %v %v", paths, err)
	}
	f, err := ReadFile(paths[1])
	if err != nil || len(f.Entries) != 3 {
		t.Fatalf("gzip ndjson: %v", err)
	}
}

// Export then import round-trips a generated population.
func TestExportImportRoundTrip(t *testing.T) {
	out := t.TempDir()
	w, err := NewNDJSONWriter(out)
	if err != nil {
		t.Fatal(err)
	}
	opt := synth.Options{Patients: 3, Seed: 2, OnlyPersonas: []string{"non-latin-name"}}
	emit := func(batch []synth.Resource) error {
		for _, r := range batch {
			if err := w.Write(r); err != nil {
				return err
			}
		}
		return nil
	}
	if err := synth.Generate(context.Background(), opt, emit, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	counts := w.Counts()
	files, err := filepath.Glob(filepath.Join(out, "*.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, p := range files {
		f, err := ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		typ := strings.TrimSuffix(filepath.Base(p), ".ndjson")
		if len(f.Entries) != counts[typ] {
			t.Errorf("%s: %d entries, wrote %d", typ, len(f.Entries), counts[typ])
		}
		for _, e := range f.Entries {
			if e.ResourceType != typ {
				t.Errorf("%s in %s", e.ResourceType, p)
			}
		}
		total += len(f.Entries)
	}
	if total == 0 || counts["Patient"] != 4 {
		t.Errorf("counts %v", counts)
	}
	if w.Write(synth.Resource{Type: "Patient"}) == nil {
		t.Error("write after Close accepted")
	}
}

// Write refuses a type that is not a FHIR resource type (it would name a path outside the directory) and
// writes each resource compacted on one line.
func TestNDJSONWriterRejectsBadTypesAndCompacts(t *testing.T) {
	out := t.TempDir()
	w, err := NewNDJSONWriter(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(synth.Resource{Type: "../etc", JSON: []byte("{}")}); err == nil {
		t.Error("path-like type accepted")
	}
	err = w.Write(synth.Resource{Type: "Patient", ID: "a", JSON: []byte("{\n\"resourceType\": \"Patient\"}")})
	if err = errors.Join(err, w.Close()); err != nil || w.Counts()["Patient"] != 1 {
		t.Fatalf("%v %v", w.Counts(), err)
	}
	b, _ := os.ReadFile(filepath.Join(out, "Patient.ndjson"))
	if string(b) != `{"resourceType":"Patient"}`+"\n" {
		t.Errorf("not compacted: %q", b)
	}
}

func FuzzRead(f *testing.F) {
	for _, name := range []string{"synthea-transaction.json", "batch.json", "collection.json", "invalid-entry.json", "truncated.json"} {
		b, _ := os.ReadFile(dir + name)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Read("fuzz.json", bytes.NewReader(b))
		var e *Error
		if err != nil && !errors.As(err, &e) {
			t.Fatalf("untyped error %v", err)
		}
		if err == nil {
			for _, en := range file.Entries {
				if en.Resource != nil && en.ResourceType == "" {
					t.Fatal("resource without type")
				}
			}
		}
	})
}

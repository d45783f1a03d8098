package fhirio

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/valet-sandbox/valet/synth"
)

// NDJSONWriter writes resources into one <Type>.ndjson file per resource type in a directory (the FHIR Bulk
// Data layout), one compact resource per line. It is not safe for concurrent use.
type NDJSONWriter struct {
	dir    string
	files  map[string]*typeFile
	counts map[string]int
	closed bool
}

type typeFile struct {
	f *os.File
	w *bufio.Writer
}

// NewNDJSONWriter creates dir if needed. Existing <Type>.ndjson files are replaced when first written.
func NewNDJSONWriter(dir string) (*NDJSONWriter, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return &NDJSONWriter{dir: dir, files: map[string]*typeFile{}, counts: map[string]int{}}, nil
}

// Write appends one resource to its type's file.
func (w *NDJSONWriter) Write(r synth.Resource) error {
	if w.closed {
		return errors.New("fhirio: write after Close")
	}
	if !resourceTypes[r.Type] {
		// also keeps the type from naming a path outside dir
		return fmt.Errorf("fhirio: %q is not a FHIR R4 resource type", r.Type)
	}
	tf, ok := w.files[r.Type]
	if !ok {
		f, err := os.Create(filepath.Join(w.dir, r.Type+".ndjson"))
		if err != nil {
			return err
		}
		tf = &typeFile{f: f, w: bufio.NewWriterSize(f, 1<<16)}
		w.files[r.Type] = tf
	}
	line := []byte(r.JSON)
	if bytes.ContainsAny(line, "\n\r") {
		var buf bytes.Buffer
		if err := json.Compact(&buf, line); err != nil {
			return fmt.Errorf("fhirio: %s/%s: %w", r.Type, r.ID, err)
		}
		line = buf.Bytes()
	}
	if _, err := tf.w.Write(line); err != nil {
		return err
	}
	if err := tf.w.WriteByte('\n'); err != nil {
		return err
	}
	w.counts[r.Type]++
	return nil
}

// Counts returns how many resources of each type were written.
func (w *NDJSONWriter) Counts() map[string]int {
	out := make(map[string]int, len(w.counts))
	for k, v := range w.counts {
		out[k] = v
	}
	return out
}

// Close flushes and closes every file.
func (w *NDJSONWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	var errs []error
	for _, tf := range w.files {
		errs = append(errs, tf.w.Flush(), tf.f.Close())
	}
	return errors.Join(errs...)
}

package server

import (
	"context"
	"os"
	"path/filepath"

	"github.com/valet-sandbox/valet/server/bulk"
	"github.com/valet-sandbox/valet/server/store"
)

// ExportsDir is where Bulk Data export files live for the database at path: exports/ beside it in the
// data directory, one directory per job.
func ExportsDir(path string) string { return filepath.Join(filepath.Dir(path), "exports") }

// newExporter builds the Bulk Data exporter; an in-memory sandbox keeps its files in a temporary
// directory, removed on Close.
func (s *Server) newExporter() error {
	dir := ExportsDir(s.cfg.Store.Path())
	if s.cfg.Store.Path() == store.Memory {
		tmp, err := os.MkdirTemp("", "valet-exports-")
		if err != nil {
			return err
		}
		dir, s.tmpExports = tmp, tmp
	}
	e, err := bulk.New(context.Background(), bulk.Config{Store: s.cfg.Store, FHIR: s.fhir, Dir: dir, Now: s.cfg.Now})
	if err != nil {
		return err
	}
	s.bulk = e
	return nil
}

// Exporter is the Bulk Data exporter (tests sweep it themselves).
func (s *Server) Exporter() *bulk.Exporter { return s.bulk }

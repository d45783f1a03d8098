package load

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/valet-sandbox/valet/server/fhir"
	"github.com/valet-sandbox/valet/server/store"
)

// newTestPopulation is a Population on a fresh on-disk sandbox, wired as the server wires it.
func newTestPopulation(t *testing.T) (*Population, *store.DB) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "valet.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc := fhir.New(fhir.Config{BaseURL: "http://127.0.0.1:1", Version: "test", Store: db})
	t.Cleanup(func() { svc.Close(); db.Close() })
	return &Population{FHIR: svc, Store: db}, db
}

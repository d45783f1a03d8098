package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server/store"
)

// A batch of any size is written whole and in order (as a few INSERTs of prepared row counts), and
// TakeAudit hands the records back oldest first with every field.
func TestAppendAuditKeepsOrderAndFields(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "valet.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Date(2026, 3, 4, 5, 6, 7, 8000, time.UTC)
	var want []store.AuditRecord
	for _, size := range []int{1, 3, 85, 341, 256, 0} {
		batch := make([]store.AuditRecord, size)
		for i := range batch {
			k := len(want) + i
			batch[i] = store.AuditRecord{ID: fmt.Sprint("a", k), Recorded: at.Add(time.Duration(k) * time.Microsecond),
				Interaction: "read", Status: 200 + k%3, Authenticated: k%2 == 0, Client: "app", FHIRUser: "Practitioner/d",
				Subject: "u", Entity: fmt.Sprint("Patient/p", k), Request: fmt.Sprint("GET /fhir/Patient/p", k), Patient: fmt.Sprint("p", k)}
		}
		if err := db.AppendAudit(ctx, batch); err != nil {
			t.Fatalf("batch of %d: %v", size, err)
		}
		want = append(want, batch...)
	}
	var got []store.AuditRecord
	err = db.Tx(ctx, func(tx *store.Tx) error {
		var err error
		got, err = tx.TakeAudit(ctx, 10000)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("took %d records, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("record %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

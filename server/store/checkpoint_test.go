package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server/store"
)

// Commits reach the main database file without the writer checkpointing: the background checkpointer
// copies the WAL over shortly after a write, far below the writer's own threshold (~80 MB of WAL).
func TestCheckpointerCopiesTheWALIntoTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "valet.db")
	db, err := store.Open(context.Background(), path, store.Options{CheckpointEvery: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	size := func() int64 {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return st.Size()
	}
	// Let the migrations' own checkpoint happen first, so the file's growth below is the data's.
	time.Sleep(100 * time.Millisecond)
	before := size()
	body := `{"resourceType":"Basic","text":"` + strings.Repeat("x", 4000) + `"}`
	err = db.Tx(context.Background(), func(tx *store.Tx) error {
		for i := range 200 {
			r := store.Resource{Type: "Basic", ID: fmt.Sprintf("b%d", i), Version: 1, LastUpdated: time.Now(), JSON: []byte(body)}
			if _, err := tx.Put(context.Background(), r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := before + 200*4000
	for deadline := time.Now().Add(10 * time.Second); size() < want; {
		if time.Now().After(deadline) {
			t.Fatalf("database file is %d bytes 10 s after the commit, want ≥ %d: the WAL was not checkpointed", size(), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Reads still see everything (from the file now).
	got, err := db.ReadResource(context.Background(), "Basic", "b199")
	if err != nil || got.Version != 1 {
		t.Fatalf("read after checkpoint: %+v, %v", got, err)
	}
}

package store

import (
	"context"
	"errors"
	"testing"
)

func TestCompactShrinksAnOldDatabaseAndTurnsOnIncrementalVacuum(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/valet.db"
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// A database from before auto_vacuum: full VACUUM with it off.
	for _, q := range []string{`PRAGMA auto_vacuum = NONE`, `VACUUM`} {
		if _, err := db.w.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	pad := make([]byte, 4000)
	for i := range 30 {
		evs := make([]Event, 100)
		for j := range evs {
			evs[j] = Event{At: db.now(), Kind: "k", FlowID: "f", JSON: pad}
		}
		if i == 29 {
			evs[0].Kind = "kept"
		}
		if _, err := db.AppendEvents(ctx, evs); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.r.Exec(`SELECT 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.w.Exec(`DELETE FROM events WHERE kind = 'k'`); err != nil {
		t.Fatal(err)
	}
	// While Valet has it open, compaction is refused and changes nothing.
	if _, _, err := Compact(ctx, path, nil); !errors.Is(err, ErrInUse) {
		t.Fatalf("compacting an open database: %v, want ErrInUse", err)
	}
	if n, err := db.CountEvents(ctx); err != nil || n != 1 {
		t.Fatalf("after the refused compaction: %d events, %v", n, err)
	}
	db.Close()
	var calls int
	before, after, err := Compact(ctx, path, func(done, total int64) {
		calls++
		if done > total || total <= 0 {
			t.Errorf("progress %d of %d", done, total)
		}
	})
	if err != nil || after >= before/2 || calls == 0 {
		t.Fatalf("Compact = %d → %d bytes, %v (%d progress calls); want it at least halved", before, after, err, calls)
	}
	db, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode int
	if err := db.r.QueryRow(`PRAGMA auto_vacuum`).Scan(&mode); err != nil || mode != 2 {
		t.Errorf("auto_vacuum after compaction = %d, %v; want 2 (incremental)", mode, err)
	}
	evs, err := db.ListEvents(ctx, EventFilter{Limit: 10})
	if err != nil || len(evs) != 1 || evs[0].Kind != "kept" {
		t.Errorf("events after compaction: %+v, %v", evs, err)
	}
}

package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// queueBehind holds the writer with a transaction of its own until release is called, which waits for
// n calls of DB.Tx to queue behind it: they then run as one group.
func queueBehind(t *testing.T, db *DB) (start func(fn func()), release func(n int)) {
	t.Helper()
	hold := make(chan struct{})
	held := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = db.Tx(context.Background(), func(*Tx) error { close(held); <-hold; return nil })
	}()
	<-held
	start = func(fn func()) {
		wg.Add(1)
		go func() { defer wg.Done(); fn() }()
	}
	release = func(n int) {
		t.Helper()
		// The holder lets go even when waitQueued fails the test, so the queue drains and the
		// database closes instead of the test binary hanging until its timeout.
		defer func() { close(hold); wg.Wait() }()
		waitQueued(t, db, n)
	}
	return start, release
}

func waitQueued(t *testing.T, db *DB, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		db.wq.mu.Lock()
		queued := len(db.wq.pending)
		db.wq.mu.Unlock()
		if queued == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d transactions queued", queued, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func putSetting(ctx context.Context, tx *Tx, key string) error {
	_, err := tx.SQL().ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, 'v')`, key)
	return err
}

func settingExists(t *testing.T, db *DB, key string) bool {
	t.Helper()
	_, err := db.Setting(context.Background(), key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// openDiskDB opens a new database file, closed when the test ends.
func openDiskDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "valet.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Transactions that queued together commit together, and each keeps its own outcome: a failing one
// leaves none of its writes, a panicking one panics in its own caller, the others commit.
func TestGroupCommitKeepsEachTransactionsOutcome(t *testing.T) {
	ctx := context.Background()
	db := openDiskDB(t)
	w0 := db.WriteStats()
	start, release := queueBehind(t, db)
	errs := make([]error, 6)
	panics := make([]any, 6)
	for i := range 6 {
		start(func() {
			defer func() { panics[i] = recover() }()
			errs[i] = db.Tx(ctx, func(tx *Tx) error {
				if err := putSetting(ctx, tx, fmt.Sprintf("k%d", i)); err != nil {
					return err
				}
				switch i {
				case 2:
					return errors.New("the caller's own failure")
				case 3:
					return putSetting(ctx, tx, "k3") // a constraint violation, after a write of its own
				case 4:
					panic("boom")
				}
				return nil
			})
		})
	}
	release(6)
	for i, want := range []bool{true, true, false, false, false, true} {
		if got := settingExists(t, db, fmt.Sprintf("k%d", i)); got != want {
			t.Errorf("k%d stored: %v, want %v", i, got, want)
		}
		if (errs[i] == nil) != want && i != 4 {
			t.Errorf("transaction %d: err %v", i, errs[i])
		}
	}
	if errs[2] == nil || errs[2].Error() != "the caller's own failure" {
		t.Errorf("the failing transaction got %v, want its own error", errs[2])
	}
	if !strings.Contains(fmt.Sprint(errs[3]), "UNIQUE") {
		t.Errorf("the conflicting transaction got %v, want its constraint error", errs[3])
	}
	if p, _ := panics[4].(string); !strings.HasPrefix(p, "boom") || !strings.Contains(p, "group_test.go") {
		t.Errorf("panic in the caller: %q, want boom with the stack where it happened", p)
	}
	w := db.WriteStats()
	if w.Commits-w0.Commits != 2 || w.Calls-w0.Calls != 4 {
		t.Errorf("%d commits for %d transactions, want 2 for 4 (the holder, then the group of 3 that succeeded)",
			w.Commits-w0.Commits, w.Calls-w0.Calls)
	}
}

// A caller that gives up while its statement runs stops only itself: SQLite rolls back a whole
// transaction when a write is interrupted, so the writer's connection is never interrupted, and the
// others of the group commit.
func TestGroupCommitSurvivesACancelledCaller(t *testing.T) {
	ctx := context.Background()
	db := openDiskDB(t)
	start, release := queueBehind(t, db)
	errs := make([]error, 3)
	for i := range 3 {
		start(func() {
			c := ctx
			cancel := context.CancelFunc(func() {})
			if i == 1 {
				c, cancel = context.WithCancel(ctx)
			}
			defer cancel()
			errs[i] = db.Tx(c, func(tx *Tx) error {
				if i == 1 { // a write that runs for a while: ~10^6 rows counted before one insert
					// Cancelled once it runs, not while it queues: a timer started before the
					// queue released could fire first on a loaded machine, and the caller would
					// leave the queue instead of being cancelled mid-statement.
					go func() { time.Sleep(20 * time.Millisecond); cancel() }()
					_, err := tx.SQL().ExecContext(c, `INSERT INTO settings (key, value)
						WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
						SELECT 'slow', COUNT(*) FROM n`)
					return err
				}
				return putSetting(c, tx, fmt.Sprintf("k%d", i))
			})
		})
	}
	release(3)
	for _, i := range []int{0, 2} {
		if errs[i] != nil || !settingExists(t, db, fmt.Sprintf("k%d", i)) {
			t.Errorf("transaction %d of the group: err %v, stored %v", i, errs[i], settingExists(t, db, fmt.Sprintf("k%d", i)))
		}
	}
}

// A caller whose context ends while it waits leaves the queue; its function never runs.
func TestTxCancelledWhileQueuedNeverRuns(t *testing.T) {
	db := openDiskDB(t)
	start, release := queueBehind(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	ran := false
	var err error
	done := make(chan struct{})
	start(func() {
		defer close(done)
		err = db.Tx(ctx, func(*Tx) error { ran = true; return nil })
	})
	waitQueued(t, db, 1)
	cancel()
	<-done
	release(0)
	if !errors.Is(err, context.Canceled) || ran {
		t.Errorf("err %v, ran %v; want context.Canceled and never run", err, ran)
	}
}

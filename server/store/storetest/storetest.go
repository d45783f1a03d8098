// Package storetest is the conformance suite every store implementation passes. It lives apart from the
// implementation so that a second backend (or a wrapper such as a cache) can run the same expectations.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server/store"
)

// Run runs the suite; open returns a fresh, empty store for each subtest.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("ResourceLifecycle", func(t *testing.T) { testLifecycle(t, open(t)) })
	t.Run("VersionConflict", func(t *testing.T) { testVersionConflict(t, open(t)) })
	t.Run("RollbackLeavesNoTrace", func(t *testing.T) { testRollback(t, open(t)) })
	t.Run("ConcurrentWriters", func(t *testing.T) { testConcurrentWriters(t, open(t)) })
	t.Run("Settings", func(t *testing.T) { testSettings(t, open(t)) })
	t.Run("Search", func(t *testing.T) { testSearch(t, open(t)) })
	t.Run("PatientToken", func(t *testing.T) { testPatientToken(t, open(t)) })
	runAuth(t, open)
}

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)

func put(ctx context.Context, s store.Store, r store.Resource) (store.Resource, error) {
	var out store.Resource
	err := s.Tx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Put(ctx, r)
		return err
	})
	return out, err
}

func testLifecycle(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, err := s.ReadResource(ctx, "Patient", "p1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("read of missing resource: got %v, want ErrNotFound", err)
	}
	v1, err := put(ctx, s, store.Resource{Type: "Patient", ID: "p1", Version: 1, LastUpdated: t0, JSON: []byte(`{"v":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	if v1.RowID == 0 {
		t.Error("Put did not set RowID")
	}
	if _, err := put(ctx, s, store.Resource{Type: "Patient", ID: "p1", Version: 2, LastUpdated: t0.Add(time.Second), JSON: []byte(`{"v":2}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := put(ctx, s, store.Resource{Type: "Patient", ID: "p1", Version: 3, LastUpdated: t0.Add(2 * time.Second), Deleted: true, JSON: []byte(`{"v":3}`)}); err != nil {
		t.Fatal(err)
	}
	cur, err := s.ReadResource(ctx, "Patient", "p1")
	if err != nil {
		t.Fatal(err)
	}
	if cur.Version != 3 || !cur.Deleted || cur.RowID != v1.RowID {
		t.Errorf("current = v%d deleted=%v rid=%d, want v3 deleted rid %d", cur.Version, cur.Deleted, cur.RowID, v1.RowID)
	}
	if cur.Type != "Patient" || cur.ID != "p1" || string(cur.JSON) != `{"v":3}` || !cur.LastUpdated.Equal(t0.Add(2*time.Second)) {
		t.Errorf("current = %s/%s %s at %v", cur.Type, cur.ID, cur.JSON, cur.LastUpdated)
	}
	old, err := s.ReadVersion(ctx, "Patient", "p1", 1)
	if err != nil {
		t.Fatal(err)
	}
	if string(old.JSON) != `{"v":1}` || !old.LastUpdated.Equal(t0) || old.Deleted {
		t.Errorf("vread v1 = %s at %v deleted=%v", old.JSON, old.LastUpdated, old.Deleted)
	}
	if _, err := s.ReadVersion(ctx, "Patient", "p1", 9); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("vread of missing version: %v", err)
	}
	h, err := s.History(ctx, "Patient", "p1")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 3 || h[0].Version != 3 || h[2].Version != 1 {
		t.Fatalf("history has %d versions, want 3 newest first: %+v", len(h), h)
	}
	counts, err := s.CountByType(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts["Patient"] != 0 {
		t.Errorf("deleted resource counted: %v", counts)
	}
}

func testVersionConflict(t *testing.T, s store.Store) {
	ctx := context.Background()
	r := store.Resource{Type: "Observation", ID: "o1", Version: 1, LastUpdated: t0, JSON: []byte(`{}`)}
	if _, err := put(ctx, s, r); err != nil {
		t.Fatal(err)
	}
	if _, err := put(ctx, s, r); !errors.Is(err, store.ErrVersionConflict) {
		t.Errorf("second create: got %v, want ErrVersionConflict", err)
	}
	r.Version = 3
	if _, err := put(ctx, s, r); !errors.Is(err, store.ErrVersionConflict) {
		t.Errorf("skipping a version: got %v, want ErrVersionConflict", err)
	}
	r.ID, r.Version = "never", 2
	if _, err := put(ctx, s, r); !errors.Is(err, store.ErrVersionConflict) {
		t.Errorf("update of missing resource: got %v, want ErrVersionConflict", err)
	}
}

func testRollback(t *testing.T, s store.Store) {
	ctx := context.Background()
	boom := errors.New("boom")
	err := s.Tx(ctx, func(tx *store.Tx) error {
		for i := range 5 {
			if _, err := tx.Put(ctx, store.Resource{Type: "Condition", ID: fmt.Sprint("c", i), Version: 1, LastUpdated: t0, JSON: []byte(`{}`)}); err != nil {
				return err
			}
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Tx returned %v, want the function's error", err)
	}
	counts, err := s.CountByType(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts["Condition"] != 0 {
		t.Errorf("rolled-back transaction left %d resources", counts["Condition"])
	}
	if _, err := s.ReadVersion(ctx, "Condition", "c0", 1); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("rolled-back history visible: %v", err)
	}
}

// testConcurrentWriters races updates of one resource: every writer reads the current version and writes the
// next; the version check must let exactly one writer win each version, and no update may be lost silently.
func testConcurrentWriters(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, err := put(ctx, s, store.Resource{Type: "Patient", ID: "hot", Version: 1, LastUpdated: t0, JSON: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 20
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				err := s.Tx(ctx, func(tx *store.Tx) error {
					cur, err := tx.Current(ctx, "Patient", "hot")
					if err != nil {
						return err
					}
					_, err = tx.Put(ctx, store.Resource{Type: "Patient", ID: "hot", Version: cur.Version + 1, LastUpdated: t0, JSON: []byte(`{}`)})
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	cur, err := s.ReadResource(ctx, "Patient", "hot")
	if err != nil {
		t.Fatal(err)
	}
	if cur.Version != int64(1+wins) || wins != writers*each {
		t.Errorf("after %d committed updates the version is %d, want %d", wins, cur.Version, 1+writers*each)
	}
}

func testSettings(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, err := s.Setting(ctx, "clock.offset"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing setting: %v", err)
	}
	for _, v := range []string{"1h", "2h"} {
		if err := s.PutSetting(ctx, "clock.offset", v); err != nil {
			t.Fatal(err)
		}
		got, err := s.Setting(ctx, "clock.offset")
		if err != nil || got != v {
			t.Errorf("setting = %q, %v; want %q", got, err, v)
		}
	}
	if err := s.DeleteSetting(ctx, "clock.offset"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Setting(ctx, "clock.offset"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted setting still there: %v", err)
	}
}

package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server/store"
	_ "modernc.org/sqlite"
)

// realCounts counts live resources the slow way, from the resources table itself.
func realCounts(t *testing.T, path string) map[string]int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT type, COUNT(*) FROM resources WHERE deleted = 0 GROUP BY type`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var typ string
		var n int
		if err := rows.Scan(&typ, &n); err != nil {
			t.Fatal(err)
		}
		out[typ] = n
	}
	return out
}

// The counts table behind CountByType (migrations 0005 and 0008) must equal COUNT(*) after every kind of
// write: batch and single creates, updates, deletes, re-creates, a rolled-back transaction, a batch that
// fails half-way, and DeleteAllResources.
func TestCountByTypeFollowsEveryWrite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "valet.db")
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	res := func(typ, id string, v int64, deleted bool) store.Indexed {
		return store.Indexed{Resource: store.Resource{Type: typ, ID: id, Version: v, LastUpdated: t0, Deleted: deleted, JSON: []byte(`{}`)},
			Index: store.Index{Patients: []string{"p1"}}}
	}
	check := func(step string) {
		t.Helper()
		got, err := db.CountByType(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := realCounts(t, path); !maps.Equal(got, want) {
			t.Fatalf("after %s: CountByType %v, real counts %v", step, got, want)
		}
	}
	tx := func(fn func(tx *store.Tx) error) error { return db.Tx(ctx, fn) }
	var batch []store.Indexed
	for i := range 150 {
		batch = append(batch, res("Observation", fmt.Sprint("o", i), 1, false))
	}
	batch = append(batch, res("Patient", "p1", 1, false), res("Condition", "gone", 1, true))
	if err := tx(func(tx *store.Tx) error { _, err := tx.PutIndexedBatch(ctx, batch); return err }); err != nil {
		t.Fatal(err)
	}
	check("a batch of creates")
	if err := tx(func(tx *store.Tx) error {
		if _, err := tx.PutIndexedBatch(ctx, []store.Indexed{res("Observation", "o1", 2, false), res("Observation", "o2", 2, true)}); err != nil {
			return err
		}
		_, err := tx.Put(ctx, res("Patient", "p2", 1, false).Resource)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	check("an update, a delete and a single create")
	if err := tx(func(tx *store.Tx) error {
		_, err := tx.PutIndexedBatch(ctx, []store.Indexed{res("Observation", "o2", 3, false), res("Condition", "gone", 2, false)})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	check("re-creating deleted resources")
	boom := errors.New("boom")
	if err := tx(func(tx *store.Tx) error {
		if _, err := tx.PutIndexedBatch(ctx, []store.Indexed{res("Encounter", "e1", 1, false), res("Observation", "o3", 2, true)}); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	check("a rolled-back transaction")
	if err := tx(func(tx *store.Tx) error {
		_, err := tx.PutIndexedBatch(ctx, []store.Indexed{res("Encounter", "e2", 1, false), res("Observation", "o4", 1, false)})
		return err
	}); !errors.Is(err, store.ErrVersionConflict) {
		t.Fatalf("a batch re-creating o4: %v, want ErrVersionConflict", err)
	}
	check("a batch failing on a conflict")
	if _, err := db.ReadResource(ctx, "Encounter", "e2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the failed batch stored Encounter/e2: %v", err)
	}
	if err := db.DeleteAllResources(ctx); err != nil {
		t.Fatal(err)
	}
	check("DeleteAllResources")
	if counts, _ := db.CountByType(ctx); len(counts) != 0 {
		t.Errorf("counts after reset: %v", counts)
	}
}

// Versions of one resource inside one batch keep only the last version's index rows, and a batch
// longer than the largest multi-row statement chunk stores every row.
func TestPutIndexedBatchVersionsInOneBatch(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, store.Memory, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tok := func(code string) store.Index {
		return store.Index{Tokens: []store.TokenKey{{Param: "code", System: "s", Code: code}}}
	}
	var batch []store.Indexed
	for i := range 200 {
		batch = append(batch, store.Indexed{Resource: store.Resource{Type: "Observation", ID: fmt.Sprint("o", i), Version: 1, LastUpdated: t0, JSON: []byte(`{}`)}, Index: tok("a")})
	}
	batch = append(batch, store.Indexed{Resource: store.Resource{Type: "Observation", ID: "o7", Version: 2, LastUpdated: t0, JSON: []byte(`{"v":2}`)}, Index: tok("b")})
	var out []store.Resource
	if err := db.Tx(ctx, func(tx *store.Tx) error { out, err = tx.PutIndexedBatch(ctx, batch); return err }); err != nil {
		t.Fatal(err)
	}
	if out[7].RowID != out[200].RowID || out[200].Version != 2 {
		t.Fatalf("o7 v1 row %d, v2 row %d version %d", out[7].RowID, out[200].RowID, out[200].Version)
	}
	search := func(code string) int {
		p, err := db.Search(ctx, store.Query{Types: []string{"Observation"}, Where: []store.Cond{store.Token("Observation", "code", store.TokenValue{Code: code})}, Count: true})
		if err != nil {
			t.Fatal(err)
		}
		return p.Total
	}
	if a, b := search("a"), search("b"); a != 199 || b != 1 {
		t.Errorf("code a matches %d (want 199), code b %d (want 1)", a, b)
	}
	if h, _ := db.History(ctx, "Observation", "o7"); len(h) != 2 {
		t.Errorf("o7 has %d versions, want 2", len(h))
	}
}

package store_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server/store"
)

// indexNames lists the database's indexes (SQLite's automatic ones excluded).
func indexNames(t *testing.T, db *store.DB) []string {
	t.Helper()
	var names []string
	err := db.Tx(context.Background(), func(tx *store.Tx) error {
		rows, err := tx.SQL().Query(`SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return err
			}
			names = append(names, n)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// openFileDB opens a database in a new file (bulk loads leave in-memory databases alone), closed with the test.
func openFileDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "valet.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func putObservation(t *testing.T, db *store.DB, id, code string) {
	t.Helper()
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *store.Tx) error {
		_, err := tx.PutIndexed(ctx, store.Resource{Type: "Observation", ID: id, Version: 1, LastUpdated: time.Now(), JSON: []byte(`{}`)},
			&store.Index{Tokens: []store.TokenKey{{Param: "code", Code: code}}, Patients: []string{"p1"}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func searchCode(t *testing.T, db *store.DB, code string) []string {
	t.Helper()
	p, err := db.Search(context.Background(), store.Query{Types: []string{"Observation"},
		Where: []store.Cond{store.Token("Observation", "code", store.TokenValue{Code: code})}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range p.Resources {
		ids = append(ids, r.ID)
	}
	return ids
}

// A bulk load drops the value indexes and the last one to end builds them again; searches stay right
// throughout.
func TestBulkLoadDefersAndRebuildsIndexes(t *testing.T) {
	ctx := context.Background()
	db := openFileDB(t)
	all := indexNames(t, db)
	if !slices.Contains(all, "idx_token_value") || !slices.Contains(all, "idx_ref_target") {
		t.Fatalf("indexes before: %v", all)
	}
	for range 2 {
		if err := db.BeginBulkLoad(ctx); err != nil {
			t.Fatal(err)
		}
	}
	during := indexNames(t, db)
	if slices.Contains(during, "idx_token_value") || len(during) >= len(all) {
		t.Errorf("indexes during a bulk load: %v", during)
	}
	putObservation(t, db, "o1", "a")
	putObservation(t, db, "o2", "b")
	if got := searchCode(t, db, "b"); !slices.Equal(got, []string{"o2"}) {
		t.Errorf("search during the load: %v", got)
	}
	if err := db.EndBulkLoad(ctx); err != nil {
		t.Fatal(err)
	}
	if got := indexNames(t, db); !slices.Equal(got, during) {
		t.Errorf("the first of two loads to end rebuilt indexes: %v", got)
	}
	endRebuilds(t, db, all)
	if err := db.EndBulkLoad(ctx); err == nil {
		t.Error("EndBulkLoad without BeginBulkLoad did not fail")
	}
}

// A bulk load can keep some value indexes live (an import keeps idx_token_value, which its conditional
// references search); the others are dropped and built again as usual.
func TestBulkLoadKeepsWhatItIsAskedTo(t *testing.T) {
	ctx := context.Background()
	db := openFileDB(t)
	all := indexNames(t, db)
	if err := db.BeginBulkLoad(ctx, "idx_token_value"); err != nil {
		t.Fatal(err)
	}
	during := indexNames(t, db)
	if !slices.Contains(during, "idx_token_value") || slices.Contains(during, "idx_ref_target") || slices.Contains(during, "idx_string_value") {
		t.Errorf("indexes during a load keeping idx_token_value: %v", during)
	}
	putObservation(t, db, "o1", "a")
	endRebuilds(t, db, all)
}

// endRebuilds ends the last bulk load on db and checks that the indexes are all again and that
// Observation o1 (code a) is found.
func endRebuilds(t *testing.T, db *store.DB, all []string) {
	t.Helper()
	if err := db.EndBulkLoad(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := indexNames(t, db); !slices.Equal(got, all) {
		t.Errorf("indexes after: %v, want %v", got, all)
	}
	if got := searchCode(t, db, "a"); !slices.Equal(got, []string{"o1"}) {
		t.Errorf("search after the load: %v", got)
	}
}

// A load cut short by the process stopping is finished by the next Open.
func TestOpenBuildsIndexesOfAnInterruptedBulkLoad(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "valet.db")
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	all := indexNames(t, db)
	if err := db.BeginBulkLoad(ctx); err != nil {
		t.Fatal(err)
	}
	putObservation(t, db, "o1", "a")
	db.Close() // no EndBulkLoad
	db, err = store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := indexNames(t, db); !slices.Equal(got, all) {
		t.Errorf("indexes after reopening: %v, want %v", got, all)
	}
	if got := searchCode(t, db, "a"); !slices.Equal(got, []string{"o1"}) {
		t.Errorf("search after reopening: %v", got)
	}
}

// tokenValuePlan is how SQLite plans the query a token search starts from (store.Token's drive).
func tokenValuePlan(t *testing.T, db *store.DB) string {
	t.Helper()
	var plan []string
	err := db.Tx(context.Background(), func(tx *store.Tx) error {
		rows, err := tx.SQL().Query(`EXPLAIN QUERY PLAN SELECT rid FROM idx_token WHERE type = 'Observation' AND param = 'code' AND code = 'a'`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				return err
			}
			plan = append(plan, detail)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "; ")
}

// Migration 0009 puts the code first in idx_token_value, in a database that has the older index and in
// one whose index an interrupted bulk load had dropped (with the older definition saved to rebuild it):
// either way the index ends in its new form, token searches are planned through it, and they find
// what was stored before.
func TestMigrationPutsTheCodeFirstInTokenValueIndex(t *testing.T) {
	ctx := context.Background()
	const older = `CREATE INDEX idx_token_value ON idx_token (type, param, code, system)`
	for name, setup := range map[string][]string{
		"older index": {`DROP INDEX idx_token_value`, older},
		"deferred by an interrupted load": {`DROP INDEX idx_token_value`,
			`INSERT INTO deferred_indexes (name, sql) VALUES ('idx_token_value', '` + older + `')`},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "valet.db")
			db, err := store.Open(ctx, path, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			putObservation(t, db, "o1", "a")
			db = reopenAfter(t, db, path, append(setup, `DELETE FROM schema_migrations WHERE number = 9`)...)
			defer db.Close()
			var ddl string
			err = db.Tx(ctx, func(tx *store.Tx) error {
				return tx.SQL().QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE name = 'idx_token_value'`).Scan(&ddl)
			})
			if err != nil || !strings.Contains(ddl, "(code, type, param, system)") {
				t.Fatalf("idx_token_value after the migration: %q, %v", ddl, err)
			}
			if plan := tokenValuePlan(t, db); !strings.Contains(plan, "idx_token_value (code=? AND type=? AND param=?)") {
				t.Errorf("a token search is planned as %q, want it through idx_token_value", plan)
			}
			if got := searchCode(t, db, "a"); !slices.Equal(got, []string{"o1"}) {
				t.Errorf("search after the migration: %v", got)
			}
		})
	}
}

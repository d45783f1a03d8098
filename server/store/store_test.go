package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/store/storetest"
)

func openMemory(t *testing.T) store.Store {
	db, err := store.Open(context.Background(), store.Memory, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func openDisk(t *testing.T) store.Store {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "valet.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformanceMemory(t *testing.T) { storetest.Run(t, openMemory) }
func TestConformanceDisk(t *testing.T)   { storetest.Run(t, openDisk) }

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "valet.db")
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutSetting(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		if st, _ := os.Stat(path + "-wal"); st.Size() != 0 {
			t.Errorf("WAL not checkpointed on close: %d bytes left", st.Size())
		}
	}
	db, err = store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, err := db.Setting(ctx, "k"); err != nil || v != "v" {
		t.Errorf("after reopen: %q, %v", v, err)
	}
}

func TestOpenRefusesNonDatabaseAndLeavesItAlone(t *testing.T) {
	for name, content := range map[string]string{
		"text":          "these are my notes, not a database\n",
		"short":         "SQLite",
		"corrupt-pages": "SQLite format 3\x00" + strings.Repeat("\xff", 4096),
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "valet.db")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := store.Open(context.Background(), path, store.Options{})
			if !errors.Is(err, store.ErrNotDatabase) {
				t.Fatalf("got %v, want ErrNotDatabase", err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			got, _ := os.ReadFile(path)
			if string(got) != content {
				t.Error("the file was modified")
			}
		})
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "valet.db")
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Tx(ctx, func(tx *store.Tx) error {
		_, err := tx.SQL().ExecContext(ctx, `INSERT INTO schema_migrations (number, name, applied_at) VALUES (9999, 'future', 'x')`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, _ := os.ReadFile(path)
	_, err = store.Open(ctx, path, store.Options{})
	if !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("got %v, want ErrSchemaTooNew", err)
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Error("opening a newer database modified it")
	}
}

func TestMigrationsRecorded(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, store.Memory, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	err = db.Tx(ctx, func(tx *store.Tx) error {
		return tx.SQL().QueryRowContext(ctx, `SELECT MAX(number) FROM schema_migrations`).Scan(&n)
	})
	if err != nil || n != store.LatestMigration() || n < 2 {
		t.Errorf("recorded migration %d (%v), binary knows %d", n, err, store.LatestMigration())
	}
}

// TestMigrationAddedBelowTheHighestApplied: a database that recorded a high-numbered migration still gets a
// lower-numbered one that a later binary adds (areas own number ranges, so numbers do not arrive in order).
func TestMigrationAddedBelowTheHighestApplied(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "valet.db")
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Pretend the settings migration (0002) arrived after everything else: forget it and its table.
	db = reopenAfter(t, db, path, `DROP TABLE settings`, `DELETE FROM schema_migrations WHERE number = 2`)
	defer db.Close()
	if err := db.PutSetting(ctx, "k", "v"); err != nil {
		t.Errorf("migration 0002 was not applied on reopen: %v", err)
	}
}

// Reads by id run on statements prepared per read connection (driverstmt.go), through a memory map of the
// file: concurrent readers on every connection of the pool see each resource's current version, before
// and after a checkpoint writes new ones into the file, a cancelled request reads nothing, and Close
// finalizes the statements.
func TestReadResourceOnEveryConnection(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "valet.db"), store.Options{ReadConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	const n = 40
	err = db.Tx(ctx, func(tx *store.Tx) error {
		for i := range n {
			r := store.Resource{Type: "Patient", ID: fmt.Sprint("p", i), Version: 1, LastUpdated: time.Unix(int64(i), 0), JSON: []byte(fmt.Sprintf(`{"n":%d}`, i))}
			if _, err := tx.Put(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for k := range 5 * n {
				i := (g + k) % n
				r, err := db.ReadResource(ctx, "Patient", fmt.Sprint("p", i))
				if err != nil || string(r.JSON) != fmt.Sprintf(`{"n":%d}`, i) || r.Version != 1 || r.LastUpdated.Unix() != int64(i) {
					t.Errorf("read p%d: %s v%d at %v, %v", i, r.JSON, r.Version, r.LastUpdated, err)
					return
				}
			}
		})
	}
	wg.Wait()
	// New versions, folded into the database file (which readers map), are what every connection reads.
	err = db.Tx(ctx, func(tx *store.Tx) error {
		for i := range n {
			r := store.Resource{Type: "Patient", ID: fmt.Sprint("p", i), Version: 2, LastUpdated: time.Unix(int64(i), 0), JSON: []byte(fmt.Sprintf(`{"n":%d,"v":2}`, i))}
			if _, err := tx.Put(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	for g := range 16 {
		wg.Go(func() {
			for k := range 2 * n {
				i := (g + k) % n
				r, err := db.ReadResource(ctx, "Patient", fmt.Sprint("p", i))
				if err != nil || string(r.JSON) != fmt.Sprintf(`{"n":%d,"v":2}`, i) || r.Version != 2 {
					t.Errorf("read p%d after update: %s v%d, %v", i, r.JSON, r.Version, err)
					return
				}
			}
		})
	}
	wg.Wait()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := db.ReadResource(cancelled, "Patient", "p1"); !errors.Is(err, context.Canceled) {
		t.Errorf("read with a cancelled context: %v, want context.Canceled", err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
}

// TestMigrationKeepsEarlierAccessTokens: migration 0015 stops recording issued access tokens. A token
// issued before it has no valet_grant claim; the row recorded for it then is how its grant is found, and
// its revocation, its grant's and its client's still count after the upgrade.
func TestMigrationKeepsEarlierAccessTokens(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "valet.db")
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateClient(ctx, store.Client{ID: "svc", Name: "Backend", CreatedAt: db.Now()}); err != nil {
		t.Fatal(err)
	}
	now, hour := store.Micros(db.Now()), int64(time.Hour/time.Microsecond)
	// The database as 0014 left it: issued tokens recorded, some of them revoked.
	db = reopenAfter(t, db, path,
		`DROP TABLE revoked_access_tokens`,
		`DELETE FROM schema_migrations WHERE number = 15`,
		`ALTER TABLE sessions DROP COLUMN expires_at`, // and as before 0021, which alters the tables of 0015
		`DELETE FROM schema_migrations WHERE number = 21`,
		`CREATE INDEX access_tokens_grant ON access_tokens (grant_id)`,
		fmt.Sprintf(`INSERT INTO grants (id, client_id, created_at, revoked_at, json) VALUES
			('g', 'app', %[1]d, 0, '{}'), ('gone', 'app', %[1]d, %[1]d, '{}')`, now),
		fmt.Sprintf(`INSERT INTO access_tokens (jti, grant_id, client_id, expires_at, revoked_at) VALUES
			('live', 'g', 'app', %[1]d, 0), ('live2', 'g', 'app', %[1]d, 0), ('revoked', 'g', 'app', %[1]d, %[2]d),
			('of-revoked-grant', 'gone', 'app', %[1]d, 0), ('backend', '', 'svc', %[1]d, 0),
			('expired', 'g', 'app', %[2]d, 0)`, now+hour, now-1),
	)
	defer db.Close()
	// Tokens issued before the migration carry no grant: the verifier asks with the jti alone.
	legacy := func(jti string) store.AccessToken {
		return store.AccessToken{JTI: jti, ExpiresAt: db.Now().Add(time.Hour)}
	}
	check := func(when, jti string, want error) {
		t.Helper()
		if err := db.AccessTokenActive(ctx, legacy(jti)); !errors.Is(err, want) {
			t.Errorf("%s: token %s: %v, want %v", when, jti, err, want)
		}
	}
	for jti, want := range map[string]error{"live": nil, "live2": nil, "backend": nil, "revoked": store.ErrRevoked,
		"of-revoked-grant": store.ErrRevoked, "expired": store.ErrExpired, "never-issued": store.ErrNotFound} {
		check("after the migration", jti, want)
	}
	if err := db.RevokeAccessToken(ctx, legacy("live")); err != nil {
		t.Fatal(err)
	}
	check("revoked after the migration", "live", store.ErrRevoked)
	check("another token of its grant", "live2", nil)
	if err := db.RevokeGrant(ctx, "g"); err != nil {
		t.Fatal(err)
	}
	check("its grant revoked", "live2", store.ErrRevoked)
	if err := db.DeleteClient(ctx, "svc"); err != nil {
		t.Fatal(err)
	}
	check("its client deleted", "backend", store.ErrRevoked)
}

// reopenAfter runs qs in one transaction on db, closes it and opens path again, so that Open migrates what
// qs made look like an older database (a migration's tables dropped and its number forgotten).
func reopenAfter(t *testing.T, db *store.DB, path string, qs ...string) *store.DB {
	t.Helper()
	execAll(t, db, qs...)
	db.Close()
	db, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// execAll runs the statements qs in one transaction.
func execAll(t *testing.T, db *store.DB, qs ...string) {
	t.Helper()
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for _, q := range qs {
			if _, err := tx.SQL().ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMigrationKeepsEarlierRefreshTokens: migration 0017 keeps a grant's first refresh token in the grant's
// row. A database from before it has every refresh token in refresh_tokens; those keep working (refresh,
// rotation, reuse revoking the grant) next to new grants that keep theirs in the row.
func TestMigrationKeepsEarlierRefreshTokens(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "valet.db")
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now, hour := store.Micros(db.Now()), int64(time.Hour/time.Microsecond)
	// The database as 0016 left it: grants without the refresh columns, their tokens in refresh_tokens.
	db = reopenAfter(t, db, path,
		`ALTER TABLE grants DROP COLUMN refresh_hash`, `ALTER TABLE grants DROP COLUMN refresh_expires_at`,
		`ALTER TABLE grants DROP COLUMN refresh_used_at`, `ALTER TABLE grants DROP COLUMN refresh_online`,
		`DELETE FROM schema_migrations WHERE number = 17`,
		fmt.Sprintf(`INSERT INTO grants (id, client_id, created_at, revoked_at, json) VALUES
			('old', 'app', %[1]d, 0, '{"id":"old","client_id":"app","scope":"offline_access"}')`, now),
		fmt.Sprintf(`INSERT INTO refresh_tokens (hash, grant_id, expires_at, json) VALUES
			('h0', 'old', %[1]d, '{"client_id":"app","scope":"offline_access"}')`, now+hour),
	)
	defer db.Close()
	var n int
	err = db.Tx(ctx, func(tx *store.Tx) error {
		return tx.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_table_info('grants') WHERE name LIKE 'refresh_%'`).Scan(&n)
	})
	if err != nil || n != 4 {
		t.Fatalf("grants has %d refresh columns after the migration (%v), want 4", n, err)
	}
	rt, g, err := db.UseRefreshToken(ctx, "h0", true, func(rt store.RefreshToken, g store.Grant) (store.Issuance, error) {
		return store.Issuance{Refresh: &store.RefreshToken{Hash: "h1", GrantID: g.ID, ClientID: rt.ClientID, Scope: rt.Scope, ExpiresAt: db.Now().Add(time.Hour)}}, nil
	})
	if err != nil || rt.ClientID != "app" || g.ID != "old" {
		t.Fatalf("refresh with a token from before the migration: %+v %+v %v", rt, g, err)
	}
	// A new grant keeps its first token in its row, next to the old ones.
	first := store.GrantRefreshHash("new", "n0")
	err = db.CreateGrant(ctx, store.Grant{ID: "new", ClientID: "app", Scope: "offline_access", CreatedAt: db.Now()}, func() (store.Issuance, error) {
		return store.Issuance{Refresh: &store.RefreshToken{Hash: first, GrantID: "new", ClientID: "app", Scope: "offline_access", ExpiresAt: db.Now().Add(time.Hour)}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, g, err := db.LookupRefreshToken(ctx, first); err != nil || g.ID != "new" {
		t.Errorf("new grant's first token: %+v %v", g, err)
	}
	if _, _, err := db.UseRefreshToken(ctx, "h0", true, nil); !errors.Is(err, store.ErrReused) {
		t.Errorf("reused old token: %v, want ErrReused", err)
	}
	if _, _, err := db.UseRefreshToken(ctx, "h1", true, nil); !errors.Is(err, store.ErrRevoked) {
		t.Errorf("old grant's rotated-in token after reuse: %v, want ErrRevoked", err)
	}
	if _, _, err := db.LookupRefreshToken(ctx, first); err != nil {
		t.Errorf("reuse in an old grant revoked a new one: %v", err)
	}
}

// TestUpgradeBuildsSearchIndexes: a database from before migration 0020 (idx_token_value keyed by system
// before rid, no resources_type, no idx_date_value) gets the search indexes on its next open (0020, and
// 0022's birth dates), and the caller is told first, since on a large sandbox that takes a while.
func TestUpgradeBuildsSearchIndexes(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "valet.db")
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	execAll(t, db, `DROP INDEX idx_token_value`, `DROP INDEX resources_type`, `DROP INDEX idx_date_value`,
		`CREATE INDEX idx_token_value ON idx_token (code, type, param, system)`,
		`DELETE FROM schema_migrations WHERE number IN (20, 22)`)
	db.Close()
	var told []string
	db, err = store.Open(ctx, path, store.Options{Upgrading: func(m string) { told = append(told, m) }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !slices.Equal(told, []string{"0020_search_scale", "0022_birthdate_index"}) {
		t.Errorf("told %v, want the migrations applied", told)
	}
	got := map[string]string{}
	err = db.Tx(ctx, func(tx *store.Tx) error {
		rows, err := tx.SQL().QueryContext(ctx, `SELECT name, sql FROM sqlite_schema WHERE name IN ('idx_token_value', 'resources_type', 'idx_date_value')`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var name, sql string
			if err := rows.Scan(&name, &sql); err != nil {
				return err
			}
			got[name] = sql
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got["idx_token_value"], "(code, type, param, rid)") || got["resources_type"] == "" ||
		!strings.Contains(got["idx_date_value"], "WHERE param = 'birthdate'") {
		t.Errorf("indexes after the upgrade: %v", got)
	}
}

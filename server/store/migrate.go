package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// A migration is one numbered SQL file. Migrations are append-only: a released file never changes,
// a schema change is a new file with the next free number.
type migration struct {
	number int
	name   string
	sql    string
}

func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		n, err := strconv.Atoi(num)
		if !ok || err != nil || n <= 0 {
			return nil, fmt.Errorf("migration file %q is not named NNNN_name.sql", e.Name())
		}
		body, err := migrationFiles.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{number: n, name: name, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].number < ms[j].number })
	for i := 1; i < len(ms); i++ {
		if ms[i].number == ms[i-1].number {
			return nil, fmt.Errorf("two migrations are numbered %d", ms[i].number)
		}
	}
	return ms, nil
}

// migrate applies every migration not yet recorded, in number order, each in its own transaction. Numbers
// are checked as a set, not against the highest one applied: areas of the server own ranges of numbers, so
// a database may have recorded 0010 before a later release adds 0005.
func (db *DB) migrate(ctx context.Context, upgrading func(migration string)) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	// A new database gives the pages retention frees back to the file system (incremental vacuum,
	// retention.go). This has to be said before its first table; an older database gets it with its next
	// full VACUUM (`valet compact`). Said to an existing database, it would write its header on every open.
	var tables int
	if err := db.w.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema`).Scan(&tables); err != nil {
		return classifyOpenErr(err)
	}
	if tables == 0 {
		// The connection is in WAL mode already, so the setting takes effect through a VACUUM (of nothing).
		for _, q := range []string{`PRAGMA auto_vacuum = INCREMENTAL`, `VACUUM`} {
			if _, err := db.w.ExecContext(ctx, q); err != nil {
				return err
			}
		}
	}
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return classifyOpenErr(err)
	}
	applied, err := db.appliedMigrations(ctx)
	if err != nil {
		return classifyOpenErr(err)
	}
	known := map[int]bool{}
	for _, m := range ms {
		known[m.number] = true
	}
	for n := range applied {
		if !known[n] {
			return fmt.Errorf("%w (it records migration %d, which this binary does not know): upgrade Valet or use another --data directory",
				ErrSchemaTooNew, n)
		}
	}
	for _, m := range ms {
		if applied[m.number] {
			continue
		}
		if tables > 0 && upgrading != nil {
			upgrading(fmt.Sprintf("%04d_%s", m.number, m.name))
		}
		tx, err := db.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %04d_%s: %w", m.number, m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (number, name, applied_at) VALUES (?, ?, ?)`,
			m.number, m.name, db.now().UTC().Format("2006-01-02T15:04:05Z")); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) appliedMigrations(ctx context.Context) (map[int]bool, error) {
	rows, err := db.w.QueryContext(ctx, `SELECT number FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	applied := map[int]bool{}
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		applied[n] = true
	}
	return applied, rows.Err()
}

// classifyOpenErr turns SQLite's "file is not a database" (a corrupt header) into ErrNotDatabase.
func classifyOpenErr(err error) error {
	if err != nil && strings.Contains(err.Error(), "file is not a database") {
		return fmt.Errorf("%w (%v)", ErrNotDatabase, err)
	}
	return err
}

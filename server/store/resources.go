package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"
)

// Resource is one version of a stored FHIR resource. JSON is the complete resource as served (its meta
// already carries versionId and lastUpdated): reads hand these bytes out unchanged.
type Resource struct {
	RowID       int64 // internal key that index tables refer to
	Type        string
	ID          string
	Version     int64
	LastUpdated time.Time
	Deleted     bool
	JSON        []byte
}

// Micros converts a time to the stored representation (Unix microseconds, UTC).
func Micros(t time.Time) int64 { return t.UnixMicro() }

// FromMicros converts a stored timestamp back to UTC time.
func FromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

type rowScanner interface{ Scan(dest ...any) error }

func scanResource(s rowScanner) (Resource, error) {
	var r Resource
	var lu int64
	var deleted int
	err := s.Scan(&r.RowID, &r.Type, &r.ID, &r.Version, &lu, &deleted, &r.JSON)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	r.LastUpdated, r.Deleted = FromMicros(lu), deleted != 0
	return r, err
}

const resourceCols = `rid, type, id, version, last_updated, deleted, json`

// readByID is ReadResource's statement; type and id are the arguments, so it selects neither.
const readByID = `SELECT rid, version, last_updated, deleted, json FROM resources WHERE type = ? AND id = ?`

// ReadResource returns the current version of type/id, deleted or not (callers answer 410 for deleted).
// It runs on the driver connection directly (driverstmt.go): it is the most frequent query of all.
func (db *DB) ReadResource(ctx context.Context, typ, id string) (Resource, error) {
	r := Resource{Type: typ, ID: id}
	found := false
	err := db.hot.query(ctx, true, readByID, []driver.NamedValue{{Ordinal: 1, Value: typ}, {Ordinal: 2, Value: id}},
		func(v []driver.Value) error {
			lu, _ := v[2].(int64)
			deleted, _ := v[3].(int64)
			r.RowID, _ = v[0].(int64)
			r.Version, _ = v[1].(int64)
			r.LastUpdated, r.Deleted, r.JSON = FromMicros(lu), deleted != 0, bytesValue(v[4])
			found = true
			return nil
		})
	if err == nil && !found {
		err = ErrNotFound
	}
	return r, err
}

// ReadVersion returns one version of type/id.
func (db *DB) ReadVersion(ctx context.Context, typ, id string, version int64) (Resource, error) {
	return scanResource(db.r.QueryRowContext(ctx, `SELECT h.rid, r.type, r.id, h.version, h.last_updated, h.deleted, `+historyJSON+`
		FROM resources r JOIN resource_history h ON h.rid = r.rid
		WHERE r.type = ? AND r.id = ? AND h.version = ?`, typ, id, version))
}

// History lists the versions of one resource, newest first.
func (db *DB) History(ctx context.Context, typ, id string) ([]Resource, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT h.rid, r.type, r.id, h.version, h.last_updated, h.deleted, `+historyJSON+`
		FROM resources r JOIN resource_history h ON h.rid = r.rid
		WHERE r.type = ? AND r.id = ? ORDER BY h.version DESC`, typ, id)
	if err != nil {
		return nil, err
	}
	return collect(rows)
}

func collect(rows *sql.Rows) ([]Resource, error) {
	defer rows.Close()
	var out []Resource
	for rows.Next() {
		r, err := scanResource(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CountByType counts live (not deleted) resources per type, from the counts the resources table's
// writes keep (creates add to them per batch, migration 0008; updates and deletes through triggers,
// migration 0005): a read of a few rows however large the database.
func (db *DB) CountByType(ctx context.Context) (map[string]int, error) {
	return db.countsByType(ctx, `SELECT type, live FROM resource_counts WHERE live > 0`)
}

// countsByType runs a query answering (type, count) rows and collects them.
func (db *DB) countsByType(ctx context.Context, query string, args ...any) (map[string]int, error) {
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var t string
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			return nil, err
		}
		counts[t] = n
	}
	return counts, rows.Err()
}

// Current returns the current version of type/id inside the transaction (ErrNotFound when it never existed).
func (tx *Tx) Current(ctx context.Context, typ, id string) (Resource, error) {
	st, err := tx.stmt(ctx, currentQuery)
	if err != nil {
		return Resource{}, err
	}
	return scanResource(st.QueryRowContext(ctx, typ, id))
}

// currentQuery is Tx.Current's statement, prepared once on the writer connection (batch.go): a
// transaction Bundle of PUTs runs it once per entry, and parsing it each time would cost as much as the
// read.
var currentQuery = `SELECT ` + resourceCols + ` FROM resources WHERE type = ? AND id = ?`

// Put stores r as the next version of r.Type/r.ID. r.Version must be exactly one more than the current
// version (1 for a new resource), otherwise ErrVersionConflict: this is how concurrent updates and
// If-Match are made safe. It returns r with RowID set.
func (tx *Tx) Put(ctx context.Context, r Resource) (Resource, error) {
	if r.Type == "" || r.ID == "" || r.Version < 1 {
		return r, fmt.Errorf("store: Put needs type, id and version ≥ 1 (got %q/%q v%d)", r.Type, r.ID, r.Version)
	}
	deleted := 0
	if r.Deleted {
		deleted = 1
	}
	lu := Micros(r.LastUpdated)
	if r.Version == 1 {
		res, err := tx.tx.ExecContext(ctx, `INSERT INTO resources (type, id, version, last_updated, deleted, json)
			VALUES (?, ?, 1, ?, ?, ?) ON CONFLICT (type, id) DO NOTHING`, r.Type, r.ID, lu, deleted, r.JSON)
		if err != nil {
			return r, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return r, fmt.Errorf("%s/%s: %w", r.Type, r.ID, ErrVersionConflict)
		}
		if r.RowID, err = res.LastInsertId(); err != nil {
			return r, err
		}
		if err := tx.countCreated(ctx, []Resource{r}, []int{0}); err != nil {
			return r, err
		}
	} else {
		if _, err := tx.tx.ExecContext(ctx, keepReplacedJSON, r.Type, r.ID, r.Version-1); err != nil {
			return r, err
		}
		err := tx.tx.QueryRowContext(ctx, `UPDATE resources SET version = ?, last_updated = ?, deleted = ?, json = ?
			WHERE type = ? AND id = ? AND version = ? RETURNING rid`,
			r.Version, lu, deleted, r.JSON, r.Type, r.ID, r.Version-1).Scan(&r.RowID)
		if errors.Is(err, sql.ErrNoRows) {
			return r, fmt.Errorf("%s/%s: %w", r.Type, r.ID, ErrVersionConflict)
		}
		if err != nil {
			return r, err
		}
	}
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO resource_history (rid, version, last_updated, deleted, json)
		VALUES (?, ?, ?, ?, ?)`, r.RowID, r.Version, lu, deleted, currentJSON)
	return r, err
}

// The JSON of a resource's current version is stored once, in resources; its history row holds an empty
// blob until a newer version replaces it, when keepReplacedJSON copies the JSON over. Bulk loads thus
// write each resource's JSON once instead of twice (it is most of the bytes a load writes).
var currentJSON = []byte{}

const (
	historyJSON      = `CASE WHEN h.version = r.version THEN r.json ELSE h.json END`
	keepReplacedJSON = `UPDATE resource_history SET json = r.json FROM resources r
		WHERE r.type = ? AND r.id = ? AND r.version = ? AND resource_history.rid = r.rid
		AND resource_history.version = r.version AND length(resource_history.json) = 0`
)

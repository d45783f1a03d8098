package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Index is what a search can find about one resource version: the values of its search parameters and
// the patients whose compartment it belongs to. The FHIR layer extracts it; the store only keeps it.
type Index struct {
	Tokens   []TokenKey
	Strings  []StringKey
	Dates    []DateKey
	Refs     []RefKey
	Numbers  []NumberKey
	Patients []string
}

// TokenKey is one coded value (coding, identifier, code, boolean) of a token parameter.
type TokenKey struct{ Param, System, Code, Text string }

// StringKey is one string value; Norm is folded for case- and accent-insensitive matching.
type StringKey struct{ Param, Norm, Exact string }

// DateKey is the range [Lo, Hi] (Unix µs, inclusive) a date, dateTime, instant or Period covers.
type DateKey struct {
	Param  string
	Lo, Hi int64
}

// RefKey is one reference; TargetType is "" for references that are not to Type/id on this server.
type RefKey struct{ Param, TargetType, TargetID string }

// NumberKey is one number or quantity (System and Code name the unit of a quantity).
type NumberKey struct {
	Param        string
	Value        float64
	System, Code string
}

// Indexed is a resource version with its index rows.
type Indexed struct {
	Resource Resource
	Index    Index
}

var indexTables = []string{"idx_token", "idx_string", "idx_date", "idx_ref", "idx_number", "compartment"}

// indexWriter holds the statements that write index rows, prepared once per batch.
type indexWriter struct {
	del  []*sql.Stmt
	ins  [6]*sql.Stmt
	res  [3]*sql.Stmt // insert resource, update resource, insert history
	stmt []*sql.Stmt
}

func (tx *Tx) newIndexWriter(ctx context.Context) (*indexWriter, error) {
	w := &indexWriter{}
	prep := func(q string) (*sql.Stmt, error) {
		s, err := tx.tx.PrepareContext(ctx, q)
		if err == nil {
			w.stmt = append(w.stmt, s)
		}
		return s, err
	}
	for _, t := range indexTables {
		s, err := prep(`DELETE FROM ` + t + ` WHERE rid = ?`)
		if err != nil {
			w.close()
			return nil, err
		}
		w.del = append(w.del, s)
	}
	for i, q := range []string{
		`INSERT OR IGNORE INTO idx_token (rid, type, param, system, code, text) VALUES (?, ?, ?, ?, ?, ?)`,
		`INSERT OR IGNORE INTO idx_string (rid, type, param, norm, exact) VALUES (?, ?, ?, ?, ?)`,
		`INSERT OR IGNORE INTO idx_date (rid, type, param, lo, hi) VALUES (?, ?, ?, ?, ?)`,
		`INSERT OR IGNORE INTO idx_ref (rid, type, param, target_type, target_id) VALUES (?, ?, ?, ?, ?)`,
		`INSERT OR IGNORE INTO idx_number (rid, type, param, value, system, code) VALUES (?, ?, ?, ?, ?, ?)`,
		`INSERT OR IGNORE INTO compartment (rid, patient) VALUES (?, ?)`,
	} {
		s, err := prep(q)
		if err != nil {
			w.close()
			return nil, err
		}
		w.ins[i] = s
	}
	for i, q := range []string{
		`INSERT INTO resources (type, id, version, last_updated, deleted, json) VALUES (?, ?, 1, ?, ?, ?)
			ON CONFLICT (type, id) DO NOTHING`,
		`UPDATE resources SET version = ?, last_updated = ?, deleted = ?, json = ?
			WHERE type = ? AND id = ? AND version = ? RETURNING rid`,
		`INSERT INTO resource_history (rid, version, last_updated, deleted, json) VALUES (?, ?, ?, ?, ?)`,
	} {
		s, err := prep(q)
		if err != nil {
			w.close()
			return nil, err
		}
		w.res[i] = s
	}
	return w, nil
}

func (w *indexWriter) close() {
	for _, s := range w.stmt {
		s.Close()
	}
}

func (w *indexWriter) write(ctx context.Context, r Resource, ix *Index, replace bool) error {
	rid, t := r.RowID, r.Type
	if replace {
		for _, s := range w.del {
			if _, err := s.ExecContext(ctx, rid); err != nil {
				return err
			}
		}
	}
	if r.Deleted {
		return nil // a deleted resource matches no search
	}
	var err error
	ex := func(s *sql.Stmt, args ...any) {
		if err == nil {
			_, err = s.ExecContext(ctx, args...)
		}
	}
	for _, k := range ix.Tokens {
		ex(w.ins[0], rid, t, k.Param, k.System, k.Code, k.Text)
	}
	for _, k := range ix.Strings {
		ex(w.ins[1], rid, t, k.Param, k.Norm, k.Exact)
	}
	for _, k := range ix.Dates {
		ex(w.ins[2], rid, t, k.Param, k.Lo, k.Hi)
	}
	for _, k := range ix.Refs {
		ex(w.ins[3], rid, t, k.Param, k.TargetType, k.TargetID)
	}
	for _, k := range ix.Numbers {
		ex(w.ins[4], rid, t, k.Param, k.Value, k.System, k.Code)
	}
	for _, p := range ix.Patients {
		ex(w.ins[5], rid, p)
	}
	return err
}

// PutIndexed stores r like Put and replaces its index rows with ix, in the same transaction.
func (tx *Tx) PutIndexed(ctx context.Context, r Resource, ix *Index) (Resource, error) {
	out, err := tx.PutIndexedBatch(ctx, []Indexed{{Resource: r, Index: *ix}})
	if err != nil {
		return r, err
	}
	return out[0], nil
}

// PutIndexedBatch stores many resource versions with their index rows, preparing the statements once:
// the bulk path for transaction Bundles and the generator. It stops at the first error (the caller's
// transaction then rolls everything back).
func (tx *Tx) PutIndexedBatch(ctx context.Context, batch []Indexed) ([]Resource, error) {
	w, err := tx.newIndexWriter(ctx)
	if err != nil {
		return nil, err
	}
	defer w.close()
	out := make([]Resource, len(batch))
	for i := range batch {
		r, err := w.put(ctx, batch[i].Resource)
		if err != nil {
			return nil, err
		}
		if err := w.write(ctx, r, &batch[i].Index, r.Version > 1); err != nil {
			return nil, fmt.Errorf("index %s/%s: %w", r.Type, r.ID, err)
		}
		out[i] = r
	}
	return out, nil
}

// Compartments returns the patients whose compartment the current version of type/id belongs to.
func (tx *Tx) Compartments(ctx context.Context, typ, id string) ([]string, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT c.patient FROM resources r JOIN compartment c ON c.rid = r.rid
		WHERE r.type = ? AND r.id = ?`, typ, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// put is Tx.Put with statements prepared once per batch (preparing dominated bulk ingest).
func (w *indexWriter) put(ctx context.Context, r Resource) (Resource, error) {
	if r.Type == "" || r.ID == "" || r.Version < 1 {
		return r, fmt.Errorf("store: Put needs type, id and version ≥ 1 (got %q/%q v%d)", r.Type, r.ID, r.Version)
	}
	deleted := 0
	if r.Deleted {
		deleted = 1
	}
	lu := Micros(r.LastUpdated)
	if r.Version == 1 {
		res, err := w.res[0].ExecContext(ctx, r.Type, r.ID, lu, deleted, r.JSON)
		if err != nil {
			return r, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return r, fmt.Errorf("%s/%s: %w", r.Type, r.ID, ErrVersionConflict)
		}
		if r.RowID, err = res.LastInsertId(); err != nil {
			return r, err
		}
	} else {
		err := w.res[1].QueryRowContext(ctx, r.Version, lu, deleted, r.JSON, r.Type, r.ID, r.Version-1).Scan(&r.RowID)
		if errors.Is(err, sql.ErrNoRows) {
			return r, fmt.Errorf("%s/%s: %w", r.Type, r.ID, ErrVersionConflict)
		}
		if err != nil {
			return r, err
		}
	}
	_, err := w.res[2].ExecContext(ctx, r.RowID, r.Version, lu, deleted, r.JSON)
	return r, err
}

// CurrentVersions returns the current version of each "Type/id" key that exists (deleted or not), with
// one prepared statement: the bulk path's way to number new versions.
func (tx *Tx) CurrentVersions(ctx context.Context, keys [][2]string) (map[[2]string]int64, error) {
	st, err := tx.tx.PrepareContext(ctx, `SELECT version FROM resources WHERE type = ? AND id = ?`)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	out := map[[2]string]int64{}
	for _, k := range keys {
		var v int64
		err := st.QueryRowContext(ctx, k[0], k[1]).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

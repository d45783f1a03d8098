package store

import (
	"context"

	"github.com/valet-sandbox/valet/internal/jsonstr"
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
	args     *indexRows // Index as insert arguments, when Prepare made them
}

// Prepare turns Index into insert arguments now, so that a bulk writer (PutIndexedBatch) only fills in
// the row id: boxing a resource's index values into interfaces would cost the single writer about as
// much as SQLite's inserts, and Prepare runs on any goroutine. Call it again after changing Index.
func (x *Indexed) Prepare() {
	x.args = &indexRows{}
	x.args.add(nil, x.Resource.Type, &x.Index)
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

// Head is what a writer needs of a resource's current version: its row, number and whether it is a
// deletion.
type Head struct {
	RowID, Version int64
	Deleted        bool
}

// CurrentVersions returns the current version of each "Type/id" key that exists (deleted or not): the
// bulk path's way to number new versions.
func (tx *Tx) CurrentVersions(ctx context.Context, keys [][2]string) (map[[2]string]int64, error) {
	heads, err := tx.Heads(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make(map[[2]string]int64, len(heads))
	for k, h := range heads {
		out[k] = h.Version
	}
	return out, nil
}

// Heads returns the current version of each "Type/id" key that exists (deleted or not). Keys are looked
// up in one statement per type, the ids given as one JSON array: an `id IN (?, …)` list would cost the
// writer a bound text per id, a temporary B-tree per statement and a statement per chunk of ids, for
// every transaction Bundle whose entries PUT client ids.
func (tx *Tx) Heads(ctx context.Context, keys [][2]string) (map[[2]string]Head, error) {
	byType := map[string][]string{}
	var types []string
	for _, k := range keys {
		if _, ok := byType[k[0]]; !ok {
			types = append(types, k[0])
		}
		byType[k[0]] = append(byType[k[0]], k[1])
	}
	out := make(map[[2]string]Head, len(keys))
	st, err := tx.stmt(ctx, headsQuery)
	if err != nil {
		return nil, err
	}
	var ids []byte
	for _, typ := range types {
		ids = append(ids[:0], '[')
		for i, id := range byType[typ] {
			if i > 0 {
				ids = append(ids, ',')
			}
			ids = jsonstr.Append(ids, id, false)
		}
		ids = append(ids, ']')
		rows, err := st.QueryContext(ctx, typ, string(ids))
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			var h Head
			if err := rows.Scan(&id, &h.Version, &h.RowID, &h.Deleted); err != nil {
				rows.Close()
				return nil, err
			}
			out[[2]string{typ, id}] = h
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// headsQuery reads the current versions of one type's ids (a JSON array of strings): the array drives,
// each id a seek in the (type, id) index (CROSS JOIN keeps that order).
const headsQuery = `SELECT r.id, r.version, r.rid, r.deleted FROM json_each(?2) AS j CROSS JOIN resources AS r
	WHERE r.type = ?1 AND r.id = j.value`

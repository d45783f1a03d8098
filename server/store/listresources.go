package store

import "context"

// ListResources pages through the live resources of one type in id order, starting after the id
// `after` ("" for the first page). The login page and the patient picker use it; FHIR search has its
// own indexes.
func (db *DB) ListResources(ctx context.Context, typ, after string, limit int) ([]Resource, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+resourceCols+` FROM resources
		WHERE type = ? AND deleted = 0 AND id > ? ORDER BY id LIMIT ?`, typ, after, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows)
}

package store

import (
	"context"
	"strconv"
)

// EachResource calls fn with every live resource, in storage order (by type when types are given), and
// stops at fn's first error. It streams: memory does not grow with the database.
func (db *DB) EachResource(ctx context.Context, types []string, fn func(Resource) error) error {
	const page = 1000
	var after int64
	for {
		q := `SELECT ` + resourceCols + ` FROM resources WHERE deleted = 0 AND rid > ?`
		args := []any{after}
		if len(types) > 0 {
			q += ` AND type IN (?` + repeatPlaceholders(len(types)-1) + `)`
			for _, t := range types {
				args = append(args, t)
			}
		}
		rows, err := db.r.QueryContext(ctx, q+` ORDER BY rid LIMIT `+strconv.Itoa(page), args...)
		if err != nil {
			return err
		}
		batch, err := collect(rows)
		if err != nil {
			return err
		}
		for _, r := range batch {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(batch) < page {
			return nil
		}
		after = batch[len(batch)-1].RowID
	}
}

func repeatPlaceholders(n int) string {
	s := make([]byte, 0, 2*n)
	for range n {
		s = append(s, ",?"...)
	}
	return string(s)
}

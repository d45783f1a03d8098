package store

import "context"

// CompartmentCounts counts the live resources of each type in a patient's compartment (the Patient included).
func (db *DB) CompartmentCounts(ctx context.Context, patient string) (map[string]int, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT r.type, COUNT(*) FROM compartment c JOIN resources r ON r.rid = c.rid
		WHERE c.patient = ? AND r.deleted = 0 GROUP BY r.type`, patient)
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

package store

import "context"

// CompartmentCounts counts the live resources of each type in a patient's compartment (the Patient included).
func (db *DB) CompartmentCounts(ctx context.Context, patient string) (map[string]int, error) {
	return db.countsByType(ctx, `SELECT r.type, COUNT(*) FROM compartment c JOIN resources r ON r.rid = c.rid
		WHERE c.patient = ? AND r.deleted = 0 GROUP BY r.type`, patient)
}

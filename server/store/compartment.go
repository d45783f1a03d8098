package store

import "context"

// CompartmentCounts counts the live resources of each type in a patient's compartment (the Patient included).
func (db *DB) CompartmentCounts(ctx context.Context, patient string) (map[string]int, error) {
	return db.countsByType(ctx, `SELECT r.type, COUNT(*) FROM compartment c JOIN resources r ON r.rid = c.rid
		WHERE c.patient = ? AND r.deleted = 0 GROUP BY r.type`, patient)
}

// CompartmentProfileCounts counts the live resources in a patient's compartment by the profiles they
// claim in meta.profile (the _profile index): a resource claiming two profiles counts for both.
func (db *DB) CompartmentProfileCounts(ctx context.Context, patient string) (map[string]int, error) {
	return db.countsByType(ctx, `SELECT s.exact, COUNT(*) FROM compartment c JOIN resources r ON r.rid = c.rid
		JOIN idx_string s ON s.rid = c.rid AND s.param = '_profile'
		WHERE c.patient = ? AND r.deleted = 0 GROUP BY s.exact`, patient)
}

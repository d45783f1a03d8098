package store

import "context"

// CompartmentCounts counts the live resources of each type in a patient's compartment (the Patient included).
func (db *DB) CompartmentCounts(ctx context.Context, patient string) (map[string]int, error) {
	return db.countsByType(ctx, `SELECT r.type, COUNT(*) FROM compartment c JOIN resources r ON r.rid = c.rid
		WHERE c.patient = ? AND r.deleted = 0 GROUP BY r.type`, patient)
}

// ProfileCount is how many resources of a type claim a profile.
type ProfileCount struct {
	Type, Profile string
	Count         int
}

// CompartmentProfileCounts counts the live resources in a patient's compartment by type and by the
// profiles they claim in meta.profile (the _profile index): a resource claiming two profiles counts for
// both, one claiming none for none.
func (db *DB) CompartmentProfileCounts(ctx context.Context, patient string) ([]ProfileCount, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT r.type, s.exact, COUNT(*) FROM compartment c JOIN resources r ON r.rid = c.rid
		JOIN idx_string s ON s.rid = c.rid AND s.param = '_profile'
		WHERE c.patient = ? AND r.deleted = 0 GROUP BY r.type, s.exact`, patient)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ProfileCount
	for rows.Next() {
		var pc ProfileCount
		if err := rows.Scan(&pc.Type, &pc.Profile, &pc.Count); err != nil {
			return nil, err
		}
		out = append(out, pc)
	}
	return out, rows.Err()
}

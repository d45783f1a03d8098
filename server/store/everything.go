package store

import "context"

// CompartmentPage pages through the live resources in a patient's compartment in row order, after the
// row id after (0: from the start), keeping those of types (any when empty) that satisfy where:
// Patient/{id}/$everything. The compartment index drives the join and yields rows already in rid order,
// so the query neither collects the compartment into a temporary list nor sorts it, as Search's general
// rid IN (…) form would.
func (db *DB) CompartmentPage(ctx context.Context, patient string, types []string, where []Cond, after int64, limit int) (Page, error) {
	p := Page{Total: -1}
	b := &sqlBuf{}
	// CROSS JOIN keeps compartment as the outer loop (SQLite never reorders it).
	b.w("SELECT r.rid, r.type, r.id, r.version, r.last_updated, r.deleted, r.json FROM compartment c CROSS JOIN resources r ON r.rid = c.rid "+
		"WHERE c.patient = ? AND r.deleted = 0", patient)
	if after > 0 {
		b.w(" AND c.rid > ?", after)
	}
	if len(types) > 0 {
		b.WriteString(" AND r.type IN ")
		placeholders(b, types)
	}
	for _, c := range where {
		b.WriteString(" AND ")
		c.pred(b, "r")
	}
	b.w(" ORDER BY c.rid LIMIT ?", limit+1)
	var err error
	// One patient's rows: bounded, so no watcher (driverstmt.go).
	if p.Resources, err = resources(ctx, db.hot, true, b.String(), b.args); err != nil {
		return p, err
	}
	if len(p.Resources) > limit {
		p.Resources, p.More = p.Resources[:limit], true
	}
	return p, nil
}

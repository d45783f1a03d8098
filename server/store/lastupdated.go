package store

import "context"

// _lastUpdated alone. Generated and imported data share a few lastUpdated instants, so a range either
// holds most of a type (_lastUpdated=ge2020-01-01) or the few rows written since (what changed since the
// last poll): the first is a page soonest found by walking the type's rows in rid order, the second by
// reading the few matches from resources_type_updated (type, last_updated) and sorting them. A search
// that nothing else narrows counts its matches up to updatedFew first, and starts from the index when
// they are no more.

// updatedFew is how many matches a _lastUpdated search reads and sorts at most for a page: about what
// the walk reads for a page when matches are as sparse as this among a large type's rows.
var updatedFew = 2000 // a variable for the tests of both ways

// probeUpdated returns q with its _lastUpdated condition driving it when no other condition does and at
// most updatedFew rows of the type match it.
func probeUpdated(ctx context.Context, db querier, q Query) (Query, error) {
	if len(q.Types) != 1 || bestDriver(q.Where) >= 0 {
		return q, nil
	}
	for i, c := range q.Where {
		if c.updated == nil {
			continue
		}
		typ := q.Types[0]
		b := &sqlBuf{}
		b.w("SELECT COUNT(*) FROM (SELECT 1 FROM resources u WHERE u.type = ? AND ", typ)
		c.updated(b, "u")
		b.w(" LIMIT ?)", updatedFew+1)
		n := 0
		if err := db.each(ctx, false, b.String(), b.args, func(s rowScanner) error { return s.Scan(&n) }); err != nil {
			return q, err
		}
		if n > updatedFew {
			return q, nil
		}
		c.rank, c.exact = 1, true
		c.drive = func(b *sqlBuf) {
			x := b.alias()
			b.w("SELECT "+x+".rid FROM resources "+x+" WHERE "+x+".type = ? AND ", typ)
			c.updated(b, x)
		}
		q.Where = append([]Cond(nil), q.Where...)
		q.Where[i] = c
		return q, nil
	}
	return q, nil
}

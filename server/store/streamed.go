package store

// Streamed searches. A search without _sort returns its matches in rid order, a page at a time. When the
// condition that drives it reads an index whose rows for it already come in rid order (Cond.stream: a
// token code, a reference to one resource, a compartment), the search walks that index joined to the
// resources row and stops at the page's end: a first page costs the rows up to its last match, whatever
// the number of matches beyond it, and the next page seeks to its cursor in the same index. Collected
// first (rid IN (driving subquery), where), every match of a code shared by 100,000 Observations was read
// and sorted for each page of 50.

// streamed writes the FROM/WHERE part of q driven by the index walk of condition d; it returns the
// column the rows come in order of and whether a rid can come twice (grouped away by orderBy).
func (q *Query) streamed(b *sqlBuf, d int) (order string, dups bool) {
	c := q.Where[d]
	x := b.alias()
	// CROSS JOIN keeps the index table the outer loop, so its order is the rows' order.
	b.WriteString(" FROM " + c.streamTable + " " + x + " CROSS JOIN resources r ON r.rid = " + x + ".rid WHERE ")
	c.stream(b, x)
	b.WriteString(" AND r.deleted = 0")
	if len(q.Types) == 1 {
		b.w(" AND +r.type = ?", q.Types[0])
	} else if len(q.Types) > 1 {
		b.WriteString(" AND +r.type IN ")
		placeholders(b, q.Types)
	}
	for i, w := range q.Where {
		if i == d && w.exact {
			continue
		}
		b.WriteString(" AND ")
		// A condition on the rid alone is checked on the index row, before the resources row is read.
		if ridOnly(w) {
			w.pred(b, x)
		} else {
			w.pred(b, "r")
		}
	}
	if q.After > 0 {
		b.w(" AND "+x+".rid > ?", q.After)
	}
	if q.Before > 0 {
		b.w(" AND "+x+".rid < ?", q.Before)
	}
	return x + ".rid", c.streamDups
}

package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
)

// Keyset paging for sorted searches. A page ends at a row whose position in the order is its value for
// each sort key and its rid (Key); the next page is the rows strictly after that position, the previous
// page the rows strictly before it. Unlike an OFFSET, a position does not move when others insert or
// delete rows, so walking the pages neither repeats nor skips a row whose sort values stay the same.

// Key is a row's position in a sorted search: its value for each sort key (nil where it has none, which
// sorts last in both directions) and its rid, which breaks ties.
type Key struct {
	Values []any
	RowID  int64
}

// sortExpr writes the value a row r sorts by for s: a resource column, or the lowest (ascending) or
// highest (descending) value of the parameter, NULL when the resource has none.
func sortExpr(b *sqlBuf, s SortKey) {
	switch s.Kind {
	case "":
		if s.Param == "_id" {
			b.WriteString("r.id")
		} else {
			b.WriteString("r.last_updated")
		}
	default:
		col := map[IndexKind]string{KindToken: "code", KindString: "norm", KindDate: "lo", KindReference: "target_id", KindNumber: "value"}[s.Kind]
		agg := "MIN"
		if s.Desc {
			agg = "MAX"
		}
		b.WriteString("(SELECT " + agg + "(" + col + ") FROM " + string(s.Kind) + " WHERE rid = r.rid AND ")
		if len(s.Params) > 0 {
			b.WriteString("param IN ")
			placeholders(b, s.Params)
		} else {
			b.w("param = ?", s.Param)
		}
		if s.TargetType != "" {
			b.w(" AND target_type = ?", s.TargetType)
		}
		b.WriteString(")")
	}
}

// sortCol names the column of the i-th sort value in the sorted search's inner select: k0, k1, … for
// any number of keys (the FHIR layer bounds how many a search may have, search.MaxSortKeys).
func sortCol(i int) string { return "k" + strconv.Itoa(i) }

// sortedOrder writes the ORDER BY of a sorted search over the inner select; backward reverses it (for a
// previous page, whose rows are then reversed again).
func sortedOrder(b *sqlBuf, sort []SortKey, backward bool) {
	b.WriteString(" ORDER BY ")
	for i, s := range sort {
		asc := !s.Desc != backward
		nulls, dir := " ASC", " ASC"
		if backward {
			nulls = " DESC" // values first, then the rows without one — reversed
		}
		if !asc {
			dir = " DESC"
		}
		b.WriteString("(" + sortCol(i) + " IS NULL)" + nulls + ", " + sortCol(i) + dir + ", ")
	}
	if backward {
		b.WriteString("rid DESC")
	} else {
		b.WriteString("rid")
	}
}

// keysetWhere writes the condition "strictly after k" (or, backward, "strictly before k") in the order of
// sort: for some key i, every earlier key equals k's and key i comes later (earlier); or all keys equal
// and the rid is higher (lower).
func keysetWhere(b *sqlBuf, sort []SortKey, k Key, backward bool) {
	b.WriteString("(")
	for i := range sort {
		var later func()
		c := sortCol(i)
		v := k.Values[i]
		switch {
		case v == nil && !backward:
			continue // nothing sorts after a missing value
		case v == nil:
			later = func() { b.WriteString(c + " IS NOT NULL") }
		default:
			op := ">"
			if sort[i].Desc != backward {
				op = "<"
			}
			later = func() {
				if backward {
					b.w(c+" "+op+" ?", v)
				} else {
					b.w("("+c+" IS NULL OR "+c+" "+op+" ?)", v)
				}
			}
		}
		b.WriteString("(")
		keysetEqual(b, k, i)
		later()
		b.WriteString(") OR ")
	}
	b.WriteString("(")
	keysetEqual(b, k, len(sort))
	if backward {
		b.w("rid < ?)", k.RowID)
	} else {
		b.w("rid > ?)", k.RowID)
	}
	b.WriteString(")")
}

// keysetEqual writes "the first n sort values equal k's AND ".
func keysetEqual(b *sqlBuf, k Key, n int) {
	for j := range n {
		if k.Values[j] == nil {
			b.WriteString(sortCol(j) + " IS NULL AND ")
		} else {
			b.w(sortCol(j)+" = ? AND ", k.Values[j])
		}
	}
}

// searchSorted runs a search with _sort: the sort values are computed once per candidate in an inner
// select, and the page is cut by the keyset condition on them.
func searchSorted(ctx context.Context, db querier, bounded bool, q Query, p Page) (Page, error) {
	backward := q.BeforeKey != nil
	cursor := q.AfterKey
	if backward {
		cursor = q.BeforeKey
	}
	if cursor != nil && len(cursor.Values) != len(q.Sort) {
		return p, fmt.Errorf("store: a page key of %d values for %d sort keys", len(cursor.Values), len(q.Sort))
	}
	b := q.sortedSQL(cursor, backward)
	var keys []Key
	err := db.each(ctx, bounded, b.String(), b.args, func(s rowScanner) error {
		k := Key{Values: make([]any, len(q.Sort))}
		dest := make([]any, len(q.Sort))
		for i := range dest {
			dest[i] = &k.Values[i]
		}
		r, err := scanResource(withExtra{s, dest})
		if err != nil {
			return err
		}
		k.RowID = r.RowID
		p.Resources, keys = append(p.Resources, r), append(keys, k)
		return nil
	})
	if err != nil {
		return p, err
	}
	if len(p.Resources) > q.Limit {
		p.Resources, keys, p.More = p.Resources[:q.Limit], keys[:q.Limit], true
	}
	if backward {
		slices.Reverse(p.Resources)
		slices.Reverse(keys)
	}
	if len(keys) > 0 {
		p.First, p.Last = keys[0], keys[len(keys)-1]
	}
	return p, nil
}

// withExtra scans a resource row followed by more columns.
type withExtra struct {
	row   rowScanner
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.row.Scan(append(dest, w.extra...)...) }

// sortedSQL writes the query of a page of q with _sort, after (or, backward, before) cursor when set.
func (q *Query) sortedSQL(cursor *Key, backward bool) *sqlBuf {
	b := &sqlBuf{}
	b.WriteString("SELECT rid, type, id, version, last_updated, deleted, json")
	for i := range q.Sort {
		b.WriteString(", " + sortCol(i))
	}
	b.WriteString(" FROM (SELECT r.rid, r.type, r.id, r.version, r.last_updated, r.deleted, r.json")
	for i, s := range q.Sort {
		b.WriteString(", ")
		sortExpr(b, s)
		b.WriteString(" AS " + sortCol(i))
	}
	q.where(b, false)
	b.WriteString(")")
	if cursor != nil {
		b.WriteString(" WHERE ")
		keysetWhere(b, q.Sort, *cursor, backward)
	}
	sortedOrder(b, q.Sort, backward)
	b.w(" LIMIT ?", q.Limit+1)
	if cursor == nil && q.Offset > 0 {
		b.w(" OFFSET ?", q.Offset)
	}
	return b
}

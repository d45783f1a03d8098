package store

import "strings"

// drive writes the rid subquery that starts a search from condition d, with every other condition that
// reads only the row id (index-table conditions: tokens, strings, dates, references, compartments,
// chains) checked inside it, on the candidate rids. A search for Observation?patient=…&category=… then
// reads the resources row of the few candidates that match the category only, instead of all the
// patient's Observations. It reports which conditions it took, so where leaves them out.
func (q *Query) drive(b *sqlBuf, d int) (taken []bool) {
	var extra []int
	for i, c := range q.Where {
		if i != d && ridOnly(c) {
			extra = append(extra, i)
		}
	}
	if len(extra) == 0 || !selectsRid(q.Where[d], b.n) {
		q.Where[d].drive(b)
		return nil
	}
	y := b.alias()
	b.WriteString("SELECT " + y + ".rid FROM (")
	q.Where[d].drive(b)
	b.WriteString(") " + y + " WHERE ")
	taken = make([]bool, len(q.Where))
	for k, i := range extra {
		if k > 0 {
			b.WriteString(" AND ")
		}
		q.Where[i].pred(b, y)
		taken[i] = true
	}
	return taken
}

// selectsRid reports whether c's driving subquery names its column rid (some drivers select a value).
func selectsRid(c Cond, n int) bool {
	b := &sqlBuf{n: n}
	c.drive(b)
	first, _, _ := strings.Cut(b.String(), " FROM ")
	return strings.HasPrefix(first, "SELECT ") && strings.HasSuffix(first, ".rid") && !strings.Contains(first, ",")
}

// ridOnly reports whether c's predicate refers to the row only through its rid, by rendering it on a
// marker alias.
func ridOnly(c Cond) bool {
	if c.pred == nil {
		return false
	}
	const marker = "ridonly_probe"
	b := &sqlBuf{}
	c.pred(b, marker)
	s := b.String()
	found := false
	for {
		i := strings.Index(s, marker+".")
		if i < 0 {
			return found
		}
		s = s[i+len(marker)+1:]
		if !strings.HasPrefix(s, "rid") || len(s) > 3 && isIdentByte(s[3]) {
			return false
		}
		found = true
	}
}

func isIdentByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

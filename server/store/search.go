package store

import (
	"context"
	"database/sql"
	"slices"
	"time"
)

// SortKey names what a search sorts by.
type SortKey struct {
	Kind  IndexKind // "" for the resource columns (Param "_id" or "_lastUpdated")
	Param string
	Desc  bool
	// Params, when set, are the parameters whose rows hold Param's values (a token union, spec.TokenUnion);
	// TargetType limits a reference's rows to one target type (spec.RefRows).
	Params     []string
	TargetType string
}

// Query is a search over one or more resource types.
type Query struct {
	Types []string // empty: any type
	Where []Cond   // all must match
	Sort  []SortKey
	// Keyset paging in rid order (used when Sort is empty): only rids above After, or, for a previous
	// page, the last Limit rids below Before. Rids never change, so pages stay stable while others write.
	After, Before int64
	// Keyset paging when Sort is set (keyset.go): only rows after AfterKey, or, for a previous page,
	// the last Limit rows before BeforeKey, in the order of Sort.
	AfterKey, BeforeKey *Key
	Offset              int // skips rows when Sort is set and no key is (the control API's patient list)
	Limit               int // 0: no rows (only the count)
	Count               bool
}

// Page is one page of search results.
type Page struct {
	Resources []Resource
	Total     int  // -1 unless Query.Count
	More      bool // another page follows (precedes, for a page before BeforeKey or Before)
	// First and Last are the positions of the first and last resource when Query.Sort is set.
	First, Last Key
}

// querier runs the reads of a search: on the read pool's statements (DB: driverStmts) or in a write
// transaction (Tx: txQuerier), which must see its own writes. bounded says the query starts from an
// index range of known, small size (Query.bounded), which needs no watcher to interrupt it.
type querier interface {
	each(ctx context.Context, bounded bool, q string, args []any, row func(rowScanner) error) error
}

// txQuerier reads in a write transaction through database/sql.
type txQuerier struct{ tx *sql.Tx }

func (t txQuerier) each(ctx context.Context, _ bool, q string, args []any, row func(rowScanner) error) error {
	rows, err := t.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// resources runs q, which selects a resource row's columns, and collects the rows.
func resources(ctx context.Context, db querier, bounded bool, q string, args []any) ([]Resource, error) {
	var out []Resource
	err := db.each(ctx, bounded, q, args, func(s rowScanner) error {
		r, err := scanResource(s)
		out = append(out, r)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// bounded reports whether the search starts from an index range of known, small size: one patient's rows
// (a compartment, a compartment link, the patient's token rows), ids or a row id. The others can read a
// large part of the database, so they keep the driver's watcher, which interrupts them when ctx ends.
func (q *Query) bounded() bool {
	if _, _, ok := patientToken(q.Types, q.Where); ok {
		return true
	}
	d := bestDriver(q.Where)
	return d >= 0 && (q.Where[d].patient != "" || q.Where[d].rank >= 5)
}

// where writes the FROM/WHERE part of q for the resources row r, and returns the column the rows come
// in rid order by (with keyset, the page's query) and whether a rid can come more than once.
func (q *Query) where(b *sqlBuf, keyset bool) (order string, dups bool) {
	c, implied, pt := patientToken(q.Types, q.Where)
	if d := bestDriver(q.Where); keyset && !pt && d >= 0 && q.Where[d].stream != nil {
		return q.streamed(b, d)
	}
	b.WriteString(" FROM resources r WHERE r.deleted = 0")
	if pt {
		// It goes first, so it wins a tie with a reference; every condition it does not imply is still
		// checked.
		qq := *q
		qq.Where = []Cond{c}
		for i, w := range q.Where {
			if !implied[i] {
				qq.Where = append(qq.Where, w)
			}
		}
		q = &qq
	}
	d := bestDriver(q.Where)
	var taken []bool // conditions checked inside the driving subquery (drive.go)
	if d >= 0 {
		b.WriteString(" AND r.rid IN (")
		taken = q.drive(b, d)
		b.WriteString(")")
	}
	if len(q.Types) > 0 {
		// The unary + keeps SQLite from starting at the type index when an index table drives.
		col := "r.type"
		if d >= 0 {
			col = "+r.type"
		}
		if len(q.Types) == 1 {
			b.w(" AND "+col+" = ?", q.Types[0])
		} else {
			b.WriteString(" AND " + col + " IN ")
			placeholders(b, q.Types)
		}
	}
	for i, c := range q.Where {
		if i == d && c.exact || taken != nil && taken[i] {
			continue
		}
		b.WriteString(" AND ")
		c.pred(b, "r")
	}
	if keyset && q.After > 0 {
		b.w(" AND r.rid > ?", q.After)
	}
	if keyset && q.Before > 0 {
		b.w(" AND r.rid < ?", q.Before)
	}
	return "r.rid", false
}

// orderBy writes the page's order: by the rid column order (of r, or of the index a streamed search
// walks), grouped by it when a rid can come twice (the group is formed from adjacent rows).
func (q *Query) orderBy(b *sqlBuf, order string, dups bool) {
	if dups {
		b.WriteString(" GROUP BY " + order)
	}
	if q.Before > 0 {
		b.WriteString(" ORDER BY " + order + " DESC")
	} else {
		b.WriteString(" ORDER BY " + order)
	}
}

// Search runs q on the read pool.
func (db *DB) Search(ctx context.Context, q Query) (Page, error) { return search(ctx, db.hot, q) }

// Search runs q inside the write transaction (for conditional writes, which must see their own writes).
func (tx *Tx) Search(ctx context.Context, q Query) (Page, error) {
	return search(ctx, txQuerier{tx.tx}, q)
}

func search(ctx context.Context, db querier, q Query) (Page, error) {
	p := Page{Total: -1}
	keyset := len(q.Sort) == 0
	bounded := q.bounded()
	if q.Count {
		b := q.countSQL()
		if err := db.each(ctx, bounded, b.String(), b.args, func(s rowScanner) error { return s.Scan(&p.Total) }); err != nil {
			return p, err
		}
	}
	if q.Limit <= 0 {
		return p, nil
	}
	if !keyset {
		return searchSorted(ctx, db, bounded, q, p)
	}
	q, err := probeUpdated(ctx, db, q)
	if err != nil {
		return p, err
	}
	b := q.pageSQL()
	if p.Resources, err = resources(ctx, db, bounded, b.String(), b.args); err != nil {
		return p, err
	}
	if len(p.Resources) > q.Limit {
		p.Resources, p.More = p.Resources[:q.Limit], true
	}
	if q.Before > 0 {
		slices.Reverse(p.Resources)
	}
	return p, nil
}

// pageSQL writes the query of a page of q without _sort (rows in rid order, keyset on the rid).
func (q *Query) pageSQL() *sqlBuf {
	b := &sqlBuf{}
	b.WriteString("SELECT r.rid, r.type, r.id, r.version, r.last_updated, r.deleted, r.json")
	order, dups := q.where(b, true)
	q.orderBy(b, order, dups)
	b.w(" LIMIT ?", q.Limit+1)
	return b
}

// countSQL writes the query that counts q's matches (_total).
func (q *Query) countSQL() *sqlBuf {
	b := &sqlBuf{}
	b.WriteString("SELECT COUNT(*)")
	q.where(b, false)
	return b
}

// Matches reports whether the live resource row rid satisfies every condition.
func (db *DB) Matches(ctx context.Context, rid int64, where ...Cond) (bool, error) {
	return matches(ctx, db.hot, rid, where)
}

// Matches is Matches inside the transaction, seeing its own writes.
func (tx *Tx) Matches(ctx context.Context, rid int64, where ...Cond) (bool, error) {
	return matches(ctx, txQuerier{tx.tx}, rid, where)
}

func matches(ctx context.Context, db querier, rid int64, where []Cond) (bool, error) {
	q := Query{Where: append([]Cond{RowID(rid)}, where...), Count: true}
	p, err := search(ctx, db, q)
	return p.Total > 0, err
}

// listChunk is how many ids or rids an _include or _revinclude query binds at most. A page of 1,000 and
// what an :iterate round adds to it can be many more; bound in one statement they went past SQLite's
// 32,766 parameters, or, as a chain of ORs, its 1,000-deep expressions (issue #13).
const listChunk = 500

// chunked runs query on successive chunks of n items and collects the rows, each once.
func chunked(n int, query func(lo, hi int) ([]Resource, error)) ([]Resource, error) {
	if n <= listChunk {
		return query(0, n)
	}
	var out []Resource
	seen := map[int64]bool{}
	for lo := 0; lo < n; lo += listChunk {
		rs, err := query(lo, min(lo+listChunk, n))
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if !seen[r.RowID] {
				seen[r.RowID] = true
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// Included returns the live resources that the rows rids point at through param (any param when
// "*"; targetType "" for any type), limited to those satisfying restrict: _include.
func (db *DB) Included(ctx context.Context, rids []int64, param, targetType string, restrict ...Cond) ([]Resource, error) {
	if len(rids) == 0 {
		return nil, nil
	}
	return chunked(len(rids), func(lo, hi int) ([]Resource, error) {
		b := includedSQL(rids[lo:hi], param, targetType, restrict)
		return resources(ctx, db.hot, true, b.String(), b.args) // bounded by the page's rids
	})
}

// includedSQL writes the query of Included for one chunk of rids.
func includedSQL(rids []int64, param, targetType string, restrict []Cond) *sqlBuf {
	b := &sqlBuf{}
	// CROSS JOIN: from the page's reference rows to each target by (type, id). Left to itself SQLite
	// walked every resource of the target type and looked for references to each (10,000 Patients for
	// Encounter?…&_include=Encounter:patient).
	b.WriteString("SELECT DISTINCT r.rid, r.type, r.id, r.version, r.last_updated, r.deleted, r.json FROM idx_ref i " +
		"CROSS JOIN resources r ON r.type = i.target_type AND r.id = i.target_id WHERE i.rid IN ")
	placeholders(b, rids)
	if param != "*" {
		b.w(" AND i.param = ?", param)
	}
	if targetType != "" {
		b.w(" AND i.target_type = ?", targetType)
	}
	liveWithin(b, restrict)
	return b
}

// liveWithin writes the end of an include's WHERE: the resource r is live and satisfies restrict.
func liveWithin(b *sqlBuf, restrict []Cond) {
	b.WriteString(" AND r.deleted = 0")
	for _, c := range restrict {
		b.WriteString(" AND ")
		c.pred(b, "r")
	}
}

// RevIncluded returns the live srcType resources whose param points at one of targets: _revinclude.
func (db *DB) RevIncluded(ctx context.Context, targets []Resource, srcType, param string, restrict ...Cond) ([]Resource, error) {
	if len(targets) == 0 {
		return nil, nil
	}
	return chunked(len(targets), func(lo, hi int) ([]Resource, error) {
		b := revIncludedSQL(targets[lo:hi], srcType, param, restrict)
		// Not bounded: a Practitioner or an Organization can be the target of most of the database.
		return resources(ctx, db.hot, false, b.String(), b.args)
	})
}

// revIncludedSQL writes the query of RevIncluded for one chunk of targets: the targets' ids by type, in
// the order the types come, one IN list per type, on the leading columns of idx_ref_target.
func revIncludedSQL(targets []Resource, srcType, param string, restrict []Cond) *sqlBuf {
	var types []string
	ids := map[string][]string{}
	for _, t := range targets {
		if _, ok := ids[t.Type]; !ok {
			types = append(types, t.Type)
		}
		ids[t.Type] = append(ids[t.Type], t.ID)
	}
	b := &sqlBuf{}
	b.WriteString("SELECT DISTINCT r.rid, r.type, r.id, r.version, r.last_updated, r.deleted, r.json FROM idx_ref i " +
		"JOIN resources r ON r.rid = i.rid WHERE (")
	for k, typ := range types {
		if k > 0 {
			b.WriteString(" OR ")
		}
		b.WriteString("(i.target_id IN ")
		placeholders(b, ids[typ])
		b.w(" AND i.target_type = ?)", typ)
	}
	b.w(") AND i.type = ?", srcType)
	if param != "*" {
		b.w(" AND i.param = ?", param)
	}
	liveWithin(b, restrict)
	return b
}

// HistoryQuery selects versions for the history interactions, newest first.
type HistoryQuery struct {
	Type, ID string    // ID "" for type history; Type "" for the whole system
	Since    time.Time // zero: from the beginning
	Before   time.Time // zero: up to now; fixes the first page's upper bound so later pages stay stable
	// Keyset paging: only versions older than After (the next page), or the Limit versions just newer
	// than Prior (the previous page). A version's position never changes, so pages stay stable while
	// others write.
	After, Prior *HistoryKey
	Limit        int
}

// HistoryKey is a version's position in the newest-first order of history.
type HistoryKey struct{ LastUpdated, RowID, Version int64 }

// HistoryKey returns the position of the version r.
func (r Resource) HistoryKey() HistoryKey {
	return HistoryKey{LastUpdated: Micros(r.LastUpdated), RowID: r.RowID, Version: r.Version}
}

// VersionHistory lists resource versions matching hq, newest first, and whether more follow (precede,
// for a page before Prior).
func (db *DB) VersionHistory(ctx context.Context, hq HistoryQuery) ([]Resource, bool, error) {
	b := &sqlBuf{}
	b.WriteString(`SELECT h.rid, r.type, r.id, h.version, h.last_updated, h.deleted, ` + historyJSON + `
		FROM resource_history h JOIN resources r ON r.rid = h.rid WHERE 1`)
	if hq.Type != "" {
		b.w(" AND r.type = ?", hq.Type)
	}
	if hq.ID != "" {
		b.w(" AND r.id = ?", hq.ID)
	}
	if !hq.Since.IsZero() {
		b.w(" AND h.last_updated >= ?", Micros(hq.Since))
	}
	if !hq.Before.IsZero() {
		b.w(" AND h.last_updated <= ?", Micros(hq.Before))
	}
	order := " ORDER BY h.last_updated DESC, h.rid DESC, h.version DESC"
	switch {
	case hq.Prior != nil:
		k := hq.Prior
		b.w(" AND (h.last_updated, h.rid, h.version) > (?, ?, ?)", k.LastUpdated, k.RowID, k.Version)
		order = " ORDER BY h.last_updated, h.rid, h.version"
	case hq.After != nil:
		k := hq.After
		b.w(" AND (h.last_updated, h.rid, h.version) < (?, ?, ?)", k.LastUpdated, k.RowID, k.Version)
	}
	b.w(order+" LIMIT ?", hq.Limit+1)
	out, err := resources(ctx, db.hot, false, b.String(), b.args)
	if err != nil {
		return nil, false, err
	}
	more := len(out) > hq.Limit
	if more {
		out = out[:hq.Limit]
	}
	if hq.Prior != nil {
		slices.Reverse(out)
	}
	return out, more, nil
}

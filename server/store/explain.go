package store

import (
	"context"
	"strings"
)

// Plans of searches (EXPLAIN QUERY PLAN), for the test that keeps every supported search off a full scan
// and for looking at where a slow search spends its time. A plan is SQLite's own account of the loops it
// will run: "SCAN t" reads all of t (or all of an index), "SEARCH t USING … (a=? AND b>?)" reads the
// range those columns bound.

// Plan is the query plan of one statement a search runs.
type Plan struct {
	Statement string   // "page", "count", "include"
	SQL       string   // the statement, with ? for its arguments
	Steps     []string // SQLite's plan lines, indented two spaces per level of nesting
}

// String is the plan as EXPLAIN QUERY PLAN prints it in the sqlite3 shell, without the tree lines.
func (p Plan) String() string { return p.Statement + ":\n" + strings.Join(p.Steps, "\n") }

// ExplainSearch returns the plans of the statements Search runs for q: its page (when q.Limit > 0) and
// its count (when q.Count).
func (db *DB) ExplainSearch(ctx context.Context, q Query) ([]Plan, error) {
	var out []Plan
	if q.Count {
		p, err := db.explain(ctx, "count", q.countSQL())
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if q.Limit > 0 {
		var b *sqlBuf
		if len(q.Sort) == 0 {
			b = q.pageSQL()
		} else {
			cursor, backward := q.AfterKey, q.BeforeKey != nil
			if backward {
				cursor = q.BeforeKey
			}
			b = q.sortedSQL(cursor, backward)
		}
		p, err := db.explain(ctx, "page", b)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// ExplainIncluded returns the plan of the statement Included runs for rids (up to listChunk of them).
func (db *DB) ExplainIncluded(ctx context.Context, rids []int64, param, targetType string) (Plan, error) {
	return db.explain(ctx, "include", includedSQL(rids[:min(len(rids), listChunk)], param, targetType, nil))
}

// ExplainRevIncluded returns the plan of the statement RevIncluded runs for targets (up to listChunk).
func (db *DB) ExplainRevIncluded(ctx context.Context, targets []Resource, srcType, param string) (Plan, error) {
	return db.explain(ctx, "revinclude", revIncludedSQL(targets[:min(len(targets), listChunk)], srcType, param, nil))
}

func (db *DB) explain(ctx context.Context, name string, b *sqlBuf) (Plan, error) {
	p := Plan{Statement: name, SQL: b.String()}
	rows, err := db.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+b.String(), b.args...)
	if err != nil {
		return p, err
	}
	defer rows.Close()
	depth := map[int64]int{}
	for rows.Next() {
		var id, parent, unused int64
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return p, err
		}
		d := 0
		if parent != 0 {
			d = depth[parent] + 1
		}
		depth[id] = d
		p.Steps = append(p.Steps, strings.Repeat("  ", d)+detail)
	}
	return p, rows.Err()
}

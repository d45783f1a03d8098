package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"time"
)

// ExportScan says which resources a Bulk Data export writes (server/bulk).
type ExportScan struct {
	// Parts are the resource types exported, each with the condition its resources must satisfy (the
	// token's permit and the _typeFilter searches); a nil Where exports every resource of the type.
	Parts []ExportPart
	// Since, when set, keeps the resources changed after it (_since).
	Since time.Time
	// Compartment keeps the resources in some patient's compartment (Patient and Group level); Patients,
	// when not nil, narrows that to these patients' compartments (an empty list to none: a Group without
	// members).
	Compartment bool
	Patients    []string
}

// ExportPart is one exported type.
type ExportPart struct {
	Type  string
	Where *Cond
}

// ExportRow is one exported resource, valid only during the callback: JSON is the stored bytes, not
// a copy.
type ExportRow struct {
	RowID int64
	Type  string
	JSON  []byte
}

// smallCohort is how many patients drive an export from the compartment index instead of a scan of the
// whole table in row order: a few patients' rows are found faster by their index, while a cohort of
// thousands reads most of the table anyway and a scan in row order reads it sequentially.
const smallCohort = 200

// ScanExport calls fn with every resource q selects, in row order, from one read snapshot (so the
// export is consistent with its transactionTime however long it runs), and stops at fn's first error.
// progress gets the fraction of the table's row range passed, every few thousand rows. It streams: one
// row at a time, so memory does not grow with the database.
func (db *DB) ScanExport(ctx context.Context, q ExportScan, fn func(ExportRow) error, progress func(float64)) error {
	if len(q.Parts) == 0 || q.Compartment && q.Patients != nil && len(q.Patients) == 0 {
		return nil
	}
	tx, err := db.r.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var lo, hi sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT min(rid), max(rid) FROM resources`).Scan(&lo, &hi); err != nil {
		return err
	}
	if !hi.Valid {
		return nil
	}
	query, args := exportSQL(q)
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	span := float64(hi.Int64-lo.Int64) + 1
	types := map[string]string{} // one string per type name, not one per row
	var row ExportRow
	var typ, body, patients sql.RawBytes
	dest := []any{&row.RowID, &typ, &body}
	var cohort map[string]bool
	if largeCohort(q) {
		dest = append(dest, &patients)
		cohort = make(map[string]bool, len(q.Patients))
		for _, p := range q.Patients {
			cohort[p] = true
		}
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if n++; n%4096 == 0 && progress != nil {
			progress(float64(row.RowID-lo.Int64+1) / span)
		}
		if cohort != nil && !anyIn(patients, cohort) {
			continue
		}
		t, ok := types[string(typ)]
		if !ok {
			t = string(typ)
			types[t] = t
		}
		row.Type, row.JSON = t, body
		if err := fn(row); err != nil {
			return err
		}
	}
	return rows.Err()
}

// largeCohort says whether q's patients are too many to drive the scan from the compartment index.
func largeCohort(q ExportScan) bool { return q.Compartment && len(q.Patients) > smallCohort }

// anyIn reports whether one of the patients in list (separated by the unit separator) is in set.
func anyIn(list []byte, set map[string]bool) bool {
	for len(list) > 0 {
		p, rest, _ := bytes.Cut(list, []byte{31})
		if set[string(p)] {
			return true
		}
		list = rest
	}
	return false
}

// exportSQL is ScanExport's query. It reads resources in row order, with no sort: from the table itself
// (the unary + keeps SQLite off the type index, which would read the rows out of order and sort them all,
// blobs included, in a temporary b-tree), or for a small cohort from the compartment index, whose rids
// SQLite visits in order.
func exportSQL(q ExportScan) (string, []any) {
	b := &sqlBuf{}
	b.WriteString("SELECT r.rid, r.type, r.json")
	if largeCohort(q) {
		// SQLite evaluates an IN (subquery) inside the correlated EXISTS again for every row (a Group of
		// 1,000 patients exported 1,000 resources/s), so each row brings its patients and ScanExport keeps
		// those of a cohort member.
		b.WriteString(", (SELECT group_concat(c.patient, char(31)) FROM compartment c WHERE c.rid = r.rid)")
	}
	b.WriteString(" FROM resources r WHERE r.deleted = 0")
	if q.Compartment && len(q.Patients) > 0 && !largeCohort(q) {
		ids, _ := json.Marshal(q.Patients)
		b.w(" AND r.rid IN (SELECT c.rid FROM compartment c WHERE c.patient IN (SELECT value FROM json_each(?)))", string(ids))
	} else if q.Compartment {
		b.WriteString(" AND EXISTS (SELECT 1 FROM compartment c WHERE c.rid = r.rid)")
	}
	if !q.Since.IsZero() {
		b.w(" AND r.last_updated > ?", Micros(q.Since))
	}
	// The types without a condition in one IN list, each of the others with its condition.
	var plain []string
	var cond []ExportPart
	for _, p := range q.Parts {
		if p.Where == nil {
			plain = append(plain, p.Type)
		} else {
			cond = append(cond, p)
		}
	}
	b.WriteString(" AND (")
	if len(plain) > 0 {
		b.WriteString("+r.type IN ")
		placeholders(b, plain)
	}
	for i, p := range cond {
		if i > 0 || len(plain) > 0 {
			b.WriteString(" OR ")
		}
		b.w("(+r.type = ? AND ", p.Type)
		p.Where.pred(b, "r")
		b.WriteString(")")
	}
	b.WriteString(") ORDER BY r.rid")
	return b.String(), b.args
}

package store

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"
)

// AuditRecord is one FHIR request as the lean audit log keeps it (migration 0004): enough to build its
// AuditEvent later, nothing more.
type AuditRecord struct {
	ID            string
	Recorded      time.Time
	Interaction   string
	Status        int
	Authenticated bool
	Client        string
	FHIRUser      string
	Subject       string
	Entity        string // Type/id, or ""
	Request       string // method and request URI
	Patient       string // compartment, or ""
}

// AuditLog is the append-only request log behind AuditEvent.
type AuditLog interface {
	AppendAudit(ctx context.Context, recs []AuditRecord) error
	PendingAudit(ctx context.Context, patient string) (bool, error)
}

const auditCols = 11

// auditChunks are the row counts of the audit INSERTs, prepared once on the writer connection: a batch
// is written as a few of them, largest first, because parsing a multi-row INSERT costs about as much as
// running it.
var auditChunks = []int{256, 64, 16, 4, 1}

func auditInsertSQL(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO audit_log (id, recorded, interaction, status, authenticated, client, fhir_user,
		subject, entity, request, patient) VALUES `)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?,?,?,?,?,?,?)")
	}
	return b.String()
}

// prepareAudit prepares the audit INSERTs on the writer connection once, outside any transaction (the
// single writer connection cannot prepare while a transaction holds it). On failure each batch
// prepares its own.
func (db *DB) prepareAudit(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	db.auditOnce.Do(func() {
		m := map[int]*sql.Stmt{}
		for _, n := range auditChunks {
			st, err := db.w.PrepareContext(ctx, auditInsertSQL(n))
			if err != nil {
				for _, st := range m {
					st.Close()
				}
				return
			}
			m[n] = st
		}
		db.auditPrep = m
	})
}

// AppendAudit writes recs in one transaction with multi-row INSERTs on the writer connection.
func (db *DB) AppendAudit(ctx context.Context, recs []AuditRecord) error {
	if len(recs) == 0 {
		return nil
	}
	db.prepareAudit(ctx)
	return db.Tx(ctx, func(tx *Tx) error {
		args := make([]any, 0, auditChunks[0]*auditCols)
		for len(recs) > 0 {
			n := auditChunks[0]
			for _, c := range auditChunks {
				if n = c; c <= len(recs) {
					break
				}
			}
			args = args[:0]
			for _, r := range recs[:n] {
				auth := 0
				if r.Authenticated {
					auth = 1
				}
				args = append(args, r.ID, Micros(r.Recorded), r.Interaction, r.Status, auth, r.Client, r.FHIRUser,
					r.Subject, r.Entity, r.Request, r.Patient)
			}
			var err error
			if st, ok := db.auditPrep[n]; ok {
				_, err = tx.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
			} else {
				_, err = tx.tx.ExecContext(ctx, auditInsertSQL(n), args...)
			}
			if err != nil {
				return err
			}
			recs = recs[n:]
		}
		return nil
	})
}

// PendingAudit reports whether rows wait to become AuditEvents: any row, or (patient set) one in that
// patient's compartment.
func (db *DB) PendingAudit(ctx context.Context, patient string) (bool, error) {
	var n int
	var err error
	if patient == "" {
		err = db.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM audit_log)`).Scan(&n)
	} else {
		err = db.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM audit_log WHERE patient = ? AND patient <> '')`, patient).Scan(&n)
	}
	return n != 0, err
}

// TakeAudit removes and returns the oldest limit rows of the audit log; the caller stores their
// AuditEvents in the same transaction, so a row is either pending or a resource, never both or neither.
func (tx *Tx) TakeAudit(ctx context.Context, limit int) ([]AuditRecord, error) {
	rows, err := tx.tx.QueryContext(ctx, `DELETE FROM audit_log WHERE seq IN (SELECT seq FROM audit_log ORDER BY seq LIMIT ?)
		RETURNING seq, id, recorded, interaction, status, authenticated, client, fhir_user, subject, entity, request, patient`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type seqRec struct {
		seq int64
		rec AuditRecord
	}
	var got []seqRec
	for rows.Next() {
		var x seqRec
		var rec int64
		var auth int
		r := &x.rec
		if err := rows.Scan(&x.seq, &r.ID, &rec, &r.Interaction, &r.Status, &auth, &r.Client, &r.FHIRUser, &r.Subject,
			&r.Entity, &r.Request, &r.Patient); err != nil {
			return nil, err
		}
		r.Recorded, r.Authenticated = FromMicros(rec), auth != 0
		got = append(got, x)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// RETURNING does not promise an order.
	slices.SortFunc(got, func(a, b seqRec) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]AuditRecord, len(got))
	for i, x := range got {
		out[i] = x.rec
	}
	return out, nil
}

var _ AuditLog = (*DB)(nil)

package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// ExportJob is one Bulk Data export (server/bulk): who asked, for what, and how it ended.
type ExportJob struct {
	ID       string
	ClientID string
	Request  string // the kick-off URL
	Status   string // ExportRunning, ExportComplete or ExportFailed
	Created  time.Time
	Finished time.Time // zero while it runs
	Expires  time.Time // zero while it runs
	Exported int
	Manifest string // the output and error file lists (JSON), once complete
	Error    string // why it failed
}

// The states of an export job.
const (
	ExportRunning  = "running"
	ExportComplete = "complete"
	ExportFailed   = "failed"
)

const exportCols = `id, client_id, request, status, created, finished, expires, exported, manifest, error`

func scanExport(s rowScanner) (ExportJob, error) {
	var j ExportJob
	var created, finished, expires int64
	err := s.Scan(&j.ID, &j.ClientID, &j.Request, &j.Status, &created, &finished, &expires, &j.Exported, &j.Manifest, &j.Error)
	if errors.Is(err, sql.ErrNoRows) {
		return j, ErrNotFound
	}
	j.Created = FromMicros(created)
	if finished != 0 {
		j.Finished = FromMicros(finished)
	}
	if expires != 0 {
		j.Expires = FromMicros(expires)
	}
	return j, err
}

// CreateExport records a job that has just started.
func (db *DB) CreateExport(ctx context.Context, j ExportJob) error {
	return db.Tx(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO bulk_exports (id, client_id, request, status, created) VALUES (?, ?, ?, ?, ?)`,
			j.ID, j.ClientID, j.Request, ExportRunning, Micros(j.Created))
		return err
	})
}

// FinishExport records how a running job ended: its status, counts, manifest or error, and expiry.
func (db *DB) FinishExport(ctx context.Context, j ExportJob) error {
	return db.Tx(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, `UPDATE bulk_exports SET status = ?, finished = ?, expires = ?, exported = ?,
			manifest = ?, error = ? WHERE id = ?`, j.Status, Micros(j.Finished), Micros(j.Expires), j.Exported, j.Manifest, j.Error, j.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound // cancelled meanwhile
		}
		return nil
	})
}

// Export reads one job; ErrNotFound when there is none.
func (db *DB) Export(ctx context.Context, id string) (ExportJob, error) {
	return scanExport(db.r.QueryRowContext(ctx, `SELECT `+exportCols+` FROM bulk_exports WHERE id = ?`, id))
}

// Exports lists every job, newest first.
func (db *DB) Exports(ctx context.Context) ([]ExportJob, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+exportCols+` FROM bulk_exports ORDER BY created DESC, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ExportJob
	for rows.Next() {
		j, err := scanExport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// DeleteExport removes a job's row (its files are the caller's); ErrNotFound when there is none.
func (db *DB) DeleteExport(ctx context.Context, id string) error {
	return db.Tx(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, `DELETE FROM bulk_exports WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
}

// FailRunningExports marks the jobs still running as failed with reason: at start-up, the process that
// ran them is gone. The failed jobs expire at expires.
func (db *DB) FailRunningExports(ctx context.Context, reason string, now, expires time.Time) error {
	return db.Tx(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `UPDATE bulk_exports SET status = ?, error = ?, finished = ?, expires = ? WHERE status = ?`,
			ExportFailed, reason, Micros(now), Micros(expires), ExportRunning)
		return err
	})
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Retention says how long the sandbox keeps what it records. Records that no live token, launch or
// sign-in can use are removed once their expiry plus Skew has passed; flow events and the audit log are
// kept for a time and (events) up to a count, because people read them.
type Retention struct {
	// EventsFor and EventsMax bound the flow events: older ones go, and beyond the newest EventsMax.
	// Zero leaves that bound off.
	EventsFor time.Duration
	EventsMax int
	// AuditFor bounds the FHIR request log (audit_log); zero keeps it all.
	AuditFor time.Duration
	// Skew is the clock-skew allowance added to every expiry before a record goes.
	Skew time.Duration
	// LongestAccessToken is the longest an access token may live (any client's lifetime): a grant goes
	// only when no token it issued can still be live.
	LongestAccessToken time.Duration
}

// PruneKind is one kind of record retention removes.
type PruneKind string

// The kinds, in the order a pruning pass removes them.
const (
	PruneEvents        PruneKind = "events"
	PruneAudit         PruneKind = "audit_log"
	PruneGrants        PruneKind = "grants"
	PruneRefreshTokens PruneKind = "refresh_tokens"
	PruneRevocations   PruneKind = "revoked_access_tokens"
	PruneAccessTokens  PruneKind = "access_tokens"
	PruneAssertionJTIs PruneKind = "assertion_jtis"
	PruneAuthRequests  PruneKind = "auth_requests"
	PruneLaunches      PruneKind = "launches"
	PruneEndedSessions PruneKind = "sessions"
)

// MaxPruneBatch bounds one Prune call, so that its transaction stays short.
const MaxPruneBatch = 10_000

// PruneKinds lists every kind.
var PruneKinds = []PruneKind{PruneEvents, PruneAudit, PruneGrants, PruneRefreshTokens, PruneRevocations,
	PruneAccessTokens, PruneAssertionJTIs, PruneAuthRequests, PruneLaunches, PruneEndedSessions}

// Prune removes at most batch records of one kind that the retention lets go, in one short write
// transaction, and returns how many it removed (a flow's events count as one record each, and all of a
// flow's events go in the same transaction). Call it until it returns fewer than batch.
func (db *DB) Prune(ctx context.Context, r Retention, kind PruneKind, batch int) (int, error) {
	if batch <= 0 || batch > MaxPruneBatch {
		return 0, fmt.Errorf("store: prune batch %d is not 1..%d", batch, MaxPruneBatch)
	}
	now := db.now()
	expired := Micros(now.Add(-r.Skew))
	var n int
	err := db.Tx(ctx, func(tx *Tx) error {
		var err error
		switch kind {
		case PruneEvents:
			n, err = tx.pruneEvents(ctx, r, now, batch)
		case PruneAudit:
			if r.AuditFor <= 0 {
				return nil
			}
			n, err = tx.pruneAudit(ctx, Micros(now.Add(-r.AuditFor)), batch)
		case PruneGrants:
			n, err = tx.pruneGrants(ctx, now, r, batch)
		case PruneRefreshTokens:
			n, err = tx.deleteBatch(ctx, `SELECT hash FROM refresh_tokens WHERE expires_at < ?1 LIMIT ?2`,
				`DELETE FROM refresh_tokens WHERE hash = ?`, expired, batch)
		case PruneRevocations:
			n, err = tx.deleteBatch(ctx, `SELECT jti FROM revoked_access_tokens WHERE expires_at < ?1 LIMIT ?2`,
				`DELETE FROM revoked_access_tokens WHERE jti = ?`, expired, batch)
		case PruneAccessTokens: // recorded before migration 0015; read for those tokens only
			n, err = tx.deleteBatch(ctx, `SELECT jti FROM access_tokens WHERE expires_at < ?1 LIMIT ?2`,
				`DELETE FROM access_tokens WHERE jti = ?`, expired, batch)
		case PruneAssertionJTIs:
			n, err = tx.execCount(ctx, `DELETE FROM assertion_jtis WHERE (iss, jti) IN
				(SELECT iss, jti FROM assertion_jtis WHERE expires_at < ?1 LIMIT ?2)`, expired, batch)
		case PruneAuthRequests:
			n, err = tx.deleteBatch(ctx, `SELECT id FROM auth_requests WHERE expires_at < ?1 LIMIT ?2`,
				`DELETE FROM auth_requests WHERE id = ?`, expired, batch)
		case PruneLaunches:
			// A launch is shown with its flow's events in the Flows view: it goes when they may, and never
			// before it has expired.
			keep := now.Add(-r.Skew)
			if r.EventsFor > 0 {
				keep = keep.Add(-r.EventsFor)
			}
			n, err = tx.deleteBatch(ctx, `SELECT id FROM launches WHERE expires_at < ?1 LIMIT ?2`,
				`DELETE FROM launches WHERE id = ?`, Micros(keep), batch)
		case PruneEndedSessions:
			// A session that has ended ends its online_access refresh tokens whether its row is there or not.
			n, err = tx.deleteBatch(ctx, `SELECT id_hash FROM sessions WHERE ended_at <> 0 OR expires_at BETWEEN 1 AND ?1 LIMIT ?2`,
				`DELETE FROM sessions WHERE id_hash = ?`, expired, batch)
		default:
			return fmt.Errorf("store: no prune kind %q", kind)
		}
		return err
	})
	return n, err
}

// deleteBatch deletes, one by one by key, the rows whose keys sel names (args: ?1 the cut, ?2 the batch,
// then any others).
func (tx *Tx) deleteBatch(ctx context.Context, sel, del string, args ...any) (int, error) {
	rows, err := tx.tx.QueryContext(ctx, sel, args...)
	if err != nil {
		return 0, err
	}
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return 0, err
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, k := range keys {
		if _, err := tx.tx.ExecContext(ctx, del, k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

func (tx *Tx) execCount(ctx context.Context, q string, args ...any) (int, error) {
	res, err := tx.tx.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// pruneEvents removes the oldest events beyond the retention: those older than EventsFor, and those
// beyond the newest EventsMax, except the events of launches still waiting to be used. A flow goes whole:
// with its first event go all the others, newer ones included.
func (tx *Tx) pruneEvents(ctx context.Context, r Retention, now time.Time, batch int) (int, error) {
	var cut int64 // events with id <= cut may go
	if r.EventsMax > 0 {
		// Ids are unique and only grow, so the newest EventsMax events all have ids above the newest id
		// less EventsMax: an index lookup, where counting back through the kept events would read them all.
		var newest int64
		if err := tx.tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM events`).Scan(&newest); err != nil {
			return 0, err
		}
		cut = newest - int64(r.EventsMax)
	}
	if r.EventsFor > 0 {
		// Ids grow with time, so the oldest event within the bound ends the run of old ones; reading from
		// the oldest, only the events about to go are read.
		var firstKept int64
		err := tx.tx.QueryRowContext(ctx, `SELECT id FROM events WHERE at >= ? ORDER BY id LIMIT 1`,
			Micros(now.Add(-r.EventsFor))).Scan(&firstKept)
		if isNoRows(err) {
			err = tx.tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM events`).Scan(&firstKept)
		}
		if err != nil {
			return 0, err
		}
		cut = max(cut, firstKept-1)
	}
	if cut <= 0 {
		return 0, nil
	}
	rows, err := tx.tx.QueryContext(ctx, `SELECT id, flow_id FROM events WHERE id <= ?1
		AND launch_id NOT IN (SELECT id FROM launches WHERE used_at = 0 AND expires_at > ?2) ORDER BY id LIMIT ?3`,
		cut, Micros(now), batch)
	if err != nil {
		return 0, err
	}
	var ids []int64
	flows := map[string]bool{}
	for rows.Next() {
		var id int64
		var flow string
		if err := rows.Scan(&id, &flow); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
		if flow != "" {
			flows[flow] = true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return 0, err
	}
	n := 0
	for flow := range flows {
		c, err := tx.execCount(ctx, delFlowEvents, flow)
		if err != nil {
			return 0, err
		}
		n += c
	}
	// What the flows did not take: events without a flow.
	c, err := tx.execCount(ctx, `DELETE FROM events WHERE id >= ?1 AND id <= ?2 AND flow_id = ''
		AND launch_id NOT IN (SELECT id FROM launches WHERE used_at = 0 AND expires_at > ?3)`, ids[0], ids[len(ids)-1], Micros(now))
	return n + c, err
}

// delFlowEvents removes one flow's events. events_flow is a partial index (WHERE flow_id <> ”), which
// SQLite uses only for a query that says the same, whatever the bound value: without it, a full scan.
const delFlowEvents = `DELETE FROM events WHERE flow_id = ? AND flow_id <> ''`

// pruneAudit removes audit records older than cut (Unix µs). Their seq grows with time, so the first
// recent record bounds the range to delete.
func (tx *Tx) pruneAudit(ctx context.Context, cut int64, batch int) (int, error) {
	var first int64
	err := tx.tx.QueryRowContext(ctx, `SELECT seq FROM audit_log WHERE recorded >= ? ORDER BY seq LIMIT 1`, cut).Scan(&first)
	if isNoRows(err) {
		err = tx.tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log`).Scan(&first)
	}
	if err != nil {
		return 0, err
	}
	return tx.execCount(ctx, `DELETE FROM audit_log WHERE seq IN (SELECT seq FROM audit_log WHERE seq < ? ORDER BY seq LIMIT ?)`,
		first, batch)
}

// pruneGrants removes grants nothing can use any more: revoked ones (a token naming a grant that is not
// stored is inactive, as a revoked one is), and those whose refresh tokens have all expired longer ago than
// the longest access token could live (a grant issues tokens only when it is created or refreshed). Their
// rotated refresh tokens go with them (ON DELETE CASCADE).
func (tx *Tx) pruneGrants(ctx context.Context, now time.Time, r Retention, batch int) (int, error) {
	revokedCut := Micros(now.Add(-r.Skew))
	quiet := now.Add(-r.Skew - r.LongestAccessToken)
	// Grant ids start with their creation time in milliseconds as 12 hex digits (server/auth recordID):
	// the primary key range finds the old ones without scanning the rest.
	idCut := fmt.Sprintf("%012x", max(quiet.UnixMilli(), 0))
	return tx.deleteBatch(ctx, `SELECT id FROM grants WHERE (revoked_at <> 0 AND revoked_at < ?1)
		OR (revoked_at = 0 AND id < ?3 AND created_at < ?4 AND refresh_expires_at < ?4
			AND NOT EXISTS (SELECT 1 FROM refresh_tokens AS t WHERE t.grant_id = grants.id AND t.expires_at >= ?4))
		LIMIT ?2`, `DELETE FROM grants WHERE id = ?`, revokedCut, batch, idCut, Micros(quiet))
}

// Size is the database's size on disk: the main file and its write-ahead log.
func (db *DB) Size() (int64, error) {
	if db.path == Memory {
		var pages, size int64
		if err := db.r.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
			return 0, err
		}
		err := db.r.QueryRow(`PRAGMA page_size`).Scan(&size)
		return pages * size, err
	}
	var total int64
	for _, p := range []string{db.path, db.path + "-wal"} {
		st, err := os.Stat(p)
		if err == nil {
			total += st.Size()
		} else if !os.IsNotExist(err) {
			return 0, err
		}
	}
	return total, nil
}

// TableUsage is the space one table takes, with its indexes.
type TableUsage struct {
	Table string `json:"table"`
	Rows  int64  `json:"rows,omitempty"`
	Bytes int64  `json:"bytes"`
}

// Usage is the space each table takes (SQLite's dbstat), largest first. It reads every page of the
// database, so it is for a person asking, not for polling.
func (db *DB) Usage(ctx context.Context) ([]TableUsage, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT s.tbl_name, SUM(d.pgsize) FROM dbstat AS d JOIN sqlite_schema AS s ON s.name = d.name
		WHERE d.aggregate = TRUE GROUP BY s.tbl_name ORDER BY 2 DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TableUsage
	for rows.Next() {
		var u TableUsage
		if err := rows.Scan(&u.Table, &u.Bytes); err != nil {
			return nil, err
		}
		if !strings.HasPrefix(u.Table, "sqlite_") {
			out = append(out, u)
		}
	}
	return out, rows.Err()
}

// CountEvents is the number of flow events stored.
func (db *DB) CountEvents(ctx context.Context) (int64, error) {
	var n int64
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM events`).Scan(&n)
	return n, err
}

// ClearEvents removes every flow event (the panel's "clear flow history").
func (db *DB) ClearEvents(ctx context.Context) (int, error) {
	var n int
	err := db.Tx(ctx, func(tx *Tx) error {
		var err error
		n, err = tx.execCount(ctx, `DELETE FROM events`)
		return err
	})
	return n, err
}

// ReclaimSpace gives up to pages free pages back to the file system (incremental vacuum) and returns how
// many it gave. A database created before Valet turned auto_vacuum on has to be compacted once (`valet
// compact`) before it can shrink; until then it gives nothing back, and its free pages are reused as it
// grows again.
func (db *DB) ReclaimSpace(ctx context.Context, pages int) (int64, error) {
	var before, after int64
	err := db.Tx(ctx, func(tx *Tx) error {
		var mode int
		if err := tx.tx.QueryRowContext(ctx, `PRAGMA auto_vacuum`).Scan(&mode); err != nil || mode != 2 {
			return err
		}
		if err := tx.tx.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&before); err != nil || before == 0 {
			return err
		}
		rows, err := tx.tx.QueryContext(ctx, `PRAGMA incremental_vacuum(`+strconv.Itoa(pages)+`)`)
		if err != nil {
			return err
		}
		for rows.Next() {
		}
		rows.Close()
		return tx.tx.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&after)
	})
	return before - after, err
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

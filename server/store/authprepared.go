package store

import (
	"context"
	"database/sql"
)

// The authorization server's hot statements: what every code exchange, refresh, client assertion and
// event batch runs. Parsing and planning them costs about as much as running them, so they are among
// the writer connection's prepared statements (writeStatements, batch.go), and Tx.stmt finds them there
// like any other.
const (
	insGrant = `INSERT INTO grants (id, client_id, created_at, json, refresh_hash, refresh_expires_at, refresh_online)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
	selGrant        = `SELECT json, revoked_at FROM grants WHERE id = ?`
	selGrantRefresh = `SELECT json, revoked_at, refresh_hash, refresh_expires_at, refresh_used_at, refresh_online
		FROM grants WHERE id = ?`
	useGrantRefresh = `UPDATE grants SET refresh_used_at = ? WHERE id = ?`
	insRefreshToken = `INSERT INTO refresh_tokens (hash, grant_id, expires_at, json) VALUES (?, ?, ?, ?)`
	selRefreshToken = `SELECT grant_id, expires_at, used_at, revoked_at, json FROM refresh_tokens WHERE hash = ?`
	useRefreshToken = `UPDATE refresh_tokens SET used_at = ? WHERE hash = ?`
	selSessionEnded = `SELECT ended_at, expires_at FROM sessions WHERE id_hash = ?`
	delAssertionJTI = `DELETE FROM assertion_jtis WHERE expires_at < ?`
	insAssertionJTI = `INSERT INTO assertion_jtis (iss, jti, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`
	insEvent        = `INSERT INTO events (at, kind, launch_id, flow_id, client_id, json) VALUES (?, ?, ?, ?, ?, ?)`
)

var authStatements = []string{insGrant, selGrant, selGrantRefresh, useGrantRefresh, insRefreshToken, selRefreshToken,
	useRefreshToken, selSessionEnded, delAssertionJTI, insAssertionJTI, insEvent}

// exec runs q through its prepared statement (see Tx.stmt).
func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := tx.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// queryRow is exec for a query of one row.
func (tx *Tx) queryRow(ctx context.Context, q string, args ...any) rowScanner {
	st, err := tx.stmt(ctx, q)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// errRow is a row whose statement could not be prepared.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

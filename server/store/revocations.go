package store

import (
	"context"
	"time"
)

// Revocations end at once everything issued to an app or to a user (the panel's "Revoke everything"),
// and a user's sign-in sessions ("End session"): what a patient portal offers under "connected apps".
type Revocations interface {
	// RevokeClientGrants revokes every live grant of a client, and so every token issued from them.
	RevokeClientGrants(ctx context.Context, clientID string) (int, error)
	// RevokeUserGrants revokes every live grant a user (fhirUser, e.g. Practitioner/dr1) authorized.
	RevokeUserGrants(ctx context.Context, fhirUser string) (int, error)
	// Sessions lists live sign-in sessions, newest first; of one user when fhirUser is not "".
	Sessions(ctx context.Context, fhirUser string) ([]SessionInfo, error)
	// EndUserSessions ends every live session of a user: their online_access refresh tokens end too.
	EndUserSessions(ctx context.Context, fhirUser string) (int, error)
}

var _ Revocations = (*DB)(nil)

// SessionInfo is a live sign-in session. IDHash is what the store knows it by (the browser's cookie is
// never stored).
type SessionInfo struct {
	IDHash    string
	User      string
	CreatedAt time.Time
	ExpiresAt time.Time // zero: no end (a session from before migration 0021)
}

// RevokeClientGrants implements Revocations.
func (db *DB) RevokeClientGrants(ctx context.Context, clientID string) (int, error) {
	return db.revokeGrantsWhere(ctx, `client_id = ?2`, clientID)
}

// RevokeUserGrants implements Revocations. It reads each grant's JSON (no index: a rare panel action).
func (db *DB) RevokeUserGrants(ctx context.Context, fhirUser string) (int, error) {
	return db.revokeGrantsWhere(ctx, `json_extract(json, '$.fhirUser') = ?2`, fhirUser)
}

// revokeGrantsWhere revokes the live grants matching cond (its ?2 is arg) and their refresh tokens.
func (db *DB) revokeGrantsWhere(ctx context.Context, cond, arg string) (int, error) {
	var n int64
	err := db.Tx(ctx, func(tx *Tx) error {
		now := Micros(tx.now())
		if _, err := tx.tx.ExecContext(ctx, `UPDATE refresh_tokens SET revoked_at = ?1 WHERE revoked_at = 0 AND grant_id IN
			(SELECT id FROM grants WHERE revoked_at = 0 AND `+cond+`)`, now, arg); err != nil {
			return err
		}
		res, err := tx.tx.ExecContext(ctx, `UPDATE grants SET revoked_at = ?1 WHERE revoked_at = 0 AND `+cond, now, arg)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// Sessions implements Revocations.
func (db *DB) Sessions(ctx context.Context, fhirUser string) ([]SessionInfo, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id_hash, fhir_user, created_at, expires_at FROM sessions
		WHERE ended_at = 0 AND (expires_at = 0 OR expires_at > ?1) AND (?2 = '' OR fhir_user = ?2)
		ORDER BY created_at DESC LIMIT 1000`, Micros(db.now()), fhirUser)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []SessionInfo{}
	for rows.Next() {
		var s SessionInfo
		var created, expires int64
		if err := rows.Scan(&s.IDHash, &s.User, &created, &expires); err != nil {
			return nil, err
		}
		s.CreatedAt = FromMicros(created)
		if expires != 0 {
			s.ExpiresAt = FromMicros(expires)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// EndUserSessions implements Revocations.
func (db *DB) EndUserSessions(ctx context.Context, fhirUser string) (int, error) {
	var n int64
	err := db.Tx(ctx, func(tx *Tx) error {
		now := Micros(tx.now())
		res, err := tx.tx.ExecContext(ctx, `UPDATE sessions SET ended_at = ?1 WHERE fhir_user = ?2 AND ended_at = 0
			AND (expires_at = 0 OR expires_at > ?1)`, now, fhirUser)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

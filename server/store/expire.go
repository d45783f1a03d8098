package store

import (
	"context"
	"database/sql"

	"time"
)

// "Expire now" (the control API's POST /api/expire): one credential is made to expire at the sandbox
// clock's present, so that it then fails exactly as one past its lifetime does — an expired access token
// is a 401 invalid_token "expired", an expired refresh token invalid_grant "has expired", an expired launch
// invalid_request "has expired", an expired session a sign-in page again (and the end of its online_access
// refresh tokens). Each answers ErrNotFound when there is no such credential still live to expire.

// Expiry is what the store's expire-now changes.
type Expiry interface {
	ExpireAccessToken(ctx context.Context, at AccessToken) error
	ExpireRefreshToken(ctx context.Context, hash string) error
	ExpireGrantRefresh(ctx context.Context, grantID string) error
	ExpireLaunch(ctx context.Context, id string) error
	ExpireSession(ctx context.Context, idHash string) error
}

var _ Expiry = (*DB)(nil)

// ExpireAccessToken records an access token as expired until its exp (after which its own exp rejects
// it). A token already revoked stays revoked; ErrNotFound when its exp has passed.
func (db *DB) ExpireAccessToken(ctx context.Context, at AccessToken) error {
	return db.Tx(ctx, func(tx *Tx) error {
		if !tx.now().Before(at.ExpiresAt) {
			return ErrNotFound
		}
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO revoked_access_tokens (jti, expires_at, expired) VALUES (?, ?, 1)
			ON CONFLICT DO NOTHING`, at.JTI, Micros(at.ExpiresAt))
		return err
	})
}

// ExpireRefreshToken expires one live refresh token (by its Hash, as the token endpoint finds it).
func (db *DB) ExpireRefreshToken(ctx context.Context, hash string) error {
	return db.Tx(ctx, func(tx *Tx) error {
		rt, _, used, revoked, err := tx.refreshToken(ctx, hash)
		switch {
		case err != nil:
			return err
		case used || revoked || !tx.now().Before(rt.ExpiresAt):
			return ErrNotFound
		}
		now := Micros(tx.now())
		if id, _, ok := inGrant(hash); ok {
			_, err = tx.tx.ExecContext(ctx, `UPDATE grants SET refresh_expires_at = ? WHERE id = ?`, now, id)
		} else {
			_, err = tx.tx.ExecContext(ctx, `UPDATE refresh_tokens SET expires_at = ? WHERE hash = ?`, now, hash)
		}
		return err
	})
}

// ExpireGrantRefresh expires the live refresh token of a grant (the one not rotated away yet): the
// panel knows a flow's grant, never its refresh token, which is stored only as a hash.
func (db *DB) ExpireGrantRefresh(ctx context.Context, grantID string) error {
	return db.Tx(ctx, func(tx *Tx) error {
		now := Micros(tx.now())
		var n int64
		for _, q := range []string{
			`UPDATE grants SET refresh_expires_at = ?1 WHERE id = ?2 AND revoked_at = 0 AND refresh_hash <> ''
				AND refresh_used_at = 0 AND refresh_expires_at > ?1`,
			`UPDATE refresh_tokens SET expires_at = ?1 WHERE grant_id = ?2 AND used_at = 0 AND revoked_at = 0 AND expires_at > ?1
				AND NOT EXISTS (SELECT 1 FROM grants WHERE id = ?2 AND revoked_at <> 0)`,
		} {
			res, err := tx.tx.ExecContext(ctx, q, now, grantID)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += k
		}
		if n == 0 {
			return ErrNotFound
		}
		return nil
	})
}

// ExpireLaunch expires an EHR launch not used yet.
func (db *DB) ExpireLaunch(ctx context.Context, id string) error {
	return db.Tx(ctx, func(tx *Tx) error {
		now := tx.now()
		// The launch's JSON holds its expiry too (UseLaunch and the authorization endpoint read it there).
		res, err := tx.tx.ExecContext(ctx, `UPDATE launches SET expires_at = ?1, json = json_set(json, '$.expires_at', ?2)
			WHERE id = ?3 AND used_at = 0 AND expires_at > ?1`, Micros(now), now.Format(time.RFC3339Nano), id)
		return oneRow(res, err)
	})
}

// ExpireSession expires a live sign-in session.
func (db *DB) ExpireSession(ctx context.Context, idHash string) error {
	return db.Tx(ctx, func(tx *Tx) error {
		now := Micros(tx.now())
		res, err := tx.tx.ExecContext(ctx, `UPDATE sessions SET expires_at = ?1 WHERE id_hash = ?2 AND ended_at = 0
			AND (expires_at = 0 OR expires_at > ?1)`, now, idHash)
		return oneRow(res, err)
	})
}

// oneRow turns an UPDATE that changed nothing into ErrNotFound.
func oneRow(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return ErrNotFound
	}
	return nil
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// AdminSession is a signed-in admin of a shared sandbox (server/admin). TokenHash is the SHA-256 of the
// session cookie's value; the value itself is never stored.
type AdminSession struct {
	TokenHash []byte
	CSRF      string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Kinds of AdminCredential.
const (
	CredentialAPIKey       = "api_key"      // a bearer key for /api (CI)
	CredentialRegistration = "registration" // an initial access token for /auth/register (RFC 7591 §3)
)

// AdminCredential is an API key or an initial access token the admin created. TokenHash is the SHA-256 of
// the secret, which is shown once and never stored.
type AdminCredential struct {
	ID         string
	Kind       string
	Name       string
	TokenHash  []byte
	CreatedAt  time.Time
	LastUsedAt time.Time // zero when never used
}

// Admin stores shared mode's sessions and credentials.
type Admin interface {
	CreateAdminSession(ctx context.Context, s AdminSession) error
	// AdminSession returns the session with this hash; ErrNotFound when there is none or it expired.
	AdminSession(ctx context.Context, tokenHash []byte) (AdminSession, error)
	DeleteAdminSession(ctx context.Context, tokenHash []byte) error
	// DeleteAdminSessions signs every admin out (the admin password changed), or only the expired ones.
	DeleteAdminSessions(ctx context.Context, expiredOnly bool) error
	CreateAdminCredential(ctx context.Context, c AdminCredential) error
	// AdminCredentialByHash returns the credential of this kind and hash, or ErrNotFound.
	AdminCredentialByHash(ctx context.Context, kind string, tokenHash []byte) (AdminCredential, error)
	// TouchAdminCredential records that it was used now.
	TouchAdminCredential(ctx context.Context, id string) error
	ListAdminCredentials(ctx context.Context, kind string) ([]AdminCredential, error)
	// DeleteAdminCredential revokes it; ErrNotFound when there is none of this kind and id.
	DeleteAdminCredential(ctx context.Context, kind, id string) error
}

var _ Admin = (*DB)(nil)

func (db *DB) CreateAdminSession(ctx context.Context, s AdminSession) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO admin_sessions (token_hash, csrf, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		s.TokenHash, s.CSRF, Micros(s.CreatedAt), Micros(s.ExpiresAt))
	return err
}

func (db *DB) AdminSession(ctx context.Context, tokenHash []byte) (AdminSession, error) {
	s := AdminSession{TokenHash: tokenHash}
	var created, expires int64
	err := db.r.QueryRowContext(ctx, `SELECT csrf, created_at, expires_at FROM admin_sessions WHERE token_hash = ? AND expires_at > ?`,
		tokenHash, Micros(db.now())).Scan(&s.CSRF, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	s.CreatedAt, s.ExpiresAt = FromMicros(created), FromMicros(expires)
	return s, err
}

func (db *DB) DeleteAdminSession(ctx context.Context, tokenHash []byte) error {
	_, err := db.w.ExecContext(ctx, `DELETE FROM admin_sessions WHERE token_hash = ?`, tokenHash)
	return err
}

func (db *DB) DeleteAdminSessions(ctx context.Context, expiredOnly bool) error {
	if expiredOnly {
		_, err := db.w.ExecContext(ctx, `DELETE FROM admin_sessions WHERE expires_at <= ?`, Micros(db.now()))
		return err
	}
	_, err := db.w.ExecContext(ctx, `DELETE FROM admin_sessions`)
	return err
}

func (db *DB) CreateAdminCredential(ctx context.Context, c AdminCredential) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO admin_credentials (id, kind, name, token_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
		c.ID, c.Kind, c.Name, c.TokenHash, Micros(c.CreatedAt))
	return err
}

const adminCredentialColumns = `id, kind, name, token_hash, created_at, coalesce(last_used_at, 0)`

func scanAdminCredential(row interface{ Scan(...any) error }) (AdminCredential, error) {
	var c AdminCredential
	var created, used int64
	if err := row.Scan(&c.ID, &c.Kind, &c.Name, &c.TokenHash, &created, &used); err != nil {
		return c, err
	}
	c.CreatedAt = FromMicros(created)
	if used != 0 {
		c.LastUsedAt = FromMicros(used)
	}
	return c, nil
}

func (db *DB) AdminCredentialByHash(ctx context.Context, kind string, tokenHash []byte) (AdminCredential, error) {
	c, err := scanAdminCredential(db.r.QueryRowContext(ctx, `SELECT `+adminCredentialColumns+` FROM admin_credentials
		WHERE token_hash = ? AND kind = ?`, tokenHash, kind))
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	return c, err
}

func (db *DB) TouchAdminCredential(ctx context.Context, id string) error {
	_, err := db.w.ExecContext(ctx, `UPDATE admin_credentials SET last_used_at = ? WHERE id = ?`, Micros(db.now()), id)
	return err
}

func (db *DB) ListAdminCredentials(ctx context.Context, kind string) ([]AdminCredential, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+adminCredentialColumns+` FROM admin_credentials WHERE kind = ?
		ORDER BY created_at DESC, id`, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AdminCredential{}
	for rows.Next() {
		c, err := scanAdminCredential(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (db *DB) DeleteAdminCredential(ctx context.Context, kind, id string) error {
	res, err := db.w.ExecContext(ctx, `DELETE FROM admin_credentials WHERE kind = ? AND id = ?`, kind, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%s %s: %w", kind, id, ErrNotFound)
	}
	return nil
}

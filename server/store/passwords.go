package store

import (
	"context"
	"database/sql"
	"errors"
)

// UserPasswords stores the optional password hashes of login identities (fhirUser references).
type UserPasswords interface {
	SetUserPassword(ctx context.Context, fhirUser, hash string) error
	// UserPassword returns the hash, or ErrNotFound when the user has no password.
	UserPassword(ctx context.Context, fhirUser string) (string, error)
	// DeleteUserPassword removes it; ErrNotFound when there was none.
	DeleteUserPassword(ctx context.Context, fhirUser string) error
	// UsersWithPasswords lists the fhirUsers that have one.
	UsersWithPasswords(ctx context.Context) (map[string]bool, error)
}

// SetUserPassword stores (or replaces) a user's password hash.
func (db *DB) SetUserPassword(ctx context.Context, fhirUser, hash string) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO user_passwords (fhir_user, hash, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (fhir_user) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at`, fhirUser, hash, Micros(db.now()))
	return err
}

// UserPassword returns a user's password hash or ErrNotFound.
func (db *DB) UserPassword(ctx context.Context, fhirUser string) (string, error) {
	var h string
	err := db.r.QueryRowContext(ctx, `SELECT hash FROM user_passwords WHERE fhir_user = ?`, fhirUser).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return h, err
}

// DeleteUserPassword removes a user's password.
func (db *DB) DeleteUserPassword(ctx context.Context, fhirUser string) error {
	res, err := db.w.ExecContext(ctx, `DELETE FROM user_passwords WHERE fhir_user = ?`, fhirUser)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// UsersWithPasswords returns the set of users that have a password.
func (db *DB) UsersWithPasswords(ctx context.Context) (map[string]bool, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT fhir_user FROM user_passwords`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, err
		}
		out[u] = true
	}
	return out, rows.Err()
}

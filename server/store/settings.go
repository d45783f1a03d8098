package store

import (
	"context"
	"database/sql"
	"errors"
)

// Setting returns the value stored under key, or ErrNotFound.
func (db *DB) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := db.r.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return v, err
}

// PutSetting stores value under key, replacing any earlier value.
func (db *DB) PutSetting(ctx context.Context, key, value string) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// DeleteSetting removes key; deleting a missing key is not an error.
func (db *DB) DeleteSetting(ctx context.Context, key string) error {
	_, err := db.w.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, key)
	return err
}

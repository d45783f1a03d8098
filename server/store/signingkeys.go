package store

import (
	"context"
	"time"
)

// SigningKey is one of the sandbox's own signing keys, with its private JWK.
type SigningKey struct {
	KID          string
	Alg          string
	CreatedAt    time.Time
	RetiredAt    time.Time // zero while it is the active key for its algorithm
	PublishUntil time.Time // zero while active; after retirement, when the last token it signed expires
	PrivateJWK   []byte
}

// SigningKeys stores signing keys.
type SigningKeys interface {
	SigningKeys(ctx context.Context) ([]SigningKey, error)
	// RotateSigningKey stores next as the active key for its algorithm and retires the previous one,
	// which stays published until publishUntil.
	RotateSigningKey(ctx context.Context, next SigningKey, publishUntil time.Time) error
}

// SigningKeys lists every key still published, oldest first.
func (db *DB) SigningKeys(ctx context.Context) ([]SigningKey, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT kid, alg, created_at, retired_at, publish_until, private_jwk FROM signing_keys
		WHERE publish_until = 0 OR publish_until > ? ORDER BY created_at, kid`, Micros(db.now()))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SigningKey
	for rows.Next() {
		var k SigningKey
		var created, retired, until int64
		if err := rows.Scan(&k.KID, &k.Alg, &created, &retired, &until, &k.PrivateJWK); err != nil {
			return nil, err
		}
		k.CreatedAt = FromMicros(created)
		if retired != 0 {
			k.RetiredAt = FromMicros(retired)
		}
		if until != 0 {
			k.PublishUntil = FromMicros(until)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// RotateSigningKey retires the active key of next.Alg and stores next as active.
func (db *DB) RotateSigningKey(ctx context.Context, next SigningKey, publishUntil time.Time) error {
	return db.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, `UPDATE signing_keys SET retired_at = ?, publish_until = ? WHERE alg = ? AND retired_at = 0`,
			Micros(tx.now()), Micros(publishUntil), next.Alg); err != nil {
			return err
		}
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO signing_keys (kid, alg, created_at, private_jwk) VALUES (?, ?, ?, ?)`,
			next.KID, next.Alg, Micros(next.CreatedAt), next.PrivateJWK)
		return err
	})
}

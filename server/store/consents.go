package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// RememberedConsent is a user's approval of a client's scopes, kept so that the consent page is not
// shown again for the same or narrower scopes (as patient portals remember "connected apps").
type RememberedConsent struct {
	ClientID  string    `json:"client_id"`
	User      string    `json:"user"`
	Scope     string    `json:"scope"`
	CreatedAt time.Time `json:"created_at"`
}

// Consents stores remembered consent decisions.
type Consents interface {
	// RememberConsent stores (or replaces) the decision of c.User for c.ClientID.
	RememberConsent(ctx context.Context, c RememberedConsent) error
	// RememberedConsent returns the decision of user for client, or ErrNotFound.
	RememberedConsent(ctx context.Context, clientID, user string) (RememberedConsent, error)
	// RememberedConsents lists decisions, newest first; of one client or one user when given.
	RememberedConsents(ctx context.Context, clientID, user string) ([]RememberedConsent, error)
	// ForgetConsents forgets the decisions matching clientID and user ("" matches any, not both empty),
	// and revokes the grants those users gave those clients, so their refresh tokens end with the decision.
	// It returns how many decisions and grants it ended.
	ForgetConsents(ctx context.Context, clientID, user string) (consents, grants int, err error)
}

var _ Consents = (*DB)(nil)

// RememberConsent implements Consents.
func (db *DB) RememberConsent(ctx context.Context, c RememberedConsent) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO remembered_consents (client_id, fhir_user, scope, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (client_id, fhir_user) DO UPDATE SET scope = excluded.scope, created_at = excluded.created_at`,
		c.ClientID, c.User, c.Scope, Micros(c.CreatedAt))
	return err
}

// RememberedConsent implements Consents.
func (db *DB) RememberedConsent(ctx context.Context, clientID, user string) (RememberedConsent, error) {
	list, err := db.RememberedConsents(ctx, clientID, user)
	if err == nil && len(list) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return RememberedConsent{}, err
	}
	return list[0], nil
}

// RememberedConsents implements Consents.
func (db *DB) RememberedConsents(ctx context.Context, clientID, user string) ([]RememberedConsent, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT client_id, fhir_user, scope, created_at FROM remembered_consents
		WHERE (?1 = '' OR client_id = ?1) AND (?2 = '' OR fhir_user = ?2) ORDER BY created_at DESC LIMIT 1000`, clientID, user)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []RememberedConsent{}
	for rows.Next() {
		var c RememberedConsent
		var created int64
		if err := rows.Scan(&c.ClientID, &c.User, &c.Scope, &created); err != nil {
			return nil, err
		}
		c.CreatedAt = FromMicros(created)
		out = append(out, c)
	}
	return out, rows.Err()
}

// ForgetConsents implements Consents.
func (db *DB) ForgetConsents(ctx context.Context, clientID, user string) (int, int, error) {
	if clientID == "" && user == "" {
		return 0, 0, errors.New("store: ForgetConsents needs a client or a user")
	}
	var consents, grants int64
	err := db.Tx(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, `DELETE FROM remembered_consents WHERE (?1 = '' OR client_id = ?1) AND (?2 = '' OR fhir_user = ?2)`,
			clientID, user)
		if err != nil {
			return err
		}
		if consents, err = res.RowsAffected(); err != nil || consents == 0 {
			return err
		}
		// Only grants the decision covers: this client, this user (both given when one decision is revoked).
		if clientID == "" || user == "" {
			return nil
		}
		now := Micros(tx.now())
		cond := `revoked_at = 0 AND client_id = ?2 AND json_extract(json, '$.fhirUser') = ?3`
		if _, err := tx.tx.ExecContext(ctx, `UPDATE refresh_tokens SET revoked_at = ?1 WHERE revoked_at = 0 AND grant_id IN
			(SELECT id FROM grants WHERE `+cond+`)`, now, clientID, user); err != nil {
			return err
		}
		var r sql.Result
		if r, err = tx.tx.ExecContext(ctx, `UPDATE grants SET revoked_at = ?1 WHERE `+cond, now, clientID, user); err != nil {
			return err
		}
		grants, err = r.RowsAffected()
		return err
	})
	return int(consents), int(grants), err
}

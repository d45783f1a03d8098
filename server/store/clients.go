package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/valet-sandbox/valet/server/ref"
	"strings"
	"time"
)

// Client types (SMART App Launch 2.2 §Client types).
const (
	ClientPublic                 = "public"
	ClientConfidentialSymmetric  = "confidential-symmetric"
	ClientConfidentialAsymmetric = "confidential-asymmetric"
	ClientBackendService         = "backend-service"
)

// Client is a registered app. SecretHash is kept out of JSON so that no API response carries it.
type Client struct {
	ID           string          `json:"client_id"`
	Name         string          `json:"client_name"`
	Type         string          `json:"type"`
	AuthMethod   string          `json:"token_endpoint_auth_method"`
	SecretHash   string          `json:"-"`
	RedirectURIs []string        `json:"redirect_uris,omitempty"`
	LaunchURI    string          `json:"launch_uri,omitempty"`
	Scope        string          `json:"scope"` // the scopes this client may be granted
	JWKS         json.RawMessage `json:"jwks,omitempty"`
	JWKSURI      string          `json:"jwks_uri,omitempty"`
	// Token lifetimes in seconds; zero means the server default.
	AccessTokenLifetime  int `json:"access_token_lifetime,omitempty"`
	RefreshTokenLifetime int `json:"refresh_token_lifetime,omitempty"`
	// NoRefreshRotation keeps refresh tokens reusable (rotation is the strict default).
	NoRefreshRotation bool `json:"no_refresh_rotation,omitempty"`
	// AnySecretMethod lets a confidential-symmetric client send its secret by client_secret_basic or
	// client_secret_post, whichever it registered (leniency; strict EHRs bind the registered method).
	AnySecretMethod bool `json:"any_secret_method,omitempty"`
	// Sandbox options for non-interactive launches.
	User        ref.Reference `json:"valet_user,omitzero"`     // fhirUser signed in without the login page
	Patient     string        `json:"valet_patient,omitempty"` // patient id selected without the picker
	AutoApprove bool          `json:"valet_auto_approve,omitempty"`
	// AppStateCodes are the SMART App State codes ("system|code") this app may read and write as Basic
	// resources (SMART App Launch 2.2 §App State: the EHR associates state codes with each app).
	AppStateCodes []string `json:"valet_app_state_codes,omitempty"`
	// AppStateGlobal lets the app keep global state (Basic without a subject) for a signed-in
	// practitioner. Off by default: SMART App Launch 2.2 §App State leaves global state to apps the EHR
	// trusts with it, so it is an explicit, visible grant.
	AppStateGlobal bool `json:"valet_app_state_global,omitempty"`
	// HTTPRedirects accepts http redirect URIs on hosts that are not loopback (leniency: real EHRs,
	// following RFC 8252 §8.3, accept http only for 127.0.0.1, [::1] and localhost).
	HTTPRedirects bool      `json:"valet_http_redirects,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
}

// Clients stores registered apps.
type Clients interface {
	CreateClient(ctx context.Context, c Client) error
	Client(ctx context.Context, id string) (Client, error)
	ListClients(ctx context.Context) ([]Client, error)
	// UpdateClient applies fn to the stored client inside a transaction (the ID cannot change).
	UpdateClient(ctx context.Context, id string, fn func(*Client) error) (Client, error)
	DeleteClient(ctx context.Context, id string) error
}

// CreateClient stores a new client; ErrAlreadyExists when the id is taken.
func (db *DB) CreateClient(ctx context.Context, c Client) error {
	body, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = db.w.ExecContext(ctx, `INSERT INTO clients (id, secret_hash, created_at, json) VALUES (?, ?, ?, ?)`,
		c.ID, c.SecretHash, Micros(c.CreatedAt), body)
	if err != nil && strings.Contains(err.Error(), "UNIQUE") {
		return fmt.Errorf("client %s: %w", c.ID, ErrAlreadyExists)
	}
	return err
}

func scanClient(s rowScanner) (Client, error) {
	var c Client
	var hash, body string
	if err := s.Scan(&hash, &body); errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	} else if err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(body), &c); err != nil {
		return c, err
	}
	c.SecretHash = hash
	return c, nil
}

// Client returns one client or ErrNotFound.
func (db *DB) Client(ctx context.Context, id string) (Client, error) {
	return scanClient(db.r.QueryRowContext(ctx, `SELECT secret_hash, json FROM clients WHERE id = ?`, id))
}

// ListClients returns every client, oldest first.
func (db *DB) ListClients(ctx context.Context) ([]Client, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT secret_hash, json FROM clients ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Client{}
	for rows.Next() {
		c, err := scanClient(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// UpdateClient reads, changes and writes a client in one transaction.
func (db *DB) UpdateClient(ctx context.Context, id string, fn func(*Client) error) (Client, error) {
	var c Client
	err := db.Tx(ctx, func(tx *Tx) error {
		var err error
		c, err = scanClient(tx.tx.QueryRowContext(ctx, `SELECT secret_hash, json FROM clients WHERE id = ?`, id))
		if err != nil {
			return err
		}
		if err := fn(&c); err != nil {
			return err
		}
		c.ID = id
		body, err := json.Marshal(c)
		if err != nil {
			return err
		}
		_, err = tx.tx.ExecContext(ctx, `UPDATE clients SET secret_hash = ?, json = ? WHERE id = ?`, c.SecretHash, body, id)
		return err
	})
	return c, err
}

// DeleteClient removes a client and revokes everything issued to it; ErrNotFound when missing. Every
// access token names its grant, so revoking the client's grants revokes its tokens, and a client
// registered again under the same id does not bring them back.
func (db *DB) DeleteClient(ctx context.Context, id string) error {
	return db.Tx(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, `DELETE FROM clients WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		now := Micros(tx.now())
		if _, err := tx.tx.ExecContext(ctx, `UPDATE grants SET revoked_at = ? WHERE client_id = ? AND revoked_at = 0`, now, id); err != nil {
			return err
		}
		// Client credentials tokens issued before migration 0015 have no grant.
		_, err = tx.tx.ExecContext(ctx, `INSERT INTO revoked_access_tokens (jti, expires_at)
			SELECT jti, expires_at FROM access_tokens WHERE client_id = ? AND grant_id = '' AND expires_at > ?
			ON CONFLICT DO NOTHING`, id, now)
		return err
	})
}

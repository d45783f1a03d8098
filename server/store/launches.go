package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"github.com/valet-sandbox/valet/server/ref"
	"time"
)

// Launch is an EHR launch created through the control API: the context an app receives when it
// redeems the launch parameter at the authorization endpoint. Single use.
type Launch struct {
	ID                string          `json:"launch"`
	ClientID          string          `json:"client_id"`
	Patient           string          `json:"patient,omitempty"`
	Encounter         string          `json:"encounter,omitempty"`
	User              ref.Reference   `json:"user,omitzero"` // fhirUser signed in without the login page
	LaunchURI         string          `json:"launch_uri,omitempty"`
	Intent            string          `json:"intent,omitempty"`
	FHIRContext       json.RawMessage `json:"fhir_context,omitempty"`
	NeedPatientBanner *bool           `json:"need_patient_banner,omitempty"`
	SmartStyleURL     string          `json:"smart_style_url,omitempty"`
	Tenant            string          `json:"tenant,omitempty"`
	AutoApprove       bool            `json:"auto_approve,omitempty"`
	// Lifetimes (seconds) of the tokens issued from this launch, shorter than the client's; 0: the client's.
	AccessTokenLifetime  int        `json:"access_token_lifetime,omitempty"`
	RefreshTokenLifetime int        `json:"refresh_token_lifetime,omitempty"`
	CreatedAt            time.Time  `json:"created_at"`
	ExpiresAt            time.Time  `json:"expires_at"`
	UsedAt               *time.Time `json:"used_at,omitempty"`
}

// Launches stores EHR launches, pending authorization requests and browser sessions.
type Launches interface {
	CreateLaunch(ctx context.Context, l Launch) error
	Launch(ctx context.Context, id string) (Launch, error)
	UseLaunch(ctx context.Context, id string) (Launch, error)
	ListLaunches(ctx context.Context, limit int) ([]Launch, error)
	PutAuthRequest(ctx context.Context, ar AuthRequest, expires time.Time) error
	AuthRequest(ctx context.Context, id string) (AuthRequest, error)
	DeleteAuthRequest(ctx context.Context, id string) error
	// CreateSession records a sign-in session that lasts until expires (the sandbox clock's time).
	CreateSession(ctx context.Context, idHash, fhirUser string, expires time.Time) error
	// Session is a live session: its user and when they signed in (OIDC auth_time, max_age).
	Session(ctx context.Context, idHash string) (SessionInfo, error)
	EndSession(ctx context.Context, idHash string) error
}

// CreateLaunch stores a new launch.
func (db *DB) CreateLaunch(ctx context.Context, l Launch) error {
	body, err := json.Marshal(l)
	if err != nil {
		return err
	}
	_, err = db.w.ExecContext(ctx, `INSERT INTO launches (id, client_id, created_at, expires_at, json) VALUES (?, ?, ?, ?, ?)`,
		l.ID, l.ClientID, Micros(l.CreatedAt), Micros(l.ExpiresAt), body)
	return err
}

func scanLaunch(s rowScanner) (Launch, error) {
	var l Launch
	var body string
	var used int64
	if err := s.Scan(&body, &used); errors.Is(err, sql.ErrNoRows) {
		return l, ErrNotFound
	} else if err != nil {
		return l, err
	}
	if err := json.Unmarshal([]byte(body), &l); err != nil {
		return l, err
	}
	if used != 0 {
		t := FromMicros(used)
		l.UsedAt = &t
	}
	return l, nil
}

// Launch returns a launch, used or not.
func (db *DB) Launch(ctx context.Context, id string) (Launch, error) {
	return scanLaunch(db.r.QueryRowContext(ctx, `SELECT json, used_at FROM launches WHERE id = ?`, id))
}

// UseLaunch marks a launch used and returns it: ErrNotFound, ErrReused or ErrExpired otherwise.
func (db *DB) UseLaunch(ctx context.Context, id string) (Launch, error) {
	var l Launch
	var result error
	err := db.Tx(ctx, func(tx *Tx) error {
		var err error
		l, err = scanLaunch(tx.tx.QueryRowContext(ctx, `SELECT json, used_at FROM launches WHERE id = ?`, id))
		switch {
		case errors.Is(err, ErrNotFound):
			result = err
			return nil
		case err != nil:
			return err
		case l.UsedAt != nil:
			result = ErrReused
			return nil
		case !tx.now().Before(l.ExpiresAt):
			result = ErrExpired
			return nil
		}
		_, err = tx.tx.ExecContext(ctx, `UPDATE launches SET used_at = ? WHERE id = ?`, Micros(tx.now()), id)
		return err
	})
	if err != nil {
		return l, err
	}
	return l, result
}

// ListLaunches returns the newest launches first.
func (db *DB) ListLaunches(ctx context.Context, limit int) ([]Launch, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT json, used_at FROM launches ORDER BY created_at DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Launch{}
	for rows.Next() {
		l, err := scanLaunch(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// AuthRequest is an authorization request on its way through the sign-in, picker and consent pages
// (server/auth): stored between pages, while the browser holds only its id, a CSRF token and a binding
// cookie. Scope is the requested scope limited to the client's allowed scopes, as the app wrote it.
type AuthRequest struct {
	ID            string        `json:"id"`
	CSRF          string        `json:"csrf"`
	Binding       string        `json:"binding"` // hash of the cookie that ties the request to one browser
	ClientID      string        `json:"client_id"`
	RedirectURI   string        `json:"redirect_uri"`
	State         string        `json:"state"`
	Nonce         string        `json:"nonce,omitempty"`
	CodeChallenge string        `json:"code_challenge"`
	RedirectGiven bool          `json:"redirect_given,omitempty"`
	Scope         string        `json:"scope"`
	Dropped       []string      `json:"dropped,omitempty"` // requested scopes the client may not have
	Launch        *Launch       `json:"launch,omitempty"`
	User          ref.Reference `json:"user,omitzero"` // fhirUser once signed in
	SessionHash   string        `json:"session,omitempty"`
	AuthTime      time.Time     `json:"auth_time"`
	Patient       string        `json:"patient,omitempty"`
	Encounter     string        `json:"encounter,omitempty"`
	EncounterDone bool          `json:"encounter_done,omitempty"`
	AutoApprove   bool          `json:"auto_approve,omitempty"`
	// OpenID Connect's prompt (space-separated values), max_age (nil: none given) and login_hint.
	Prompt    string `json:"prompt,omitempty"`
	MaxAge    *int   `json:"max_age,omitempty"`
	LoginHint string `json:"login_hint,omitempty"`
}

// PutAuthRequest stores (or replaces) a pending authorization request.
func (db *DB) PutAuthRequest(ctx context.Context, ar AuthRequest, expires time.Time) error {
	body, err := json.Marshal(ar)
	if err != nil {
		return err
	}
	_, err = db.w.ExecContext(ctx, `INSERT INTO auth_requests (id, expires_at, json) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at, json = excluded.json`, ar.ID, Micros(expires), body)
	return err
}

// AuthRequest returns a pending request that has not expired.
func (db *DB) AuthRequest(ctx context.Context, id string) (AuthRequest, error) {
	var body []byte
	var ar AuthRequest
	err := db.r.QueryRowContext(ctx, `SELECT json FROM auth_requests WHERE id = ? AND expires_at > ?`, id, Micros(db.now())).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return ar, ErrNotFound
	} else if err != nil {
		return ar, err
	}
	err = json.Unmarshal(body, &ar)
	return ar, err
}

// DeleteAuthRequest forgets a finished request, and any that have expired.
func (db *DB) DeleteAuthRequest(ctx context.Context, id string) error {
	_, err := db.w.ExecContext(ctx, `DELETE FROM auth_requests WHERE id = ? OR expires_at <= ?`, id, Micros(db.now()))
	return err
}

// CreateSession records a signed-in browser session.
func (db *DB) CreateSession(ctx context.Context, idHash, fhirUser string, expires time.Time) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO sessions (id_hash, fhir_user, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		idHash, fhirUser, Micros(db.now()), Micros(expires))
	return err
}

// Session returns a live session, ErrNotFound for unknown, ended or expired sessions.
func (db *DB) Session(ctx context.Context, idHash string) (SessionInfo, error) {
	si := SessionInfo{IDHash: idHash}
	var created, expires int64
	err := db.r.QueryRowContext(ctx, `SELECT fhir_user, created_at, expires_at FROM sessions WHERE id_hash = ? AND ended_at = 0
		AND (expires_at = 0 OR expires_at > ?)`, idHash, Micros(db.now())).Scan(&si.User, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return si, ErrNotFound
	}
	si.CreatedAt = FromMicros(created)
	if expires != 0 {
		si.ExpiresAt = FromMicros(expires)
	}
	return si, err
}

// EndSession ends a session (sign out).
func (db *DB) EndSession(ctx context.Context, idHash string) error {
	_, err := db.w.ExecContext(ctx, `UPDATE sessions SET ended_at = ? WHERE id_hash = ? AND ended_at = 0`, Micros(db.now()), idHash)
	return err
}

package store

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/valet-sandbox/valet/server/ref"
	"strconv"
	"strings"
	"time"

	"github.com/valet-sandbox/valet/internal/jsonstr"
)

// More sentinel errors of the authorization tables.
var (
	ErrExpired = errors.New("expired")
	// ErrReused means a single-use credential (a rotated refresh token) came back: the store has revoked
	// the grant it belonged to (RFC 6749 §10.4; OAuth 2.0 Security BCP §4.14).
	ErrReused  = errors.New("already used")
	ErrRevoked = errors.New("revoked")
	// ErrSessionEnded means an online_access refresh token outlived the browser session it was issued in
	// (SMART App Launch 2.2 §online_access).
	ErrSessionEnded = errors.New("user session ended")
)

// Grant is one authorization decision: who authorized which client for what, in which context.
type Grant struct {
	ID        string        `json:"id"`
	ClientID  string        `json:"client_id"`
	Subject   string        `json:"sub,omitempty"`
	FHIRUser  ref.Reference `json:"fhirUser,omitzero"`
	Patient   string        `json:"patient,omitempty"`
	Encounter string        `json:"encounter,omitempty"`
	Scope     string        `json:"scope"`
	SessionID string        `json:"session_id,omitempty"` // hash of the browser session (online_access ends with it)
	LaunchID  string        `json:"launch_id,omitempty"`
	FlowID    string        `json:"flow_id,omitempty"` // the authorization request, for events
	// AccessTokenLifetime and RefreshTokenLifetime (seconds) are the launch's shorter lifetimes, which
	// override the client's for every token of the grant; zero: the client's.
	AccessTokenLifetime  int `json:"access_token_lifetime,omitempty"`
	RefreshTokenLifetime int `json:"refresh_token_lifetime,omitempty"`
	// Context holds the extra token response parameters (fhirContext, need_patient_banner, smart_style_url,
	// intent, tenant) as a JSON object.
	Context   json.RawMessage `json:"context,omitempty"`
	AuthTime  time.Time       `json:"auth_time"`
	CreatedAt time.Time       `json:"created_at"`
	RevokedAt time.Time       `json:"-"`
}

// RefreshToken is stored by hash; its scope is the grant's full scope so a narrowed refresh can widen
// back up to (never beyond) the original grant (RFC 6749 §6).
//
// A grant's first refresh token, the one its code exchange issues, is kept in the grant's own row
// (migration 0017): its Hash is GrantRefreshHash(grant id, SHA-256), so that the grant's primary key finds
// it, and CreateGrant stores no refresh_tokens row for it (one B-tree insert and WAL page fewer per code
// exchange). Every other Hash is a plain SHA-256 and names a refresh_tokens row: tokens from rotations, and
// every token issued before that migration. Both kinds are used, rotated, revoked and detected on reuse
// alike.
type RefreshToken struct {
	Hash      string    `json:"-"`
	GrantID   string    `json:"-"`
	ClientID  string    `json:"client_id"`
	Scope     string    `json:"scope"`
	Online    bool      `json:"online,omitempty"`
	ExpiresAt time.Time `json:"-"`
}

// AccessToken is what the store is asked about an access token: its jti, grant and exp, read from the
// claims of a JWT whose signature has been verified. Issued access tokens are not stored (the signature
// proves the issue); revoked ones are, until their exp, and so is the grant each one names.
type AccessToken struct {
	JTI string
	// GrantID is empty for a token issued before migration 0015, whose grant is found by its jti.
	GrantID   string
	ExpiresAt time.Time
}

// GrantRefreshHash is the Hash of a refresh token kept in the row of grant grantID (see RefreshToken):
// the authorization server puts the grant id in such a token, so that the id can be read back from it.
func GrantRefreshHash(grantID, sha string) string { return grantID + "." + sha }

// inGrant splits the Hash of a refresh token kept in its grant's row; ok is false for any other Hash.
func inGrant(h string) (grantID, sha string, ok bool) { return strings.Cut(h, ".") }

// Issuance is what one token response records besides its grant: maybe a refresh token.
type Issuance struct {
	Refresh *RefreshToken
}

// Grants stores authorizations and the credentials issued from them. Authorization codes are not
// here: they live 60 seconds in the authorization server's memory (server/auth/codes.go), and a grant is
// stored when its code is exchanged, with the first tokens issued from it. Access tokens are not stored
// either, only their revocations: every access token names its grant, which is stored before the token
// is signed, so a token whose grant is missing was never issued by this database.
//
// CreateGrant and UseRefreshToken take the issue function of the token endpoint and run it inside their
// transaction: one write transaction per token response (SQLite has one writer; every transaction is a
// WAL append). issue must be quick and must not call the store; it returns the records to insert, or an
// error, which CreateGrant/UseRefreshToken return unchanged after deciding what happens (see each).
type Grants interface {
	CreateGrant(ctx context.Context, g Grant, issue func() (Issuance, error)) error
	UseRefreshToken(ctx context.Context, hash string, rotate bool, issue func(RefreshToken, Grant) (Issuance, error)) (RefreshToken, Grant, error)
	LookupRefreshToken(ctx context.Context, hash string) (RefreshToken, Grant, error)
	// RefreshTokenClient is the client a refresh token was issued to, whether or not the token is still
	// usable (ErrNotFound only for a token never issued), so that a public client's refresh without
	// client_id reaches UseRefreshToken and its reuse detection.
	RefreshTokenClient(ctx context.Context, hash string) (string, error)
	AccessTokenActive(ctx context.Context, at AccessToken) error
	RevokeAccessToken(ctx context.Context, at AccessToken) error
	RevokeRefreshToken(ctx context.Context, hash string) error
	RevokeGrant(ctx context.Context, id string) error
	UseAssertionJTI(ctx context.Context, iss, jti string, exp time.Time) error
}

// CreateGrant stores a new grant with the refresh token of its first token response, in one transaction.
// issue runs first inside the transaction, so it has the last word while no other write can interleave
// (the authorization server checks there that the code was not replayed meanwhile); its error rolls
// everything back and is returned unchanged. A refresh token whose Hash is a GrantRefreshHash is kept in
// the grant's row; it must be this grant's, with its client and scope.
func (db *DB) CreateGrant(ctx context.Context, g Grant, issue func() (Issuance, error)) error {
	gj, err := g.marshal()
	if err != nil {
		return err
	}
	return db.Tx(ctx, func(tx *Tx) error {
		in, err := issue()
		if err != nil {
			return err
		}
		rt := in.Refresh
		var sha string
		var expires, online int64
		if rt != nil {
			if id, h, ok := inGrant(rt.Hash); ok {
				if id != g.ID || rt.GrantID != g.ID || rt.ClientID != g.ClientID || rt.Scope != g.Scope {
					return fmt.Errorf("store: a refresh token kept in grant %s's row must be that grant's, with its client and scope", g.ID)
				}
				sha, expires = h, Micros(rt.ExpiresAt)
				if rt.Online {
					online = 1
				}
				rt = nil
			}
		}
		if _, err := tx.exec(ctx, insGrant, g.ID, g.ClientID, Micros(g.CreatedAt), gj, sha, expires, online); err != nil {
			return err
		}
		return tx.issue(ctx, rt)
	})
}

func scanGrant(s rowScanner) (Grant, error) {
	var body string
	var revoked int64
	if err := s.Scan(&body, &revoked); errors.Is(err, sql.ErrNoRows) {
		return Grant{}, ErrNotFound
	} else if err != nil {
		return Grant{}, err
	}
	return decodeGrant(body, revoked)
}

func decodeGrant(body string, revoked int64) (Grant, error) {
	var g Grant
	if err := json.Unmarshal([]byte(body), &g); err != nil {
		return g, err
	}
	if revoked != 0 {
		g.RevokedAt = FromMicros(revoked)
	}
	return g, nil
}

func (tx *Tx) grant(ctx context.Context, id string) (Grant, error) {
	return scanGrant(tx.queryRow(ctx, selGrant, id))
}

// revokeGrant revokes a grant and every token issued from it (access tokens by the grant they name).
func (tx *Tx) revokeGrant(ctx context.Context, id string) error {
	now := Micros(tx.now())
	for _, q := range []string{
		`UPDATE grants SET revoked_at = ? WHERE id = ? AND revoked_at = 0`,
		`UPDATE refresh_tokens SET revoked_at = ? WHERE grant_id = ? AND revoked_at = 0`,
	} {
		if _, err := tx.tx.ExecContext(ctx, q, now, id); err != nil {
			return err
		}
	}
	return nil
}

// issue records a refresh token in refresh_tokens, if the response has one.
func (tx *Tx) issue(ctx context.Context, rt *RefreshToken) error {
	if rt == nil {
		return nil
	}
	if _, _, ok := inGrant(rt.Hash); ok {
		return fmt.Errorf("store: only a grant's first refresh token is kept in its row (grant %s)", rt.GrantID)
	}
	body, err := json.Marshal(rt)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, insRefreshToken, rt.Hash, rt.GrantID, Micros(rt.ExpiresAt), body)
	return err
}

// refreshToken finds a refresh token by its Hash, in refresh_tokens or in its grant's row. For the latter
// the grant is read along and returned; revoked is then the grant's revocation (revokeGrant marks the
// refresh_tokens rows of a grant revoked too, so the two kinds answer alike).
func (tx *Tx) refreshToken(ctx context.Context, hash string) (rt RefreshToken, g *Grant, used, revoked bool, err error) {
	if id, sha, ok := inGrant(hash); ok {
		return tx.grantRefreshToken(ctx, hash, id, sha)
	}
	rt, used, revoked, err = tx.tableRefreshToken(ctx, hash)
	return rt, nil, used, revoked, err
}

// grantRefreshToken is refreshToken for a token kept in the row of grant id.
func (tx *Tx) grantRefreshToken(ctx context.Context, hash, id, sha string) (RefreshToken, *Grant, bool, bool, error) {
	var body, stored string
	var revokedAt, expires, usedAt, online int64
	err := tx.queryRow(ctx, selGrantRefresh, id).Scan(&body, &revokedAt, &stored, &expires, &usedAt, &online)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (stored == "" || subtle.ConstantTimeCompare([]byte(stored), []byte(sha)) != 1)) {
		return RefreshToken{}, nil, false, false, ErrNotFound
	}
	if err != nil {
		return RefreshToken{}, nil, false, false, err
	}
	g, err := decodeGrant(body, revokedAt)
	if err != nil {
		return RefreshToken{}, nil, false, false, err
	}
	rt := RefreshToken{Hash: hash, GrantID: id, ClientID: g.ClientID, Scope: g.Scope, Online: online != 0, ExpiresAt: FromMicros(expires)}
	return rt, &g, usedAt != 0, revokedAt != 0, nil
}

func (tx *Tx) tableRefreshToken(ctx context.Context, hash string) (rt RefreshToken, used, revoked bool, err error) {
	var body string
	var expires, usedAt, revokedAt int64
	err = tx.queryRow(ctx, selRefreshToken, hash).Scan(&rt.GrantID, &expires, &usedAt, &revokedAt, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return rt, false, false, ErrNotFound
	}
	if err != nil {
		return rt, false, false, err
	}
	if err = json.Unmarshal([]byte(body), &rt); err != nil {
		return rt, false, false, err
	}
	rt.Hash, rt.ExpiresAt = hash, FromMicros(expires)
	return rt, usedAt != 0, revokedAt != 0, nil
}

// UseRefreshToken checks a refresh token, records what issue returns and, when rotate is set, marks the
// token used. A rotated-away token presented again yields ErrReused after its whole family (the grant)
// has been revoked; an online_access token whose browser session has ended yields ErrSessionEnded. A
// token that issue refuses (another client's, a widened scope) is left as it was: a failed refresh must
// not burn the app's refresh token.
func (db *DB) UseRefreshToken(ctx context.Context, hash string, rotate bool, issue func(RefreshToken, Grant) (Issuance, error)) (RefreshToken, Grant, error) {
	var rt RefreshToken
	var g Grant
	var result error
	err := db.Tx(ctx, func(tx *Tx) error {
		var withGrant *Grant
		var used, revoked bool
		var err error
		rt, withGrant, used, revoked, err = tx.refreshToken(ctx, hash)
		if errors.Is(err, ErrNotFound) {
			result = err
			return nil
		}
		if err != nil {
			return err
		}
		switch {
		case revoked:
			result = ErrRevoked
			return nil
		case used:
			result = ErrReused
			return tx.revokeGrant(ctx, rt.GrantID)
		case !tx.now().Before(rt.ExpiresAt):
			result = ErrExpired
			return nil
		}
		if withGrant != nil {
			g = *withGrant
		} else if g, err = tx.grant(ctx, rt.GrantID); err != nil {
			return err
		}
		if !g.RevokedAt.IsZero() {
			result = ErrRevoked
			return nil
		}
		if rt.Online {
			if live, err := tx.sessionLive(ctx, g.SessionID); err != nil {
				return err
			} else if !live {
				result = ErrSessionEnded
				return nil
			}
		}
		if issue != nil {
			in, err := issue(rt, g)
			if err != nil {
				return errIssueRefused{err}
			}
			if err := tx.issue(ctx, in.Refresh); err != nil {
				return err
			}
		}
		if rotate {
			if id, _, ok := inGrant(hash); ok {
				_, err = tx.exec(ctx, useGrantRefresh, Micros(tx.now()), id)
			} else {
				_, err = tx.exec(ctx, useRefreshToken, Micros(tx.now()), hash)
			}
		}
		return err
	})
	var refused errIssueRefused
	if errors.As(err, &refused) {
		return rt, g, refused.err
	}
	if err != nil {
		return rt, g, err
	}
	return rt, g, result
}

// errIssueRefused carries the issue function's error out of a rolled-back transaction.
type errIssueRefused struct{ err error }

func (e errIssueRefused) Error() string { return e.err.Error() }

func (tx *Tx) sessionLive(ctx context.Context, idHash string) (bool, error) {
	if idHash == "" {
		return false, nil
	}
	var ended, expires int64
	err := tx.queryRow(ctx, selSessionEnded, idHash).Scan(&ended, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil && ended == 0 && (expires == 0 || tx.now().Before(FromMicros(expires))), err
}

// LookupRefreshToken returns a live refresh token and its grant without using it (for introspection).
func (db *DB) LookupRefreshToken(ctx context.Context, hash string) (RefreshToken, Grant, error) {
	var rt RefreshToken
	var g Grant
	err := db.readTx(ctx, func(tx *Tx) error {
		var withGrant *Grant
		var used, revoked bool
		var err error
		if rt, withGrant, used, revoked, err = tx.refreshToken(ctx, hash); err != nil {
			return err
		}
		if used || revoked {
			return ErrRevoked
		}
		if !tx.now().Before(rt.ExpiresAt) {
			return ErrExpired
		}
		if withGrant != nil {
			g = *withGrant
		} else if g, err = tx.grant(ctx, rt.GrantID); err != nil {
			return err
		}
		if !g.RevokedAt.IsZero() {
			return ErrRevoked
		}
		return nil
	})
	return rt, g, err
}

// RefreshTokenClient implements Grants.
func (db *DB) RefreshTokenClient(ctx context.Context, hash string) (string, error) {
	var client string
	err := db.readTx(ctx, func(tx *Tx) error {
		rt, _, _, _, err := tx.refreshToken(ctx, hash)
		client = rt.ClientID
		return err
	})
	return client, err
}

// readTx runs fn in a read-only transaction on the read pool.
func (db *DB) readTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: db.r != db.w})
	if err != nil {
		return err
	}
	defer sqlTx.Rollback()
	return fn(&Tx{tx: sqlTx, now: db.now})
}

// AccessTokenActive says whether an access token is live: ErrRevoked when it or its grant was revoked,
// ErrNotFound when its grant (or, for a token issued before migration 0015, its record) is not in this
// database, ErrExpired from its exp on or once it was expired on demand (ExpireAccessToken).
func (db *DB) AccessTokenActive(ctx context.Context, at AccessToken) error {
	var revoked sql.NullInt64 // NULL: not recorded; 0: revoked; 1: expired on demand
	var grantRevoked sql.NullInt64
	expires := Micros(at.ExpiresAt)
	var err error
	if at.GrantID != "" {
		err = db.r.QueryRowContext(ctx, selAccessTokenState, at.JTI, at.GrantID).Scan(&revoked, &grantRevoked)
	} else {
		// Issued before migration 0015: the row recorded then names the grant ('' for client credentials,
		// whose revocation on client deletion went to revoked_access_tokens).
		var grant string
		err = db.r.QueryRowContext(ctx, selLegacyAccessTokenState, at.JTI).Scan(&grant, &expires, &revoked, &grantRevoked)
		if err == nil && grant == "" {
			grantRevoked = sql.NullInt64{Valid: true}
		}
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ErrNotFound
	case err != nil:
		return err
	case revoked.Valid && revoked.Int64 == 0:
		return ErrRevoked
	case !grantRevoked.Valid:
		return ErrNotFound
	case grantRevoked.Int64 != 0:
		return ErrRevoked
	case revoked.Valid || !db.now().Before(FromMicros(expires)):
		return ErrExpired
	}
	return nil
}

const (
	selAccessTokenState = `SELECT (SELECT expired FROM revoked_access_tokens WHERE jti = ?1),
		(SELECT revoked_at FROM grants WHERE id = ?2)`
	selLegacyAccessTokenState = `SELECT a.grant_id, a.expires_at,
		(SELECT expired FROM revoked_access_tokens WHERE jti = a.jti), g.revoked_at
		FROM access_tokens a LEFT JOIN grants g ON g.id = a.grant_id WHERE a.jti = ?`
)

// RevokeAccessToken records an access token's revocation until its exp (RFC 7009: an unknown token is not
// an error). Revocations whose token has expired are forgotten as we go: its exp check rejects it anyway.
func (db *DB) RevokeAccessToken(ctx context.Context, at AccessToken) error {
	return db.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM revoked_access_tokens WHERE expires_at < ?`, Micros(tx.now())); err != nil {
			return err
		}
		// A revocation overrides an earlier expire-now of the same token (expired = 0).
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO revoked_access_tokens (jti, expires_at) VALUES (?, ?)
			ON CONFLICT (jti) DO UPDATE SET expired = 0`, at.JTI, Micros(at.ExpiresAt))
		return err
	})
}

// RevokeRefreshToken revokes a refresh token's grant, and so the access tokens issued with it
// (RFC 7009 §2.1 lets the server do so, and SMART apps expect a revoked refresh token to end the grant).
func (db *DB) RevokeRefreshToken(ctx context.Context, hash string) error {
	return db.Tx(ctx, func(tx *Tx) error {
		rt, _, _, _, err := tx.refreshToken(ctx, hash)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return tx.revokeGrant(ctx, rt.GrantID)
	})
}

// RevokeGrant revokes a grant and everything issued from it.
func (db *DB) RevokeGrant(ctx context.Context, id string) error {
	return db.Tx(ctx, func(tx *Tx) error { return tx.revokeGrant(ctx, id) })
}

// UseAssertionJTI records a client assertion's jti until exp; ErrAlreadyExists when iss used it before.
func (db *DB) UseAssertionJTI(ctx context.Context, iss, jti string, exp time.Time) error {
	return db.Tx(ctx, func(tx *Tx) error {
		now := Micros(tx.now())
		// Forget expired ones as we go: a replayed expired assertion fails its exp check anyway.
		if _, err := tx.exec(ctx, delAssertionJTI, now); err != nil {
			return err
		}
		res, err := tx.exec(ctx, insAssertionJTI, iss, jti, Micros(exp))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("jti %q of %s: %w", jti, iss, ErrAlreadyExists)
		}
		return nil
	})
}

// marshal is json.Marshal(g) without reflection over the struct, which every code exchange would pay
// for: the same bytes, which a test holds it to. A time JSON cannot hold goes through encoding/json for
// its error.
func (g *Grant) marshal() ([]byte, error) {
	if y1, y2 := g.AuthTime.Year(), g.CreatedAt.Year(); y1 < 0 || y1 > 9999 || y2 < 0 || y2 > 9999 {
		return json.Marshal(g)
	}
	b := make([]byte, 0, 512)
	b = jsonstr.Append(append(b, `{"id":`...), g.ID, true)
	b = jsonstr.Append(append(b, `,"client_id":`...), g.ClientID, true)
	for _, f := range [...]struct{ key, val string }{{`,"sub":`, g.Subject}, {`,"fhirUser":`, g.FHIRUser.String()},
		{`,"patient":`, g.Patient}, {`,"encounter":`, g.Encounter}} {
		if f.val != "" {
			b = jsonstr.Append(append(b, f.key...), f.val, true)
		}
	}
	b = jsonstr.Append(append(b, `,"scope":`...), g.Scope, true)
	for _, f := range [...]struct{ key, val string }{{`,"session_id":`, g.SessionID}, {`,"launch_id":`, g.LaunchID},
		{`,"flow_id":`, g.FlowID}} {
		if f.val != "" {
			b = jsonstr.Append(append(b, f.key...), f.val, true)
		}
	}
	for _, f := range [...]struct {
		key string
		val int
	}{{`,"access_token_lifetime":`, g.AccessTokenLifetime}, {`,"refresh_token_lifetime":`, g.RefreshTokenLifetime}} {
		if f.val != 0 {
			b = strconv.AppendInt(append(b, f.key...), int64(f.val), 10)
		}
	}
	if len(g.Context) > 0 {
		c, err := json.Marshal(g.Context) // compacted and HTML-escaped, as inside json.Marshal(g)
		if err != nil {
			return nil, err
		}
		b = append(append(b, `,"context":`...), c...)
	}
	b = g.AuthTime.AppendFormat(append(b, `,"auth_time":"`...), time.RFC3339Nano)
	b = g.CreatedAt.AppendFormat(append(b, `","created_at":"`...), time.RFC3339Nano)
	return append(b, `"}`...), nil
}

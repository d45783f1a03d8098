package wire

import "time"

// Clock is the sandbox clock (GET /api/clock; PUT /api/clock with {"offset_seconds": N}): how far it is
// moved from the computer's clock, and the time it reads. Every token issued and every expiry checked
// follows it.
type Clock struct {
	OffsetSeconds int64     `json:"offset_seconds"`
	Now           time.Time `json:"now"`
}

// ClockInput is the body of PUT /api/clock. OffsetSeconds is required (0 puts the clock back).
type ClockInput struct {
	OffsetSeconds *int64 `json:"offset_seconds"`
}

// ExpireInput is the body of POST /api/expire: exactly one credential to expire now, named as the app
// holds it or as the Flows view shows it.
type ExpireInput struct {
	AccessToken  string `json:"access_token,omitempty"`  // an access token (the JWT)
	JTI          string `json:"jti,omitempty"`           // an access token by its jti claim
	RefreshToken string `json:"refresh_token,omitempty"` // a refresh token
	Grant        string `json:"grant,omitempty"`         // the live refresh token of a grant (valet_grant claim)
	Code         string `json:"code,omitempty"`          // an authorization code not yet exchanged
	Flow         string `json:"flow,omitempty"`          // the outstanding code of an authorization (flow id)
	Launch       string `json:"launch,omitempty"`        // an EHR launch not yet used
	Session      string `json:"session,omitempty"`       // a sign-in session (id from GET /api/sessions)
}

// Expired answers POST /api/expire: what expired (access_token, refresh_token, code, launch or session)
// and the sandbox time it expired at.
type Expired struct {
	Expired string    `json:"expired"`
	At      time.Time `json:"at"`
}

// Session is a live sign-in session (GET /api/sessions). ID names it to the control API; it is a hash of
// the browser's cookie, not the cookie.
type Session struct {
	ID        string    `json:"id"`
	User      string    `json:"user"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// Revoked answers the revocations of the control API (POST /api/clients/{id}/revoke,
// /api/users/{type}/{id}/revoke and /api/users/{type}/{id}/end-session): how many of each were ended.
type Revoked struct {
	Grants   int `json:"grants"`   // grants revoked, with every access and refresh token issued from them
	Codes    int `json:"codes"`    // authorization codes withdrawn before their exchange
	Sessions int `json:"sessions"` // sign-in sessions ended
	Consents int `json:"consents"` // remembered consent decisions forgotten
}

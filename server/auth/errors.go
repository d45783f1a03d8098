package auth

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"github.com/valet-sandbox/valet/internal/jsonstr"
	"github.com/valet-sandbox/valet/server/incident"
)

// Error is an OAuth 2.0 error (RFC 6749 §4.1.2.1, §5.2; RFC 7591 §3.2.2). Handlers return it as a value;
// writeError and redirectError are the only places that put one on the wire.
type Error struct {
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
	Status      int    `json:"-"`
	// Basic is set when the client authenticated with the Authorization header: the 401 then carries
	// WWW-Authenticate (RFC 6749 §5.2).
	Basic bool `json:"-"`
	// Field names the member of the client metadata or request the error is about (its JSON name), for
	// the control API's answer; OAuth's own error JSON has no such member.
	Field string `json:"-"`
}

// about sets the member the error is about.
func (e *Error) about(field string) *Error {
	e.Field = field
	return e
}

func (e *Error) Error() string { return e.Code + ": " + e.Description }

func oauthError(code string, status int, format string, args ...any) *Error {
	return &Error{Code: code, Description: fmt.Sprintf(format, args...), Status: status}
}

// Constructors return fresh values, so no one mutates a shared error.
func errInvalidRequest(f string, a ...any) *Error { return oauthError("invalid_request", 400, f, a...) }
func errInvalidClient(f string, a ...any) *Error  { return oauthError("invalid_client", 401, f, a...) }
func errInvalidGrant(f string, a ...any) *Error   { return oauthError("invalid_grant", 400, f, a...) }
func errUnauthorizedClient(f string, a ...any) *Error {
	return oauthError("unauthorized_client", 400, f, a...)
}
func errUnsupportedGrantType(f string, a ...any) *Error {
	return oauthError("unsupported_grant_type", 400, f, a...)
}
func errInvalidScope(f string, a ...any) *Error { return oauthError("invalid_scope", 400, f, a...) }
func errAccessDenied(f string, a ...any) *Error { return oauthError("access_denied", 400, f, a...) }

// errServerError reports an unexpected error (a database failure) to the log and answers its id only:
// no database text reaches a client.
func errServerError(err error) *Error {
	return &Error{Code: "server_error", Description: incident.Report(nil, err), Status: 500}
}
func errTemporarilyUnavailable(f string, a ...any) *Error {
	return oauthError("temporarily_unavailable", 503, f, a...)
}
func errClientMetadata(f string, a ...any) *Error {
	return oauthError("invalid_client_metadata", 400, f, a...)
}
func errRedirectURI(f string, a ...any) *Error {
	return oauthError("invalid_redirect_uri", 400, f, a...)
}
func errUnsupportedResponseType(f string, a ...any) *Error {
	return oauthError("unsupported_response_type", 400, f, a...)
}

// noStore marks a response as holding credentials or decisions that must not be cached (RFC 6749 §5.1).
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}

// writeJSON writes a token-endpoint-style JSON response. The body is encoded before the status goes
// out, so that a value that cannot be encoded is a 500 rather than a 200 with a cut body, and then
// written once with its length. Token responses (their own encoder) and maps (introspection) are
// encoded into a pooled buffer: the same bytes as json.Marshal, without its reflection and allocations
// on every token response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	bp := bodyPool.Get().(*[]byte)
	defer bodyPool.Put(bp)
	var body []byte
	var err error
	pooled := true
	switch v := v.(type) {
	case *tokenResponse:
		body = v.appendJSON((*bp)[:0])
	case map[string]any:
		body, err = jsonstr.AppendMap((*bp)[:0], v)
	default:
		pooled = false
		body, err = json.Marshal(v)
	}
	if pooled && err == nil && cap(body) <= maxPooledBody {
		*bp = body[:0] // keep what it grew to
	}
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"server_error","error_description":"the response could not be encoded"}`)
	}
	body = append(body, '\n')
	noStore(w)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// bodyPool holds writeJSON's buffers: w.Write copies a body into the connection's buffer (or writes it
// out) before returning, so a buffer is free again once writeJSON returns.
var bodyPool = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

const maxPooledBody = 64 << 10

// writeError writes e as the JSON body of RFC 6749 §5.2.
func writeError(w http.ResponseWriter, e *Error) {
	if e.Status == http.StatusUnauthorized && e.Basic {
		w.Header().Set("WWW-Authenticate", `Basic realm="valet", error="`+e.Code+`"`)
	}
	writeJSON(w, e.Status, e)
}

// redirectError sends the user agent back to the client with the error (RFC 6749 §4.1.2.1). Only for
// requests whose client and redirect_uri have been verified.
func redirectError(w http.ResponseWriter, redirectURI, state string, e *Error) {
	q := url.Values{"error": {e.Code}, "error_description": {e.Description}}
	if state != "" {
		q.Set("state", state)
	}
	noStore(w)
	redirect(w, withQuery(redirectURI, q))
}

// redirect answers 302 Found with Location set to an absolute URL (a registered redirect URI with its
// query) and an empty body. http.Redirect also writes an HTML note with the URL escaped into a link,
// which only browsers that do not follow redirects would show, and which cost every authorization an
// escape of the whole URL.
func redirect(w http.ResponseWriter, to string) {
	h := w.Header()
	h.Set("Location", to)
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusFound)
}

func withQuery(u string, q url.Values) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return u
	}
	existing := parsed.Query()
	for k, v := range q {
		existing[k] = v
	}
	parsed.RawQuery = existing.Encode()
	return parsed.String()
}

package admin

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/valet-sandbox/valet/server/guard"
	"github.com/valet-sandbox/valet/server/passhash"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/wire"
)

// Cookie names. Over https they carry the __Host- prefix, which browsers accept only with Secure, Path=/
// and no Domain, so no other host or plain-http page can plant or overwrite them.
const (
	sessionCookie = "valet_session"
	csrfCookie    = "valet_csrf" // readable by the panel's script, which sends it back in CSRFHeader
	// CSRFHeader carries the session's CSRF token on every state change (synchronizer token: the server
	// compares it with the one stored with the session).
	CSRFHeader = "X-CSRF-Token"
)

func (a *Admin) cookieName(base string) string {
	if a.secure {
		return "__Host-" + base
	}
	return base
}

// Caller is who made a request that shared mode let through.
type Caller struct {
	Via  string // "session" or "api_key"
	Name string // the API key's name
}

type callerKey struct{}

// CallerOf is the caller Protect let through, if any.
func CallerOf(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}

// session returns r's valid session, or ErrNotFound.
func (a *Admin) session(r *http.Request) (store.AdminSession, error) {
	c, err := r.Cookie(a.cookieName(sessionCookie))
	if err != nil || c.Value == "" {
		return store.AdminSession{}, store.ErrNotFound
	}
	return a.cfg.Store.AdminSession(r.Context(), hashSecret(c.Value))
}

// csrfOK says whether r carries its session's CSRF token.
func csrfOK(r *http.Request, s store.AdminSession) bool {
	got := r.Header.Get(CSRFHeader)
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.CSRF)) == 1
}

// safe methods change nothing, so they need no CSRF token.
func safe(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// SignIn checks password for the client at r's address, under the rate limit. On success it starts a
// session and sets its cookies on w.
func (a *Admin) signIn(w http.ResponseWriter, r *http.Request, password string) (status int, msg string) {
	addr := ClientAddr(r, a.cfg.TrustedProxies)
	if ok, wait := a.limiter.allow(addr.String()); !ok {
		secs := int(wait/time.Second) + 1
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		return http.StatusTooManyRequests, "Too many sign-in attempts from your address: wait " + strconv.Itoa(secs) + " s and try again."
	}
	if !passhash.Check(a.passwordHash, password) {
		slog.Warn("shared mode: failed admin sign-in", "client", addr.String())
		// 403, not 401: a 401 must carry an HTTP authentication challenge, and a form has none.
		return http.StatusForbidden, "Wrong password. It is the admin password Valet was started with (VALET_ADMIN_PASSWORD or --admin-password-file)."
	}
	token, hash := newSecret("")
	csrf, _ := newSecret("")
	now := a.cfg.Now()
	s := store.AdminSession{TokenHash: hash, CSRF: csrf, CreatedAt: now, ExpiresAt: now.Add(a.cfg.SessionLifetime)}
	if err := a.cfg.Store.CreateAdminSession(r.Context(), s); err != nil {
		slog.Error("shared mode: store session", "err", err)
		return http.StatusInternalServerError, "Valet could not store the session; see its log."
	}
	_ = a.cfg.Store.DeleteAdminSessions(r.Context(), true)
	a.setCookies(w, token, csrf, int(a.cfg.SessionLifetime/time.Second))
	slog.Info("shared mode: admin signed in", "client", addr.String())
	return http.StatusSeeOther, ""
}

// setCookies sets (maxAge > 0) or clears (maxAge < 0) the session and CSRF cookies.
func (a *Admin) setCookies(w http.ResponseWriter, session, csrf string, maxAge int) {
	for _, c := range []*http.Cookie{
		{Name: a.cookieName(sessionCookie), Value: session, HttpOnly: true},
		{Name: a.cookieName(csrfCookie), Value: csrf},
	} {
		c.Path, c.MaxAge, c.Secure, c.SameSite = "/", maxAge, a.secure, http.SameSiteStrictMode
		http.SetCookie(w, c)
	}
}

// signOut ends r's session (the caller has checked its CSRF token) and clears the cookies.
func (a *Admin) signOut(w http.ResponseWriter, r *http.Request, s store.AdminSession) error {
	if err := a.cfg.Store.DeleteAdminSession(r.Context(), s.TokenHash); err != nil {
		return err
	}
	a.setCookies(w, "", "", -1)
	return nil
}

// apiKey resolves an Authorization: Bearer API key. ok is false when r has no bearer token.
func (a *Admin) bearer(r *http.Request, kind string) (c store.AdminCredential, ok bool, err error) {
	v := r.Header.Get("Authorization")
	scheme, token, found := strings.Cut(v, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return c, false, nil
	}
	token = strings.TrimSpace(token)
	c, err = a.cfg.Store.AdminCredentialByHash(r.Context(), kind, hashSecret(token))
	if err != nil {
		return c, true, err
	}
	// Record use at most once a minute: a CI job calling the API in a loop need not write on every call.
	if now := a.cfg.Now(); now.Sub(c.LastUsedAt) > time.Minute {
		_ = a.cfg.Store.TouchAdminCredential(r.Context(), c.ID)
	}
	return c, true, nil
}

// Protect lets through to /api only the signed-in admin (with the CSRF token on state changes) and
// programs sending an API key. GET /api/status answers anyone: it is the healthcheck.
func (a *Admin) Protect(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/status" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			next.ServeHTTP(w, r)
			return
		}
		c, hasBearer, err := a.bearer(r, store.CredentialAPIKey)
		if hasBearer {
			if err != nil {
				if !errors.Is(err, store.ErrNotFound) {
					slog.Error("shared mode: look up API key", "err", err)
				}
				refuseAPI(w, `Bearer realm="valet", error="invalid_token"`, http.StatusUnauthorized,
					"this API key is not valid (it may have been revoked): create one in the control panel, Settings → API keys")
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, Caller{Via: "api_key", Name: c.Name})))
			return
		}
		s, err := a.session(r)
		if err != nil {
			refuseAPI(w, `Bearer realm="valet"`, http.StatusUnauthorized, "this shared sandbox answers /api only to its admin: sign in "+
				"at /signin, or send Authorization: Bearer with an API key created in the control panel (Settings → API keys)")
			return
		}
		if !safe(r.Method) && !csrfOK(r, s) {
			refuseAPI(w, "", http.StatusForbidden, "missing or wrong "+CSRFHeader+" header: send the value of the "+
				a.cookieName(csrfCookie)+" cookie with every request that changes something (the control panel does)")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, Caller{Via: "session"})))
	})
}

// ProtectUI serves the control panel only to a signed-in admin; everyone else is sent to the sign-in page.
func (a *Admin) ProtectUI(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := a.session(r); err != nil {
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, "/signin", http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Registrant decides who may use dynamic registration (/auth/register) in shared mode: a caller with an
// initial access token (RFC 7591 §3), or the admin — an API key, or the signed-in admin with the CSRF
// token — who alone may set Valet's sandbox fields. err says why anyone else is refused.
func (a *Admin) Registrant(r *http.Request) (isAdmin bool, err error) {
	if _, has, err := a.bearer(r, store.CredentialRegistration); has && err == nil {
		return false, nil
	}
	if _, has, err := a.bearer(r, store.CredentialAPIKey); has {
		if err != nil {
			return false, errors.New("the bearer token is neither an initial access token nor an API key of this sandbox " +
				"(it may have been revoked): ask its admin for one (control panel, Settings → Registration tokens)")
		}
		return true, nil
	}
	if s, err := a.session(r); err == nil && csrfOK(r, s) && guard.FirstParty(r, a.cfg.BaseURL) {
		return true, nil
	}
	return false, errors.New("dynamic registration in this shared sandbox needs an initial access token (RFC 7591 §3): " +
		"send Authorization: Bearer TOKEN with a token from its admin (control panel, Settings → Registration tokens)")
}

func refuseAPI(w http.ResponseWriter, challenge string, status int, msg string) {
	if challenge != "" {
		w.Header().Set("WWW-Authenticate", challenge)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(wire.Error{Error: msg})
}

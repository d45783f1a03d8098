package admin

import (
	"html/template"
	"log/slog"
	"net/http"

	"github.com/valet-sandbox/valet/server/guard"
)

// Mount registers the sign-in page and sign-out.
func (a *Admin) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /signin", a.signInPage)
	mux.HandleFunc("POST /signin", a.signInForm)
	mux.HandleFunc("POST /signout", a.signOutForm)
}

// signInPage is a plain HTML form in the control panel's colours, light or dark as the system is; it
// needs no script, so it works before the panel's code is allowed to load.
var signInPage = template.Must(template.New("signin").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in — Valet</title>
<style>
:root{--bg:#f6f7f9;--surface:#fff;--text:#171a21;--muted:#4b5262;--border:#e4e6eb;--accent:#4f46e5;--accent-hover:#4338ca;
--danger:#b91c1c;--danger-soft:#fef2f2;--danger-border:#fecaca;--warn-soft:#fffbeb;--warn-border:#fcd34d;color-scheme:light dark;
font-family:Inter,system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue','DejaVu Sans',sans-serif;font-size:15px;line-height:1.5;
color:var(--text);background:var(--bg)}
@media (prefers-color-scheme:dark){:root{--bg:#0f1115;--surface:#171a21;--text:#e8eaee;--muted:#b1b7c3;--border:#262a33;
--accent:#6366f1;--accent-hover:#818cf8;--danger:#f87171;--danger-soft:#2a1517;--danger-border:#5b2328;--warn-soft:#2a2312;--warn-border:#6b5417}}
body{margin:0;min-height:100vh;display:grid;place-items:center}
main{width:min(22rem,calc(100vw - 2rem));background:var(--surface);border:1px solid var(--border);border-radius:10px;padding:1.75rem}
h1{font-size:1.25rem;margin:0 0 .25rem}p{margin:.25rem 0 1rem;color:var(--muted);font-size:.9rem}
label{display:block;font-weight:600;font-size:.875rem;margin-bottom:.35rem}
input{box-sizing:border-box;width:100%;font:inherit;padding:.5rem .6rem;border:1px solid var(--border);border-radius:6px;background:var(--bg);color:var(--text)}
input:focus{outline:2px solid var(--accent);outline-offset:1px}
button{margin-top:1rem;width:100%;font:inherit;font-weight:600;padding:.55rem;border:0;border-radius:6px;background:var(--accent);color:#fff;cursor:pointer}
button:hover{background:var(--accent-hover)}
.error,.warning{border:1px solid;border-radius:6px;padding:.5rem .7rem;font-size:.875rem;margin:0 0 1rem}
.error{color:var(--danger);background:var(--danger-soft);border-color:var(--danger-border)}
.warning{color:var(--text);background:var(--warn-soft);border-color:var(--warn-border)}
</style></head><body><main>
<h1>Valet</h1>
<p>This sandbox is shared. Sign in with its admin password to open the control panel.</p>
{{if .Warning}}<div class="warning" role="alert">{{.Warning}}</div>{{end}}
{{if .Error}}<div class="error" role="alert">{{.Error}}</div>{{end}}
<form method="post" action="/signin">
<label for="password">Admin password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
</form>
</main></body></html>`))

type signInData struct{ Warning, Error string }

func (a *Admin) renderSignIn(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	// same-origin, not no-referrer: under no-referrer Chromium sends "Origin: null" with the form's POST,
	// and signInForm must see Valet's own origin there.
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := signInPage.Execute(w, signInData{Warning: a.cfg.Warning, Error: msg}); err != nil {
		slog.Warn("shared mode: render sign-in page", "err", err)
	}
}

func (a *Admin) signInPage(w http.ResponseWriter, r *http.Request) {
	if _, err := a.session(r); err == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	a.renderSignIn(w, http.StatusOK, "")
}

// signInForm takes the password. Only Valet's own page may post it (login CSRF: another page must not
// sign the browser in to a session of its choosing).
func (a *Admin) signInForm(w http.ResponseWriter, r *http.Request) {
	if !guard.FirstParty(r, a.cfg.BaseURL) {
		a.renderSignIn(w, http.StatusForbidden, "This sign-in came from another web page; sign in on this page instead.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	if err := r.ParseForm(); err != nil {
		a.renderSignIn(w, http.StatusBadRequest, "The sign-in form could not be read; try again.")
		return
	}
	status, msg := a.signIn(w, r, r.PostForm.Get("password"))
	if status != http.StatusSeeOther {
		a.renderSignIn(w, status, msg)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// signOutForm ends the session. Like every state change it needs the CSRF token, in the X-CSRF-Token
// header (the panel) or a csrf form field.
func (a *Admin) signOutForm(w http.ResponseWriter, r *http.Request) {
	s, err := a.session(r)
	if err != nil {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	if r.Header.Get(CSRFHeader) == "" {
		r.Body = http.MaxBytesReader(w, r.Body, 4096)
		if err := r.ParseForm(); err == nil {
			r.Header.Set(CSRFHeader, r.PostForm.Get("csrf"))
		}
	}
	if !guard.FirstParty(r, a.cfg.BaseURL) || !csrfOK(r, s) {
		refuseAPI(w, "", http.StatusForbidden, "sign out from the control panel (the request lacked its CSRF token)")
		return
	}
	if err := a.signOut(w, r, s); err != nil {
		slog.Error("shared mode: end session", "err", err)
	}
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

package auth

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/valet-sandbox/valet/server/incident"
	"github.com/valet-sandbox/valet/server/passhash"
	"github.com/valet-sandbox/valet/server/ref"
	"github.com/valet-sandbox/valet/server/scope"
	"github.com/valet-sandbox/valet/server/wire"
	"html/template"
	"net/http"
	"slices"
	"strings"

	"github.com/valet-sandbox/valet/server/events"
	"github.com/valet-sandbox/valet/server/store"
)

// Pages are plain server-rendered HTML that work without JavaScript, because the browser of the app
// under test must be able to load them. Every form carries the request id and a CSRF token, and the
// request is also bound to a cookie of the browser that started it.
var pages = template.Must(template.New("layout").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Valet — {{.Title}}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#222}
fieldset{border:1px solid #ccc;border-radius:6px;margin:1rem 0}label{display:block;margin:.3rem 0}
button{font-size:1rem;padding:.4rem 1.2rem;margin-right:.5rem}.scope{font-family:monospace}.note{color:#555;font-size:.9rem}
.error{color:#9e2d2d}</style></head><body>
<h1>{{.Title}}</h1>
{{if .Error}}<p class="error">{{.Error}}</p>{{end}}
{{template "body" .}}
</body></html>`))

type pageData struct {
	Title, Error string
	Req          *authRequest
	Client       store.Client
	Data         any
}

func (s *Server) render(w http.ResponseWriter, status int, body *template.Template, d pageData) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// frame-ancestors: only Valet's own control panel may embed these pages (clickjacking a consent
	// button is the classic attack on OAuth pages).
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'self'")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Referrer-Policy", "no-referrer")
	noStore(w)
	w.WriteHeader(status)
	if err := body.ExecuteTemplate(w, "layout", d); err != nil {
		_, _ = w.Write([]byte("template error: " + template.HTMLEscapeString(err.Error())))
	}
}

func page(body string) *template.Template {
	return template.Must(template.Must(pages.Clone()).New("body").Parse(body))
}

var errorTmpl = page(`<p>{{.Data}}</p><p class="note">The app was not sent back an error because its identity or
redirect URI could not be verified. Check the app's registration in the Valet control panel.</p>`)

// internalErrorPage answers an unexpected failure (the database) with the id under which the log has it.
func (s *Server) internalErrorPage(w http.ResponseWriter, r *http.Request, err error) {
	s.errorPage(w, http.StatusInternalServerError, incident.Report(r, err))
}

func (s *Server) errorPage(w http.ResponseWriter, status int, msg string) {
	s.render(w, status, errorTmpl, pageData{Title: "Authorization error", Data: msg})
}

// loadRequest restores the request a form belongs to and checks its CSRF token and browser binding.
func (s *Server) loadRequest(w http.ResponseWriter, r *http.Request) (*authRequest, store.Client, bool) {
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, http.StatusBadRequest, "Malformed form: "+err.Error())
		return nil, store.Client{}, false
	}
	ar, err := s.storedRequest(r.Context(), r.Form.Get("req"))
	if errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, http.StatusBadRequest, "This authorization request is unknown, finished or expired. Start again from the app.")
		return nil, store.Client{}, false
	} else if err != nil {
		s.internalErrorPage(w, r, err)
		return nil, store.Client{}, false
	}
	c, err := r.Cookie(bindingCookie(ar.ID))
	if ar.CSRF == "" || r.Form.Get("csrf") != ar.CSRF || err != nil || hash(c.Value) != ar.Binding {
		s.record(events.Event{Kind: "csrf.refused", FlowID: ar.ID, ClientID: ar.ClientID, Decision: "form token or browser binding did not match"})
		s.errorPage(w, http.StatusForbidden, "This form did not come from the browser that started the authorization (CSRF check failed).")
		return nil, store.Client{}, false
	}
	client, err := s.client(r.Context(), ar.ClientID)
	if err != nil {
		s.errorPage(w, http.StatusBadRequest, "The app was deleted during the authorization.")
		return nil, store.Client{}, false
	}
	return ar, client, true
}

// pageRequest loads the request a page's search or paging link names (a GET: only the request id is
// needed, since choosing is a CSRF-checked POST), and its client; it answers the error page itself.
func (s *Server) pageRequest(w http.ResponseWriter, r *http.Request) (*authRequest, store.Client, bool) {
	ar, err := s.storedRequest(r.Context(), r.URL.Query().Get("req"))
	if err != nil {
		s.errorPage(w, http.StatusBadRequest, "This authorization request is unknown, finished or expired.")
		return nil, store.Client{}, false
	}
	client, err := s.client(r.Context(), ar.ClientID)
	if err != nil {
		s.errorPage(w, http.StatusBadRequest, "Unknown app.")
		return nil, store.Client{}, false
	}
	return ar, client, true
}

// storedRequest loads a request that waits on a page, its scope parsed once (it was checked when stored).
func (s *Server) storedRequest(ctx context.Context, id string) (*authRequest, error) {
	rec, err := s.store.AuthRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	set, err := scope.ParseList(rec.Scope)
	if err != nil {
		return nil, err
	}
	return &authRequest{AuthRequest: rec, set: set}, nil
}

// user is a login identity: a Practitioner or Patient resource.
type user struct {
	Ref, Name, Detail   string
	HasPassword, Chosen bool
}

func describe(res store.Resource) user {
	var v struct {
		Name []struct {
			Text   string   `json:"text"`
			Family string   `json:"family"`
			Given  []string `json:"given"`
		} `json:"name"`
		BirthDate  string `json:"birthDate"`
		Gender     string `json:"gender"`
		Identifier []struct {
			Value string `json:"value"`
		} `json:"identifier"`
	}
	_ = json.Unmarshal(res.JSON, &v)
	u := user{Ref: res.Type + "/" + res.ID, Name: res.Type + "/" + res.ID}
	if len(v.Name) > 0 {
		n := v.Name[0]
		if n.Text != "" {
			u.Name = n.Text
		} else if n.Family != "" || len(n.Given) > 0 {
			u.Name = strings.TrimSpace(strings.Join(n.Given, " ") + " " + n.Family)
		}
	}
	var parts []string
	for _, p := range []string{v.Gender, v.BirthDate} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	for _, id := range v.Identifier {
		parts = append(parts, id.Value)
	}
	u.Detail = strings.Join(parts, " · ")
	return u
}

var loginTmpl = page(`<p><strong>{{.Client.Name}}</strong> asks you to sign in to Valet.</p>
<form method="get" action="/auth/login" class="search"><input type="hidden" name="req" value="{{.Req.ID}}">
<label>Find a user <input type="search" name="q" value="{{.Data.Q}}" placeholder="name, NPI, MRN or birth date"></label>
<button type="submit">Search</button>{{if .Data.Q}} <a href="/auth/login?req={{.Req.ID}}">Show all</a>{{end}}</form>
<form method="post" action="/auth/login">
<input type="hidden" name="req" value="{{.Req.ID}}"><input type="hidden" name="csrf" value="{{.Req.CSRF}}">
{{range $group := .Data.Groups}}<fieldset><legend>{{$group.Label}}</legend>
{{range $group.Users}}<label><input type="radio" name="user" value="{{.Ref}}"{{if .Chosen}} checked{{end}}> {{.Name}} <span class="note">{{.Ref}} {{.Detail}}{{if .HasPassword}} · password required{{end}}</span></label>
{{else}}<p class="note">{{if $.Data.Q}}No match.{{else}}None in the FHIR store.{{end}}</p>{{end}}
{{if $group.More}}<p class="note">Showing {{len $group.Users}} of {{$group.Total}}: search to find the others.</p>{{end}}</fieldset>{{end}}
{{if .Req.PasswordsInUse}}<label>Password <input type="password" name="password" autocomplete="current-password"></label>
<p class="note">Only users marked “password required” need one; leave it empty for the others.</p>{{end}}
<button type="submit">Sign in</button>
</form>`)

const loginListLimit = 50

type loginGroup struct {
	Label string
	Users []user
	Total int
	More  bool
}

type loginData struct {
	Q      string
	Groups []loginGroup
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, ar *authRequest, client store.Client, msg string) {
	withPassword, err := s.store.UsersWithPasswords(r.Context())
	if err != nil {
		s.internalErrorPage(w, r, err)
		return
	}
	ar.PasswordsInUse = len(withPassword) > 0
	chosen := r.Form.Get("user")
	hint := s.hintedUser(ar.LoginHint)
	if chosen == "" && !hint.IsZero() {
		chosen = hint.String() // login_hint preselects the user (OpenID Connect Core §3.1.2.1)
	}
	q := strings.TrimSpace(r.Form.Get("q"))
	data := loginData{Q: q}
	for _, typ := range []string{"Practitioner", "Patient"} {
		found, total, err := s.findUsers(r.Context(), typ, q)
		if errors.Is(err, wire.ErrBadSearchText) {
			msg = searchRefusal(err)
		} else if err != nil {
			s.internalErrorPage(w, r, err)
			return
		}
		if hint.Type == typ && q == "" && !slices.ContainsFunc(found, func(res store.Resource) bool { return res.ID == hint.ID }) {
			// The hinted user is offered even beyond the first page of the list.
			if res, err := s.store.ReadResource(r.Context(), typ, hint.ID); err == nil && !res.Deleted {
				found = append([]store.Resource{res}, found...)
			}
		}
		g := loginGroup{Label: typ + "s", Total: total, More: total > len(found)}
		for _, raw := range found {
			u := describe(raw)
			u.HasPassword, u.Chosen = withPassword[u.Ref], u.Ref == chosen
			g.Users = append(g.Users, u)
		}
		data.Groups = append(data.Groups, g)
	}
	s.render(w, http.StatusOK, loginTmpl, pageData{Title: "Sign in", Error: msg, Req: ar, Client: client, Data: data})
}

// searchRefusal is what the sign-in and picker pages say of search text the directory refused.
func searchRefusal(err error) string {
	return "That search could not be run: " + strings.TrimPrefix(err.Error(), wire.ErrBadSearchText.Error()+": ")
}

// findUsers returns up to loginListLimit users of typ matching q, and how many match in all.
func (s *Server) findUsers(ctx context.Context, typ, q string) ([]store.Resource, int, error) {
	if d := s.directory; d != nil {
		find := d.FindPatients
		if typ == "Practitioner" {
			find = d.FindPractitioners
		}
		raws, total, err := find(ctx, q, loginListLimit, 0)
		out := make([]store.Resource, len(raws))
		for i, raw := range raws {
			out[i] = rawResource(typ, raw)
		}
		return out, total, err
	}
	// No directory: scan the store, matching the text against what the page shows of each user.
	var out []store.Resource
	total, after := 0, ""
	needle := strings.ToLower(q)
	for {
		batch, err := s.store.ListResources(ctx, typ, after, 500)
		if err != nil {
			return nil, 0, err
		}
		for _, res := range batch {
			u := describe(res)
			if needle != "" && !strings.Contains(strings.ToLower(u.Name+" "+u.Ref+" "+u.Detail), needle) {
				continue
			}
			total++
			if len(out) < loginListLimit {
				out = append(out, res)
			}
		}
		if len(batch) < 500 {
			return out, total, nil
		}
		after = batch[len(batch)-1].ID
	}
}

// loginSearch serves the login page's search (GET, so only the request id is needed; signing in
// itself is a CSRF-checked POST).
func (s *Server) loginSearch(w http.ResponseWriter, r *http.Request) {
	ar, client, ok := s.pageRequest(w, r)
	if !ok {
		return
	}
	_ = r.ParseForm()
	s.renderLogin(w, r, ar, client, "")
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	ar, client, ok := s.loadRequest(w, r)
	if !ok {
		return
	}
	who, err := ref.ParseUser(r.Form.Get("user"))
	if err != nil || who.IsZero() {
		s.renderLogin(w, r, ar, client, "Choose a user.")
		return
	}
	res, err := s.store.ReadResource(r.Context(), who.Type, who.ID)
	if err != nil || res.Deleted {
		s.renderLogin(w, r, ar, client, "No such user: "+who.String())
		return
	}
	// A user with a password must give it; a wrong one shows the login page again (never a redirect).
	if phc, err := s.store.UserPassword(r.Context(), who.String()); err == nil {
		if !passhash.Check(phc, r.Form.Get("password")) {
			s.record(events.Event{Kind: "login.refused", FlowID: ar.ID, ClientID: ar.ClientID, LaunchID: ar.launchID(),
				Decision: "wrong or missing password for " + who.String()})
			s.renderLogin(w, r, ar, client, "Wrong password for "+who.String()+". Try again.")
			return
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		s.internalErrorPage(w, r, err)
		return
	}
	sid := randomToken(32)
	if err := s.store.CreateSession(r.Context(), hash(sid), who.String(), s.now().Add(SessionLifetime)); err != nil {
		s.internalErrorPage(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sid, Path: "/", HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode})
	ar.User, ar.SessionHash, ar.AuthTime = who, hash(sid), s.now()
	s.record(events.Event{Kind: "login", FlowID: ar.ID, ClientID: ar.ClientID, LaunchID: ar.launchID(), Decision: "signed in as " + who.String()})
	s.advance(w, r, ar, client)
}

// logout ends the browser session; online_access refresh tokens issued in it stop working.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		_ = s.store.EndSession(r.Context(), hash(c.Value))
		s.record(events.Event{Kind: "logout", Decision: "session ended"})
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	s.render(w, http.StatusOK, errorTmpl, pageData{Title: "Signed out", Data: "You are signed out of Valet."})
}

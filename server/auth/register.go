package auth

import (
	"encoding/json"
	"errors"
	"github.com/valet-sandbox/valet/server/wire"
	"net"
	"net/http"
	"strings"

	"github.com/valet-sandbox/valet/server/events"
	"github.com/valet-sandbox/valet/server/guard"
)

// register is RFC 7591 dynamic registration. Locally it is open to callers on the loopback interface (an
// app's own CI on the developer's machine); anywhere else it answers 403. A shared sandbox takes an
// initial access token instead (Config.Registration, RFC 7591 §3). Valet's sandbox settings are accepted
// as extension metadata (valet_user, valet_patient, valet_auto_approve, lifetimes, …) from the control
// panel and non-browser programs only; a browser page of another origin may register a plain client.
func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	ok, admin := s.mayRegister(w, r)
	if !ok {
		return
	}
	var in wire.ClientInput
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	if err := dec.Decode(&in); err != nil {
		writeError(w, errClientMetadata("the body must be a JSON object of client metadata: %v", err))
		return
	}
	in.ClientID, in.Type = "", "" // the server assigns the id; the type follows from the metadata
	if s.registration != nil {
		if f := sandboxField(in); f != "" && !admin {
			writeError(w, errClientMetadata("%s is a Valet sandbox setting, which in a shared sandbox only its admin may set "+
				"(with an API key, or in the control panel): register without it, or ask the admin", f))
			return
		}
	} else if f := sandboxField(in); f != "" && !guard.FirstParty(r, s.base) {
		// A browser app may register itself (RFC 7591), but another web page must not register a client
		// that skips sign-in and consent: that would read the sandbox's records with the user's browser.
		writeError(w, errClientMetadata("%s is a Valet sandbox setting, accepted only from the control panel or a program "+
			"that is not a browser (curl, a CI script); this request came from another web page (Origin %q). Register "+
			"without it, or set it in the control panel (Apps)", f, r.Header.Get("Origin")))
		return
	}
	out, err := s.CreateClient(r.Context(), in)
	ev := events.Event{Kind: "register", ClientID: out.ID, Request: map[string]any{"client_name": in.Name, "redirect_uris": in.RedirectURIs,
		"token_endpoint_auth_method": in.TokenEndpointAuthMethod, "grant_types": in.GrantTypes, "scope": in.Scope}}
	var oe *Error
	if errors.As(err, &oe) {
		ev.Decision = oe.Code + ": " + oe.Description
		s.record(ev)
		writeError(w, oe)
		return
	} else if err != nil {
		writeError(w, errServerError(err))
		return
	}
	ev.Decision = "registered " + out.Type
	s.record(ev)
	writeJSON(w, http.StatusCreated, out)
}

// mayRegister says whether the caller may register, and in a shared sandbox whether it is the admin; it
// answers the refusal itself.
func (s *Server) mayRegister(w http.ResponseWriter, r *http.Request) (ok, admin bool) {
	if s.registration != nil {
		admin, err := s.registration(r)
		if err != nil {
			// RFC 7591 §3 and RFC 6750 §3: a missing or bad initial access token is a 401 with a Bearer challenge.
			w.Header().Set("WWW-Authenticate", `Bearer realm="valet", error="invalid_token"`)
			writeJSON(w, http.StatusUnauthorized, &Error{Code: "invalid_token", Description: err.Error()})
			return false, false
		}
		return true, admin
	}
	if !fromLoopback(r) {
		writeJSON(w, http.StatusForbidden, &Error{Code: "access_denied", Description: "dynamic registration is open only to " +
			"programs on the machine Valet runs on (loopback): run the registration there, or register the app in the " +
			"Valet control panel (Apps) or with POST /api/clients"})
		return false, false
	}
	return true, false
}

// fromLoopback says whether the request comes from this machine: the connection's remote address must be
// loopback, and a request relayed by a reverse proxy (--base-url) must not name another client in
// Forwarded or X-Forwarded-For, since through a local proxy every connection looks local.
func fromLoopback(r *http.Request) bool {
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return false
	}
	for _, v := range r.Header.Values("X-Forwarded-For") {
		for _, hop := range strings.Split(v, ",") {
			if ip := net.ParseIP(strings.TrimSpace(hop)); ip == nil || !ip.IsLoopback() {
				return false
			}
		}
	}
	for _, v := range r.Header.Values("Forwarded") {
		for _, part := range strings.FieldsFunc(v, func(c rune) bool { return c == ';' || c == ',' }) {
			k, val, _ := strings.Cut(strings.TrimSpace(part), "=")
			if !strings.EqualFold(k, "for") {
				continue
			}
			val = strings.Trim(val, `"`)
			if h, _, err := net.SplitHostPort(val); err == nil {
				val = h
			}
			if ip := net.ParseIP(strings.Trim(val, "[]")); ip == nil || !ip.IsLoopback() {
				return false
			}
		}
	}
	return true
}

// Package guard keeps the other web pages in the user's browser from driving Valet.
//
// Valet listens on loopback beside the browser the user reads the web with, and any page that browser
// loads can send requests to 127.0.0.1. Two defences follow (the same ones the Vite and webpack dev
// servers and Jupyter use):
//
//   - Host allow-list (DNS rebinding): a page on a domain its owner points at 127.0.0.1 talks to Valet as
//     a same-origin page of that domain, so a request is answered only when its Host names Valet: an IP
//     address, localhost, the host of --base-url, or a name allowed with --allowed-host.
//   - First-party requests (CSRF): the control API, and the sandbox shortcuts of dynamic registration,
//     answer only the control panel (Valet's own origin, or the desktop window) and programs that are not
//     browsers, which send neither Origin nor Sec-Fetch-Site.
package guard

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Hosts is the Host allow-list.
type Hosts struct {
	names map[string]bool // lower case, without port or brackets
}

// NewHosts allows IP addresses, localhost (and its subdomains, which resolve to loopback by RFC 6761), the
// host of baseURL and every name in extra (host names, optionally with a port, which is ignored).
func NewHosts(baseURL string, extra []string) *Hosts {
	h := &Hosts{names: map[string]bool{}}
	if u, err := url.Parse(baseURL); err == nil && u.Host != "" {
		h.names[hostOnly(u.Host)] = true
	}
	for _, n := range extra {
		if n = hostOnly(strings.TrimSpace(n)); n != "" {
			h.names[n] = true
		}
	}
	return h
}

// Allowed says whether a request with this Host header is for Valet. An IP literal cannot be the
// result of DNS rebinding (the attacker's page would have that IP as its own origin), so every address is
// allowed; a name must be localhost or configured.
func (h *Hosts) Allowed(host string) bool {
	name := hostOnly(host)
	switch {
	case name == "":
		return false
	case net.ParseIP(name) != nil:
		return true
	case name == "localhost" || strings.HasSuffix(name, ".localhost"):
		return true
	}
	return h.names[name]
}

// hostOnly is the lower-case host of a Host header value ("[::1]:8765" → "::1").
func hostOnly(hostport string) string {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	return strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
}

// Wrap answers 421 Misdirected Request (RFC 9110 §15.5.20) to a request whose Host is not allowed,
// saying how to allow it, and hands every other request to next. Requests from the desktop window
// (Window) carry the window's own host and pass.
func (h *Hosts) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.Allowed(r.Host) && !fromWindow(r.Context()) {
			refuse(w, http.StatusMisdirectedRequest, "Valet does not answer for the host "+quote(hostOnly(r.Host))+
				" (a web page may have pointed that name at 127.0.0.1: DNS rebinding). If you reach Valet under this name "+
				"on purpose, start it with --allowed-host "+hostOnly(r.Host)+" or --base-url.")
			return
		}
		next.ServeHTTP(w, r)
	})
}

type windowKey struct{}

// Window marks every request as coming from the desktop window, whose requests do not cross a network:
// they are the control panel itself.
func Window(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), windowKey{}, true)))
	})
}

func fromWindow(ctx context.Context) bool { v, _ := ctx.Value(windowKey{}).(bool); return v }

// FirstParty says whether r comes from the control panel or from a program that is not a browser:
// from the desktop window; or with no Origin, or an Origin that is Valet's own (baseURL, or the scheme
// and Host the request was sent to, which Hosts has already allowed); and with no Sec-Fetch-Site, or one
// of same-origin and none (typed by the user). A page of any other origin — another port on 127.0.0.1
// included, since origins differ by port — is a third party.
func FirstParty(r *http.Request, baseURL string) bool {
	if fromWindow(r.Context()) {
		return true
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return strings.EqualFold(origin, scheme+"://"+r.Host) || strings.EqualFold(origin, originOf(baseURL))
}

// originOf is scheme://host[:port] of a URL.
func originOf(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Scheme == "" || p.Host == "" {
		return ""
	}
	return p.Scheme + "://" + p.Host
}

func quote(s string) string { return `"` + s + `"` }

func refuse(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg + "\n"))
}

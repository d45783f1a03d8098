// Package cors answers cross-origin requests from browser apps (SMART App Launch 2.2: public clients
// run in the browser and call the authorization server's endpoints and the FHIR API from their own
// origin). Credentials are bearer tokens in the Authorization header, never cookies, so reflecting the
// request's Origin is safe and Access-Control-Allow-Credentials is never sent.
package cors

import "net/http"

// Policy is what a group of endpoints allows.
type Policy struct {
	Methods string // Access-Control-Allow-Methods of a preflight
	Headers string // Access-Control-Allow-Headers of a preflight
	Expose  string // Access-Control-Expose-Headers: response headers the app's script may read
}

// Wrap adds the CORS headers to h's responses and answers preflight OPTIONS requests itself (204).
//
// Every response says Vary: Origin, those to requests without an Origin too: the CORS headers depend on
// it, and a cacheable answer (discovery, JWKS) that the control panel fetched same-origin, without
// Access-Control-Allow-Origin, must not be handed from the browser's cache to an app's cross-origin fetch.
func (p Policy) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Origin")
		if origin := r.Header.Get("Origin"); origin != "" {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Expose-Headers", p.Expose)
		}
		if r.Method == http.MethodOptions {
			w.Header().Set("Access-Control-Allow-Methods", p.Methods)
			w.Header().Set("Access-Control-Allow-Headers", p.Headers)
			w.Header().Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.ServeHTTP(w, r)
	})
}

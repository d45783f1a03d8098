package control

import (
	"mime"
	"net/http"

	"github.com/valet-sandbox/valet/server/guard"
)

// FirstPartyOnly lets only the control panel and programs that are not browsers call the control API
// (docs/control-api.md, "Who can call /api"): any other web page in the user's browser could otherwise
// register clients with sandbox shortcuts, start launches or rotate keys.
//
//   - A request from another origin (Origin not Valet's, or Sec-Fetch-Site cross-site or same-site) is
//     refused with 403, and so is every CORS preflight: the API never grants CORS.
//   - A request that changes state must be JSON (415 otherwise). Browsers send text/plain, form and
//     multipart bodies cross-origin without a preflight; a JSON body always needs one.
func FirstPartyOnly(baseURL string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			writeError(w, http.StatusForbidden, "the control API does not answer cross-origin requests (CORS preflight "+
				"refused): call it from the Valet control panel, or from a program such as curl or a CI script")
			return
		}
		if !guard.FirstParty(r, baseURL) {
			writeError(w, http.StatusForbidden, "the control API answers only the Valet control panel and programs that "+
				"are not browsers; this request came from another web page (Origin "+quoteOr(r.Header.Get("Origin"), "none")+
				", Sec-Fetch-Site "+quoteOr(r.Header.Get("Sec-Fetch-Site"), "none")+")")
			return
		}
		if changesState(r) {
			if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
				writeError(w, http.StatusUnsupportedMediaType, "send this request with Content-Type: application/json (got "+
					quoteOr(r.Header.Get("Content-Type"), "none")+"), even when it has no body")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// changesState: POST, PUT and PATCH always; DELETE when it has a body (a DELETE is never sent
// cross-origin without a preflight, so a body-less one needs no Content-Type).
func changesState(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return false
	case http.MethodDelete:
		return r.ContentLength != 0
	}
	return true
}

func quoteOr(s, none string) string {
	if s == "" {
		return none
	}
	return `"` + s + `"`
}

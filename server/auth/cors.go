package auth

import (
	"net/http"

	corspkg "github.com/valet-sandbox/valet/server/cors"
)

// authCORS lets browser apps (public clients) call discovery, token, introspection and revocation from
// their own origin (SMART App Launch 2.2: servers SHALL support CORS for these endpoints).
var authCORS = corspkg.Policy{
	Methods: "GET, POST, OPTIONS",
	Headers: "Authorization, Content-Type, Accept",
	Expose:  "WWW-Authenticate, Location, Content-Location",
}

func cors(h http.Handler) http.Handler { return authCORS.Wrap(h) }

package control

import (
	"context"
	"net/http"

	"github.com/valet-sandbox/valet/server/wire"
)

// TLSSettings is the HTTPS switch of Settings: what this run serves and what the next start will.
type TLSSettings interface {
	TLS(ctx context.Context) (wire.TLS, error)
	// SetTLS stores the switch for the next start (the running server keeps its scheme: its base URL is
	// in every token, link and discovery document already handed out).
	SetTLS(ctx context.Context, next bool) (wire.TLS, error)
}

func (a *API) mountTLS(mux *http.ServeMux) {
	if a.TLS == nil {
		return
	}
	mux.HandleFunc("GET /api/tls", a.getTLS)
	mux.HandleFunc("PUT /api/tls", a.putTLS)
}

func (a *API) getTLS(w http.ResponseWriter, r *http.Request) {
	t, err := a.TLS.TLS(r.Context())
	if err != nil {
		internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (a *API) putTLS(w http.ResponseWriter, r *http.Request) {
	var in wire.TLSInput
	if !readJSON(w, r, &in) {
		return
	}
	if in.NextStart == nil {
		fail(w, r, wire.Invalid("next_start", "next_start must be true (serve https from the next start) or false"))
		return
	}
	t, err := a.TLS.SetTLS(r.Context(), *in.NextStart)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

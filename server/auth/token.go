package auth

import (
	"context"
	"errors"
	"mime"
	"net/http"
	"net/url"

	"github.com/valet-sandbox/valet/server/events"
	"github.com/valet-sandbox/valet/server/sim"
	"github.com/valet-sandbox/valet/server/store"
)

// tokenRequest is a token request (RFC 6749 §3.2 and §4.1.3, §6; SMART Backend Services), parsed once
// from its form and Authorization header.
type tokenRequest struct {
	clientCredentials
	GrantType string
	// authorization_code
	Code, RedirectURI, CodeVerifier string
	// refresh_token
	RefreshToken string
	// Scope narrows a refresh, or asks a backend service's scopes.
	Scope string
	form  url.Values // as received, for the flow event
}

func readTokenRequest(r *http.Request, form url.Values) *tokenRequest {
	return &tokenRequest{clientCredentials: readClientCredentials(r, form), GrantType: form.Get("grant_type"), Code: form.Get("code"),
		RedirectURI: form.Get("redirect_uri"), CodeVerifier: form.Get("code_verifier"), RefreshToken: form.Get("refresh_token"),
		Scope: form.Get("scope"), form: form}
}

// grantHandler is one grant type of the token endpoint. The endpoint has already authenticated the
// client; the grant adds its own checks and returns the response.
type grantHandler func(ctx context.Context, req *tokenRequest, client store.Client) (resp *tokenResponse, t trace, e *Error)

// trace ties a token request's event to the flow and launch of the grant it used, so the flow inspector
// and GET /api/events?launch= show the token steps with the rest of the launch.
type trace struct{ flow, launch string }

func traceOf(g store.Grant) trace { return trace{flow: g.FlowID, launch: g.LaunchID} }

// token is the token endpoint (RFC 6749 §3.2): shared steps here, each grant in its own file.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	form, e := parseForm(r)
	req := readTokenRequest(r, form)
	ev := events.Event{Kind: "token.request", ClientID: req.ID, Request: events.Form(form)}
	var resp *tokenResponse
	if e == nil {
		grants := map[string]grantHandler{
			"authorization_code": s.grantCode,
			"refresh_token":      s.grantRefresh,
			"client_credentials": s.grantClientCredentials,
		}
		h, ok := grants[req.GrantType]
		switch {
		case req.GrantType == "":
			e = errInvalidRequest("grant_type is required")
		case !ok:
			e = errUnsupportedGrantType("grant_type %q is not supported", req.GrantType)
		default:
			e = s.impliedRefreshClient(r.Context(), req)
			var client store.Client
			if e == nil {
				client, e = s.authenticateClient(r.Context(), req.clientCredentials)
			}
			var fired sim.Fired
			if e == nil && s.sims.Active(sim.Token) {
				fired, e = s.simulatedToken(r.Context(), req, client, &ev)
			}
			if e == nil {
				ev.ClientID = client.ID
				var t trace
				resp, t, e = h(r.Context(), req, client)
				ev.FlowID, ev.LaunchID = t.flow, t.launch
			}
			if e == nil && len(fired.Sims) > 0 {
				if m := shapeTokenResponse(resp, fired); m != nil {
					ev.Simulated = m
				}
			}
		}
	}
	if e != nil {
		ev.Kind, ev.Decision, ev.Response = "token.refused", e.Code+": "+e.Description, map[string]any{"error": e.Code, "error_description": e.Description}
		s.record(ev)
		writeError(w, e)
		return
	}
	ev.Kind, ev.Decision, ev.Response = "token.issued", req.GrantType+" granted "+resp.Scope, resp.eventFields()
	s.record(ev)
	writeJSON(w, http.StatusOK, resp)
}

// impliedRefreshClient names the client of a refresh that does not: RFC 6749 §6 asks a refresh to
// authenticate only "if the client type is confidential", and a public client may send no client_id at
// all (the SMART JS client does not), so the refresh token names its client. Binding, rotation and reuse
// detection stay with the refresh grant; a confidential client still fails authentication.
func (s *Server) impliedRefreshClient(ctx context.Context, req *tokenRequest) *Error {
	if req.GrantType != "refresh_token" || req.RefreshToken == "" || req.ID != "" || req.methods() > 0 {
		return nil
	}
	id, err := s.store.RefreshTokenClient(ctx, refreshHash(req.RefreshToken))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return errInvalidGrant("refresh token is unknown or revoked")
	case err != nil:
		return errServerError(err)
	}
	req.ID = id
	return nil
}

// parseForm reads an application/x-www-form-urlencoded POST body (RFC 6749 §3.2: parameters in the body;
// query parameters are not accepted there, nor repeated parameters).
func parseForm(r *http.Request) (url.Values, *Error) {
	ct := r.Header.Get("Content-Type")
	if ct != "application/x-www-form-urlencoded" { // as most clients send it; else parse its parameters
		ct, _, _ = mime.ParseMediaType(ct)
	}
	if ct != "application/x-www-form-urlencoded" {
		return url.Values{}, errInvalidRequest("the body must be application/x-www-form-urlencoded")
	}
	r.Body = http.MaxBytesReader(nil, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		return url.Values{}, errInvalidRequest("malformed form body: %v", err)
	}
	for k, v := range r.PostForm {
		if len(v) > 1 {
			return r.PostForm, errInvalidRequest("parameter %s is repeated", k)
		}
	}
	return r.PostForm, nil
}

package auth

import (
	"mime"
	"net/http"
	"net/url"

	"github.com/valet-sandbox/valet/server/events"
	"github.com/valet-sandbox/valet/server/store"
)

// grantHandler is one grant type of the token endpoint. The endpoint has already authenticated the
// client; the grant adds its own checks and returns the response body.
type grantHandler func(r *http.Request, client store.Client) (resp map[string]any, t trace, e *Error)

// trace ties a token request's event to the flow and launch of the grant it used, so the flow inspector
// and GET /api/events?launch= show the token steps with the rest of the launch.
type trace struct{ flow, launch string }

func traceOf(g store.Grant) trace { return trace{flow: g.FlowID, launch: g.LaunchID} }

// token is the token endpoint (RFC 6749 §3.2): shared steps here, each grant in its own file.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	form, e := parseForm(r)
	gt := form.Get("grant_type")
	ev := events.Event{Kind: "token.request", ClientID: form.Get("client_id"), Request: events.Form(form)}
	var client store.Client
	var resp map[string]any
	if e == nil {
		grants := map[string]grantHandler{
			"authorization_code": s.grantCode,
			"refresh_token":      s.grantRefresh,
			"client_credentials": s.grantClientCredentials,
		}
		h, ok := grants[gt]
		switch {
		case gt == "":
			e = errInvalidRequest("grant_type is required")
		case !ok:
			e = errUnsupportedGrantType("grant_type %q is not supported", gt)
		default:
			if client, e = s.authenticateClient(r.Context(), r, form); e == nil {
				ev.ClientID = client.ID
				var t trace
				resp, t, e = h(r, client)
				ev.FlowID, ev.LaunchID = t.flow, t.launch
			}
		}
	}
	if e != nil {
		ev.Kind, ev.Decision, ev.Response = "token.refused", e.Code+": "+e.Description, map[string]any{"error": e.Code, "error_description": e.Description}
		s.record(ev)
		writeError(w, e)
		return
	}
	ev.Kind, ev.Decision, ev.Response = "token.issued", gt+" granted "+resp["scope"].(string), events.Fields(resp)
	s.record(ev)
	writeJSON(w, http.StatusOK, resp)
}

// parseForm reads an application/x-www-form-urlencoded POST body (RFC 6749 §3.2: parameters in the body;
// query parameters are not accepted there, nor repeated parameters).
func parseForm(r *http.Request) (url.Values, *Error) {
	ct := r.Header.Get("Content-Type")
	if ct != "application/x-www-form-urlencoded" { // as most clients send it; else parse its parameters
		ct, _, _ = mime.ParseMediaType(ct)
	}
	if ct != "application/x-www-form-urlencoded" {
		return formValues{}, errInvalidRequest("the body must be application/x-www-form-urlencoded")
	}
	r.Body = http.MaxBytesReader(nil, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		return formValues{}, errInvalidRequest("malformed form body: %v", err)
	}
	for k, v := range r.PostForm {
		if len(v) > 1 {
			return r.PostForm, errInvalidRequest("parameter %s is repeated", k)
		}
	}
	return r.PostForm, nil
}

type formValues = url.Values

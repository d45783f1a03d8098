package auth

import (
	"net/http"
	"strings"

	"github.com/valet-sandbox/valet/server/events"
)

// introspect is RFC 7662 with the SMART fields (App Launch 2.2 §Token Introspection). Callers
// authenticate as a client; any client may introspect any token, as resource servers do. An unknown,
// expired or revoked token is {"active": false} and nothing else.
func (s *Server) introspect(w http.ResponseWriter, r *http.Request) {
	form, e := parseForm(r)
	if e == nil {
		_, e = s.authenticateClient(r.Context(), readClientCredentials(r, form))
	}
	ev := events.Event{Kind: "introspect", ClientID: form.Get("client_id"), Request: events.Form(form)}
	if e != nil {
		ev.Decision = e.Code + ": " + e.Description
		s.record(ev)
		writeError(w, e)
		return
	}
	raw := form.Get("token")
	if raw == "" {
		writeError(w, errInvalidRequest("token is required"))
		return
	}
	resp := map[string]any{"active": false}
	if strings.Count(raw, ".") == 2 {
		if a, err := s.verifier.Verify(r.Context(), raw); err == nil {
			resp = map[string]any{"active": true, "token_type": "Bearer", "scope": a.Scopes.String(), "client_id": a.ClientID,
				"exp": a.Expiry.Unix(), "iat": a.IssuedAt.Unix(), "iss": s.fhirBase, "sub": a.Subject, "aud": s.fhirBase}
			addContext(resp, a.User.String(), a.Patient, a.Encounter, s.fhirBase)
		}
	} else if rt, g, err := s.store.LookupRefreshToken(r.Context(), refreshHash(raw)); err == nil {
		resp = map[string]any{"active": true, "token_type": "refresh_token", "scope": rt.Scope, "client_id": rt.ClientID,
			"exp": rt.ExpiresAt.Unix(), "iss": s.fhirBase, "sub": g.Subject}
		addContext(resp, g.FHIRUser.String(), g.Patient, g.Encounter, s.fhirBase)
	}
	ev.Decision = "active=" + map[bool]string{true: "true", false: "false"}[resp["active"] == true]
	ev.Response = resp
	s.record(ev)
	writeJSON(w, http.StatusOK, resp)
}

func addContext(m map[string]any, fhirUser, patient, encounter, base string) {
	if fhirUser != "" {
		m["fhirUser"] = base + "/" + fhirUser
	}
	if patient != "" {
		m["patient"] = patient
	}
	if encounter != "" {
		m["encounter"] = encounter
	}
}

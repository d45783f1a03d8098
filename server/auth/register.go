package auth

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"

	"github.com/valet-sandbox/valet/server/events"
)

// register is RFC 7591 dynamic registration. It is open to callers on the loopback interface (an app's
// own CI on the developer's machine); anywhere else it answers 403. Valet's sandbox options are accepted
// as extension metadata (valet_user, valet_patient, valet_auto_approve).
func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		writeJSON(w, http.StatusForbidden, &Error{Code: "access_denied", Description: "dynamic registration is open on loopback only"})
		return
	}
	var in ClientInput
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	if err := dec.Decode(&in); err != nil {
		writeError(w, errClientMetadata("the body must be a JSON object of client metadata: %v", err))
		return
	}
	in.ClientID, in.Type = "", "" // the server assigns the id; the type follows from the metadata
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
		writeError(w, errServerError("%v", err))
		return
	}
	ev.Decision = "registered " + out.Type
	s.record(ev)
	writeJSON(w, http.StatusCreated, out)
}

package auth

import (
	"errors"
	"net/http"
	"strings"

	"github.com/valet-sandbox/valet/server/events"
)

// revoke is RFC 7009. The client must authenticate and may revoke only its own tokens; unknown tokens
// (and other clients' tokens) get 200 without effect, so the endpoint reveals nothing (RFC 7009 §2.2).
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	form, e := parseForm(r)
	ev := events.Event{Kind: "revoke", Request: events.Form(form)}
	if e == nil {
		var client = struct{ ID string }{}
		c, err := s.authenticateClient(r.Context(), readClientCredentials(r, form))
		e, client.ID = err, c.ID
		ev.ClientID = client.ID
		if e == nil && form.Get("token") == "" {
			e = errInvalidRequest("token is required")
		}
		if e == nil {
			ev.Decision = s.revokeToken(r, client.ID, form.Get("token"))
		}
	}
	if e != nil {
		ev.Decision = e.Code + ": " + e.Description
		s.record(ev)
		writeError(w, e)
		return
	}
	s.record(ev)
	noStore(w)
	w.WriteHeader(http.StatusOK)
}

func (s *Server) revokeToken(r *http.Request, clientID, raw string) string {
	ctx := r.Context()
	defer s.verifier.purge()
	if strings.Count(raw, ".") == 2 {
		c, err := s.verifier.claims(raw)
		if err != nil && !errors.Is(err, errTokenExpired) {
			return "not a Valet access token; nothing to revoke"
		}
		if c.ClientID != clientID {
			return "token belongs to another client; ignored"
		}
		if err := s.store.RevokeAccessToken(ctx, c.record()); err != nil {
			return "revoke failed: " + err.Error()
		}
		return "access token " + c.JTI + " revoked"
	}
	rt, _, err := s.store.LookupRefreshToken(ctx, refreshHash(raw))
	if err != nil {
		return "unknown or inactive refresh token; nothing to revoke"
	}
	if rt.ClientID != clientID {
		return "token belongs to another client; ignored"
	}
	if err := s.store.RevokeRefreshToken(ctx, refreshHash(raw)); err != nil {
		return "revoke failed: " + err.Error()
	}
	return "refresh token and its grant revoked"
}

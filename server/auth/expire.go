package auth

import (
	"context"
	"errors"
	"strings"

	"github.com/valet-sandbox/valet/server/events"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/wire"
)

// Expire makes one credential expire at the sandbox clock's present (POST /api/expire), so that an app
// meets an expired token, code, launch or session when the tester wants, not when its lifetime runs out.
// It then fails exactly as at the end of its lifetime: a 401 invalid_token "expired" at the FHIR server
// and inactive at introspection for an access token; invalid_grant for a refresh token or a code;
// invalid_request "has expired" for a launch; the sign-in page again for a session, whose online_access
// refresh tokens end with it. Nothing live by that name is store.ErrNotFound.
func (s *Server) Expire(ctx context.Context, in wire.ExpireInput) (wire.Expired, error) {
	kind, err := s.expire(ctx, in)
	if err != nil {
		return wire.Expired{}, err
	}
	s.verifier.purge()
	now := s.now()
	// The name given rides along (no secret among them) so that the Flows view can put the step in the
	// flow whose access token carried that jti or valet_grant.
	var req map[string]any
	switch {
	case in.JTI != "":
		req = map[string]any{"jti": in.JTI}
	case in.Grant != "":
		req = map[string]any{"grant": in.Grant}
	}
	s.record(events.Event{Kind: "expired", FlowID: in.Flow, LaunchID: in.Launch, Request: req, Decision: kind + " expired now (control API)"})
	return wire.Expired{Expired: kind, At: now}, nil
}

func (s *Server) expire(ctx context.Context, in wire.ExpireInput) (string, error) {
	given := 0
	for _, v := range []string{in.AccessToken, in.JTI, in.RefreshToken, in.Grant, in.Code, in.Flow, in.Launch, in.Session} {
		if v != "" {
			given++
		}
	}
	if given != 1 {
		return "", wire.Invalid("", "name exactly one credential: access_token, jti, refresh_token, grant, code, flow, launch or session")
	}
	now := s.now()
	notLive := func(what string) error { return wireNotFound(what + " is unknown, or no longer live") }
	switch {
	case in.AccessToken != "":
		c, err := s.verifier.claims(in.AccessToken)
		if err != nil {
			return "", wire.Invalid("access_token", "not a live access token of this sandbox: %v", err)
		}
		return "access_token", s.store.ExpireAccessToken(ctx, c.record())
	case in.JTI != "":
		// The token itself is not at hand, so neither its exp: its revocation record stays as long as any
		// access token may live (the revocations table forgets rows after the exp they hold).
		keep, err := KeyRetention(ctx, s.store)
		if err != nil {
			return "", err
		}
		return "access_token", s.store.ExpireAccessToken(ctx, store.AccessToken{JTI: in.JTI, ExpiresAt: now.Add(keep)})
	case in.RefreshToken != "":
		return "refresh_token", notFoundAs(s.store.ExpireRefreshToken(ctx, refreshHash(in.RefreshToken)), notLive("refresh_token"))
	case in.Grant != "":
		return "refresh_token", notFoundAs(s.store.ExpireGrantRefresh(ctx, in.Grant), notLive("the refresh token of grant "+in.Grant))
	case in.Code != "":
		k := keyOf(in.Code)
		if s.codes.expire(now, func(c codeKey, _ *authCode) bool { return c == k }) == 0 {
			return "", notLive("code")
		}
		return "code", nil
	case in.Flow != "":
		if s.codes.expire(now, func(_ codeKey, ac *authCode) bool { return ac.Grant.FlowID == in.Flow }) == 0 {
			return "", notLive("the code of flow " + in.Flow)
		}
		return "code", nil
	case in.Launch != "":
		return "launch", notFoundAs(s.store.ExpireLaunch(ctx, in.Launch), notLive("launch "+in.Launch))
	default:
		return "session", notFoundAs(s.store.ExpireSession(ctx, strings.TrimSpace(in.Session)), notLive("session"))
	}
}

// notFound is a control-API 404 with a message that says what was not found.
type notFound struct{ msg string }

func (e notFound) Error() string        { return e.msg }
func (e notFound) Is(target error) bool { return target == store.ErrNotFound }

func wireNotFound(msg string) error { return notFound{msg} }

// notFoundAs replaces the store's ErrNotFound with a message naming what was not found.
func notFoundAs(err, nf error) error {
	if errors.Is(err, store.ErrNotFound) {
		return nf
	}
	return err
}

package auth_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server/store"
)

// jwtPart decodes the header (0) or the claims (1) of a compact JWS.
func jwtPart(t *testing.T, tok string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func kid(t *testing.T, tok string) string { return jwtPart(t, tok, 0)["kid"].(string) }

type keyInfo struct {
	KID          string     `json:"kid"`
	Alg          string     `json:"alg"`
	Active       bool       `json:"active"`
	CreatedAt    time.Time  `json:"created_at"`
	PublishUntil *time.Time `json:"publish_until"`
}

func (s *sandbox) jwksKIDs() []string {
	var set struct{ Keys []struct{ Kid string } }
	s.api("GET", "/auth/jwks", nil, &set)
	var out []string
	for _, k := range set.Keys {
		out = append(out, k.Kid)
	}
	return out
}

// TestKeyRotation: after rotation new tokens are signed with the new keys, old tokens still verify until
// they expire, and the old keys stay in the JWKS until then and are gone after.
func TestKeyRotation(t *testing.T) {
	s := newSandbox(t)
	ctx := context.Background()
	f := &benchFlow{s: s, client: s.register(map[string]any{"client_name": "K", "redirect_uris": []string{redirect},
		"valet_user": "Practitioner/dr1", "valet_patient": "p1", "valet_auto_approve": true})}
	old, err := f.run()
	if err != nil {
		t.Fatal(err)
	}
	oldAT, oldID := old["access_token"].(string), old["id_token"].(string)

	var before []keyInfo
	if code := s.api("GET", "/api/keys", nil, &before); code != 200 || len(before) != 2 {
		t.Fatalf("GET /api/keys: %d %+v", code, before)
	}
	var after []keyInfo
	if code := s.api("POST", "/api/keys/rotate", nil, &after); code != 200 || len(after) != 4 {
		t.Fatalf("POST /api/keys/rotate: %d %+v", code, after)
	}
	rotatedAt := s.clock.Now()
	for _, k := range after {
		retired := k.KID == kid(t, oldAT) || k.KID == kid(t, oldID)
		if k.Active == retired {
			t.Errorf("key %s %s active=%v after rotation", k.KID, k.Alg, k.Active)
		}
		if !retired && (k.CreatedAt.IsZero() || k.CreatedAt.After(rotatedAt) || k.CreatedAt.Before(before[0].CreatedAt)) {
			t.Errorf("new key %s created_at %v, want between the first keys' %v and the rotation %v", k.KID, k.CreatedAt, before[0].CreatedAt, rotatedAt)
		}
		// Kept for the longest token lifetime (1 h access and id tokens) plus clock skew.
		if retired && (k.PublishUntil == nil || k.PublishUntil.Before(rotatedAt.Add(time.Hour))) {
			t.Errorf("retired key %s published until %v, want ≥ 1 h from now", k.KID, k.PublishUntil)
		}
	}

	fresh, err := f.run()
	if err != nil {
		t.Fatal(err)
	}
	if kid(t, fresh["access_token"].(string)) == kid(t, oldAT) || kid(t, fresh["id_token"].(string)) == kid(t, oldID) {
		t.Error("tokens issued after rotation are signed with the old keys")
	}
	if _, err := s.srv.Verifier().Verify(ctx, oldAT); err != nil {
		t.Errorf("pre-rotation access token no longer verifies: %v", err)
	}
	s.clock.Advance(59 * time.Minute)
	if kids := s.jwksKIDs(); !slices.Contains(kids, kid(t, oldAT)) || !slices.Contains(kids, kid(t, oldID)) || len(kids) != 4 {
		t.Errorf("59 min after rotation the JWKS is %v; the old keys must still be there", kids)
	}
	if code, m, _ := post(t, s.base+"/auth/introspect", url.Values{"token": {oldAT}, "client_id": {f.client.ID}}); code != 200 || m["active"] != true {
		t.Errorf("old access token inactive before its expiry: %v", m)
	}
	s.clock.Advance(2 * time.Minute)
	if kids := s.jwksKIDs(); slices.Contains(kids, kid(t, oldAT)) || slices.Contains(kids, kid(t, oldID)) || len(kids) != 2 {
		t.Errorf("after the old tokens expired the JWKS still is %v", kids)
	}
	if _, err := s.srv.Verifier().Verify(ctx, oldAT); err == nil {
		t.Error("old access token verifies after expiry and key removal")
	}
	var now []keyInfo
	if s.api("GET", "/api/keys", nil, &now); len(now) != 2 {
		t.Errorf("GET /api/keys after the old keys' end: %+v", now)
	}
}

// TestRevokeExpiredAccessToken: RFC 7009 lets a client revoke a token it holds even after expiry; the
// revocation must be recorded (it used to hinge on the text of an error message).
func TestRevokeExpiredAccessToken(t *testing.T) {
	s := newSandbox(t)
	f := &benchFlow{s: s, client: s.register(map[string]any{"client_name": "R", "redirect_uris": []string{redirect},
		"valet_user": "Practitioner/dr1", "valet_patient": "p1", "valet_auto_approve": true})}
	tok, err := f.run()
	if err != nil {
		t.Fatal(err)
	}
	at := tok["access_token"].(string)
	claims := jwtPart(t, at, 1)
	rec := store.AccessToken{JTI: claims["jti"].(string), GrantID: claims["valet_grant"].(string), ExpiresAt: time.Unix(int64(claims["exp"].(float64)), 0)}
	s.clock.Advance(2 * time.Hour)
	if err := s.db.AccessTokenActive(context.Background(), rec); !errors.Is(err, store.ErrExpired) {
		t.Fatalf("before revocation: %v, want ErrExpired", err)
	}
	if code, m, _ := post(t, s.base+"/auth/revoke", url.Values{"token": {at}, "client_id": {f.client.ID}}); code != 200 {
		t.Fatalf("revoke: %d %v", code, m)
	}
	if err := s.db.AccessTokenActive(context.Background(), rec); !errors.Is(err, store.ErrRevoked) {
		t.Errorf("expired token not revoked: %v", err)
	}
}

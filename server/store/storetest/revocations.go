package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server/store"
)

// testRevocations: revoking an app's or a user's grants ends their refresh tokens and the access tokens
// naming them, and nobody else's; ending a user's sessions ends only theirs.
func testRevocations(t *testing.T, s store.Store) {
	ctx := context.Background()
	grant := func(id, client, user string) {
		t.Helper()
		g := store.Grant{ID: id, ClientID: client, Subject: user, Scope: "openid offline_access", CreatedAt: s.Now()}
		if user != "" {
			g.FHIRUser.Type, g.FHIRUser.ID = "Practitioner", user
		}
		in := issuance(s, id, "r-"+id)
		in.Refresh.ClientID = client
		if err := s.CreateGrant(ctx, g, func() (store.Issuance, error) { return in, nil }); err != nil {
			t.Fatal(err)
		}
	}
	grant("a1", "app", "dr1")
	grant("a2", "app", "dr2")
	grant("b1", "other", "dr1")
	grant("b2", "other", "dr2")
	if n, err := s.RevokeClientGrants(ctx, "app"); err != nil || n != 2 {
		t.Errorf("RevokeClientGrants = %d, %v; want 2", n, err)
	}
	if n, err := s.RevokeUserGrants(ctx, "Practitioner/dr1"); err != nil || n != 1 {
		t.Errorf("RevokeUserGrants = %d, %v; want 1 (b1; a1 was revoked already)", n, err)
	}
	for id, want := range map[string]error{"a1": store.ErrRevoked, "a2": store.ErrRevoked, "b1": store.ErrRevoked, "b2": nil} {
		if err := s.AccessTokenActive(ctx, token(s, id, "j-"+id)); !errors.Is(err, want) {
			t.Errorf("access token of %s: %v, want %v", id, err, want)
		}
		if _, _, err := s.UseRefreshToken(ctx, "r-"+id, false, nil); !errors.Is(err, want) {
			t.Errorf("refresh token of %s: %v, want %v", id, err, want)
		}
	}
	for _, id := range []string{"s1", "s2"} {
		if err := s.CreateSession(ctx, id, "Practitioner/dr1", s.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateSession(ctx, "s3", "Practitioner/dr2", s.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if list, err := s.Sessions(ctx, "Practitioner/dr1"); err != nil || len(list) != 2 || list[0].User != "Practitioner/dr1" || list[0].ExpiresAt.IsZero() {
		t.Errorf("Sessions(dr1) = %+v, %v", list, err)
	}
	if n, err := s.EndUserSessions(ctx, "Practitioner/dr1"); err != nil || n != 2 {
		t.Errorf("EndUserSessions = %d, %v; want 2", n, err)
	}
	if list, err := s.Sessions(ctx, ""); err != nil || len(list) != 1 || list[0].IDHash != "s3" {
		t.Errorf("Sessions() after ending dr1's = %+v, %v", list, err)
	}
}

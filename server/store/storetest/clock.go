package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server/store"
)

// testClockAndExpiry: the sandbox clock offset moves the store's own expiry checks, and expire-now ends one
// credential of each kind as if its lifetime had run out, leaving the others alone.
func testClockAndExpiry(t *testing.T, s store.Store) {
	ctx := context.Background()
	before := s.Now()
	if err := s.SetClockOffset(ctx, 90*time.Minute+500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if d := s.ClockOffset(); d != 90*time.Minute {
		t.Errorf("offset %v, want 1h30m (whole seconds)", d)
	}
	if ahead := s.Now().Sub(before); ahead < 90*time.Minute || ahead > 91*time.Minute {
		t.Errorf("the clock moved %v, want 1h30m", ahead)
	}
	// An hour's session, launch and refresh token, issued an hour and a half ago in sandbox time.
	if err := s.SetClockOffset(ctx, 0); err != nil {
		t.Fatal(err)
	}
	now := s.Now()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.CreateSession(ctx, "old", "Practitioner/dr1", now.Add(time.Hour)))
	must(s.CreateLaunch(ctx, store.Launch{ID: "l-old", ClientID: "c", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))
	grantWith(t, s, "g-old", issuance(s, "g-old", "r-old"))
	must(s.SetClockOffset(ctx, 90*time.Minute))
	if _, err := s.Session(ctx, "old"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a session past its end: %v, want ErrNotFound", err)
	}
	if _, err := s.UseLaunch(ctx, "l-old"); !errors.Is(err, store.ErrExpired) {
		t.Errorf("a launch past its end: %v, want ErrExpired", err)
	}
	if _, _, err := s.UseRefreshToken(ctx, "r-old", true, nil); !errors.Is(err, store.ErrExpired) {
		t.Errorf("a refresh token past its end: %v, want ErrExpired", err)
	}
	if err := s.AccessTokenActive(ctx, token(s, "g-old", "j-old")); err != nil {
		t.Errorf("a token issued in sandbox time is live in it: %v", err)
	}

	// Expire now, one credential of each kind; its neighbour stays live.
	now = s.Now()
	for _, id := range []string{"s1", "s2"} {
		must(s.CreateSession(ctx, id, "Practitioner/dr1", now.Add(time.Hour)))
	}
	for _, id := range []string{"l1", "l2"} {
		must(s.CreateLaunch(ctx, store.Launch{ID: id, ClientID: "c", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))
	}
	grantWith(t, s, "g1", issuance(s, "g1", store.GrantRefreshHash("g1", "sha1")))
	grantWith(t, s, "g2", issuance(s, "g2", "r2"))
	grantWith(t, s, "g3", issuance(s, "g3", "r3"))
	must(s.ExpireSession(ctx, "s1"))
	must(s.ExpireLaunch(ctx, "l1"))
	must(s.ExpireGrantRefresh(ctx, "g1"))
	must(s.ExpireRefreshToken(ctx, "r2"))
	must(s.ExpireAccessToken(ctx, token(s, "g3", "j1")))
	if _, err := s.Session(ctx, "s1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("expired session: %v", err)
	}
	if _, err := s.Session(ctx, "s2"); err != nil {
		t.Errorf("the other session: %v", err)
	}
	if l, err := s.UseLaunch(ctx, "l1"); !errors.Is(err, store.ErrExpired) || l.ExpiresAt.After(s.Now()) {
		t.Errorf("expired launch: %v, expires %v", err, l.ExpiresAt)
	}
	if _, err := s.UseLaunch(ctx, "l2"); err != nil {
		t.Errorf("the other launch: %v", err)
	}
	if _, _, err := s.UseRefreshToken(ctx, store.GrantRefreshHash("g1", "sha1"), true, nil); !errors.Is(err, store.ErrExpired) {
		t.Errorf("expired refresh token of a grant: %v", err)
	}
	if _, _, err := s.UseRefreshToken(ctx, "r2", true, nil); !errors.Is(err, store.ErrExpired) {
		t.Errorf("expired refresh token: %v", err)
	}
	if _, _, err := s.UseRefreshToken(ctx, "r3", true, nil); err != nil {
		t.Errorf("the other refresh token: %v", err)
	}
	if err := s.AccessTokenActive(ctx, token(s, "g3", "j1")); !errors.Is(err, store.ErrExpired) {
		t.Errorf("expired access token: %v", err)
	}
	if err := s.AccessTokenActive(ctx, token(s, "g3", "j2")); err != nil {
		t.Errorf("the other access token: %v", err)
	}
	// A revocation after an expiry wins; nothing live is left to expire twice.
	must(s.RevokeAccessToken(ctx, token(s, "g3", "j1")))
	if err := s.AccessTokenActive(ctx, token(s, "g3", "j1")); !errors.Is(err, store.ErrRevoked) {
		t.Errorf("revoked after expiry: %v", err)
	}
	for name, err := range map[string]error{
		"session":       s.ExpireSession(ctx, "s1"),
		"launch":        s.ExpireLaunch(ctx, "l2"), // used
		"grant refresh": s.ExpireGrantRefresh(ctx, "g1"),
		"refresh":       s.ExpireRefreshToken(ctx, "r2"),
		"unknown":       s.ExpireRefreshToken(ctx, "nope"),
	} {
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expire %s again: %v, want ErrNotFound", name, err)
		}
	}
}

package storetest

import (
	"context"
	"errors"
	"fmt"
	"github.com/valet-sandbox/valet/server/ref"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server/store"
)

// runAuth is the conformance suite of the authorization server's tables. Expiry is reached by storing
// times in the past relative to the store's clock, so the suite works with any clock.
func runAuth(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Clients", func(t *testing.T) { testClients(t, open(t)) })
	t.Run("Launches", func(t *testing.T) { testLaunches(t, open(t)) })
	t.Run("AuthRequestsAndSessions", func(t *testing.T) { testAuthRequestsAndSessions(t, open(t)) })
	t.Run("GrantsWithFirstTokens", func(t *testing.T) { testGrants(t, open(t)) })
	t.Run("GrantsConcurrently", func(t *testing.T) { testGrantsConcurrently(t, open(t)) })
	t.Run("TokensAndRevocation", func(t *testing.T) { testTokens(t, open(t)) })
	// A grant's first refresh token is kept in its row, later ones (and older ones) in refresh_tokens: the
	// same behaviour is asked of both.
	for _, first := range []struct {
		name string
		hash func(grant, h string) string
	}{{"", func(_, h string) string { return h }}, {"FirstInGrant", store.GrantRefreshHash}} {
		t.Run("RefreshFamilies"+first.name, func(t *testing.T) { testRefreshFamilies(t, open(t), first.hash) })
		t.Run("OnlineRefreshEndsWithSession"+first.name, func(t *testing.T) { testOnlineRefresh(t, open(t), first.hash) })
	}
	t.Run("FirstRefreshInGrant", func(t *testing.T) { testFirstRefreshInGrant(t, open(t)) })
	t.Run("AssertionJTIReplay", func(t *testing.T) { testJTIs(t, open(t)) })
	t.Run("SigningKeys", func(t *testing.T) { testSigningKeys(t, open(t)) })
	t.Run("Events", func(t *testing.T) { testEvents(t, open(t)) })
	t.Run("UserPasswords", func(t *testing.T) { testUserPasswords(t, open(t)) })
	t.Run("ClockAndExpireNow", func(t *testing.T) { testClockAndExpiry(t, open(t)) })
	t.Run("Revocations", func(t *testing.T) { testRevocations(t, open(t)) })
}

func testClients(t *testing.T, s store.Store) {
	ctx := context.Background()
	c := store.Client{ID: "c1", Name: "App", Type: store.ClientConfidentialSymmetric, AuthMethod: "client_secret_basic",
		SecretHash: "h1", RedirectURIs: []string{"http://a/cb"}, Scope: "openid", CreatedAt: t0}
	if err := s.CreateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateClient(ctx, c); !errors.Is(err, store.ErrAlreadyExists) {
		t.Errorf("duplicate client: %v, want ErrAlreadyExists", err)
	}
	got, err := s.Client(ctx, "c1")
	if err != nil || got.SecretHash != "h1" || got.Name != "App" || len(got.RedirectURIs) != 1 {
		t.Errorf("Client = %+v, %v", got, err)
	}
	if _, err := s.Client(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing client: %v", err)
	}
	boom := errors.New("boom")
	if _, err := s.UpdateClient(ctx, "c1", func(c *store.Client) error { c.Name = "changed"; return boom }); !errors.Is(err, boom) {
		t.Errorf("failed update: %v", err)
	}
	up, err := s.UpdateClient(ctx, "c1", func(c *store.Client) error { c.Name, c.ID, c.SecretHash = "App 2", "hijack", "h2"; return nil })
	if err != nil || up.ID != "c1" || up.Name != "App 2" {
		t.Errorf("update = %+v, %v (the id must not change)", up, err)
	}
	if got, _ := s.Client(ctx, "c1"); got.Name != "App 2" || got.SecretHash != "h2" {
		t.Errorf("after update: %+v", got)
	}
	if _, err := s.UpdateClient(ctx, "nope", func(*store.Client) error { return nil }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("update of missing client: %v", err)
	}
	if err := s.CreateClient(ctx, store.Client{ID: "c0", Name: "Older", CreatedAt: t0.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListClients(ctx)
	if err != nil || len(list) != 2 || list[0].ID != "c0" {
		t.Errorf("ListClients = %+v, %v; want oldest first", list, err)
	}
	// Deleting a client revokes what was issued to it: its grants, and so the access tokens naming them.
	now := s.Now()
	g := store.Grant{ID: "g1", ClientID: "c1", Scope: "openid", CreatedAt: now}
	if err := s.CreateGrant(ctx, g, func() (store.Issuance, error) { return store.Issuance{}, nil }); err != nil {
		t.Fatal(err)
	}
	at := store.AccessToken{JTI: "j1", GrantID: "g1", ExpiresAt: now.Add(time.Hour)}
	if err := s.AccessTokenActive(ctx, at); err != nil {
		t.Errorf("token of a live client: %v", err)
	}
	if err := s.DeleteClient(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	if err := s.AccessTokenActive(ctx, at); !errors.Is(err, store.ErrRevoked) {
		t.Errorf("token of a deleted client: %v, want ErrRevoked", err)
	}
	if err := s.DeleteClient(ctx, "c1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	// A client registered again under the same id does not bring the old tokens back.
	if err := s.CreateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := s.AccessTokenActive(ctx, at); !errors.Is(err, store.ErrRevoked) {
		t.Errorf("token of a deleted client after its id was registered again: %v, want ErrRevoked", err)
	}
}

func testLaunches(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := s.Now()
	for i, exp := range []time.Time{now.Add(time.Hour), now.Add(-time.Second)} {
		if err := s.CreateLaunch(ctx, store.Launch{ID: fmt.Sprint("l", i), ClientID: "c", Patient: "p1", CreatedAt: now.Add(time.Duration(i) * time.Second), ExpiresAt: exp}); err != nil {
			t.Fatal(err)
		}
	}
	l, err := s.UseLaunch(ctx, "l0")
	if err != nil || l.Patient != "p1" {
		t.Fatalf("UseLaunch = %+v, %v", l, err)
	}
	if _, err := s.UseLaunch(ctx, "l0"); !errors.Is(err, store.ErrReused) {
		t.Errorf("second use: %v, want ErrReused", err)
	}
	if _, err := s.UseLaunch(ctx, "l1"); !errors.Is(err, store.ErrExpired) {
		t.Errorf("expired launch: %v, want ErrExpired", err)
	}
	if _, err := s.UseLaunch(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown launch: %v", err)
	}
	if got, err := s.Launch(ctx, "l0"); err != nil || got.UsedAt == nil {
		t.Errorf("Launch after use = %+v, %v", got, err)
	}
	list, err := s.ListLaunches(ctx, 10)
	if err != nil || len(list) != 2 || list[0].ID != "l1" {
		t.Errorf("ListLaunches = %+v, %v; want newest first", list, err)
	}
}

func testAuthRequestsAndSessions(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := s.Now()
	if err := s.PutAuthRequest(ctx, store.AuthRequest{ID: "r1", State: "first"}, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	banner := false
	second := store.AuthRequest{ID: "r1", CSRF: "c", Binding: "b", ClientID: "app", RedirectURI: "http://a.example/cb", State: "second",
		Nonce: "n", CodeChallenge: "cc", RedirectGiven: true, Scope: "launch patient/*.rs", Dropped: []string{"user/*.rs"},
		Launch: &store.Launch{ID: "l1", ClientID: "app", NeedPatientBanner: &banner}, User: ref.Reference{Type: "Patient", ID: "p1"},
		SessionHash: "sh", AuthTime: now.Truncate(time.Second).UTC(), Patient: "p1", Encounter: "e1", EncounterDone: true, AutoApprove: true}
	if err := s.PutAuthRequest(ctx, second, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, err := s.AuthRequest(ctx, "r1"); err != nil || !reflect.DeepEqual(got, second) {
		t.Errorf("AuthRequest = %+v, %v; want the replaced request %+v", got, err, second)
	}
	if err := s.PutAuthRequest(ctx, store.AuthRequest{ID: "old"}, now.Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthRequest(ctx, "old"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("expired request: %v", err)
	}
	if err := s.DeleteAuthRequest(ctx, "r1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthRequest(ctx, "r1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted request: %v", err)
	}
	if err := s.CreateSession(ctx, "sh", "Patient/p1", s.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if u, err := s.Session(ctx, "sh"); err != nil || u.User != "Patient/p1" || u.CreatedAt.IsZero() || u.CreatedAt.After(s.Now()) {
		t.Errorf("Session = %q, %v", u, err)
	}
	if err := s.EndSession(ctx, "sh"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, "sh"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ended session: %v", err)
	}
}

// grantWith stores grant id (client "c") with the tokens of in.
func grantWith(t *testing.T, s store.Store, id string, in store.Issuance) {
	t.Helper()
	g := store.Grant{ID: id, ClientID: "c", Subject: "Practitioner/dr1", Scope: "openid offline_access", CreatedAt: s.Now()}
	if err := s.CreateGrant(context.Background(), g, func() (store.Issuance, error) { return in, nil }); err != nil {
		t.Fatal(err)
	}
}

// issuance is a token response's records: the refresh token, if any.
func issuance(s store.Store, grant, refresh string) store.Issuance {
	var in store.Issuance
	if refresh != "" {
		in.Refresh = &store.RefreshToken{Hash: refresh, GrantID: grant, ClientID: "c", Scope: "openid offline_access", ExpiresAt: s.Now().Add(time.Hour)}
	}
	return in
}

// token is an access token of grant, valid for an hour, as its claims describe it.
func token(s store.Store, grant, jti string) store.AccessToken {
	return store.AccessToken{JTI: jti, GrantID: grant, ExpiresAt: s.Now().Add(time.Hour)}
}

func testGrants(t *testing.T, s store.Store) {
	ctx := context.Background()
	g := store.Grant{ID: "g1", ClientID: "c", Subject: "Practitioner/dr1", Scope: "openid offline_access", Patient: "p1",
		Context: []byte(`{"need_patient_banner":true}`), CreatedAt: s.Now()}
	if err := s.CreateGrant(ctx, g, func() (store.Issuance, error) { return issuance(s, "g1", "r1"), nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.AccessTokenActive(ctx, token(s, "g1", "j1")); err != nil {
		t.Errorf("token of the stored grant: %v", err)
	}
	rt, got, err := s.LookupRefreshToken(ctx, "r1")
	if err != nil || rt.GrantID != "g1" || got.Subject != "Practitioner/dr1" || got.Patient != "p1" || string(got.Context) != `{"need_patient_banner":true}` {
		t.Errorf("LookupRefreshToken = %+v %+v %v", rt, got, err)
	}
	// An issue function's error rolls everything back and comes back unchanged.
	refuse := errors.New("replayed meanwhile")
	g2 := store.Grant{ID: "g2", ClientID: "c", Scope: "openid offline_access", CreatedAt: s.Now()}
	if err := s.CreateGrant(ctx, g2, func() (store.Issuance, error) { return issuance(s, "g2", "r2"), refuse }); !errors.Is(err, refuse) {
		t.Errorf("refused grant: %v, want the issue function's error", err)
	}
	if err := s.AccessTokenActive(ctx, token(s, "g2", "j2")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a token of a refused grant: %v, want ErrNotFound (its grant was not stored)", err)
	}
	if _, _, err := s.LookupRefreshToken(ctx, "r2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused grant recorded a refresh token: %v", err)
	}
	// A grant id is stored once: nothing of a second one is recorded.
	if err := s.CreateGrant(ctx, g, func() (store.Issuance, error) { return issuance(s, "g1", "r3"), nil }); err == nil {
		t.Error("a grant was stored twice")
	}
	if _, _, err := s.LookupRefreshToken(ctx, "r3"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the duplicate grant recorded a refresh token: %v", err)
	}
	// Revoking the grant (a replayed code) revokes everything issued from it.
	if err := s.RevokeGrant(ctx, "g1"); err != nil {
		t.Fatal(err)
	}
	if err := s.AccessTokenActive(ctx, token(s, "g1", "j1")); !errors.Is(err, store.ErrRevoked) {
		t.Errorf("token of a revoked grant: %v, want ErrRevoked", err)
	}
	if _, _, err := s.LookupRefreshToken(ctx, "r1"); !errors.Is(err, store.ErrRevoked) {
		t.Errorf("refresh token of a revoked grant: %v, want ErrRevoked", err)
	}
	// Its client is still known, so that a clientless refresh with it meets reuse detection.
	if c, err := s.RefreshTokenClient(ctx, "r1"); err != nil || c != "c" {
		t.Errorf("RefreshTokenClient of a revoked token = %q, %v; want c", c, err)
	}
	if _, err := s.RefreshTokenClient(ctx, "never-issued"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RefreshTokenClient of an unknown token: %v, want ErrNotFound", err)
	}
	if _, _, err := s.UseRefreshToken(ctx, "r1", true, nil); !errors.Is(err, store.ErrRevoked) {
		t.Errorf("refresh with a revoked grant's token: %v, want ErrRevoked", err)
	}
	if err := s.RevokeGrant(ctx, "never-stored"); err != nil {
		t.Errorf("revoking a grant that was never stored: %v", err)
	}
}

// testGrantsConcurrently: concurrent CreateGrant calls each get their own outcome: a refused or failing
// grant stores nothing, and does not undo the others (a store that groups them into one transaction
// must keep that).
func testGrantsConcurrently(t *testing.T, s store.Store) {
	ctx := context.Background()
	refuse := errors.New("replayed meanwhile")
	grantWith(t, s, "taken", issuance(s, "taken", ""))
	const n = 48
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprint("g", i)
			if i%8 == 7 {
				id = "taken" // a grant id stored before: this one fails
			}
			g := store.Grant{ID: id, ClientID: "c", Scope: "openid offline_access", CreatedAt: s.Now()}
			errs[i] = s.CreateGrant(ctx, g, func() (store.Issuance, error) {
				if i%8 == 3 {
					return issuance(s, id, fmt.Sprint("r", i)), refuse
				}
				return issuance(s, id, fmt.Sprint("r", i)), nil
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		_, _, lookup := s.LookupRefreshToken(ctx, fmt.Sprint("r", i))
		switch i % 8 {
		case 3:
			if !errors.Is(err, refuse) || !errors.Is(lookup, store.ErrNotFound) {
				t.Errorf("refused grant %d: %v, its refresh token: %v; want the refusal and nothing stored", i, err, lookup)
			}
		case 7:
			if err == nil || !errors.Is(lookup, store.ErrNotFound) {
				t.Errorf("grant %d with a taken id: %v, its refresh token: %v; want an error and nothing stored", i, err, lookup)
			}
		default:
			if err != nil || lookup != nil {
				t.Errorf("grant %d: %v, its refresh token: %v", i, err, lookup)
			}
			if err := s.AccessTokenActive(ctx, token(s, fmt.Sprint("g", i), "j")); err != nil {
				t.Errorf("token of grant %d: %v", i, err)
			}
		}
	}
}

func testTokens(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := s.Now()
	if err := s.AccessTokenActive(ctx, token(s, "none", "j0")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("token of a grant never stored: %v, want ErrNotFound", err)
	}
	// client_credentials: a grant per token response, without a refresh token.
	if err := s.CreateGrant(ctx, store.Grant{ID: "b", ClientID: "svc", Scope: "system/*.rs", CreatedAt: now},
		func() (store.Issuance, error) { return store.Issuance{}, nil }); err != nil {
		t.Fatal(err)
	}
	b1, b2 := token(s, "b", "b1"), token(s, "b", "b2")
	if err := s.AccessTokenActive(ctx, b1); err != nil {
		t.Errorf("backend token: %v", err)
	}
	if err := s.RevokeAccessToken(ctx, b1); err != nil {
		t.Fatal(err)
	}
	if err := s.AccessTokenActive(ctx, b1); !errors.Is(err, store.ErrRevoked) {
		t.Errorf("revoked token: %v", err)
	}
	if err := s.AccessTokenActive(ctx, b2); err != nil {
		t.Errorf("revoking one token revoked another of its grant: %v", err)
	}
	if err := s.RevokeAccessToken(ctx, b1); err != nil {
		t.Errorf("revoking a token twice: %v", err)
	}
	if err := s.RevokeAccessToken(ctx, token(s, "none", "unknown")); err != nil {
		t.Errorf("revoking an unknown token is not an error (RFC 7009): %v", err)
	}
	old := store.AccessToken{JTI: "old", GrantID: "b", ExpiresAt: now.Add(-time.Second)}
	if err := s.AccessTokenActive(ctx, old); !errors.Is(err, store.ErrExpired) {
		t.Errorf("expired token: %v, want ErrExpired", err)
	}
	// RFC 7009 lets a client revoke a token after its expiry; the revocation is recorded.
	if err := s.RevokeAccessToken(ctx, old); err != nil {
		t.Fatal(err)
	}
	if err := s.AccessTokenActive(ctx, old); !errors.Is(err, store.ErrRevoked) {
		t.Errorf("expired token after revocation: %v, want ErrRevoked", err)
	}
	// Revoking a refresh token revokes its grant and the access tokens issued with it.
	grantWith(t, s, "g", issuance(s, "g", "rt"))
	if err := s.RevokeRefreshToken(ctx, "rt"); err != nil {
		t.Fatal(err)
	}
	if err := s.AccessTokenActive(ctx, token(s, "g", "ja")); !errors.Is(err, store.ErrRevoked) {
		t.Errorf("access token after its refresh token was revoked: %v", err)
	}
	if err := s.RevokeRefreshToken(ctx, "unknown"); err != nil {
		t.Errorf("revoking an unknown refresh token: %v", err)
	}
}

// testRefreshFamilies: first(grant, h) is the Hash of a grant's first refresh token.
func testRefreshFamilies(t *testing.T, s store.Store, first func(grant, h string) string) {
	ctx := context.Background()
	r0, q0, re := first("g", "r0"), first("h", "q0"), first("e", "re")
	grantWith(t, s, "g", issuance(s, "g", r0))
	if rt, g, err := s.LookupRefreshToken(ctx, r0); err != nil || rt.ClientID != "c" || g.ID != "g" || rt.GrantID != "g" ||
		rt.Scope != "openid offline_access" || rt.Hash != r0 || rt.Online || !rt.ExpiresAt.After(s.Now()) {
		t.Errorf("LookupRefreshToken = %+v %+v %v", rt, g, err)
	}
	// A refused refresh rolls back: the token is not burned and nothing is recorded.
	refuse := errors.New("widened scope")
	if _, _, err := s.UseRefreshToken(ctx, r0, true, func(store.RefreshToken, store.Grant) (store.Issuance, error) {
		return issuance(s, "g", "rx"), refuse
	}); !errors.Is(err, refuse) {
		t.Errorf("refused refresh: %v", err)
	}
	if _, _, err := s.LookupRefreshToken(ctx, "rx"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused refresh recorded a refresh token: %v", err)
	}
	// Rotation: r0 → r1; r0 again revokes the family (r1 and the access tokens).
	if rt, g, err := s.UseRefreshToken(ctx, r0, true, func(rt store.RefreshToken, g store.Grant) (store.Issuance, error) {
		if rt.Hash != r0 || g.ID != "g" {
			t.Errorf("issue got %+v of %+v", rt, g)
		}
		return issuance(s, "g", "r1"), nil
	}); err != nil || rt.GrantID != "g" || g.ID != "g" {
		t.Fatalf("refresh after a refused one: %+v %+v %v", rt, g, err)
	}
	if _, _, err := s.LookupRefreshToken(ctx, r0); !errors.Is(err, store.ErrRevoked) {
		t.Errorf("introspecting a rotated-away token: %v, want ErrRevoked", err)
	}
	if c, err := s.RefreshTokenClient(ctx, r0); err != nil || c != "c" {
		t.Errorf("RefreshTokenClient of a rotated-away token = %q, %v; want c", c, err)
	}
	if _, _, err := s.LookupRefreshToken(ctx, "r1"); err != nil {
		t.Errorf("the rotated-in token: %v", err)
	}
	if _, _, err := s.UseRefreshToken(ctx, r0, true, nil); !errors.Is(err, store.ErrReused) {
		t.Errorf("rotated-away token: %v, want ErrReused", err)
	}
	for _, jti := range []string{"j0", "j1"} {
		if err := s.AccessTokenActive(ctx, token(s, "g", jti)); !errors.Is(err, store.ErrRevoked) {
			t.Errorf("family access token %s: %v, want ErrRevoked", jti, err)
		}
	}
	if _, _, err := s.UseRefreshToken(ctx, "r1", true, nil); !errors.Is(err, store.ErrRevoked) {
		t.Errorf("family member after reuse: %v, want ErrRevoked", err)
	}
	// Without rotation a refresh token stays usable.
	grantWith(t, s, "h", issuance(s, "h", q0))
	for i := range 2 {
		if _, _, err := s.UseRefreshToken(ctx, q0, false, func(store.RefreshToken, store.Grant) (store.Issuance, error) {
			return issuance(s, "h", ""), nil
		}); err != nil {
			t.Errorf("refresh %d without rotation: %v", i, err)
		}
	}
	if _, _, err := s.UseRefreshToken(ctx, "nope", true, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown refresh token: %v", err)
	}
	// Expired.
	expired := issuance(s, "e", re)
	expired.Refresh.ExpiresAt = s.Now().Add(-time.Second)
	grantWith(t, s, "e", expired)
	if _, _, err := s.UseRefreshToken(ctx, re, true, nil); !errors.Is(err, store.ErrExpired) {
		t.Errorf("expired refresh token: %v, want ErrExpired", err)
	}
}

func testOnlineRefresh(t *testing.T, s store.Store, first func(grant, h string) string) {
	ctx := context.Background()
	if err := s.CreateSession(ctx, "sess", "Practitioner/dr1", s.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	g := store.Grant{ID: "g", ClientID: "c", Scope: "online_access", SessionID: "sess", CreatedAt: s.Now()}
	if err := s.CreateGrant(ctx, g, func() (store.Issuance, error) {
		in := issuance(s, "g", first("g", "r0"))
		in.Refresh.Online, in.Refresh.Scope = true, g.Scope
		return in, nil
	}); err != nil {
		t.Fatal(err)
	}
	if rt, _, err := s.UseRefreshToken(ctx, first("g", "r0"), false, nil); err != nil || !rt.Online {
		t.Errorf("online refresh in a live session: %v", err)
	}
	if err := s.EndSession(ctx, "sess"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.UseRefreshToken(ctx, first("g", "r0"), false, nil); !errors.Is(err, store.ErrSessionEnded) {
		t.Errorf("online refresh after sign-out: %v, want ErrSessionEnded", err)
	}
}

func testJTIs(t *testing.T, s store.Store) {
	ctx := context.Background()
	exp := s.Now().Add(5 * time.Minute)
	if err := s.UseAssertionJTI(ctx, "app", "j1", exp); err != nil {
		t.Fatal(err)
	}
	if err := s.UseAssertionJTI(ctx, "app", "j1", exp); !errors.Is(err, store.ErrAlreadyExists) {
		t.Errorf("replayed jti: %v, want ErrAlreadyExists", err)
	}
	if err := s.UseAssertionJTI(ctx, "other", "j1", exp); err != nil {
		t.Errorf("the same jti from another issuer: %v (replay is per iss)", err)
	}
	// An expired record is forgotten; the assertion's own exp check rejects a replay of it.
	if err := s.UseAssertionJTI(ctx, "app", "j2", s.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.UseAssertionJTI(ctx, "app", "j2", exp); err != nil {
		t.Errorf("jti whose record expired: %v", err)
	}
}

func testSigningKeys(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := s.Now()
	if keys, err := s.SigningKeys(ctx); err != nil || len(keys) != 0 {
		t.Fatalf("new store has keys: %v %v", keys, err)
	}
	k1 := store.SigningKey{KID: "k1", Alg: "RS256", CreatedAt: now.Add(-time.Minute), PrivateJWK: []byte(`{"k":1}`)}
	if err := s.RotateSigningKey(ctx, k1, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := s.RotateSigningKey(ctx, store.SigningKey{KID: "e1", Alg: "ES256", CreatedAt: now.Add(-time.Minute), PrivateJWK: []byte(`{}`)}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := s.RotateSigningKey(ctx, store.SigningKey{KID: "k2", Alg: "RS256", CreatedAt: now, PrivateJWK: []byte(`{"k":2}`)}, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	keys, err := s.SigningKeys(ctx)
	if err != nil || len(keys) != 3 {
		t.Fatalf("SigningKeys = %+v, %v", keys, err)
	}
	byKID := map[string]store.SigningKey{}
	for _, k := range keys {
		byKID[k.KID] = k
	}
	if k := byKID["k1"]; k.RetiredAt.IsZero() || !k.PublishUntil.Equal(now.Add(time.Hour).Truncate(time.Microsecond)) || string(k.PrivateJWK) != `{"k":1}` {
		t.Errorf("retired key = %+v", k)
	}
	if k := byKID["k2"]; !k.RetiredAt.IsZero() || !k.PublishUntil.IsZero() {
		t.Errorf("new key = %+v", k)
	}
	if k := byKID["e1"]; !k.RetiredAt.IsZero() {
		t.Errorf("rotating RS256 retired the ES256 key: %+v", k)
	}
	// A retired key whose publication has ended is no longer listed.
	if err := s.RotateSigningKey(ctx, store.SigningKey{KID: "k3", Alg: "RS256", CreatedAt: now, PrivateJWK: []byte(`{}`)}, now.Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	keys, _ = s.SigningKeys(ctx)
	for _, k := range keys {
		if k.KID == "k2" {
			t.Errorf("key k2 listed after its publication ended: %+v", k)
		}
	}
}

func testEvents(t *testing.T, s store.Store) {
	ctx := context.Background()
	base := s.Now()
	var batch []store.Event
	for i := range 6 {
		batch = append(batch, store.Event{At: base.Add(time.Duration(i) * time.Second), Kind: fmt.Sprint("k", i),
			LaunchID: []string{"L", ""}[i%2], FlowID: fmt.Sprint("f", i/3), ClientID: []string{"a", "b", "c"}[i%3], JSON: []byte(`{}`)})
	}
	got, err := s.AppendEvents(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(got); i++ {
		if got[i].ID <= got[i-1].ID {
			t.Fatalf("event ids not increasing: %d then %d", got[i-1].ID, got[i].ID)
		}
	}
	count := func(f store.EventFilter) int {
		t.Helper()
		evs, err := s.ListEvents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return len(evs)
	}
	for _, tc := range []struct {
		name string
		f    store.EventFilter
		want int
	}{
		{"all", store.EventFilter{}, 6},
		{"launch", store.EventFilter{LaunchID: "L"}, 3},
		{"flow", store.EventFilter{FlowID: "f1"}, 3},
		{"client", store.EventFilter{ClientID: "a"}, 2},
		{"since", store.EventFilter{Since: base.Add(4 * time.Second)}, 2},
		{"after", store.EventFilter{AfterID: got[3].ID}, 2},
		{"limit", store.EventFilter{Limit: 4}, 4},
		{"combined", store.EventFilter{LaunchID: "L", ClientID: "c"}, 1},
	} {
		if n := count(tc.f); n != tc.want {
			t.Errorf("%s: %d events, want %d", tc.name, n, tc.want)
		}
	}
	evs, _ := s.ListEvents(ctx, store.EventFilter{})
	if evs[0].Kind != "k0" || !evs[0].At.Equal(base.Truncate(time.Microsecond)) {
		t.Errorf("first event = %+v (oldest first, time kept)", evs[0])
	}
}

func testUserPasswords(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, err := s.UserPassword(ctx, "Practitioner/dr1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("no password yet: %v", err)
	}
	for _, h := range []string{"h1", "h2"} {
		if err := s.SetUserPassword(ctx, "Practitioner/dr1", h); err != nil {
			t.Fatal(err)
		}
		if got, err := s.UserPassword(ctx, "Practitioner/dr1"); err != nil || got != h {
			t.Errorf("UserPassword = %q, %v; want %q", got, err, h)
		}
	}
	if m, err := s.UsersWithPasswords(ctx); err != nil || len(m) != 1 || !m["Practitioner/dr1"] {
		t.Errorf("UsersWithPasswords = %v, %v", m, err)
	}
	if err := s.DeleteUserPassword(ctx, "Practitioner/dr1"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUserPassword(ctx, "Practitioner/dr1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	if _, err := s.UserPassword(ctx, "Practitioner/dr1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted password: %v", err)
	}
}

// testFirstRefreshInGrant: what is particular to a refresh token kept in its grant's row.
func testFirstRefreshInGrant(t *testing.T, s store.Store) {
	ctx := context.Background()
	r0 := store.GrantRefreshHash("g", "r0")
	grantWith(t, s, "g", issuance(s, "g", r0))
	// A grant id is no secret (access tokens carry it): another hash under it is unknown, and using,
	// revoking or introspecting it touches nothing.
	wrong := store.GrantRefreshHash("g", "r9")
	if _, _, err := s.UseRefreshToken(ctx, wrong, true, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another hash under the grant: %v, want ErrNotFound", err)
	}
	if _, _, err := s.LookupRefreshToken(ctx, wrong); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("looking up another hash under the grant: %v, want ErrNotFound", err)
	}
	if err := s.RevokeRefreshToken(ctx, wrong); err != nil {
		t.Errorf("revoking an unknown token: %v", err)
	}
	for _, h := range []string{store.GrantRefreshHash("none", "r0"), "r0"} {
		if _, _, err := s.UseRefreshToken(ctx, h, true, nil); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", h, err)
		}
	}
	if err := s.AccessTokenActive(ctx, token(s, "g", "j")); err != nil {
		t.Errorf("the grant after unknown tokens were tried: %v", err)
	}
	// A grant without a refresh token (client_credentials) has none to find.
	grantWith(t, s, "b", issuance(s, "b", ""))
	if _, _, err := s.UseRefreshToken(ctx, store.GrantRefreshHash("b", ""), true, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the empty token of a grant without one: %v, want ErrNotFound", err)
	}
	// Only the grant's own first token, with its client and scope, is kept in its row; rotations go to
	// refresh_tokens.
	for name, rt := range map[string]store.RefreshToken{
		"another grant's":  {Hash: store.GrantRefreshHash("x", "r1"), GrantID: "x", ClientID: "c", Scope: "openid offline_access"},
		"another client's": {Hash: store.GrantRefreshHash("k", "r1"), GrantID: "k", ClientID: "d", Scope: "openid offline_access"},
		"a narrower scope": {Hash: store.GrantRefreshHash("k", "r1"), GrantID: "k", ClientID: "c", Scope: "openid"},
	} {
		rt.ExpiresAt = s.Now().Add(time.Hour)
		g := store.Grant{ID: "k", ClientID: "c", Scope: "openid offline_access", CreatedAt: s.Now()}
		if err := s.CreateGrant(ctx, g, func() (store.Issuance, error) { return store.Issuance{Refresh: &rt}, nil }); err == nil {
			t.Errorf("grant k stored with %s refresh token in its row", name)
		}
	}
	if err := s.AccessTokenActive(ctx, token(s, "k", "j")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused grant was stored: %v", err)
	}
	if _, _, err := s.UseRefreshToken(ctx, r0, true, func(store.RefreshToken, store.Grant) (store.Issuance, error) {
		return issuance(s, "g", store.GrantRefreshHash("g", "r1")), nil
	}); err == nil {
		t.Error("a rotated-in token was kept in the grant's row")
	}
	if _, _, err := s.LookupRefreshToken(ctx, r0); err != nil {
		t.Errorf("the first token after a failed rotation: %v", err)
	}
	// Deleting the client revokes its grants, and with them the tokens kept in their rows.
	if err := s.CreateClient(ctx, store.Client{ID: "c", Name: "App", CreatedAt: s.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteClient(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.UseRefreshToken(ctx, r0, true, nil); !errors.Is(err, store.ErrRevoked) {
		t.Errorf("the first token of a deleted client's grant: %v, want ErrRevoked", err)
	}
	if _, _, err := s.LookupRefreshToken(ctx, r0); !errors.Is(err, store.ErrRevoked) {
		t.Errorf("looking up the first token of a deleted client's grant: %v, want ErrRevoked", err)
	}
}

package auth_test

import (
	"context"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/valet-sandbox/valet/server/auth"
	"github.com/valet-sandbox/valet/server/store"
)

// hookStore runs after each access-token lookup the verifier makes.
type hookStore struct {
	auth.Store
	after func()
}

func (h *hookStore) AccessTokenActive(ctx context.Context, at store.AccessToken) error {
	err := h.Store.AccessTokenActive(ctx, at)
	h.after()
	return err
}

func TestVerifierCache(t *testing.T) {
	s := newSandbox(t)
	ctx := context.Background()
	k := newBackendKey(t, jose.ES384)
	c := s.register(map[string]any{"client_name": "bulk", "grant_types": []string{"client_credentials"}, "jwks": k.jwks(), "scope": "system/*.rs"})
	code, m, _ := s.backendToken(k.assertion(t, c.ID, s.base+"/auth/token", nil, nil), "system/Patient.rs")
	if code != 200 {
		t.Fatalf("token: %d %v", code, m)
	}
	at := m["access_token"].(string)
	v := s.srv.Verifier()
	lookups := 0
	var during func()
	auth.WrapVerifierStore(v, func(st auth.Store) auth.Store {
		return &hookStore{Store: st, after: func() {
			lookups++
			if during != nil {
				f := during
				during = nil
				f()
			}
		}}
	})

	// The hot path: a verified token is answered from the cache (no signature check, no database read).
	for i := 0; i < 3; i++ {
		if _, err := v.Verify(ctx, at); err != nil {
			t.Fatal(err)
		}
	}
	if lookups != 1 {
		t.Errorf("%d token lookups for 3 verifications, want 1 (the rest from the cache)", lookups)
	}

	// A revocation that commits while a verification is between its database read and its cache insert:
	// that verification may still answer "active" (it read before the revocation), but must not cache it.
	code2, m2, _ := s.backendToken(k.assertion(t, c.ID, s.base+"/auth/token", nil, nil), "system/Patient.rs")
	if code2 != 200 {
		t.Fatalf("token: %d %v", code2, m2)
	}
	at2 := m2["access_token"].(string)
	during = func() {
		// Deleting the client revokes its tokens and purges the verifier's cache.
		if st := s.api("DELETE", "/api/clients/"+c.ID, nil, nil); st/100 != 2 {
			t.Errorf("delete client: %d", st)
		}
	}
	if _, err := v.Verify(ctx, at2); err != nil {
		t.Fatalf("first verification (read before the revocation): %v", err)
	}
	if _, err := v.Verify(ctx, at2); err == nil {
		t.Error("a token revoked during its first verification stays valid from the cache")
	}
	if _, err := v.Verify(ctx, at); err == nil {
		t.Error("a cached token stays valid after its client was deleted")
	}
}

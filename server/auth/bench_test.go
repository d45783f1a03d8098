package auth_test

import (
	"context"
	"net/url"
	"testing"

	"golang.org/x/oauth2"

	"github.com/valet-sandbox/valet/server/keys"
	"github.com/valet-sandbox/valet/server/store"
)

// BenchmarkAuthCodeFlow runs complete flows: authorize (auto-approve) → code → token with id_token.
func BenchmarkAuthCodeFlow(b *testing.B) {
	s := newSandbox(b)
	c := s.register(map[string]any{"client_name": "B", "redirect_uris": []string{redirect}, "valet_user": "Practitioner/dr1",
		"valet_patient": "p1", "valet_auto_approve": true})
	cfg := s.oauth(c, "launch/patient", "openid", "fhirUser", "offline_access", "patient/*.rs")
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		br := browser()
		for pb.Next() {
			v := oauth2.GenerateVerifier()
			resp, err := br.Get(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("aud", s.fhir)))
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			u, _ := url.Parse(resp.Header.Get("Location"))
			if _, err := cfg.Exchange(context.Background(), u.Query().Get("code"), oauth2.VerifierOption(v)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSign is the raw ceiling: signatures per second per algorithm Valet signs with.
func BenchmarkSign(b *testing.B) {
	db, err := store.Open(context.Background(), store.Memory, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	kr, err := keys.Open(context.Background(), db, nil)
	if err != nil {
		b.Fatal(err)
	}
	claims := map[string]any{"iss": "http://127.0.0.1/fhir", "sub": "Practitioner/dr1", "exp": 1, "jti": "x"}
	for _, alg := range keys.Algorithms {
		b.Run(alg, func(b *testing.B) {
			for b.Loop() {
				if _, err := kr.Sign(alg, claims); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

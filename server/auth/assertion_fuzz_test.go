package auth

import (
	"strings"
	"testing"
)

// FuzzParseAssertion feeds arbitrary strings to the client-assertion parser, which faces the world.
func FuzzParseAssertion(f *testing.F) {
	f.Add("eyJhbGciOiJFUzM4NCIsImtpZCI6ImsiLCJ0eXAiOiJKV1QifQ.eyJpc3MiOiJjIn0.c2ln")
	f.Add("a.b.c")
	f.Add("")
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := parseAssertion(raw)
		if err == nil && (p.kid == "" || p.jws == nil || !strings.Contains(" RS384 ES384 ", " "+p.alg+" ")) {
			t.Fatalf("accepted %q with kid %q alg %q", raw, p.kid, p.alg)
		}
		if err == nil {
			_ = p.audiences()
		}
	})
}

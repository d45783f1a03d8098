package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"

	"github.com/valet-sandbox/valet/server/events"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/wire"
)

// Passwords are optional per user and off by default: a user without one signs in by choosing their
// name on the login page, as a sandbox should allow. A password is a low-entropy secret a person chose,
// so unlike codes, tokens and client secrets (random, high-entropy, SHA-256 is enough) it is stored as
// an argon2id hash with a random salt (RFC 9106; OWASP's minimum: 19 MiB, 2 passes, 1 lane).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
	// MinPasswordLength keeps an empty or one-letter password from looking like protection.
	MinPasswordLength = 4
)

func hashPassword(pw string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// checkPassword verifies pw against a PHC-format argon2id hash, with the parameters the hash names (so
// hashes made with older parameters keep working).
func checkPassword(phc, pw string) bool {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// loginUser checks that ref names a Practitioner or Patient in the FHIR store.
func (s *Server) loginUser(ctx context.Context, ref string) error {
	typ, id, _ := strings.Cut(ref, "/")
	if (typ != "Practitioner" && typ != "Patient") || id == "" {
		return wire.Invalid("", "user must be Practitioner/{id} or Patient/{id}, not %q", ref)
	}
	if res, err := s.store.ReadResource(ctx, typ, id); err != nil || res.Deleted {
		return fmt.Errorf("%s is not in the FHIR store: %w", ref, store.ErrNotFound)
	}
	return nil
}

// SetUserPassword gives a user a password; the login page then asks for it for that user.
func (s *Server) SetUserPassword(ctx context.Context, ref string, in wire.PasswordInput) error {
	if err := s.loginUser(ctx, ref); err != nil {
		return err
	}
	if len([]rune(in.Password)) < MinPasswordLength {
		return wire.Invalid("password", "password must have at least %d characters", MinPasswordLength)
	}
	if err := s.store.SetUserPassword(ctx, ref, hashPassword(in.Password)); err != nil {
		return err
	}
	s.record(events.Event{Kind: "user.password", Decision: "password set for " + ref})
	return nil
}

// DeleteUserPassword removes a user's password: they sign in by choosing their name again.
func (s *Server) DeleteUserPassword(ctx context.Context, ref string) error {
	if err := s.loginUser(ctx, ref); err != nil {
		return err
	}
	if err := s.store.DeleteUserPassword(ctx, ref); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("%s has no password: %w", ref, store.ErrNotFound)
		}
		return err
	}
	s.record(events.Event{Kind: "user.password", Decision: "password removed for " + ref})
	return nil
}

package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/valet-sandbox/valet/server/events"
	"github.com/valet-sandbox/valet/server/passhash"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/wire"
)

// Passwords are optional per user and off by default: a user without one signs in by choosing their
// name on the login page, as a sandbox should allow. A password is a low-entropy secret a person chose,
// so it is stored as an argon2id hash (server/passhash).

// MinPasswordLength keeps an empty or one-letter password from looking like protection.
const MinPasswordLength = 4

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
	if err := s.store.SetUserPassword(ctx, ref, passhash.Hash(in.Password)); err != nil {
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

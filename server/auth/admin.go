package auth

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/valet-sandbox/valet/server/store"
)

// Admin adapts the server to the control API, which must not import this package (control and auth are
// peers under server/): requests come in as JSON bodies, results go out as values to encode.

// ErrInvalid marks input the control API answers with 400.
var ErrInvalid = errors.New("invalid input")

func decodeInput(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return errors.Join(ErrInvalid, err)
	}
	return nil
}

func asInvalid(err error) error {
	var oe *Error
	if errors.As(err, &oe) {
		return errors.Join(ErrInvalid, errors.New(oe.Code+": "+oe.Description))
	}
	return err
}

// CreateClientJSON creates a client from a JSON ClientInput.
func (s *Server) CreateClientJSON(ctx context.Context, body []byte) (any, error) {
	var in ClientInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	out, err := s.CreateClient(ctx, in)
	return out, asInvalid(err)
}

// UpdateClientJSON replaces a client's metadata from a JSON ClientInput.
func (s *Server) UpdateClientJSON(ctx context.Context, id string, body []byte) (any, error) {
	var in ClientInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	out, err := s.UpdateClient(ctx, id, in)
	return out, asInvalid(err)
}

// ClientView is a stored client as the control API shows it.
func ClientView(c store.Client) any { return ClientOutput{Client: c, GrantTypes: grantTypes(c)} }

// CreateLaunchJSON creates an EHR launch from a JSON LaunchInput.
func (s *Server) CreateLaunchJSON(ctx context.Context, body []byte) (any, error) {
	var in LaunchInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	out, err := s.CreateLaunch(ctx, in)
	if errors.Is(err, ErrBadLaunch) {
		return nil, errors.Join(ErrInvalid, err)
	}
	return out, err
}

// RotateKeys adds new signing keys; the old ones stay published as long as a token they signed can live.
func (s *Server) RotateKeys(ctx context.Context) error {
	keep, err := KeyRetention(ctx, s.store)
	if err != nil {
		return err
	}
	return s.keys.Rotate(ctx, keep)
}

// KeyRetention is how long a retired signing key stays published: the longest lifetime of a token it
// may have signed (any client's access tokens, id_tokens), plus clock skew. `valet keys rotate` uses it
// too, so the CLI and the control API retire keys alike.
func KeyRetention(ctx context.Context, clients store.Clients) (time.Duration, error) {
	keep := max(DefaultAccessTokenLifetime, IDTokenLifetime)
	cs, err := clients.ListClients(ctx)
	if err != nil {
		return 0, err
	}
	for _, c := range cs {
		keep = max(keep, lifetime(c.AccessTokenLifetime, 0))
	}
	return keep + ClockSkew, nil
}

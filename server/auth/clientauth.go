package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"

	"github.com/valet-sandbox/valet/server/store"
)

const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// clientCredentials is how a token, introspection or revocation request identifies its client (RFC 6749
// §2.3), read once from its form and Authorization header.
type clientCredentials struct {
	ID, Secret               string // client_id and client_secret of the form
	Assertion, AssertionType string // RFC 7523 client assertion
	Basic                    bool   // an Authorization: Basic header was sent
	BasicID, BasicSecret     string // as sent: form-encoded (RFC 6749 §2.3.1)
}

func readClientCredentials(r *http.Request, form url.Values) clientCredentials {
	c := clientCredentials{ID: form.Get("client_id"), Secret: form.Get("client_secret"), Assertion: form.Get("client_assertion"),
		AssertionType: form.Get("client_assertion_type")}
	c.BasicID, c.BasicSecret, c.Basic = r.BasicAuth()
	return c
}

// methods counts the authentication methods the request uses: Basic, a secret in the body, an assertion.
func (c clientCredentials) methods() int {
	n := 0
	for _, b := range []bool{c.Basic, c.Secret != "", c.Assertion != "" || c.AssertionType != ""} {
		if b {
			n++
		}
	}
	return n
}

// authenticateClient identifies and authenticates a client by exactly one method (RFC 6749 §2.3): HTTP
// Basic, client_secret in the body, a JWT client assertion (RFC 7523, SMART asymmetric), or — for public
// clients only — client_id alone.
func (s *Server) authenticateClient(ctx context.Context, c clientCredentials) (store.Client, *Error) {
	if c.methods() > 1 {
		return store.Client{}, errInvalidRequest("use exactly one client authentication method (RFC 6749 §2.3)")
	}
	switch {
	case c.Basic:
		id, err1 := url.QueryUnescape(c.BasicID)
		secret, err2 := url.QueryUnescape(c.BasicSecret)
		if err1 != nil || err2 != nil {
			return store.Client{}, &Error{Code: "invalid_client", Description: "malformed Basic credentials", Status: 401, Basic: true}
		}
		if c.ID != "" && c.ID != id {
			return store.Client{}, &Error{Code: "invalid_client", Description: "client_id in the body differs from the Basic credentials", Status: 401, Basic: true}
		}
		client, e := s.checkSecret(ctx, id, secret, "client_secret_basic")
		if e != nil {
			e.Basic = true
		}
		return client, e
	case c.Secret != "":
		return s.checkSecret(ctx, c.ID, c.Secret, "client_secret_post")
	case c.Assertion != "" || c.AssertionType != "":
		if c.AssertionType != jwtBearer {
			return store.Client{}, errInvalidClient("client_assertion_type must be %s", jwtBearer)
		}
		return s.checkAssertion(ctx, c.Assertion, c.ID)
	}
	if c.ID == "" {
		return store.Client{}, errInvalidClient("no client authentication and no client_id")
	}
	client, err := s.client(ctx, c.ID)
	if errors.Is(err, store.ErrNotFound) {
		return client, errInvalidClient("unknown client %q", c.ID)
	} else if err != nil {
		return client, errServerError(err)
	}
	if client.Type != store.ClientPublic {
		return client, errInvalidClient("client %q is confidential and must authenticate with %s", c.ID, client.AuthMethod)
	}
	return client, nil
}

// checkSecret authenticates a confidential-symmetric client. The method must be the one the client
// registered (RFC 7591 token_endpoint_auth_method; strict EHRs bind it, so an app that only works with
// the other method would fail there) unless the client has the any_secret_method leniency switch.
func (s *Server) checkSecret(ctx context.Context, id, secret, method string) (store.Client, *Error) {
	c, err := s.client(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return c, errInvalidClient("unknown client %q", id)
	} else if err != nil {
		return c, errServerError(err)
	}
	if c.Type != store.ClientConfidentialSymmetric || c.SecretHash == "" {
		return c, errInvalidClient("client %q does not authenticate with a secret (it uses %s)", id, c.AuthMethod)
	}
	if subtle.ConstantTimeCompare([]byte(hash(secret)), []byte(c.SecretHash)) != 1 {
		return c, errInvalidClient("wrong client secret")
	}
	if method != c.AuthMethod && !c.AnySecretMethod {
		how := map[string]string{"client_secret_basic": "in the HTTP Basic Authorization header", "client_secret_post": "as client_id and client_secret in the form body"}
		return c, errInvalidClient("client %q is registered for %s: send the secret %s (or set any_secret_method on the client to accept both)",
			id, c.AuthMethod, how[c.AuthMethod])
	}
	return c, nil
}

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

// authenticateClient identifies and authenticates the client of a token, introspection or revocation
// request by exactly one method (RFC 6749 §2.3): HTTP Basic, client_secret in the body, a JWT client
// assertion (RFC 7523, SMART asymmetric), or — for public clients only — client_id alone.
func (s *Server) authenticateClient(ctx context.Context, r *http.Request, form url.Values) (store.Client, *Error) {
	basicID, basicSecret, hasBasic := r.BasicAuth()
	hasPost := form.Get("client_secret") != ""
	hasAssertion := form.Get("client_assertion") != "" || form.Get("client_assertion_type") != ""
	n := 0
	for _, b := range []bool{hasBasic, hasPost, hasAssertion} {
		if b {
			n++
		}
	}
	if n > 1 {
		e := errInvalidRequest("use exactly one client authentication method (RFC 6749 §2.3)")
		return store.Client{}, e
	}
	switch {
	case hasBasic:
		// RFC 6749 §2.3.1: id and secret are form-encoded before Basic encoding.
		id, err1 := url.QueryUnescape(basicID)
		secret, err2 := url.QueryUnescape(basicSecret)
		if err1 != nil || err2 != nil {
			return store.Client{}, &Error{Code: "invalid_client", Description: "malformed Basic credentials", Status: 401, Basic: true}
		}
		if form.Get("client_id") != "" && form.Get("client_id") != id {
			return store.Client{}, &Error{Code: "invalid_client", Description: "client_id in the body differs from the Basic credentials", Status: 401, Basic: true}
		}
		c, e := s.checkSecret(ctx, id, secret, "client_secret_basic")
		if e != nil {
			e.Basic = true
		}
		return c, e
	case hasPost:
		return s.checkSecret(ctx, form.Get("client_id"), form.Get("client_secret"), "client_secret_post")
	case hasAssertion:
		if form.Get("client_assertion_type") != jwtBearer {
			return store.Client{}, errInvalidClient("client_assertion_type must be %s", jwtBearer)
		}
		return s.checkAssertion(ctx, form.Get("client_assertion"), form.Get("client_id"))
	}
	id := form.Get("client_id")
	if id == "" && form.Get("grant_type") == "refresh_token" && form.Get("refresh_token") != "" {
		// RFC 6749 §6 asks a refresh to authenticate only "if the client type is confidential"; a public
		// client may send no client_id at all (the SMART JS client does not), so the token names its client.
		// Binding, rotation and reuse detection stay with the refresh grant.
		var err error
		if id, err = s.store.RefreshTokenClient(ctx, refreshHash(form.Get("refresh_token"))); errors.Is(err, store.ErrNotFound) {
			return store.Client{}, errInvalidGrant("refresh token is unknown or revoked")
		} else if err != nil {
			return store.Client{}, errServerError(err)
		}
	}
	if id == "" {
		return store.Client{}, errInvalidClient("no client authentication and no client_id")
	}
	c, err := s.client(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return c, errInvalidClient("unknown client %q", id)
	} else if err != nil {
		return c, errServerError(err)
	}
	if c.Type != store.ClientPublic {
		return c, errInvalidClient("client %q is confidential and must authenticate with %s", id, c.AuthMethod)
	}
	return c, nil
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

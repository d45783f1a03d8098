package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"

	"github.com/valet-sandbox/valet/server/scope"
	"github.com/valet-sandbox/valet/server/store"
)

// grantCode exchanges an authorization code (RFC 6749 §4.1.3, RFC 7636 §4.6).
func (s *Server) grantCode(r *http.Request, client store.Client) (map[string]any, trace, *Error) {
	f := r.PostForm
	code, verifier := f.Get("code"), f.Get("code_verifier")
	if code == "" {
		return nil, trace{}, errInvalidRequest("code is required")
	}
	if client.Type == store.ClientBackendService {
		return nil, trace{}, errUnauthorizedClient("backend services use client_credentials")
	}
	var m *minted
	var refused *Error
	_, g, err := s.store.RedeemCode(r.Context(), hash(code), func(ac store.AuthCode, g store.Grant) (store.Issuance, error) {
		if refused = checkCodeExchange(ac, client, f.Get("redirect_uri"), verifier); refused != nil {
			return store.Issuance{}, refused
		}
		set, _ := scope.ParseList(g.Scope)
		m = s.prepare(client, issued{grant: g, scopes: set, refresh: grantsRefresh(set), nonce: ac.Nonce})
		return m.rec, nil
	})
	switch {
	case refused != nil:
		return nil, traceOf(g), refused
	case errors.Is(err, store.ErrReused):
		// RFC 6749 §4.1.2: a code used twice revokes the tokens issued from it.
		s.verifier.purge()
		return nil, traceOf(g), errInvalidGrant("authorization code was already used; the tokens issued from it are revoked")
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrRevoked):
		return nil, trace{}, errInvalidGrant("authorization code is unknown or revoked")
	case errors.Is(err, store.ErrExpired):
		return nil, trace{}, errInvalidGrant("authorization code has expired (codes last %d seconds)", int(CodeLifetime.Seconds()))
	case err != nil:
		return nil, trace{}, errServerError("%v", err)
	}
	resp, e := s.sign(m)
	return resp, traceOf(g), e
}

// checkCodeExchange checks what the token request must repeat from the authorization request: the
// client, the redirect_uri and the PKCE verifier (RFC 6749 §4.1.3, RFC 7636 §4.6).
func checkCodeExchange(ac store.AuthCode, client store.Client, redirectURI, verifier string) *Error {
	switch {
	case ac.ClientID != client.ID:
		return errInvalidGrant("authorization code was issued to another client")
	case redirectURI != ac.RedirectURI && !(ac.RedirectOmitted && redirectURI == ""):
		return errInvalidGrant("redirect_uri does not match the authorization request")
	case verifier == "":
		return errInvalidGrant("code_verifier is required (PKCE)")
	case len(verifier) < 43 || len(verifier) > 128:
		return errInvalidGrant("code_verifier must be 43 to 128 characters (RFC 7636 §4.1)")
	}
	sum := sha256.Sum256([]byte(verifier))
	if subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(ac.CodeChallenge)) != 1 {
		return errInvalidGrant("code_verifier does not match the code_challenge")
	}
	return nil
}

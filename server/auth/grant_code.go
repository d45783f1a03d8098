package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/valet-sandbox/valet/server/store"
)

// grantCode exchanges an authorization code (RFC 6749 §4.1.3, RFC 7636 §4.6). The code is in memory
// (codes.go); the grant it carries is stored with the tokens issued from it, in one transaction.
func (s *Server) grantCode(ctx context.Context, req *tokenRequest, client store.Client) (*tokenResponse, trace, *Error) {
	code := req.Code
	if code == "" {
		return nil, trace{}, errInvalidRequest("code is required")
	}
	if client.Type == store.ClientBackendService {
		return nil, trace{}, errUnauthorizedClient("backend services use client_credentials")
	}
	key := keyOf(code)
	ac, replayedGrant, err := s.codes.redeem(s.now(), key)
	switch {
	case errors.Is(err, errCodeReplayed):
		// RFC 6749 §4.1.2: a code used twice revokes the tokens issued from it.
		if err := s.store.RevokeGrant(ctx, replayedGrant); err != nil {
			return nil, trace{}, errServerError(fmt.Errorf("revoke the grant of a replayed code: %w", err))
		}
		s.verifier.purge()
		return nil, trace{}, errInvalidGrant("authorization code was already used; the tokens issued from it are revoked")
	case errors.Is(err, errCodeUnknown):
		return nil, trace{}, errInvalidGrant("authorization code is unknown, or was issued before Valet restarted (codes are kept in memory)")
	case errors.Is(err, errCodeExpired):
		return nil, trace{}, errInvalidGrant("authorization code has expired (codes last %d seconds)", int(CodeLifetime.Seconds()))
	}
	g := ac.Grant
	// Refused from here on, the code stays used (codeBook.redeem).
	if e := checkCodeExchange(ac, client, req.RedirectURI, req.CodeVerifier); e != nil {
		return nil, traceOf(g), e
	}
	m := s.prepare(client, issued{grant: g, scopes: ac.Scopes, grantScopes: ac.Scopes, refresh: grantsRefresh(ac.Scopes), first: true,
		nonce: ac.Nonce, context: &ac.Context})
	// The code is used up whatever happens next, so the grant's short transaction runs to its end even if
	// the client hangs up meanwhile. Without a cancellable context the SQLite driver also skips the
	// goroutine it starts per statement to interrupt it on cancellation (three per code exchange).
	err = s.store.CreateGrant(context.WithoutCancel(ctx), g, func() (store.Issuance, error) {
		if s.codes.replayed(key) {
			return store.Issuance{}, errCodeReplayed
		}
		return m.rec, nil
	})
	switch {
	case errors.Is(err, errCodeReplayed):
		return nil, traceOf(g), errInvalidGrant("authorization code was presented twice at once; nothing was issued from it")
	case err != nil:
		return nil, traceOf(g), errServerError(err)
	}
	resp, e := s.sign(m)
	return resp, traceOf(g), e
}

// checkCodeExchange checks what the token request must repeat from the authorization request: the
// client, the redirect_uri and the PKCE verifier (RFC 6749 §4.1.3, RFC 7636 §4.6).
func checkCodeExchange(ac *authCode, client store.Client, redirectURI, verifier string) *Error {
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

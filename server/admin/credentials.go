package admin

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/wire"
)

// secretPrefix names each kind of credential in its secret.
var secretPrefix = map[string]string{
	store.CredentialAPIKey:       "valet_ak_",
	store.CredentialRegistration: "valet_iat_",
}

// CreateCredential makes a new API key or initial access token named name. Its secret is in the answer
// and nowhere else: only its hash is stored.
func (a *Admin) CreateCredential(ctx context.Context, kind, name string) (wire.Credential, error) {
	prefix, ok := secretPrefix[kind]
	if !ok {
		return wire.Credential{}, fmt.Errorf("credential kind %q", kind)
	}
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 100 {
		return wire.Credential{}, wire.Invalid("name", "give it a name of 1 to 100 characters that says who or what uses it (for example \"CI\" or \"Class of May\")")
	}
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	secret, hash := newSecret(prefix)
	c := store.AdminCredential{ID: hex.EncodeToString(id), Kind: kind, Name: name, TokenHash: hash, CreatedAt: a.cfg.Now().UTC()}
	if err := a.cfg.Store.CreateAdminCredential(ctx, c); err != nil {
		return wire.Credential{}, err
	}
	out := credentialView(c)
	out.Secret = secret
	return out, nil
}

// ListCredentials lists the credentials of a kind, newest first, without their secrets.
func (a *Admin) ListCredentials(ctx context.Context, kind string) ([]wire.Credential, error) {
	cs, err := a.cfg.Store.ListAdminCredentials(ctx, kind)
	if err != nil {
		return nil, err
	}
	out := make([]wire.Credential, len(cs))
	for i, c := range cs {
		out[i] = credentialView(c)
	}
	return out, nil
}

// RevokeCredential deletes one: from then on it is refused.
func (a *Admin) RevokeCredential(ctx context.Context, kind, id string) error {
	return a.cfg.Store.DeleteAdminCredential(ctx, kind, id)
}

func credentialView(c store.AdminCredential) wire.Credential {
	out := wire.Credential{ID: c.ID, Name: c.Name, CreatedAt: c.CreatedAt}
	if !c.LastUsedAt.IsZero() {
		t := c.LastUsedAt
		out.LastUsedAt = &t
	}
	return out
}

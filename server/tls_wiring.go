package server

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/valet-sandbox/valet/server/control"
	"github.com/valet-sandbox/valet/server/localca"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/wire"
)

// settingTLS is the stored HTTPS switch ("on" or "off"), read at start when no --tls flag is given.
const settingTLS = "tls"

// StoredTLS is the HTTPS switch of Settings: whether a start without --tls serves https.
func StoredTLS(ctx context.Context, db *store.DB) (bool, error) {
	v, err := db.Setting(ctx, settingTLS)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return v == "on", err
}

// tlsSettings is the control API's view of the switch, the scheme of this run and the local CA.
type tlsSettings struct {
	db      *store.DB
	serving bool
}

var _ control.TLSSettings = tlsSettings{}

func (s *Server) tlsSettings() tlsSettings { return tlsSettings{db: s.cfg.Store, serving: s.cfg.TLS} }

func (t tlsSettings) dataDir() string { return filepath.Dir(t.db.Path()) }

func (t tlsSettings) TLS(ctx context.Context) (wire.TLS, error) {
	next, err := StoredTLS(ctx, t.db)
	if err != nil {
		return wire.TLS{}, err
	}
	out := wire.TLS{Serving: t.serving, NextStart: next}
	// The CA is shown once it exists; reading it never makes one.
	if _, err := os.Stat(filepath.Join(localca.Dir(t.dataDir()), localca.CAFile)); err == nil {
		ca, err := localca.Open(t.dataDir(), time.Now())
		if err != nil {
			return out, err
		}
		out.CA = caView(ca)
	}
	return out, nil
}

// SetTLS stores the switch. Turning it on makes the CA now, so the user can trust it before the restart.
func (t tlsSettings) SetTLS(ctx context.Context, next bool) (wire.TLS, error) {
	if next {
		if _, err := localca.Open(t.dataDir(), time.Now()); err != nil {
			return wire.TLS{}, wire.Invalid("next_start", "cannot set up the local CA: %v", err)
		}
	}
	v := "off"
	if next {
		v = "on"
	}
	if err := t.db.PutSetting(ctx, settingTLS, v); err != nil {
		return wire.TLS{}, err
	}
	return t.TLS(ctx)
}

func caView(ca *localca.CA) *wire.TLSCA {
	return &wire.TLSCA{Name: ca.Name(), Path: ca.CertPath(), SHA256: ca.Fingerprint(), NotAfter: ca.Certificate().NotAfter}
}

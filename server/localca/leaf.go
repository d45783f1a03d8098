package localca

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// DefaultHosts are the names every server certificate covers: the loopback addresses and localhost.
var DefaultHosts = []string{"127.0.0.1", "::1", "localhost"}

// Issuer keeps a valid server certificate for Hosts, issued by the CA: it loads the one on disk when that
// still fits, issues a new one when it does not (other names, expired or close to it, another CA), and
// renews it while the server runs. Its clock is the real one of the machine (not the sandbox clock a user
// may shift): the clients that check the certificate use theirs.
type Issuer struct {
	ca    *CA
	hosts []string
	now   func() time.Time

	mu   sync.Mutex // guards leaf
	leaf *tls.Certificate
	// renewing serialises renewals, so that many handshakes finding the certificate due issue one.
	renewing sync.Mutex
}

// NewIssuer makes sure a server certificate for hosts (with DefaultHosts) is ready, issuing one if
// needed. now is time.Now unless a test injects a clock.
func NewIssuer(ca *CA, hosts []string, now func() time.Time) (*Issuer, error) {
	if now == nil {
		now = time.Now
	}
	set := slices.Clone(DefaultHosts)
	for _, h := range hosts {
		h = strings.Trim(strings.ToLower(h), "[]")
		if h != "" && !slices.Contains(set, h) {
			set = append(set, h)
		}
	}
	is := &Issuer{ca: ca, hosts: set, now: now}
	leaf, err := is.loadLeaf()
	if err == nil && is.fits(leaf) {
		is.leaf = leaf
		return is, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		slog.Warn("the stored server certificate is unusable; issuing a new one", "err", err)
	}
	if err := is.Renew(); err != nil {
		return nil, err
	}
	return is, nil
}

// Hosts are the names the server certificate covers.
func (is *Issuer) Hosts() []string { return slices.Clone(is.hosts) }

// Leaf is the current server certificate.
func (is *Issuer) Leaf() *x509.Certificate { return is.get().Leaf }

func (is *Issuer) get() *tls.Certificate {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.leaf
}

// TLSConfig is the server side of TLS with the current certificate: TLS 1.2 at least, HTTP/2 offered.
func (is *Issuer) TLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		NextProtos: []string{"h2", "http/1.1"},
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			return is.current()
		},
	}
}

// current is the certificate to present: the kept one, or, should it have slipped past its renewal time
// (a machine that slept through Maintain's checks), a new one issued now.
func (is *Issuer) current() (*tls.Certificate, error) {
	if leaf := is.get(); is.fresh(leaf.Leaf) {
		return leaf, nil
	}
	if _, err := is.RenewIfDue(); err != nil {
		return nil, err
	}
	return is.get(), nil
}

// fresh says whether c has more than renewBefore of validity left. It is all a handshake checks: the
// certificate in hand was issued by this issuer, or loaded only after fits said it belongs.
func (is *Issuer) fresh(c *x509.Certificate) bool {
	now := is.now()
	return !now.Before(c.NotBefore) && now.Add(renewBefore).Before(c.NotAfter)
}

// fits says whether a stored leaf can be presented as it is: issued by this CA for exactly these names,
// and fresh.
func (is *Issuer) fits(leaf *tls.Certificate) bool {
	if leaf == nil || leaf.Leaf == nil {
		return false
	}
	c := leaf.Leaf
	if !is.fresh(c) || c.CheckSignatureFrom(is.ca.cert) != nil {
		return false
	}
	names := slices.Clone(c.DNSNames)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	want := slices.Clone(is.hosts)
	slices.Sort(names)
	slices.Sort(want)
	return slices.Equal(names, want)
}

// Maintain checks the certificate every interval until ctx ends, renewing it before it expires.
func (is *Issuer) Maintain(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := is.RenewIfDue(); err != nil {
				slog.Error("renewing the TLS server certificate failed; retrying at the next check", "err", err)
			}
		}
	}
}

// RenewIfDue issues a new certificate when the current one is no longer fresh; it says whether it did.
func (is *Issuer) RenewIfDue() (bool, error) {
	is.renewing.Lock()
	defer is.renewing.Unlock()
	if is.fresh(is.get().Leaf) {
		return false, nil
	}
	return true, is.renew()
}

// Renew issues a new server certificate now, whatever the current one's validity.
func (is *Issuer) Renew() error {
	is.renewing.Lock()
	defer is.renewing.Unlock()
	return is.renew()
}

// renew issues a new server certificate and stores it (owner-only) beside the CA.
func (is *Issuer) renew() error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	serial, err := randomSerial()
	if err != nil {
		return err
	}
	now := is.now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		// Clients match the names in the SANs; the common name is for people reading the certificate: the
		// last name given (the --base-url host), or localhost.
		Subject:     pkix.Name{CommonName: is.hosts[len(is.hosts)-1], Organization: []string{"Valet"}},
		NotBefore:   now.Add(-backdate),
		NotAfter:    now.Add(LeafLifetime),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range is.hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, is.ca.cert, &key.PublicKey, is.ca.key)
	if err != nil {
		return fmt.Errorf("issue the TLS server certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return err
	}
	pair, err := encodePair([][]byte{der, is.ca.cert.Raw}, key)
	if err != nil {
		return err
	}
	if err := writeFile(is.leafPath(), pair); err != nil {
		return err
	}
	is.mu.Lock()
	is.leaf = &tls.Certificate{Certificate: [][]byte{der, is.ca.cert.Raw}, PrivateKey: key, Leaf: cert}
	is.mu.Unlock()
	return nil
}

func (is *Issuer) leafPath() string { return filepath.Join(is.ca.dir, leafFile) }

func (is *Issuer) loadLeaf() (*tls.Certificate, error) {
	if err := checkPrivate(is.leafPath(), false); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(is.leafPath())
	if err != nil {
		return nil, err
	}
	cert, key, err := parsePair(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", is.leafPath(), err)
	}
	return &tls.Certificate{Certificate: [][]byte{cert.Raw, is.ca.cert.Raw}, PrivateKey: key, Leaf: cert}, nil
}

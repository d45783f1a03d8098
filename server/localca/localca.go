// Package localca is Valet's own certificate authority for `valet serve --tls`, in the manner of mkcert and
// Caddy's internal issuer: a CA made once per data directory (ECDSA P-256, ten years), which the user trusts
// once, and a short-lived server certificate it issues for the names Valet answers, renewed long before it
// expires. Everything lives in DIR/tls, readable by the owner only; the CA's private key is never printed,
// sent or copied anywhere else.
//
// Only the standard library's crypto/x509 is used: issuing one certificate for a handful of names is a
// few dozen lines, and a library would add nothing but surface.
package localca

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Files in the CA directory (DIR/tls). caKeyFile holds the CA's key and certificate together, so that two
// processes creating the CA at once cannot pair one's key with the other's certificate: whoever links it
// first wins, and the other loads the winner's.
const (
	caKeyFile = "ca-key.pem"
	CAFile    = "ca.pem" // the CA certificate alone: what users trust
	leafFile  = "server.pem"
	dirName   = "tls"
	filePerm  = 0o600
	dirPerm   = 0o700
	caYears   = 10
)

// LeafLifetime is how long a server certificate is valid. Short, as Caddy's internal issuer does (its
// default is 12 hours): a copied leaf key is soon worthless, and renewal is automatic anyway. A week
// leaves room for a laptop that sleeps through a renewal check.
const LeafLifetime = 7 * 24 * time.Hour

// renewBefore is how much validity a server certificate must have left to be kept: a third of its
// lifetime, as ACME clients renew at two thirds.
const renewBefore = LeafLifetime / 3

// backdate covers clocks that lag the one issuing: a certificate valid from "now" would be refused by a
// client a minute behind.
const backdate = time.Hour

// Dir is where the CA of data directory dataDir lives.
func Dir(dataDir string) string { return filepath.Join(dataDir, dirName) }

// CA is a loaded (or newly made) certificate authority.
type CA struct {
	dir  string
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	// Created is true when this call made the CA (the user has not trusted it yet).
	Created bool
}

// Open loads the CA of data directory dataDir, creating it on first use. now is the clock the new CA's
// validity starts from.
func Open(dataDir string, now time.Time) (*CA, error) {
	dir := Dir(dataDir)
	if err := os.MkdirAll(dir, dirPerm); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	if err := checkPrivate(dir, true); err != nil {
		return nil, err
	}
	ca, err := load(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if ca, err = create(dir, now); errors.Is(err, fs.ErrExist) {
			ca, err = load(dir) // another Valet made it meanwhile
		}
	}
	if err != nil {
		return nil, err
	}
	// ca.pem is derived from ca-key.pem: write it when missing or different (a crash between the two).
	if b, err := os.ReadFile(ca.CertPath()); err != nil || !bytes.Equal(b, ca.PEM()) {
		if err := writeFile(ca.CertPath(), ca.PEM()); err != nil {
			return nil, err
		}
	}
	return ca, nil
}

// CertPath is the file of the CA certificate, the one to trust.
func (ca *CA) CertPath() string { return filepath.Join(ca.dir, CAFile) }

// Certificate is the CA certificate.
func (ca *CA) Certificate() *x509.Certificate { return ca.cert }

// PEM is the CA certificate, PEM-encoded.
func (ca *CA) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw})
}

// Fingerprint is the SHA-256 of the CA certificate (DER) as colon-separated hex, the form browsers and
// `openssl x509 -fingerprint -sha256` show.
func (ca *CA) Fingerprint() string {
	sum := sha256.Sum256(ca.cert.Raw)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// Name is the CA's common name, unique per installation, as trust stores list it.
func (ca *CA) Name() string { return ca.cert.Subject.CommonName }

func load(dir string) (*CA, error) {
	path := filepath.Join(dir, caKeyFile)
	if err := checkPrivate(path, false); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	cert, key, err := parsePair(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (move the tls directory away to make a new CA, then trust the new one)", path, err)
	}
	if !cert.IsCA {
		return nil, fmt.Errorf("%s does not hold a CA certificate (move the tls directory away to make a new CA)", path)
	}
	return &CA{dir: dir, cert: cert, key: key}, nil
}

func create(dir string, now time.Time) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		// A name per installation, as mkcert does ("mkcert user@host"), so that a trust store holding the CAs
		// of several machines or data directories tells them apart.
		Subject:               pkix.Name{CommonName: "Valet local CA " + owner() + " " + serial.Text(16)[:8], Organization: []string{"Valet local CA"}},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.AddDate(caYears, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		// It signs server certificates only, never another CA.
		MaxPathLenZero: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	pair, err := encodePair([][]byte{der}, key)
	if err != nil {
		return nil, err
	}
	if err := createFile(filepath.Join(dir, caKeyFile), pair); err != nil {
		return nil, err
	}
	return &CA{dir: dir, cert: cert, key: key, Created: true}, nil
}

// owner is user@host, for the CA's name.
func owner() string {
	name := "user"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
		if runtime.GOOS == "windows" { // DOMAIN\user
			name = name[strings.LastIndexByte(name, '\\')+1:]
		}
	}
	host, _ := os.Hostname()
	if host == "" {
		return name
	}
	return name + "@" + host
}

func randomSerial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
}

// encodePair is the PEM of certificates (leaf first) followed by the private key.
func encodePair(chain [][]byte, key *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	for _, c := range chain {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c})
	}
	_ = pem.Encode(&b, &pem.Block{Type: "PRIVATE KEY", Bytes: der})
	return b.Bytes(), nil
}

// parsePair reads encodePair's output: the first certificate and the key, which must belong together.
func parsePair(b []byte) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	var cert *x509.Certificate
	var key *ecdsa.PrivateKey
	for {
		var block *pem.Block
		if block, b = pem.Decode(b); block == nil {
			break
		}
		switch block.Type {
		case "CERTIFICATE":
			if cert == nil {
				c, err := x509.ParseCertificate(block.Bytes)
				if err != nil {
					return nil, nil, err
				}
				cert = c
			}
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			if err != nil {
				return nil, nil, err
			}
			ek, ok := k.(*ecdsa.PrivateKey)
			if !ok {
				return nil, nil, errors.New("the private key is not ECDSA")
			}
			key = ek
		}
	}
	if cert == nil || key == nil {
		return nil, nil, errors.New("no certificate and private key in it")
	}
	if pub, ok := cert.PublicKey.(*ecdsa.PublicKey); !ok || !pub.Equal(&key.PublicKey) {
		return nil, nil, errors.New("the private key does not belong to the certificate")
	}
	return cert, key, nil
}

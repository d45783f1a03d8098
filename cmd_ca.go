package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/valet-sandbox/valet/server/localca"
)

// cmdCA is `valet ca [--pem] [--data DIR]`: the local CA of `valet serve --tls` — where it is, its
// fingerprint and how to trust it on each system — or its certificate as PEM. It makes the CA when the
// data directory has none yet, so it can be trusted before the first https start.
func cmdCA(args []string, stdout, _ io.Writer) error {
	c := newCommand("ca", "valet ca [flags]",
		"Show Valet's local CA (used by 'valet serve --tls'), made on first use: its certificate file, its SHA-256 "+
			"fingerprint and the commands that trust it on Debian/Ubuntu, Fedora, macOS, Windows, Firefox and Node.")
	var data string
	var asPEM bool
	dataFlag(c.fs, &data)
	c.fs.BoolVar(&asPEM, "pem", false, "print only the CA certificate, PEM-encoded (never the private key)")
	if err := c.parseNone(args, stdout); err != nil {
		return err
	}
	dbPath, err := databasePath(data)
	if err != nil {
		return err
	}
	dir := filepath.Dir(dbPath)
	if err := ensureWritableDir(dir); err != nil {
		return err
	}
	ca, err := localca.Open(dir, time.Now())
	if err != nil {
		return usagef("ca: %v", err)
	}
	if asPEM {
		_, err := stdout.Write(ca.PEM())
		return err
	}
	printCA(stdout, ca)
	return nil
}

// printCA is what `valet ca` says: the CA and the exact commands to trust (and untrust) it.
func printCA(w io.Writer, ca *localca.CA) {
	if ca.Created {
		fmt.Fprintln(w, "Made a new local CA for this data directory.")
	}
	path := ca.CertPath()
	strings.NewReplacer(
		"{NAME}", ca.Name(),
		"{PATH}", path,
		"{DIR}", filepath.Dir(path),
		"{SHA256}", ca.Fingerprint(),
		"{UNTIL}", ca.Certificate().NotAfter.UTC().Format("2006-01-02"),
	).WriteString(w, caText)
}

const caText = `Valet's local CA: {NAME}
  Certificate:  {PATH}
  SHA-256:      {SHA256}
  Valid until:  {UNTIL}

'valet serve --tls' serves https with certificates this CA issues. Browsers and apps accept them once
the CA is trusted; compare the fingerprint above with what the trust store shows. The CA's private key
stays in {DIR}, readable by you only: whoever has it can impersonate any site to a machine that trusts it.

Trust it (once per machine, or per program that keeps its own list):
  Debian, Ubuntu:  sudo cp {PATH} /usr/local/share/ca-certificates/valet-ca.crt && sudo update-ca-certificates
  Fedora, RHEL:    sudo cp {PATH} /etc/pki/ca-trust/source/anchors/valet-ca.pem && sudo update-ca-trust
  macOS:           sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain {PATH}
  Windows:         certutil -user -addstore Root "{PATH}"
  Chromium, Chrome on Linux (NSS; certutil is in Debian's libnss3-tools, Fedora's nss-tools):
                   certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n "{NAME}" -i {PATH}
  Firefox (NSS, once per profile):
                   certutil -d sql:$HOME/.mozilla/firefox/PROFILE -A -t C,, -n "{NAME}" -i {PATH}
  Node.js:         export NODE_EXTRA_CA_CERTS={PATH}
  One program:     curl --cacert {PATH}; Python requests: REQUESTS_CA_BUNDLE={PATH}; Go: SSL_CERT_FILE={PATH}

Untrust it:
  Debian, Ubuntu:  sudo rm /usr/local/share/ca-certificates/valet-ca.crt && sudo update-ca-certificates --fresh
  Fedora, RHEL:    sudo rm /etc/pki/ca-trust/source/anchors/valet-ca.pem && sudo update-ca-trust
  macOS:           sudo security delete-certificate -c "{NAME}" /Library/Keychains/System.keychain
  Windows:         certutil -user -delstore Root "{NAME}"
  NSS:             certutil -d sql:$HOME/.pki/nssdb -D -n "{NAME}"
`

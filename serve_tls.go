package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"time"

	"github.com/valet-sandbox/valet/server"
	"github.com/valet-sandbox/valet/server/localca"
	"github.com/valet-sandbox/valet/server/store"
)

// renewCheck is how often a running sandbox checks its server certificate (it lives a week and is
// renewed with a third of that left, so hourly checks leave days to spare).
const renewCheck = time.Hour

// optionalBool is a boolean flag that also knows whether it was given: --tls, --tls=false, or neither
// (then the stored setting decides).
type optionalBool struct{ set, value bool }

func (b *optionalBool) String() string {
	if b == nil || !b.set {
		return ""
	}
	return strconv.FormatBool(b.value)
}

func (b *optionalBool) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("%q is not true or false", s)
	}
	b.set, b.value = true, v
	return nil
}

func (b *optionalBool) IsBoolFlag() bool { return true }

// wantTLS is whether this start serves https: --tls or --tls=false when given, else the setting stored
// from the control panel (Settings › HTTPS), which takes effect at the next start.
func wantTLS(ctx context.Context, f serveFlags, db *store.DB) (bool, error) {
	if f.tls.set {
		return f.tls.value, nil
	}
	return server.StoredTLS(ctx, db)
}

// startTLS loads (or makes, on first use) the data directory's CA, makes sure a server certificate for the
// loopback names, the address ln listens on, the --base-url host and the --allowed-host names is ready,
// and wraps ln in TLS with it.
func startTLS(db *store.DB, ln net.Listener, base *url.URL, allowed []string) (net.Listener, *localca.Issuer, *localca.CA, error) {
	ca, err := localca.Open(filepath.Dir(db.Path()), time.Now())
	if err != nil {
		return nil, nil, nil, usagef("cannot set up the local CA for --tls: %v", err)
	}
	hosts := append([]string{}, allowed...)
	// The default base URL names the listening address (--addr 192.168.1.5:8765); every interface
	// (0.0.0.0) has no one address to name, and then --base-url does.
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsUnspecified() {
		hosts = append(hosts, tcp.IP.String())
	}
	if base != nil {
		hosts = append(hosts, base.Hostname())
	}
	is, err := localca.NewIssuer(ca, hosts, nil)
	if err != nil {
		return nil, nil, nil, usagef("cannot issue the TLS server certificate: %v", err)
	}
	return tls.NewListener(ln, is.TLSConfig()), is, ca, nil
}

// printTLSBanner says where the CA is and, for a new one, that browsers warn until it is trusted.
func printTLSBanner(w io.Writer, ca *localca.CA) {
	if ca == nil {
		return
	}
	fmt.Fprintf(w, "  HTTPS:          certificates from Valet's local CA %s\n", ca.CertPath())
	if ca.Created {
		fmt.Fprintln(w, "New local CA: browsers and apps refuse Valet's https until you trust it once — run 'valet ca' for the commands.")
	}
}

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"

	"github.com/valet-sandbox/valet/server/admin"
)

// sharedFlags are the flags of shared mode: one sandbox for a class or a QA team (docs/deploy.md).
type sharedFlags struct {
	shared, insecureHTTP bool
	adminPasswordFile    string
	trustedProxies       []netip.Prefix
}

// passwordEnv holds the admin password when it is not given in a file.
const passwordEnv = "VALET_ADMIN_PASSWORD"

func (f *sharedFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.shared, "shared", false, "shared mode, for a class or a team: the control panel and /api need the admin password "+
		"or an API key, registration an initial access token (implied by a non-loopback --addr; see docs/deploy.md)")
	fs.BoolVar(&f.insecureHTTP, "insecure-http", false, "let shared mode serve plain HTTP: passwords and tokens cross the network readable "+
		"(prefer --tls, or a TLS proxy with an https --base-url)")
	fs.StringVar(&f.adminPasswordFile, "admin-password-file", "", "read shared mode's admin password from `FILE` (or set "+passwordEnv+")")
	fs.Func("trusted-proxy", "trust X-Forwarded-For from the reverse proxy at `ADDR` (an IP address or CIDR, repeatable) in shared mode; "+
		"from any other peer it is ignored", func(v string) error {
		p, ok := admin.ParseProxy(v)
		if !ok {
			return fmt.Errorf("%q is not an IP address or CIDR prefix (for example 127.0.0.1 or 10.0.0.0/8)", v)
		}
		f.trustedProxies = append(f.trustedProxies, p)
		return nil
	})
}

// sharedConfig decides whether this run is shared — asked for, or listening beyond loopback — and checks
// what shared mode needs before anything is opened: the admin password. nil means local mode.
func sharedConfig(f sharedFlags, addr netip.AddrPort) (*admin.Config, error) {
	if !f.shared && addr.Addr().IsLoopback() {
		if f.insecureHTTP || f.adminPasswordFile != "" || len(f.trustedProxies) > 0 {
			return nil, usagef("--insecure-http, --admin-password-file and --trusted-proxy are for shared mode: add --shared, or leave them out")
		}
		return nil, nil
	}
	why := "--shared"
	if !addr.Addr().IsLoopback() {
		why = "--addr " + addr.String() + " (beyond loopback)"
	}
	pw, err := adminPassword(f)
	if err != nil {
		return nil, err
	}
	if pw == "" {
		return nil, usagef("%s runs a shared sandbox, which needs an admin password: set %s=… or give --admin-password-file FILE", why, passwordEnv)
	}
	if len([]rune(pw)) < admin.MinPasswordLength {
		return nil, usagef("the admin password has %d characters; a shared sandbox needs at least %d: choose a longer one", len([]rune(pw)), admin.MinPasswordLength)
	}
	return &admin.Config{Password: pw, TrustedProxies: f.trustedProxies}, nil
}

// adminPassword reads the admin password from --admin-password-file (without its final line break) or
// the environment; "" when neither gives one.
func adminPassword(f sharedFlags) (string, error) {
	env := os.Getenv(passwordEnv)
	if f.adminPasswordFile == "" {
		return env, nil
	}
	if env != "" {
		return "", usagef("the admin password is given twice (%s and --admin-password-file): give it one way", passwordEnv)
	}
	b, err := os.ReadFile(f.adminPasswordFile)
	if err != nil {
		return "", usagef("cannot read --admin-password-file %s: %v", f.adminPasswordFile, errors.Unwrap(err))
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// checkSharedTransport refuses shared mode over plain HTTP unless --insecure-http says so, and then
// sets the warning that stderr and the control panel show. https is whether apps reach Valet over
// https: it serves TLS itself (--tls, or the Settings switch), or a TLS proxy in front gives an https
// --base-url.
func checkSharedTransport(f sharedFlags, cfg *admin.Config, https bool) error {
	if cfg == nil || https {
		return nil
	}
	if !f.insecureHTTP {
		return usagef("a shared sandbox must be served over HTTPS, or the admin password and every token cross the network readable: " +
			"add --tls, or put a TLS proxy in front and give its https --base-url; to serve plain HTTP anyway add --insecure-http")
	}
	cfg.Warning = "This shared sandbox is served over plain HTTP (--insecure-http): the admin password, sessions, API keys and " +
		"access tokens cross the network readable by anyone on it. Use --tls, or a TLS proxy."
	return nil
}

// printSharedBanner says how the shared sandbox is protected, and shouts when it is not.
func printSharedBanner(cfg *admin.Config, stdout, stderr io.Writer) {
	if cfg == nil {
		return
	}
	fmt.Fprintln(stdout, "  Shared mode:    the control panel and /api need the admin password or an API key; registration needs an initial access token")
	if cfg.Warning != "" {
		fmt.Fprintf(stderr, "\nWARNING: %s\n\n", cfg.Warning)
	}
}

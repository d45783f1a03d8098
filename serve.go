package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/valet-sandbox/valet/frontend"
	"github.com/valet-sandbox/valet/server"
	"github.com/valet-sandbox/valet/server/admin"
	"github.com/valet-sandbox/valet/server/localca"
	"github.com/valet-sandbox/valet/server/population"
	"github.com/valet-sandbox/valet/server/retention"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/synth"
)

const defaultAddr = "127.0.0.1:8765"

// serveFlags are the flags of `valet serve` and of plain `valet`.
type serveFlags struct {
	addr, data, baseURL string
	empty               bool
	allowedHosts        []string
	retention           retention.Override
	tls                 optionalBool
	sharedFlags
}

// newServeCommand is `valet serve`, or plain `valet` (name "valet"), which takes the same flags into f.
func newServeCommand(name string, f *serveFlags) *command {
	c := newCommand("serve", "valet serve [flags]",
		"Run the sandbox headless — the authorization server, the FHIR API and the control panel — until Ctrl+C.")
	if name == "valet" {
		c = newCommand("valet", "valet [flags]", defaultSummary)
	}
	c.fs.StringVar(&f.addr, "addr", defaultAddr, "listen on `HOST:PORT`; port 0 picks a free port; an address beyond loopback (0.0.0.0 for all) "+
		"means --shared")
	dataFlag(c.fs, &f.data)
	c.fs.StringVar(&f.baseURL, "base-url", "", "the origin apps see, as `URL`, when Valet is behind a proxy or TLS (default http://ADDR)")
	c.fs.Var(&f.tls, "tls", "serve HTTPS only, with a certificate from Valet's local CA (made on first use; 'valet ca' says how to trust it); "+
		"without the flag, the control panel's Settings › HTTPS switch decides (off unless set)")
	c.fs.BoolVar(&f.empty, "empty", false, "do not load the default population into a new sandbox")
	c.fs.Func("allowed-host", "also answer requests for host `NAME` (repeatable); IP addresses, localhost and the --base-url host "+
		"are always answered, other names are refused against DNS rebinding", func(v string) error {
		if v == "" || strings.ContainsAny(v, "/@ ") || strings.Contains(v, "://") {
			return fmt.Errorf("%q is not a host name (give a name such as valet.lan, no scheme or path)", v)
		}
		f.allowedHosts = append(f.allowedHosts, v)
		return nil
	})
	intFlag := func(name, usage string, dst **int) {
		c.fs.Func(name, usage, func(v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return fmt.Errorf("%q is not a whole number ≥ 0", v)
			}
			*dst = &n
			return nil
		})
	}
	intFlag("keep-events", fmt.Sprintf("keep at most `N` flow events, newest first (0: no limit; default %d, or what Settings last stored)",
		retention.DefaultEventsMax), &f.retention.EventsMax)
	intFlag("keep-events-days", fmt.Sprintf("keep flow events for `DAYS` (0: no limit; default %d)", retention.DefaultEventsDays),
		&f.retention.EventsDays)
	intFlag("keep-audit-days", fmt.Sprintf("keep the FHIR request log (AuditEvents) for `DAYS` (0: keep all; default %d)",
		retention.DefaultAuditDays), &f.retention.AuditDays)
	f.sharedFlags.register(c.fs)
	return c
}

func parseServeFlags(name string, args []string, stdout io.Writer) (serveFlags, error) {
	var f serveFlags
	c := newServeCommand(name, &f)
	rest, err := c.parse(args, stdout)
	if err != nil {
		return f, err
	}
	if len(rest) > 0 {
		if name == "valet" && commandFunc(rest[0]) != nil {
			return f, usagef("%q is a command: put it first, as in valet %s [flags]", rest[0], rest[0])
		}
		return f, c.unexpected(rest[0])
	}
	return f, nil
}

func cmdServe(args []string, stdout, stderr io.Writer) error {
	f, err := parseServeFlags("serve", args, stdout)
	if err != nil {
		return err
	}
	return serveHeadless(f, stdout, stderr)
}

// sandbox is an opened database, a bound listener and the composed server, ready to serve.
type sandbox struct {
	db         *store.DB
	ln         net.Listener
	srv        *server.Server
	panelBuilt bool // whether this binary embeds the control panel (frontend.Built); tests set either
	// With TLS: the local CA and the issuer that keeps the server certificate fresh; nil without.
	ca     *localca.CA
	issuer *localca.Issuer
	shared *admin.Config // nil in local mode
}

// openSandbox validates the flags, opens the data directory and database, and binds the port. Every
// failure here is the user's to fix, so it comes back as a usageError naming the fix.
func openSandbox(ctx context.Context, f serveFlags) (*sandbox, error) {
	addr, err := checkAddr(f.addr)
	if err != nil {
		return nil, err
	}
	shared, err := sharedConfig(f.sharedFlags, addr)
	if err != nil {
		return nil, err
	}
	if addr.Addr().IsUnspecified() && f.baseURL == "" {
		return nil, usagef("--addr %s listens on every interface, so Valet cannot guess the address people will use: give it as "+
			"--base-url https://NAME:%d (the name or IP address of this machine)", addr, addr.Port())
	}
	var base *url.URL
	if f.baseURL != "" {
		if base, err = url.Parse(f.baseURL); err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" || (base.Path != "" && base.Path != "/") || base.RawQuery != "" {
			return nil, usagef("--base-url %q is not an origin like http://127.0.0.1:8765 or https://valet.example: give scheme and host, no path", f.baseURL)
		}
	}
	db, err := openStore(ctx, f.data)
	if err != nil {
		return nil, err
	}
	useTLS, err := wantTLS(ctx, f, db)
	if err == nil && useTLS && base != nil && base.Scheme != "https" {
		err = usagef("--base-url %q is http, but Valet serves https (--tls or the Settings switch): give https://%s, or --tls=false", f.baseURL, base.Host)
	}
	if err == nil {
		err = checkSharedTransport(f.sharedFlags, shared, useTLS || (base != nil && base.Scheme == "https"))
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", addr.String())
	if err != nil {
		db.Close()
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, usagef("port %d is in use: stop what uses it or choose another with --addr %s:PORT (port 0 picks a free one)", addr.Port(), addr.Addr())
		}
		return nil, usagef("cannot listen on %s: %v (choose another --addr)", addr, err)
	}
	sb := &sandbox{db: db, ln: ln, shared: shared, panelBuilt: frontend.Built()}
	baseURL := "http://" + ln.Addr().String()
	if useTLS {
		baseURL = "https://" + ln.Addr().String()
		if sb.ln, sb.issuer, sb.ca, err = startTLS(db, ln, base, f.allowedHosts); err != nil {
			ln.Close()
			db.Close()
			return nil, err
		}
	}
	if base != nil {
		baseURL = strings.TrimRight(base.String(), "/")
	}
	sb.srv, err = server.New(server.Config{BaseURL: baseURL, Version: version, Store: db, UI: frontend.Handler(), AllowedHosts: f.allowedHosts,
		Retention: f.retention, TLS: useTLS, Shared: shared})
	if err != nil {
		ln.Close()
		db.Close()
		return nil, err
	}
	return sb, nil
}

// databasePath is valet.db in dir, or in the user data directory when dir is "".
func databasePath(dir string) (string, error) {
	if dir == "" {
		var err error
		if dir, err = defaultDataDir(); err != nil {
			return "", usagef("%v", err)
		}
	}
	return filepath.Join(dir, "valet.db"), nil
}

// openStore opens (creating when new) valet.db in dir, or in the user data directory when dir is "".
// Every failure is the user's to fix, so it comes back as a usageError naming the fix.
func openStore(ctx context.Context, dir string) (*store.DB, error) {
	dbPath, err := databasePath(dir)
	if err != nil {
		return nil, err
	}
	if err := ensureWritableDir(filepath.Dir(dbPath)); err != nil {
		return nil, err
	}
	// An upgrade's migrations can build indexes over every row (migration 0020: ~35 s at 10,000 patients
	// on a busy machine): say what the wait is.
	db, err := store.Open(ctx, dbPath, store.Options{Upgrading: func(m string) {
		fmt.Fprintf(os.Stderr, "Upgrading %s: migration %s (a large sandbox can take a minute)\n", dbPath, m)
	}})
	if err != nil {
		switch {
		case errors.Is(err, store.ErrNotDatabase):
			return nil, usagef("%s is not a Valet database (it was left untouched): move it away or choose another --data directory", dbPath)
		case errors.Is(err, store.ErrSchemaTooNew):
			return nil, usagef("%s was written by a newer Valet (it was left untouched): upgrade Valet or choose another --data directory", dbPath)
		}
		return nil, usagef("cannot open %s: %v (choose another --data directory)", dbPath, err)
	}
	return db, nil
}

// checkAddr accepts HOST:PORT with an IP address (or localhost); an empty host listens on every IPv4
// interface. An address beyond loopback makes the sandbox shared (sharedConfig).
func checkAddr(s string) (netip.AddrPort, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return netip.AddrPort{}, usagef("--addr %q is not HOST:PORT (for example --addr 127.0.0.1:8765)", s)
	}
	switch host {
	case "localhost":
		host = "127.0.0.1"
	case "":
		host = "0.0.0.0"
	}
	ip, err := netip.ParseAddr(host)
	p, perr := strconv.ParseUint(port, 10, 16)
	if err != nil || perr != nil {
		return netip.AddrPort{}, usagef("--addr %q is not an IP address and port (for example --addr 127.0.0.1:8765)", s)
	}
	return netip.AddrPortFrom(ip, uint16(p)), nil
}

func ensureWritableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return usagef("cannot create data directory %s: %v (choose another with --data DIR)", dir, errors.Unwrap(err))
	}
	probe, err := os.CreateTemp(dir, ".valet-write-check-*")
	if err != nil {
		return usagef("data directory %s is not writable (choose another with --data DIR)", dir)
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// serve runs sb until ctx ends, then shuts down cleanly: in-flight requests finish, the database closes.
func (sb *sandbox) serve(ctx context.Context) error {
	if sb.issuer != nil {
		go sb.issuer.Maintain(ctx, renewCheck)
	}
	err := sb.srv.Serve(ctx, sb.ln, 10*time.Second)
	_ = sb.srv.Close() // flush queued flow events before the store closes
	if cerr := sb.db.Close(); err == nil {
		err = cerr
	}
	return err
}

// printBanner prints the URLs on stdout, where scripts read them, and right after them on stderr a note
// when the control panel was not built into this binary: its URL then shows only how to build it.
func (sb *sandbox) printBanner(stdout, stderr io.Writer) {
	fmt.Fprintf(stdout, "Valet %s is running\n", version)
	fmt.Fprintf(stdout, "  Control panel:  %s/\n", strings.TrimSuffix(sb.srv.FHIRBase(), "/fhir"))
	fmt.Fprintf(stdout, "  FHIR base:      %s\n", sb.srv.FHIRBase())
	fmt.Fprintf(stdout, "  Data file:      %s\n", sb.db.Path())
	printTLSBanner(stdout, sb.ca)
	printSharedBanner(sb.shared, stdout, stderr)
	if !sb.panelBuilt {
		fmt.Fprint(stderr, panelNotBuiltNote)
	}
}

const panelNotBuiltNote = `Note: the control panel is not built into this binary (frontend/dist was empty at go build), so its
URL shows only how to build it; the FHIR API, SMART endpoints and /api work. To include it, run
'make run', or 'cd frontend && npm ci && npm run build' and then 'go build .' again.
`

// seedIfNew loads the default population in the background on a new sandbox (unless --empty), saying so.
func (sb *sandbox) seedIfNew(ctx context.Context, f serveFlags, stdout io.Writer) {
	if f.empty {
		return
	}
	started, err := sb.srv.SeedInBackground(ctx, func(res population.GenerateResult, err error) {
		if err == nil {
			fmt.Fprintf(stdout, "Default population ready: %d patients, %d resources (%.1f s).\n", res.Patients, res.Resources, res.Seconds)
		} else if !errors.Is(err, context.Canceled) {
			fmt.Fprintf(stdout, "Loading the default population failed: %s\n", err)
		}
	})
	if err != nil {
		fmt.Fprintf(stdout, "Could not start loading the default population: %v\n", err)
		return
	}
	if started {
		fmt.Fprintf(stdout, "New sandbox: loading the default population (%d patients and %d personas) in the background.\n",
			synth.DefaultPatients, len(synth.Personas()))
	}
}

func serveHeadless(f serveFlags, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sb, err := openSandbox(ctx, f)
	if err != nil {
		return err
	}
	sb.printBanner(stdout, stderr)
	sb.seedIfNew(ctx, f, stdout)
	fmt.Fprintln(stdout, "Press Ctrl+C to stop.")
	if err := sb.serve(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stderr, "Valet stopped.")
	return nil
}

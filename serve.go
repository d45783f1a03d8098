package main

import (
	"context"
	"errors"
	"flag"
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
	"github.com/valet-sandbox/valet/server/store"
)

const defaultAddr = "127.0.0.1:8765"

// serveFlags are the flags of `valet serve` and of plain `valet`.
type serveFlags struct {
	addr, data, baseURL string
}

func parseServeFlags(name string, args []string, stderr io.Writer) (serveFlags, error) {
	var f serveFlags
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.addr, "addr", defaultAddr, "")
	fs.StringVar(&f.data, "data", "", "")
	fs.StringVar(&f.baseURL, "base-url", "", "")
	if err := fs.Parse(args); err != nil {
		return f, usagef("%v: %s", err, shortUsage)
	}
	if fs.NArg() > 0 {
		return f, usagef("unexpected argument %q: %s", fs.Arg(0), shortUsage)
	}
	return f, nil
}

func cmdServe(args []string, stdout, stderr io.Writer) error {
	f, err := parseServeFlags("serve", args, stderr)
	if err != nil {
		return err
	}
	return serveHeadless(f, stdout, stderr)
}

// sandbox is an opened database, a bound listener and the composed server, ready to serve.
type sandbox struct {
	db  *store.DB
	ln  net.Listener
	srv *server.Server
}

// openSandbox validates the flags, opens the data directory and database, and binds the port. Every
// failure here is the user's to fix, so it comes back as a usageError naming the fix.
func openSandbox(ctx context.Context, f serveFlags) (*sandbox, error) {
	addr, err := checkAddr(f.addr)
	if err != nil {
		return nil, err
	}
	var base *url.URL
	if f.baseURL != "" {
		if base, err = url.Parse(f.baseURL); err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" || (base.Path != "" && base.Path != "/") || base.RawQuery != "" {
			return nil, usagef("--base-url %q is not an origin like http://127.0.0.1:8765 or https://valet.example: give scheme and host, no path", f.baseURL)
		}
	}
	db, err := openDataDir(ctx, f.data)
	if err != nil {
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
	baseURL := "http://" + ln.Addr().String()
	if base != nil {
		baseURL = strings.TrimRight(base.String(), "/")
	}
	srv, err := server.New(server.Config{BaseURL: baseURL, Version: version, Store: db, UI: frontend.Handler()})
	if err != nil {
		ln.Close()
		db.Close()
		return nil, err
	}
	return &sandbox{db: db, ln: ln, srv: srv}, nil
}

// openDataDir opens (creating when needed) the database in the data directory dir, or in the user data
// directory when dir is empty. Every failure is the user's to fix: a usageError naming the fix.
func openDataDir(ctx context.Context, dir string) (*store.DB, error) {
	var err error
	if dir == "" {
		if dir, err = defaultDataDir(); err != nil {
			return nil, usagef("%v", err)
		}
	}
	if err := ensureWritableDir(dir); err != nil {
		return nil, err
	}
	dbPath := filepath.Join(dir, "valet.db")
	db, err := store.Open(ctx, dbPath, store.Options{})
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

// checkAddr accepts HOST:PORT on a loopback address. Listening beyond loopback would expose the control
// API, which has no admin authentication yet, so it is refused rather than silently allowed.
func checkAddr(s string) (netip.AddrPort, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return netip.AddrPort{}, usagef("--addr %q is not HOST:PORT (for example --addr 127.0.0.1:8765)", s)
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	ip, err := netip.ParseAddr(host)
	p, perr := strconv.ParseUint(port, 10, 16)
	if err != nil || perr != nil {
		return netip.AddrPort{}, usagef("--addr %q is not an IP address and port (for example --addr 127.0.0.1:8765)", s)
	}
	if !ip.IsLoopback() {
		return netip.AddrPort{}, usagef("--addr %q is not a loopback address: Valet listens on 127.0.0.1 or ::1 only (its control API has no login yet)", s)
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
	err := sb.srv.Serve(ctx, sb.ln, 10*time.Second)
	_ = sb.srv.Close() // flush queued flow events before the store closes
	if cerr := sb.db.Close(); err == nil {
		err = cerr
	}
	return err
}

func (sb *sandbox) printBanner(w io.Writer) {
	fmt.Fprintf(w, "Valet %s is running\n", version)
	fmt.Fprintf(w, "  Control panel:  %s/\n", strings.TrimSuffix(sb.srv.FHIRBase(), "/fhir"))
	fmt.Fprintf(w, "  FHIR base:      %s\n", sb.srv.FHIRBase())
	fmt.Fprintf(w, "  Data file:      %s\n", sb.db.Path())
}

func serveHeadless(f serveFlags, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sb, err := openSandbox(ctx, f)
	if err != nil {
		return err
	}
	sb.printBanner(stdout)
	fmt.Fprintln(stdout, "Press Ctrl+C to stop.")
	if err := sb.serve(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stderr, "Valet stopped.")
	return nil
}

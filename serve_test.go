package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBannerSaysWhenThePanelIsNotBuilt: a binary from a plain `go build .` on a fresh clone serves a page
// that only explains how to build the panel; `valet serve` says so where it prints the URLs, with the fix.
func TestBannerSaysWhenThePanelIsNotBuilt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	sb, err := openSandbox(ctx, serveFlags{addr: "127.0.0.1:0", data: t.TempDir(), empty: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		if err := sb.serve(ctx); err != nil {
			t.Error(err)
		}
	}()
	for _, built := range []bool{false, true} {
		sb.panelBuilt = built
		var stdout, stderr bytes.Buffer
		sb.printBanner(&stdout, &stderr)
		if !strings.Contains(stdout.String(), "Control panel:") {
			t.Fatalf("built=%v: no banner: %q", built, stdout.String())
		}
		note := stderr.String()
		if built {
			if note != "" {
				t.Errorf("the panel is built, yet: %q", note)
			}
			continue
		}
		for _, want := range []string{"control panel is not built", "make run", "cd frontend && npm ci && npm run build", "go build"} {
			if !strings.Contains(note, want) {
				t.Errorf("note %q does not contain %q", note, want)
			}
		}
	}
}

// TestAllowedHostFlag: --allowed-host NAME (repeatable) reaches the Host allow-list, and a value that is not
// a host name is a usage error that says what to give.
func TestAllowedHostFlag(t *testing.T) {
	f, err := parseServeFlags("serve", []string{"--allowed-host", "valet.lan", "--empty", "--allowed-host=Box.Local:9000"}, io.Discard)
	if err != nil || len(f.allowedHosts) != 2 {
		t.Fatalf("parse: %+v %v", f, err)
	}
	for _, bad := range []string{"http://valet.lan", "valet.lan/x", ""} {
		if _, err := parseServeFlags("serve", []string{"--allowed-host", bad}, io.Discard); err == nil || !strings.Contains(err.Error(), "not a host name") {
			t.Errorf("--allowed-host %q: %v, want a usage error", bad, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	f.addr, f.data = "127.0.0.1:0", t.TempDir()
	sb, err := openSandbox(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		if err := sb.serve(ctx); err != nil {
			t.Error(err)
		}
	}()
	for host, want := range map[string]int{"valet.lan": 200, "box.local": 200, "evil.example": 421} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/fhir/.well-known/smart-configuration", nil)
		req.Host = host + ":8765"
		sb.srv.Handler().ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("Host %s: %d, want %d", host, rec.Code, want)
		}
	}
}

const testAdminPassword = "class of May 2026"

// TestServeShared: `valet serve --shared --insecure-http` with the password in a file starts, says it is
// shared, warns loudly about plain HTTP, answers the healthcheck and refuses /api to a stranger.
func TestServeShared(t *testing.T) {
	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte(testAdminPassword+"\n"), 0o600)
	cmd, banner, stderr := startServe(t, "--data", t.TempDir(), "--empty", "--shared", "--insecure-http", "--admin-password-file", pw)
	base := strings.TrimSuffix(banner["Control panel"], "/")
	for path, want := range map[string]int{"/api/status": 200, "/api/clients": 401} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	if !strings.Contains(stderr.String(), "WARNING") || !strings.Contains(stderr.String(), "plain HTTP") {
		t.Errorf("no loud warning on stderr: %q", stderr)
	}
}

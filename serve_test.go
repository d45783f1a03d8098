package main

import (
	"bytes"
	"context"
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

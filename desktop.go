//go:build desktop

package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/valet-sandbox/valet/app"
)

//go:embed build/appicon.png
var appIcon []byte

// defaultSummary is what `valet --help` says plain valet does in this build.
const defaultSummary = "Open the sandbox in a desktop window; it also listens on --addr for the apps under test."

// runDefault opens the desktop window. The sandbox also listens on its TCP port, for the apps under test.
func runDefault(stdout, stderr io.Writer) error { return runDefaultWith(nil, stdout, stderr) }

func runDefaultWith(args []string, stdout, stderr io.Writer) error {
	f, err := parseServeFlags("valet", args, stdout)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	var done chan error // nil until the sandbox has started
	return app.Run(app.Config{
		Title: "Valet — SMART on FHIR sandbox",
		Icon:  appIcon,
		Start: func(context.Context) (http.Handler, error) {
			sb, err := openSandbox(ctx, f)
			if err != nil {
				return nil, err
			}
			sb.printBanner(stdout, stderr)
			sb.seedIfNew(ctx, f, stdout)
			done = make(chan error, 1)
			go func() { done <- sb.serve(ctx) }()
			return sb.srv.WindowHandler(), nil
		},
		Stop: func() {
			cancel()
			if done == nil {
				return
			}
			if err := <-done; err != nil {
				fmt.Fprintf(os.Stderr, "valet: %v\n", err)
			}
		},
	})
}

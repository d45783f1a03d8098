//go:build !desktop

package main

import (
	"fmt"
	"io"
)

// defaultSummary is what `valet --help` says plain valet does in this build.
const defaultSummary = "Serve the sandbox as 'valet serve' does: this headless build has no window (see 'make desktop' in README.md)."

// runDefault: a headless build has no window, so plain `valet` serves, and says how to get the window.
func runDefault(stdout, stderr io.Writer) error { return runDefaultWith(nil, stdout, stderr) }

func runDefaultWith(args []string, stdout, stderr io.Writer) error {
	f, err := parseServeFlags("valet", args, stdout)
	if err != nil {
		return err
	}
	fmt.Fprintln(stderr, "This is the headless build of Valet, serving without a window. For the desktop app run 'make desktop' (see README.md).")
	return serveHeadless(f, stdout, stderr)
}

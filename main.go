// Command valet is a SMART on FHIR sandbox: an authorization server, a FHIR R4 server on SQLite and a
// synthetic patient generator, run headless (`valet serve`) or in a desktop window (`valet` in a desktop build).
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0"

// usageError is bad input from the user: exit code 2, message plus the fix.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	err := dispatch(args, stdout, stderr)
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "valet: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

func dispatch(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return runDefault(stdout, stderr)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(rest, stdout, stderr)
	case "generate":
		return cmdGenerate(rest, stdout, stderr)
	case "import":
		return cmdImport(rest, stdout, stderr)
	case "export":
		return cmdExport(rest, stdout, stderr)
	case "reset":
		return cmdReset(rest, os.Stdin, stdout, stderr)
	case "keys":
		return cmdKeys(rest, stdout)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "valet %s\n", version)
		return nil
	case "help", "--help", "-help", "-h":
		fmt.Fprint(stdout, usageText)
		return nil
	}
	if len(cmd) > 0 && cmd[0] == '-' {
		// `valet --data DIR` means `valet serve --data DIR` (or the window, in a desktop build).
		return runDefaultWith(args, stdout, stderr)
	}
	return usagef("unknown command %q: %s", cmd, shortUsage)
}

const shortUsage = "run 'valet help' for the commands and flags"

const usageText = `Valet — a SMART on FHIR sandbox on your own machine.

Usage:
  valet                 open the desktop window (desktop build) or serve headless
  valet serve [flags]   run the sandbox headless: authorization server, FHIR API, control panel
  valet generate        add synthetic patients: --patients N (100) --seed S (42) --personas --years Y (10)
  valet import PATH...  load FHIR Bundles (transaction, batch, collection) and NDJSON files; each file is
                        stored whole or not at all
  valet export DIR      write every resource as NDJSON, one <Type>.ndjson per type (--types T1,T2 to limit)
  valet reset           delete all FHIR data and load the default population again (--yes to skip the prompt)
  valet keys rotate|list [--data DIR]  rotate the token signing keys, or list the published ones
  valet version         print the version
  valet help            print this help

Every command takes --data DIR (default: the user data directory).

Flags for serve (and for plain 'valet'):
  --addr HOST:PORT      where to listen (default 127.0.0.1:8765; port 0 picks a free port)
  --data DIR            data directory holding valet.db (default: the user data directory)
  --base-url URL        public origin apps see, when behind a proxy or TLS (default http://ADDR)
  --empty               do not load the default population into a new sandbox

Docs: docs/README.md in the source tree.
`

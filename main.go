// Command valet is a SMART on FHIR sandbox: an authorization server, a FHIR R4 server on SQLite and a
// synthetic patient generator, run headless (`valet serve`) or in a desktop window (`valet` in a desktop build).
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
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
	if err == nil || errors.Is(err, errHelpShown) {
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
	case "help", "--help", "-help", "-h":
		return cmdHelp(rest, stdout, stderr)
	case "--version", "-version":
		return cmdVersion(rest, stdout, stderr)
	}
	if fn := commandFunc(cmd); fn != nil {
		return fn(rest, stdout, stderr)
	}
	if len(cmd) > 0 && cmd[0] == '-' {
		// `valet --data DIR` means `valet serve --data DIR` (or the window, in a desktop build).
		return runDefaultWith(args, stdout, stderr)
	}
	return usagef("unknown command %q: %s", cmd, shortUsage)
}

// commandFunc returns what runs the named command, or nil when there is no such command.
func commandFunc(name string) func(args []string, stdout, stderr io.Writer) error {
	switch name {
	case "serve":
		return cmdServe
	case "generate":
		return cmdGenerate
	case "import":
		return cmdImport
	case "export":
		return cmdExport
	case "reset":
		return func(args []string, stdout, stderr io.Writer) error { return cmdReset(args, os.Stdin, stdout, stderr) }
	case "keys":
		return func(args []string, stdout, _ io.Writer) error { return cmdKeys(args, stdout) }
	case "compact":
		return cmdCompact
	case "ca":
		return cmdCA
	case "scenario":
		return cmdScenario
	case "version":
		return cmdVersion
	}
	return nil
}

// cmdHelp is `valet help [COMMAND]`: the overview, or the command's own --help.
func cmdHelp(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || strings.HasPrefix(args[0], "-") {
		printUsage(stdout)
		return nil
	}
	fn := commandFunc(args[0])
	if fn == nil {
		return usagef("help: unknown command %q: %s", args[0], shortUsage)
	}
	return fn([]string{"--help"}, stdout, stderr)
}

func cmdVersion(args []string, stdout, _ io.Writer) error {
	c := newCommand("version", "valet version", "Print the version of this Valet binary.")
	if err := c.parseNone(args, stdout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "valet %s\n", version)
	return nil
}

const shortUsage = "run 'valet help' for the commands"

// printUsage is `valet help`. The flags of serve are listed from its flag set, so they cannot drift.
func printUsage(w io.Writer) {
	fmt.Fprint(w, usageText)
	fmt.Fprintln(w, "\nFlags for serve (and for plain 'valet'):")
	printFlags(w, newServeCommand("serve", &serveFlags{}).fs)
	fmt.Fprintln(w, "\nDocs: docs/README.md in the source tree.")
}

const usageText = `Valet — a SMART on FHIR sandbox on your own machine.

Usage:
  valet                 open the desktop window (desktop build) or serve headless
  valet serve [flags]   run the sandbox headless: authorization server, FHIR API, control panel
  valet generate        add synthetic patients: --patients N (100) --seed S (42) --personas --years Y (10) --as-of DATE
  valet import PATH...  load FHIR Bundles (transaction, batch, collection) and NDJSON files; each file is
                        stored whole or not at all
  valet export DIR      write every resource as NDJSON, one <Type>.ndjson per type (--types T1,T2 to limit)
  valet reset           delete all FHIR data and load the default population again (--yes to skip the prompt)
  valet keys rotate     add new token signing keys (old ones stay published until their tokens expire)
  valet keys list       list the published token signing keys
  valet compact         rewrite valet.db without its free space (with Valet stopped)
  valet scenario run F  apply a scenario file (apps, launch, simulations, clock, data) and print the launch URL
                        and the app's credentials; 'valet scenario check F' validates one (docs/scenarios.md)
  valet ca              show the local CA of 'serve --tls' and how to trust it (--pem: its certificate)
  valet version         print the version
  valet help [COMMAND]  print this help, or a command's usage and flags

Every command takes --data DIR (default: the user data directory). Flags may come before or after
the arguments; -- ends them. 'valet COMMAND --help' lists a command's flags.
`

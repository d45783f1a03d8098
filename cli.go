package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// command is one `valet` command's flags and what its --help says about it. Every command parses its
// command line through parse, so all of them take flags the same way.
type command struct {
	fs      *flag.FlagSet
	usage   string // the synopsis: "valet export [flags] DIR"
	summary string // one sentence: what the command does
}

func newCommand(name, usage, summary string) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parse reports errors and help itself
	return &command{fs: fs, usage: usage, summary: summary}
}

// errHelpShown ends a command whose --help was printed: nothing failed, so the exit code is 0.
var errHelpShown = errors.New("help shown")

// helpCmd is what to run for this command's flags: "valet export --help", or "valet --help" for plain valet.
func (c *command) helpCmd() string {
	if c.fs.Name() == "valet" {
		return "valet --help"
	}
	return "valet " + c.fs.Name() + " --help"
}

// parse sets the flags in args and returns the other arguments. Flags may come before, between and after
// the arguments, as people type them (`valet export ./out --data DIR`). -h or --help prints the command's
// help on stdout and returns errHelpShown.
func (c *command) parse(args []string, stdout io.Writer) ([]string, error) {
	flags, positional, err := splitArgs(c.fs, args)
	if err == nil {
		err = c.fs.Parse(flags)
	}
	var unknown unknownFlagError
	switch {
	case err == nil:
		return positional, nil
	case errors.Is(err, flag.ErrHelp):
		c.printHelp(stdout)
		return nil, errHelpShown
	case errors.As(err, &unknown):
		return nil, c.usagef("unknown flag %s: run '%s' for the list", string(unknown), c.helpCmd())
	}
	return nil, c.usagef("%v: run '%s' for the flags", err, c.helpCmd())
}

// usagef is a usageError naming the command, except for plain valet, where "valet: " already does.
func (c *command) usagef(format string, args ...any) error {
	if c.fs.Name() == "valet" {
		return usagef(format, args...)
	}
	return usagef(c.fs.Name()+": "+format, args...)
}

// unexpected refuses an argument the command does not take.
// parseNone is parse for a command that takes no arguments: any is refused.
func (c *command) parseNone(args []string, stdout io.Writer) error {
	rest, err := c.parse(args, stdout)
	if err == nil && len(rest) > 0 {
		err = c.unexpected(rest[0])
	}
	return err
}

func (c *command) unexpected(arg string) error {
	return c.usagef("unexpected argument %q: run '%s' for its usage", arg, c.helpCmd())
}

type unknownFlagError string

func (e unknownFlagError) Error() string { return "unknown flag " + string(e) }

// splitArgs separates args into the flags fs defines, each with its value, and the positional arguments.
// It follows the flag package's grammar (-f, --f, -f=v, and -f v unless f is boolean) so that fs.Parse
// of the flags reads them as it always would; only where they may stand changes. "--" ends the flags:
// everything after it is positional. Splitting in one pass, rather than calling fs.Parse again after each
// argument it stops at, is what tells "--" ending the flags from "--" as a value (`--data --`).
func splitArgs(fs *flag.FlagSet, args []string) (flags, positional []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return flags, append(positional, args[i+1:]...), nil
		}
		if len(a) < 2 || a[0] != '-' { // "-" alone is an argument: stdin, by convention
			positional = append(positional, a)
			continue
		}
		typed, _, hasValue := strings.Cut(a, "=")
		name := strings.TrimPrefix(typed[1:], "-")
		f := fs.Lookup(name)
		if f == nil {
			if name == "h" || name == "help" {
				return nil, nil, flag.ErrHelp
			}
			return nil, nil, unknownFlagError(typed)
		}
		flags = append(flags, a)
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); hasValue || (ok && b.IsBoolFlag()) {
			continue
		}
		if i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	return flags, positional, nil
}

// printHelp is `valet CMD --help`: the synopsis, what the command does, and its flags with their defaults.
func (c *command) printHelp(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s\n\n%s\n", c.usage, c.summary)
	n := 0
	c.fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintln(w, "\nFlags, before or after the arguments (-- ends them):")
		printFlags(w, c.fs)
	}
}

// printFlags lists fs's flags as people type them, "--name VALUE", with the default where it is not the
// zero value. A word in backquotes in a flag's usage names its value, as with flag.PrintDefaults.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			arg = ""
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(tw, "  %s\t%s\n", strings.TrimSpace("--"+f.Name+" "+arg), usage)
	})
	tw.Flush()
}

// dataFlag defines --data, which every command takes, naming the default directory on this machine.
func dataFlag(fs *flag.FlagSet, p *string) {
	def := "the user data directory"
	if d, err := defaultDataDir(); err == nil {
		def = d
	}
	fs.StringVar(p, "data", "", "keep valet.db in `DIR`, created when missing (default "+def+")")
}

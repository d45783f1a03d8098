package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// runIn runs one command line in this process. Tests using it first point XDG_DATA_HOME at a temporary
// directory, so a --data that is not honoured cannot touch the real sandbox.
func runIn(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return out.String(), errb.String(), code
}

// TestFlagsAfterArguments: people type the flags where they think of them, after the paths as often as
// before; every command takes them either way.
func TestFlagsAfterArguments(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	dir := t.TempDir()
	in := t.TempDir()
	os.WriteFile(filepath.Join(in, "a.ndjson"), []byte(`{"resourceType":"Patient","id":"a"}`+"\n"), 0o644)
	os.WriteFile(filepath.Join(in, "b.ndjson"), []byte(`{"resourceType":"Patient","id":"b"}`+"\n"), 0o644)
	out := filepath.Join(t.TempDir(), "out")

	for _, c := range []struct {
		args []string
		want string // in stdout
	}{
		{[]string{"import", filepath.Join(in, "a.ndjson"), "--data", dir, filepath.Join(in, "b.ndjson")}, "Imported 2 of 2 files"},
		{[]string{"export", out, "--data", dir}, "Exported 2 resources"},
		{[]string{"export", "--types", "Patient", out, "--data=" + dir}, "Exported 2 resources"},
		{[]string{"keys", "--data", dir, "list"}, "KID"},
		{[]string{"keys", "list", "--data", dir}, "KID"},
	} {
		stdout, stderr, code := runIn(t, c.args...)
		if code != 0 || !strings.Contains(stdout, c.want) {
			t.Errorf("%v: exit %d, want 0 and %q in stdout\nstdout: %s\nstderr: %s", c.args, code, c.want, stdout, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "Patient.ndjson")); err != nil {
		t.Errorf("export did not write into %s: %v", out, err)
	}
}

// TestArgumentsAfterFlagsStayArguments: a boolean flag takes no value, so what follows it is an argument, and
// a stray one is refused by name; after "--" everything is an argument, even what looks like a flag.
func TestArgumentsAfterFlagsStayArguments(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"generate", "--personas", "5", "--data", dir}, `unexpected argument "5"`},
		{[]string{"serve", "--empty", "extra", "--data", dir}, `unexpected argument "extra"`},
		{[]string{"reset", "--yes", "extra", "--data", dir}, `unexpected argument "extra"`},
		{[]string{"keys", "list", "--data", dir, "--", "--yes"}, `unexpected argument "--yes"`},
		{[]string{"export", "--data", dir, "--", "a", "b"}, "name one directory"},
	} {
		_, stderr, code := runIn(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line with %q", c.args, code, stderr, c.want)
		}
	}

	// "--" lets a directory whose name starts with "-" be exported into.
	t.Chdir(t.TempDir())
	stdout, stderr, code := runIn(t, "export", "--data", dir, "--", "--odd")
	if code != 0 || !strings.Contains(stdout, "Exported 0 resources to --odd") {
		t.Fatalf("export -- --odd: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if st, err := os.Stat("--odd"); err != nil || !st.IsDir() {
		t.Errorf("no directory --odd: %v", err)
	}
}

// TestCommandHelp: --help, -h and `valet help CMD` print the command's usage, what it does and its flags with
// their defaults, on stdout, with exit code 0.
func TestCommandHelp(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	for _, c := range []struct {
		cmd   string
		flags []string // each must be listed
		defs  []string // defaults that must be shown
	}{
		{"serve", []string{"--addr", "--data", "--base-url", "--empty", "--tls"}, []string{"127.0.0.1:8765"}},
		{"generate", []string{"--patients", "--seed", "--personas", "--years", "--data"}, []string{"100", "42", "10"}},
		{"import", []string{"--data"}, nil},
		{"export", []string{"--data", "--types"}, nil},
		{"reset", []string{"--data", "--yes"}, nil},
		{"keys", []string{"--data"}, nil},
		{"ca", []string{"--data", "--pem"}, nil},
		{"version", nil, nil},
	} {
		for _, args := range [][]string{{c.cmd, "--help"}, {c.cmd, "-h"}, {"help", c.cmd}, {c.cmd, "--data", "x", "-help"}} {
			if c.cmd == "version" && len(args) == 4 {
				continue
			}
			stdout, stderr, code := runIn(t, args...)
			if code != 0 || stderr != "" {
				t.Errorf("%v: exit %d, stderr %q; want 0 and nothing on stderr", args, code, stderr)
				continue
			}
			if !strings.HasPrefix(stdout, "Usage: valet "+c.cmd) {
				t.Errorf("%v: does not start with the usage line: %q", args, stdout)
			}
			for _, f := range c.flags {
				if !regexp.MustCompile(`(?m)^\s+` + f + `\b`).MatchString(stdout) {
					t.Errorf("%v: flag %s not listed:\n%s", args, f, stdout)
				}
			}
			for _, d := range c.defs {
				if !strings.Contains(stdout, "(default "+d+")") {
					t.Errorf("%v: default %s not shown:\n%s", args, d, stdout)
				}
			}
		}
	}
	// keys rotate|list share the keys page.
	if stdout, _, code := runIn(t, "keys", "rotate", "--help"); code != 0 || !strings.Contains(stdout, "rotate") || !strings.Contains(stdout, "list") {
		t.Errorf("keys rotate --help: exit %d\n%s", code, stdout)
	}
}

// TestHelpOverview: `valet help`, `valet --help` and `valet -h` print every command, and name every flag any
// command takes, so the overview stays true as flags are added.
func TestHelpOverview(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	overview, _, code := runIn(t, "help")
	if code != 0 {
		t.Fatalf("valet help: exit %d", code)
	}
	for _, alias := range [][]string{{"--help"}, {"-h"}, {"help", "help"}} {
		if out, _, code := runIn(t, alias...); code != 0 || out != overview {
			t.Errorf("%v: exit %d, and not the same overview as valet help:\n%s", alias, code, out)
		}
	}
	flagLine := regexp.MustCompile(`(?m)^\s+(--[a-z-]+)`)
	for _, cmd := range []string{"serve", "generate", "import", "export", "reset", "keys", "ca", "version"} {
		if !strings.Contains(overview, "valet "+cmd) {
			t.Errorf("overview does not list valet %s", cmd)
		}
		page, _, _ := runIn(t, cmd, "--help")
		for _, m := range flagLine.FindAllStringSubmatch(page, -1) {
			if !strings.Contains(overview, m[1]) {
				t.Errorf("overview does not mention %s %s", cmd, m[1])
			}
		}
	}
	if !strings.Contains(overview, "--help") {
		t.Error("overview does not say how to get a command's flags")
	}
}

// TestUnknownFlag names the flag as typed and where the list is.
func TestUnknownFlag(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"generate", "--colour", "red"}, []string{"unknown flag --colour", "valet generate --help"}},
		{[]string{"export", "./out", "--typs=Patient"}, []string{"unknown flag --typs", "valet export --help"}},
		{[]string{"keys", "rotate", "-dta", "x"}, []string{"unknown flag -dta", "valet keys --help"}},
		{[]string{"--port", "80"}, []string{"unknown flag --port", "valet --help"}},
	} {
		stdout, stderr, code := runIn(t, c.args...)
		if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and one line on stderr", c.args, code, stdout, stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%v: %q does not contain %q", c.args, stderr, w)
			}
		}
	}
}

// TestSplitArgs: where each argument goes, for the forms the flag package accepts.
func TestSplitArgs(t *testing.T) {
	for _, c := range []struct {
		desc       string
		args       []string
		data       string
		yes        bool
		positional []string
		err        string
	}{
		{"flags before", []string{"--data", "d", "a"}, "d", false, []string{"a"}, ""},
		{"flags after", []string{"a", "b", "--data", "d"}, "d", false, []string{"a", "b"}, ""},
		{"flags between", []string{"a", "-data=d", "b", "-yes"}, "d", true, []string{"a", "b"}, ""},
		{"boolean takes no value", []string{"--yes", "a"}, "", true, []string{"a"}, ""},
		{"boolean with =value", []string{"--yes=false", "a"}, "", false, []string{"a"}, ""},
		{"-- ends the flags", []string{"a", "--", "--yes", "--data", "d"}, "", false, []string{"a", "--yes", "--data", "d"}, ""},
		{"-- as a value is a value", []string{"--data", "--", "a", "--yes"}, "--", true, []string{"a"}, ""},
		{"a lone - is an argument", []string{"-", "--yes"}, "", true, []string{"-"}, ""},
		{"value that looks like a flag", []string{"--data", "--yes"}, "--yes", false, nil, ""},
		{"missing value", []string{"a", "--data"}, "", false, nil, "flag needs an argument: -data"},
		{"unknown flag as typed", []string{"a", "--dta=d"}, "", false, nil, "unknown flag --dta"},
		{"help", []string{"a", "-h"}, "", false, nil, "help requested"},
	} {
		t.Run(c.desc, func(t *testing.T) {
			cmd := newCommand("test", "valet test", "A test.")
			var data string
			var yes bool
			dataFlag(cmd.fs, &data)
			cmd.fs.BoolVar(&yes, "yes", false, "")
			flags, positional, err := splitArgs(cmd.fs, c.args)
			if err == nil {
				err = cmd.fs.Parse(flags)
			}
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if data != c.data || yes != c.yes || strings.Join(positional, "|") != strings.Join(c.positional, "|") || cmd.fs.NArg() != 0 {
				t.Errorf("data %q yes %v positional %q (left %q); want %q %v %q", data, yes, positional, cmd.fs.Args(), c.data, c.yes, c.positional)
			}
		})
	}
}

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestKeysRotateAndList(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := run([]string{"keys", "list", "--data", dir}, &out, &errb); code != 0 {
		t.Fatalf("keys list: %d %s", code, errb.String())
	}
	kidRE := regexp.MustCompile(`(?m)^(\S+)\s+(RS256|ES256)\s+active`)
	first := kidRE.FindAllStringSubmatch(out.String(), -1)
	if len(first) != 2 {
		t.Fatalf("keys list on a new sandbox: %q", out.String())
	}
	out.Reset()
	if code := run([]string{"keys", "rotate", "--data", dir}, &out, &errb); code != 0 {
		t.Fatalf("keys rotate: %d %s", code, errb.String())
	}
	for _, k := range first {
		if !regexp.MustCompile(`old ` + k[2] + ` key ` + regexp.QuoteMeta(k[1]) + ` stays published until \d{4}-\d\d-\d\dT`).MatchString(out.String()) {
			t.Errorf("rotate output does not say until when %s stays published: %q", k[1], out.String())
		}
	}
	if n := len(regexp.MustCompile(`(?m)^new (RS256|ES256) key `).FindAllString(out.String(), -1)); n != 2 {
		t.Errorf("rotate output names %d new keys: %q", n, out.String())
	}
	out.Reset()
	run([]string{"keys", "list", "--data", dir}, &out, &errb)
	second := kidRE.FindAllStringSubmatch(out.String(), -1)
	if len(second) != 2 || second[0][1] == first[0][1] || second[1][1] == first[1][1] || strings.Count(out.String(), "retired") != 2 {
		t.Errorf("keys list after rotation: %q", out.String())
	}
}

func TestKeysBadInput(t *testing.T) {
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes")
	os.MkdirAll(notes, 0o755)
	os.WriteFile(filepath.Join(notes, "valet.db"), []byte("my notes\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"keys"}, "keys needs a subcommand: use 'valet keys rotate"},
		{[]string{"keys", "spin"}, `unknown keys subcommand "spin"`},
		{[]string{"keys", "rotate", "--dta", dir}, "unknown flag --dta: run 'valet keys --help'"},
		{[]string{"keys", "list", "extra"}, `unexpected argument "extra"`},
		{[]string{"keys", "rotate", "--data", notes}, "is not a Valet database (it was left untouched): move it away or choose another --data directory"},
	} {
		var out, errb bytes.Buffer
		code := run(tc.args, &out, &errb)
		msg := errb.String()
		if code != 2 || strings.Count(msg, "\n") != 1 || !strings.Contains(msg, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line with %q", tc.args, code, msg, tc.want)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(notes, "valet.db")); string(b) != "my notes\n" {
		t.Error("keys rotate touched a file that is not a database")
	}
}

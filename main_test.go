package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/frontend"
	"github.com/valet-sandbox/valet/server/store"
)

// The test binary doubles as the valet binary: with VALET_TEST_MAIN=1 it runs the CLI instead of the
// tests, so the tests below exercise the real process (flags, signals, exit codes) without a go build.
func TestMain(m *testing.M) {
	if os.Getenv("VALET_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func valetCmd(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "VALET_TEST_MAIN=1", "XDG_DATA_HOME="+t.TempDir())
	return cmd
}

func TestVersionAndHelp(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"version"}, &out, &errb); code != 0 || out.String() != "valet "+version+"\n" {
		t.Errorf("version: code %d, out %q", code, out.String())
	}
	out.Reset()
	if code := run([]string{"help"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "valet serve") {
		t.Errorf("help: code %d, out %q", code, out.String())
	}
}

// TestBadInput: each mistake gives one line naming the problem and the fix, exit code 2, and leaves files alone.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes")
	os.MkdirAll(notes, 0o755)
	os.WriteFile(filepath.Join(notes, "valet.db"), []byte("my notes\n"), 0o644)
	shortPW, goodPW := filepath.Join(dir, "short-pw"), filepath.Join(dir, "good-pw")
	os.WriteFile(shortPW, []byte("abc\n"), 0o600)
	os.WriteFile(goodPW, []byte(testAdminPassword+"\n"), 0o600)
	aFile := filepath.Join(dir, "a-file")
	os.WriteFile(aFile, []byte("x"), 0o644)
	newer := filepath.Join(dir, "newer")
	makeNewerDB(t, newer)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()

	cases := []struct {
		name string
		args []string
		want []string // substrings of the one-line message
		keep string   // a file that must be left untouched
	}{
		{"unknown command", []string{"frobnicate"}, []string{`unknown command "frobnicate"`, "valet help"}, ""},
		{"unknown flag", []string{"serve", "--port", "80"}, []string{"unknown flag --port", "valet serve --help"}, ""},
		{"stray argument", []string{"serve", "extra"}, []string{`unexpected argument "extra"`}, ""},
		{"bad addr", []string{"serve", "--addr", "nonsense"}, []string{`--addr "nonsense"`, "127.0.0.1:8765"}, ""},
		{"bad port", []string{"serve", "--addr", "127.0.0.1:99999"}, []string{"--addr", "127.0.0.1:8765"}, ""},
		{"shared without password", []string{"serve", "--shared"}, []string{"--shared", "needs an admin password", "VALET_ADMIN_PASSWORD", "--admin-password-file"}, ""},
		{"beyond loopback without password", []string{"serve", "--addr", "0.0.0.0:8765", "--base-url", "https://valet.lan:8765"},
			[]string{"beyond loopback", "needs an admin password", "VALET_ADMIN_PASSWORD"}, ""},
		{"short admin password", []string{"serve", "--shared", "--admin-password-file", shortPW}, []string{"at least 8", "longer"}, ""},
		{"missing password file", []string{"serve", "--shared", "--admin-password-file", filepath.Join(dir, "nope")}, []string{"cannot read --admin-password-file"}, ""},
		{"shared over plain http", []string{"serve", "--shared", "--admin-password-file", goodPW, "--data", t.TempDir()},
			[]string{"must be served over HTTPS", "--tls", "--insecure-http"}, ""},
		{"beyond loopback over plain http", []string{"serve", "--addr", "198.51.100.1:0", "--admin-password-file", goodPW, "--data", t.TempDir()},
			[]string{"must be served over HTTPS", "--tls", "--insecure-http"}, ""},
		{"every interface without base url", []string{"serve", "--addr", "0.0.0.0:8765", "--admin-password-file", goodPW}, []string{"every interface", "--base-url"}, ""},
		{"shared flags in local mode", []string{"serve", "--insecure-http"}, []string{"are for shared mode", "--shared"}, ""},
		{"bad trusted proxy", []string{"serve", "--trusted-proxy", "proxy.lan"}, []string{`"proxy.lan" is not an IP address or CIDR`}, ""},
		{"bad base url", []string{"serve", "--base-url", "localhost:8765/x"}, []string{"--base-url", "scheme and host"}, ""},
		{"unwritable data", []string{"serve", "--data", filepath.Join(aFile, "sub")}, []string{"cannot create data directory", "--data"}, aFile},
		{"not a database", []string{"serve", "--data", notes}, []string{"is not a Valet database", "left untouched", "--data"}, filepath.Join(notes, "valet.db")},
		{"newer database", []string{"serve", "--data", newer}, []string{"newer Valet", "upgrade Valet"}, filepath.Join(newer, "valet.db")},
		{"port in use", []string{"serve", "--data", t.TempDir(), "--addr", busy.Addr().String()}, []string{"port", "in use", "--addr"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before []byte
			if c.keep != "" {
				before, _ = os.ReadFile(c.keep)
			}
			cmd := valetCmd(t, c.args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			if code := cmd.ProcessState.ExitCode(); code != 2 {
				t.Fatalf("exit code %d (%v), want 2; stderr: %s", code, err, stderr.String())
			}
			msg := stderr.String()
			if strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "valet: ") {
				t.Errorf("want exactly one line starting with 'valet: ', got %q", msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not contain %q", msg, w)
				}
			}
			if c.keep != "" {
				after, _ := os.ReadFile(c.keep)
				if !bytes.Equal(before, after) {
					t.Errorf("%s was modified", c.keep)
				}
			}
		})
	}
}

func makeNewerDB(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	os.MkdirAll(dir, 0o755)
	db, err := store.Open(ctx, filepath.Join(dir, "valet.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Tx(ctx, func(tx *store.Tx) error {
		_, err := tx.SQL().ExecContext(ctx, `INSERT INTO schema_migrations VALUES (9999, 'future', 'x')`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

var bannerLine = regexp.MustCompile(`^\s+(Control panel|FHIR base|Data file):\s+(\S+)$`)

// startServe runs `valet serve` on a free port and returns the banner's values once it is listening.
func startServe(t *testing.T, args ...string) (*exec.Cmd, map[string]string, *bytes.Buffer) {
	t.Helper()
	cmd := valetCmd(t, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &bytes.Buffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	banner := map[string]string{}
	lines := bufio.NewScanner(stdout)
	deadline := time.AfterFunc(20*time.Second, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	for lines.Scan() {
		if m := bannerLine.FindStringSubmatch(lines.Text()); m != nil {
			banner[m[1]] = m[2]
		}
		if strings.HasPrefix(lines.Text(), "Press Ctrl+C") {
			break
		}
	}
	if len(banner) != 3 {
		t.Fatalf("banner incomplete: %v; stderr: %s", banner, stderr)
	}
	go io.Copy(io.Discard, stdout)
	return cmd, banner, stderr
}

func TestServeAnswersAndStopsCleanly(t *testing.T) {
	dir := t.TempDir()
	cmd, banner, stderr := startServe(t, "--data", dir)
	if want := filepath.Join(dir, "valet.db"); banner["Data file"] != want {
		t.Errorf("data file %q, want %q", banner["Data file"], want)
	}
	base := strings.TrimSuffix(banner["Control panel"], "/")
	if banner["FHIR base"] != base+"/fhir" {
		t.Errorf("FHIR base %q, control panel %q", banner["FHIR base"], banner["Control panel"])
	}
	resp, err := http.Get(base + "/api/status")
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		FHIRBaseURL string `json:"fhir_base_url"`
		DataFile    string `json:"data_file"`
	}
	json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if st.FHIRBaseURL != banner["FHIR base"] || st.DataFile != banner["Data file"] {
		t.Errorf("/api/status says %+v, banner says %v", st, banner)
	}

	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v; stderr: %s", err, stderr)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("valet serve did not stop within 15 s of SIGTERM")
	}
	if !strings.Contains(stderr.String(), "Valet stopped.") {
		t.Errorf("stderr %q lacks the stop message", stderr)
	}
	// This checkout's frontend/dist may or may not be built; the note follows what was embedded.
	if noted := strings.Contains(stderr.String(), "control panel is not built"); noted == frontend.Built() {
		t.Errorf("panel built: %v, yet the not-built note shown: %v; stderr: %s", frontend.Built(), noted, stderr)
	}
	// A clean close checkpoints the WAL into the database file.
	if st, err := os.Stat(filepath.Join(dir, "valet.db-wal")); err == nil && st.Size() > 0 {
		t.Errorf("WAL holds %d bytes after shutdown: the database was not closed cleanly", st.Size())
	}
	if _, err := net.DialTimeout("tcp", strings.TrimPrefix(base, "http://"), time.Second); err == nil {
		t.Error("port still answers after shutdown")
	}
}

func TestServeDefaultsToUserDataDir(t *testing.T) {
	cmd := valetCmd(t, "serve", "--addr", "127.0.0.1:0", "--empty")
	xdg := t.TempDir()
	cmd.Env = append(cmd.Env, "XDG_DATA_HOME="+xdg)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	sc := bufio.NewScanner(stdout)
	want := filepath.Join(xdg, "valet", "valet.db")
	for sc.Scan() {
		if m := bannerLine.FindStringSubmatch(sc.Text()); m != nil && m[1] == "Data file" {
			if m[2] != want {
				t.Errorf("default data file %q, want %q", m[2], want)
			}
			return
		}
	}
	t.Fatal("no Data file line")
}

// TestCompact: `valet compact` rewrites an idle database and says how much smaller it got; with the
// sandbox open it refuses and says to stop Valet.
func TestCompact(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"generate", "--patients", "2", "--data", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("generate: %d %s", code, stderr.String())
	}
	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"compact", "--data", dir}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "Compacted ") {
		t.Fatalf("compact: %d %q %q", code, stdout.String(), stderr.String())
	}
	db, err := store.Open(context.Background(), filepath.Join(dir, "valet.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"compact", "--data", dir}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "stop Valet") {
		t.Errorf("compact while open: %d %q", code, stderr.String())
	}
	if code := run([]string{"compact", "--data", t.TempDir()}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "no ") {
		t.Errorf("compact without a database: %d %q", code, stderr.String())
	}
}

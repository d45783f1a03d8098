package main

import (
	"bufio"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var controlPanelLine = regexp.MustCompile(`Control panel:\s+(\S+)`)

// BenchmarkColdStart measures a `valet serve` process from exec to its first answered /api/status, on an
// existing database, and reports the idle resident memory of the running server.
//
//	go test -run '^$' -bench ColdStart -benchtime 20x .
func BenchmarkColdStart(b *testing.B) {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	data := b.TempDir()
	start := func() (*exec.Cmd, string) {
		cmd := exec.Command(exe, "serve", "--addr", "127.0.0.1:0", "--data", data)
		cmd.Env = append(os.Environ(), "VALET_TEST_MAIN=1")
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := controlPanelLine.FindStringSubmatch(sc.Text()); m != nil {
				return cmd, strings.TrimSuffix(m[1], "/")
			}
		}
		b.Fatal("no banner")
		return nil, ""
	}
	stop := func(cmd *exec.Cmd) { cmd.Process.Signal(os.Interrupt); cmd.Wait() }
	get := func(base string) {
		resp, err := http.Get(base + "/api/status")
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("status: %v %v", resp, err)
		}
		resp.Body.Close()
	}
	cmd, _ := start() // creates and migrates the database once, so every timed start opens an existing one
	stop(cmd)

	var rss float64
	b.ResetTimer()
	for range b.N {
		cmd, base := start()
		get(base)
		b.StopTimer()
		time.Sleep(200 * time.Millisecond) // idle
		rss = max(rss, rssMB(cmd.Process.Pid))
		stop(cmd)
		b.StartTimer()
	}
	b.ReportMetric(rss, "idle-rss-MB")
}

func rssMB(pid int) float64 {
	status, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

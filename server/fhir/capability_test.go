package fhir

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestCapabilityStatementGolden keeps the CapabilityStatement honest: any change to what the server
// supports shows up as a diff of testdata/capability.golden.json (regenerate with -update).
func TestCapabilityStatementGolden(t *testing.T) {
	e := newEnv(t)
	e.s.cfg.Version = "test"
	got := e.s.CapabilityStatement()
	path := filepath.Join("testdata", "capability.golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run Golden -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("CapabilityStatement differs from %s; run go test -run Golden -update and review the diff", path)
	}
	for _, must := range []string{`"us-core-server"`, `"SMART-on-FHIR"`, `"oauth-uris"`, `"http://valet.test/auth/introspect"`, `"everything"`} {
		if !bytes.Contains(got, []byte(must[1:len(must)-1])) {
			t.Errorf("CapabilityStatement lacks %s", must)
		}
	}
}

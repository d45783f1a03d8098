package fhir

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/valet-sandbox/valet/internal/uscore"
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

// usCoreGaps are the US Core 6.1.0 search parameters Valet does not index, so the CapabilityStatement
// must not claim them (docs/fhir.md lists them). None today; a parameter taken out of the table goes here.
var usCoreGaps = map[string][]string{}

// TestCapabilityStatementUSCore checks the statement against internal/uscore: every US Core profile of a
// type is a supportedProfile; every US Core search parameter is declared with US Core's definition unless
// it is a known gap; every combination of declared parameters is declared, and no other.
func TestCapabilityStatementUSCore(t *testing.T) {
	e := newEnv(t)
	var cs struct {
		Rest []struct {
			Resource []struct {
				Type             string
				SupportedProfile []string
				SearchParam      []struct{ Name, Type, Definition string }
				Extension        []struct {
					URL       string
					Extension []struct{ URL, ValueString, ValueCode string }
				}
			}
		}
	}
	if err := json.Unmarshal(e.s.CapabilityStatement(), &cs); err != nil {
		t.Fatal(err)
	}
	declared := map[string]bool{}
	profiles := 0
	for _, r := range cs.Rest[0].Resource {
		declared[r.Type] = true
		for _, p := range uscore.ProfilesOf(r.Type) {
			if r.Type != "Basic" && !slices.Contains(r.SupportedProfile, p.URL()) {
				t.Errorf("%s: supportedProfile lacks %s", r.Type, p.URL())
			}
			profiles++
		}
		us := uscore.SearchesOf(r.Type)
		defs := map[string]string{}
		for _, sp := range r.SearchParam {
			defs[sp.Name] = sp.Definition
		}
		for _, p := range us.Params {
			gap := slices.Contains(usCoreGaps[r.Type], p.Name)
			switch def, ok := defs[p.Name]; {
			case gap && ok:
				t.Errorf("%s?%s is declared but listed as a gap: drop it from usCoreGaps and docs/fhir.md", r.Type, p.Name)
			case !gap && def != p.Definition(r.Type):
				t.Errorf("%s?%s: definition %q, want US Core's %s", r.Type, p.Name, def, p.Definition(r.Type))
			}
		}
		var combos []string
		for _, ext := range r.Extension {
			var req []string
			for _, x := range ext.Extension {
				if x.URL == "required" {
					req = append(req, x.ValueString)
				}
			}
			for _, n := range req {
				if defs[n] == "" {
					t.Errorf("%s: combination %v names the undeclared %s", r.Type, req, n)
				}
			}
			combos = append(combos, strings.Join(req, "+"))
		}
		for _, c := range us.Combinations {
			supported := true
			for _, n := range c.Params {
				supported = supported && !slices.Contains(usCoreGaps[r.Type], n)
			}
			if has := slices.Contains(combos, strings.Join(c.Params, "+")); has != supported {
				t.Errorf("%s: combination %v declared %v, want %v", r.Type, c.Params, has, supported)
			}
		}
	}
	for _, typ := range uscore.SearchTypes() {
		if !declared[typ] {
			t.Errorf("US Core searches %s, the CapabilityStatement does not list it", typ)
		}
	}
	if profiles != len(uscore.Profiles()) {
		t.Errorf("%d of %d US Core profiles are on declared types", profiles, len(uscore.Profiles()))
	}
}

// TestUSCoreDocs keeps docs/fhir.md's US Core table in line with the statement: every profile, every
// declared combination and every gap is named in the row of its type.
func TestUSCoreDocs(t *testing.T) {
	doc, err := os.ReadFile("../../docs/fhir.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(doc), "\n") {
		if cells := strings.Split(line, " | "); len(cells) == 4 && strings.HasPrefix(cells[0], "| ") {
			rows[strings.TrimPrefix(cells[0], "| ")] = line
		}
	}
	for _, p := range uscore.Profiles() {
		if !strings.Contains(rows[p.Type], "`"+p.ID+"`") {
			t.Errorf("docs/fhir.md: the %s row lacks profile %s", p.Type, p.ID)
		}
	}
	for _, typ := range uscore.SearchTypes() {
		for _, c := range searchCombinations(typ) {
			var req []string
			for _, x := range c.(object)["extension"].([]any)[1:] {
				req = append(req, x.(object)["valueString"].(string))
			}
			if !strings.Contains(rows[typ], "`"+strings.Join(req, "+")+"`") {
				t.Errorf("docs/fhir.md: the %s row lacks combination %s", typ, strings.Join(req, "+"))
			}
		}
		for _, gap := range usCoreGaps[typ] {
			if !strings.Contains(rows[typ], "~~"+gap+"~~") {
				t.Errorf("docs/fhir.md: the %s row does not strike %s through", typ, gap)
			}
		}
	}
}

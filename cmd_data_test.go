package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/valet-sandbox/valet/server/store"
)

func runValet(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := valetCmd(t, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Run()
	return out.String(), errb.String(), cmd.ProcessState.ExitCode()
}

func counts(t *testing.T, dir string) map[string]int {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(dir, "valet.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, err := db.CountByType(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// missingIndexes lists the search indexes a bulk load defers that the database in dir lacks.
func missingIndexes(t *testing.T, dir string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "valet.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var missing []string
	for _, name := range []string{"idx_token_value", "idx_string_value", "idx_ref_target", "compartment_patient"} {
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?`, name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			missing = append(missing, name)
		}
	}
	return missing
}

// TestGenerateExportImportRoundTrip: what generate stores, export writes and import loads back, type by type.
func TestGenerateExportImportRoundTrip(t *testing.T) {
	src, dst, out := t.TempDir(), t.TempDir(), filepath.Join(t.TempDir(), "export")
	stdout, stderr, code := runValet(t, "generate", "--data", src, "--patients", "3", "--seed", "11", "--years", "2")
	if code != 0 || !strings.Contains(stdout, "Stored 3 patients") || !strings.Contains(stderr, "Generating") {
		t.Fatalf("generate: code %d\n%s\n%s", code, stdout, stderr)
	}
	// Into a new sandbox, the search indexes are built at the end, and the progress says so.
	if !strings.Contains(stderr, "building search indexes") {
		t.Errorf("generate's progress does not mention the index build:\n%s", stderr)
	}
	want := counts(t, src)
	if want["Patient"] != 3 || want["Observation"] == 0 {
		t.Fatalf("generated %v", want)
	}
	if stdout, stderr, code = runValet(t, "export", "--data", src, out); code != 0 {
		t.Fatalf("export: code %d\n%s\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "Patient.ndjson")); err != nil {
		t.Fatal(err)
	}
	if stdout, stderr, code = runValet(t, "import", "--data", dst, out); code != 0 || !strings.Contains(stdout, "Imported") {
		t.Fatalf("import: code %d\n%s\n%s", code, stdout, stderr)
	}
	// Into an empty sandbox the import, too, builds the search indexes it does not need at the end.
	if !strings.Contains(stderr, "building search indexes") {
		t.Errorf("import's progress does not mention the index build:\n%s", stderr)
	}
	if missing := missingIndexes(t, dst); len(missing) > 0 {
		t.Errorf("after the import, indexes missing: %v", missing)
	}
	got := counts(t, dst)
	for typ, n := range want {
		if got[typ] != n {
			t.Errorf("%s: exported %d, imported %d", typ, n, got[typ])
		}
	}
}

// TestGenerateAsOf: --as-of moves the data's "now": every encounter of a one-year record lies in the
// year before it.
func TestGenerateAsOf(t *testing.T) {
	src, out := t.TempDir(), filepath.Join(t.TempDir(), "export")
	if _, stderr, code := runValet(t, "generate", "--data", src, "--patients", "4", "--seed", "5", "--years", "1", "--as-of", "2024-03-15"); code != 0 {
		t.Fatal(stderr)
	}
	if _, stderr, code := runValet(t, "export", "--data", src, out); code != 0 {
		t.Fatal(stderr)
	}
	b, err := os.ReadFile(filepath.Join(out, "Encounter.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for _, line := range lines {
		var e struct {
			Period struct{ Start, End string }
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		if e.Period.Start < "2023-03-15" || e.Period.End >= "2024-03-15" {
			t.Errorf("encounter %s..%s outside the year before 2024-03-15", e.Period.Start, e.Period.End)
		}
	}
	if len(lines) < 4*3 {
		t.Errorf("%d encounters for 4 patients", len(lines))
	}
}

// TestImportRefusesABadFileWhole: a file with one invalid resource is reported with its line and stores nothing,
// while the good file beside it is stored.
func TestImportRefusesABadFileWhole(t *testing.T) {
	dir, in := t.TempDir(), t.TempDir()
	good := `{"resourceType":"Patient","id":"good-1","gender":"female"}` + "\n"
	bad := `{"resourceType":"Patient","id":"half-1","gender":"male"}` + "\n" + `{"resourceType":"Patient","id":"half-2","birthDate":"not a date"}` + "\n"
	os.WriteFile(filepath.Join(in, "a-good.ndjson"), []byte(good), 0o644)
	os.WriteFile(filepath.Join(in, "b-bad.ndjson"), []byte(bad), 0o644)
	stdout, stderr, code := runValet(t, "import", "--data", dir, in)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "b-bad.ndjson:2") || !strings.Contains(stderr, "nothing from this file was stored") {
		t.Errorf("error does not locate the bad line: %s", stderr)
	}
	if c := counts(t, dir); c["Patient"] != 1 {
		t.Errorf("stored %d patients, want only the good file's 1", c["Patient"])
	}
}

// TestImportResolvesReferencesToLaterFiles: a Synthea output directory lists the patients' files before
// practitionerInformation*.json, which creates the practitioners their conditional references name. Such
// files go first; a file of another name that creates what an earlier file names is found by trying the
// earlier file again. A reference nothing creates is reported once.
func TestImportResolvesReferencesToLaterFiles(t *testing.T) {
	encounter := func(npi string) string {
		return `{"fullUrl":"urn:uuid:7d9b3a2c-1111-4a43-9d1e-2c3f4a5b6c7d","resource":{"resourceType":"Patient","name":[{"family":"Abbott"}]},
			"request":{"method":"POST","url":"Patient"}},
			{"resource":{"resourceType":"Encounter","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},
			"subject":{"reference":"urn:uuid:7d9b3a2c-1111-4a43-9d1e-2c3f4a5b6c7d"},
			"participant":[{"individual":{"reference":"Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|` + npi + `"}}]},
			"request":{"method":"POST","url":"Encounter"}}`
	}
	bundle := func(entries string) []byte {
		return []byte(`{"resourceType":"Bundle","type":"transaction","entry":[` + entries + `]}`)
	}
	for _, practitioners := range []string{"practitionerInformation1.json", "zz-practitioners.json"} {
		dir, in := t.TempDir(), t.TempDir()
		os.WriteFile(filepath.Join(in, "Aaron697_Abbott774_1.json"), bundle(encounter("9999999999")), 0o644)
		os.WriteFile(filepath.Join(in, "Zed1_Orphan1_2.json"), bundle(encounter("1111111111")), 0o644)
		os.WriteFile(filepath.Join(in, practitioners), bundle(`{"fullUrl":"urn:uuid:0c5a1f3e-2222-4a43-9d1e-2c3f4a5b6c7d",
			"resource":{"resourceType":"Practitioner","identifier":[{"system":"http://hl7.org/fhir/sid/us-npi","value":"9999999999"}],"name":[{"family":"Osler"}]},
			"request":{"method":"POST","url":"Practitioner","ifNoneExist":"identifier=http://hl7.org/fhir/sid/us-npi|9999999999"}}`), 0o644)
		stdout, stderr, code := runValet(t, "import", "--data", dir, in)
		if code != 1 || !strings.Contains(stdout, "Imported 2 of 3 files") {
			t.Fatalf("%s: exit %d, want 1 with 2 of 3 files imported\n%s\n%s", practitioners, code, stdout, stderr)
		}
		if strings.Count(stderr, "matches nothing") != 1 || !strings.Contains(stderr, "Zed1_Orphan1_2.json") || strings.Contains(stderr, "Aaron697") {
			t.Errorf("%s: want one refusal, of the file whose practitioner nothing creates:\n%s", practitioners, stderr)
		}
		if c := counts(t, dir); c["Patient"] != 1 || c["Encounter"] != 1 || c["Practitioner"] != 1 {
			t.Errorf("%s: stored %v, want the first patient, its encounter and the practitioner", practitioners, c)
		}
	}
}

func TestDataCommandsBadInput(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"generate", "--patients", "-3"}, "patients must be between 0 and"},
		{[]string{"generate", "--patients", "0"}, "nothing to generate"},
		{[]string{"generate", "--years", "500"}, "years must be between"},
		{[]string{"generate", "--as-of", "2025-13-01"}, "as_of must be a date YYYY-MM-DD"},
		{[]string{"generate", "--colour", "red"}, "-colour"},
		{[]string{"import"}, "name the files or directories"},
		{[]string{"import", "/no/such/file.json"}, "/no/such/file.json"},
		{[]string{"export"}, "name one directory"},
		{[]string{"reset"}, "pass --yes"},
	} {
		args := append([]string{c.args[0], "--data", t.TempDir()}, c.args[1:]...)
		_, stderr, code := runValet(t, args...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line containing %q", c.args, code, stderr, c.want)
		}
	}
}

func TestResetRestoresTheDefaultPopulation(t *testing.T) {
	dir := t.TempDir()
	if _, stderr, code := runValet(t, "generate", "--data", dir, "--patients", "2", "--seed", "3", "--years", "1"); code != 0 {
		t.Fatal(stderr)
	}
	stdout, stderr, code := runValet(t, "reset", "--data", dir, "--yes")
	if code != 0 || !strings.Contains(stdout, "default population is back") {
		t.Fatalf("reset: %d\n%s\n%s", code, stdout, stderr)
	}
	if c := counts(t, dir); c["Patient"] < 25 {
		t.Errorf("after reset: %v", c)
	}
}

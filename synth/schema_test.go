package synth

import (
	"bytes"
	"compress/gzip"
	"os"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The official FHIR R4 JSON schema (see testdata/README.md for its origin), compiled per resource type.
var (
	schemaOnce     sync.Once
	schemaCompiler *jsonschema.Compiler
	schemaErr      error
	schemas        = map[string]*jsonschema.Schema{}
	schemaMu       sync.Mutex
)

func schemaFor(t testing.TB, typ string) *jsonschema.Schema {
	t.Helper()
	schemaOnce.Do(func() {
		f, err := os.Open("testdata/fhir.schema.json.gz")
		if err != nil {
			schemaErr = err
			return
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			schemaErr = err
			return
		}
		doc, err := jsonschema.UnmarshalJSON(zr)
		if err != nil {
			schemaErr = err
			return
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource("fhir.schema.json", doc); err != nil {
			schemaErr = err
			return
		}
		schemaCompiler = c
	})
	if schemaErr != nil {
		t.Fatal(schemaErr)
	}
	schemaMu.Lock()
	defer schemaMu.Unlock()
	if s, ok := schemas[typ]; ok {
		return s
	}
	s, err := schemaCompiler.Compile("fhir.schema.json#/definitions/" + typ)
	if err != nil {
		t.Fatalf("compile schema for %s: %v", typ, err)
	}
	schemas[typ] = s
	return s
}

// Every generated resource validates against the FHIR R4 JSON schema. The paging persona's thousands of
// home glucose readings share one shape, so only its first 200 resources are checked.
func TestResourcesValidateAgainstFHIRSchema(t *testing.T) {
	checked := map[string]int{}
	for _, g := range generate(t, Options{Patients: 30, Seed: 11, Personas: true}) {
		for i, r := range g.batch {
			if i >= 200 && bytes.Contains([]byte(r.ID), []byte("-many-observations-")) {
				break
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(r.JSON))
			if err != nil {
				t.Fatal(err)
			}
			if err := schemaFor(t, r.Type).Validate(doc); err != nil {
				t.Errorf("%s/%s is not valid FHIR R4: %v", r.Type, r.ID, err)
			}
			checked[r.Type]++
		}
	}
	t.Logf("validated %v", checked)
}

// The schema check must be able to fail: an unknown element and a malformed date are rejected.
func TestFHIRSchemaRejectsInvalid(t *testing.T) {
	for _, bad := range []string{
		`{"resourceType":"Patient","id":"x","gendre":"male"}`,
		`{"resourceType":"Patient","id":"x","birthDate":"01/02/2003"}`,
		`{"resourceType":"Observation","id":"x","status":"final","code":{"text":"t"},"valueQuantity":{"value":"high"}}`,
	} {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(bad)))
		if err != nil {
			t.Fatal(err)
		}
		typ := "Patient"
		if bytes.Contains([]byte(bad), []byte("Observation")) {
			typ = "Observation"
		}
		if schemaFor(t, typ).Validate(doc) == nil {
			t.Errorf("schema accepted %s", bad)
		}
	}
}

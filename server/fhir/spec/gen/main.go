// Command gen writes the R4 structure table that server/fhir validates resources against and that
// _summary=true filters by (spec/r4.tbl.gz, read by spec/structure.go).
//
// Inputs (both in the repository, both CC0 content published by HL7):
//   - the official R4 JSON schema, synth/testdata/fhir.schema.json.gz: every resource, datatype and
//     backbone element with its elements, JSON types, required elements, code enums (required bindings)
//     and primitive patterns;
//   - sd-r4.txt beside this file: per resource element path, whether it is a summary element (isSummary)
//     and whether it is mandatory (min ≥ 1), which the schema does not carry for choice elements. It is
//     extracted from HL7's profiles-resources.json and profiles-types.json by
//     `go run ./gen -profiles profiles-resources.json,profiles-types.json` (see README.md beside this file).
//
// Run `go generate ./server/fhir/spec` after changing either.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"sort"
	"strings"
	"unicode"
)

type property struct {
	Ref     string     `json:"$ref"`
	Type    string     `json:"type"`
	Pattern string     `json:"pattern"`
	Enum    []string   `json:"enum"`
	Const   string     `json:"const"`
	Items   *property  `json:"items"`
	OneOf   []property `json:"oneOf"`
}

type definition struct {
	Type       string               `json:"type"`
	Pattern    string               `json:"pattern"`
	Properties map[string]*property `json:"properties"`
	Required   []string             `json:"required"`
	OneOf      []property           `json:"oneOf"`
}

type schema struct {
	Definitions map[string]*definition `json:"definitions"`
}

func main() {
	schemaPath := flag.String("schema", "../../../synth/testdata/fhir.schema.json.gz", "the R4 JSON schema (gzip)")
	sdPath := flag.String("sd", "gen/sd-r4.txt", "summary and cardinality flags per resource element path")
	profiles := flag.String("profiles", "", "extract -sd from these comma-separated profiles-resources.json and profiles-types.json, and exit")
	out := flag.String("out", "r4.tbl.gz", "the table to write")
	flag.Parse()
	if *profiles != "" {
		if err := extractSD(strings.Split(*profiles, ","), *sdPath); err != nil {
			log.Fatal(err)
		}
		return
	}
	s, err := readSchema(*schemaPath)
	if err != nil {
		log.Fatal(err)
	}
	sd, err := readSD(*sdPath)
	if err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer
	if err := write(&buf, s, sd); err != nil {
		log.Fatal(err)
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	_, _ = zw.Write(buf.Bytes())
	_ = zw.Close()
	if err := os.WriteFile(*out, gz.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %s: %d bytes (%d uncompressed)", *out, gz.Len(), buf.Len())
}

func readSchema(path string) (*schema, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	var s schema
	return &s, json.NewDecoder(zr).Decode(&s)
}

// primitives are the schema's primitive definitions (no properties), with their JSON kind.
var primitives = []string{"base64Binary", "boolean", "canonical", "code", "date", "dateTime", "decimal", "id",
	"instant", "integer", "markdown", "oid", "positiveInt", "string", "time", "unsignedInt", "uri", "url", "uuid"}

func isPrimitive(n string) bool {
	for _, p := range primitives {
		if p == n {
			return true
		}
	}
	return false
}

// sdFlags are the flags of one element path ("Observation.value[x]"): s summary, r min ≥ 1.
type sdFlags map[string]string

// write emits the table, one record a line, fields separated by tabs:
//
//	p name kind pattern               a primitive: kind s (JSON string), n (number), b (boolean)
//	t name class                      a type: r resource, c complex datatype, b backbone element
//	e name type flags choice enum     an element of the last type: flags a (array), r (required),
//	                                  s (summary) or -; choice is the choice group ("value" for value[x])
//	                                  or -; enum the allowed codes separated by | or -
func write(w *bytes.Buffer, s *schema, sd sdFlags) error {
	for _, p := range primitives {
		d := s.Definitions[p]
		kind := map[string]string{"string": "s", "number": "n", "boolean": "b"}[d.Type]
		fmt.Fprintf(w, "p\t%s\t%s\t%s\n", p, kind, d.Pattern)
	}
	resources := map[string]bool{}
	for _, o := range s.Definitions["ResourceList"].OneOf {
		resources[strings.TrimPrefix(o.Ref, "#/definitions/")] = true
	}
	// Backbone definitions get the element path of the first place that refers to them, so the
	// resource profiles' flags (by path) can be attached.
	// A backbone reused through contentReference (Contract.term.asset.answer and
	// Contract.term.offer.answer) has several paths; the profiles describe only one of them.
	paths := map[string][]string{}
	var walk func(def, path string, depth int)
	walk = func(def, path string, depth int) {
		d := s.Definitions[def]
		for _, name := range sortedKeys(d.Properties) {
			ref := refOf(d.Properties[name])
			if strings.Contains(ref, "_") && depth < 6 && strings.HasPrefix(ref, strings.Split(path, ".")[0]+"_") &&
				!strings.Contains(path, "."+name+".") {
				paths[ref] = append(paths[ref], path+"."+name)
				walk(ref, path+"."+name, depth+1)
			}
		}
	}
	for name, d := range s.Definitions {
		if d.Properties != nil && !strings.Contains(name, "_") {
			walk(name, name, 0)
		}
	}
	names := sortedKeys(s.Definitions)
	for _, name := range names {
		d := s.Definitions[name]
		if d.Properties == nil {
			continue
		}
		class, all := "c", []string{name}
		switch {
		case resources[name]:
			class = "r"
		case strings.Contains(name, "_"):
			class, all = "b", paths[name]
		}
		// The flags come from the path the profiles describe (the one with entries in sd).
		path := ""
		for _, p := range all {
			if path == "" || sd.has(p) && !sd.has(path) {
				path = p
			}
		}
		fmt.Fprintf(w, "t\t%s\t%s\n", name, class)
		required := map[string]bool{}
		for _, r := range d.Required {
			required[r] = true
		}
		choices := choiceGroups(d, all, sd)
		for _, el := range sortedKeys(d.Properties) {
			p := d.Properties[el]
			if strings.HasPrefix(el, "_") || el == "resourceType" {
				continue // primitive extensions follow their element; resourceType is checked by the validator
			}
			typ, array := typeOf(el, p, choices[el])
			flags := ""
			if array {
				flags += "a"
			}
			sdName := el
			if c := choices[el]; c != "" {
				sdName = c + "[x]"
			}
			f := sd[path+"."+sdName]
			if required[el] || (strings.Contains(f, "r") && choices[el] == "") {
				flags += "r"
			}
			if strings.Contains(f, "s") {
				flags += "s"
			}
			if flags == "" {
				flags = "-"
			}
			choice := choices[el]
			if choice == "" {
				choice = "-"
			} else if strings.Contains(f, "r") {
				choice += "!" // the choice group is mandatory
			}
			enum := "-"
			if e := enumOf(p); len(e) > 0 {
				enum = strings.Join(e, "|")
			}
			fmt.Fprintf(w, "e\t%s\t%s\t%s\t%s\t%s\n", el, typ, flags, choice, enum)
		}
	}
	return nil
}

func refOf(p *property) string {
	if p.Items != nil {
		p = p.Items
	}
	return strings.TrimPrefix(p.Ref, "#/definitions/")
}

func enumOf(p *property) []string {
	if p.Items != nil {
		return p.Items.Enum
	}
	return p.Enum
}

// typeOf names an element's type: a definition, a primitive, "Resource" for contained resources, or
// "code" for inline enums. Inline patterns (choice primitives such as valueBoolean) are named by suffix.
func typeOf(el string, p *property, choice string) (string, bool) {
	array := p.Type == "array"
	if p.Items != nil {
		p = p.Items
	}
	switch {
	case p.Ref != "":
		r := strings.TrimPrefix(p.Ref, "#/definitions/")
		if r == "ResourceList" {
			return "Resource", array
		}
		return r, array
	case len(p.Enum) > 0:
		return "code", array
	case choice != "":
		suffix := strings.TrimPrefix(el, choice)
		return string(unicode.ToLower(rune(suffix[0]))) + suffix[1:], array
	}
	// A choice variant the profiles do not describe as one (see README.md: EvidenceVariable differs).
	for i := 1; i < len(el); i++ {
		if lt := string(unicode.ToLower(rune(el[i]))) + el[i+1:]; unicode.IsUpper(rune(el[i])) && isPrimitive(lt) {
			return lt, array
		}
	}
	log.Fatalf("cannot type element %s (choice %q)", el, choice)
	return "", false
}

// choiceGroups finds the choice elements of a definition (value[x] → valueQuantity, valueString, …) from
// the profiles' [x] paths: the schema lists each variant as an element of its own.
func choiceGroups(d *definition, paths []string, sd sdFlags) map[string]string {
	out := map[string]string{}
	for el := range d.Properties {
		for i := 1; i < len(el); i++ {
			for _, path := range paths {
				if unicode.IsUpper(rune(el[i])) && strings.Contains(sd[path+"."+el[:i]+"[x]"], "x") {
					out[el] = el[:i]
				}
			}
			if out[el] != "" {
				break
			}
		}
	}
	return out
}

// has reports whether the profiles describe any element under path.
func (sd sdFlags) has(path string) bool {
	_, ok := sd[path+".id"]
	if ok {
		return true
	}
	for p := range sd {
		if strings.HasPrefix(p, path+".") {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func readSD(path string) (sdFlags, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := sdFlags{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		p, f, _ := strings.Cut(line, " ")
		out[p] = f
	}
	return out, sc.Err()
}

// extractSD reads HL7's profiles-resources.json (a Bundle of StructureDefinitions) and writes, for each
// resource element that is a summary element or mandatory, "path flags".
func extractSD(files []string, out string) error {
	var lines []string
	for _, f := range files {
		ls, err := extractFile(f)
		if err != nil {
			return err
		}
		lines = append(lines, ls...)
	}
	sort.Strings(lines)
	head := "# Summary (s), mandatory (r) and choice (x) elements of the R4 4.0.1 resources and datatypes, from HL7's\n" +
		"# profiles-resources.json and profiles-types.json. Generated by `go run ./gen -profiles …`; see README.md.\n"
	return os.WriteFile(out, []byte(head+strings.Join(lines, "\n")+"\n"), 0o644)
}

func extractFile(profiles string) ([]string, error) {
	b, err := os.ReadFile(profiles)
	if err != nil {
		return nil, err
	}
	var bundle struct {
		Entry []struct {
			Resource struct {
				ResourceType string `json:"resourceType"`
				Kind         string `json:"kind"`
				Derivation   string `json:"derivation"`
				Abstract     bool   `json:"abstract"`
				Snapshot     struct {
					Element []struct {
						Path      string `json:"path"`
						Min       int    `json:"min"`
						IsSummary bool   `json:"isSummary"`
					} `json:"element"`
				} `json:"snapshot"`
			} `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(b, &bundle); err != nil {
		return nil, err
	}
	var lines []string
	for _, e := range bundle.Entry {
		r := e.Resource
		if r.ResourceType != "StructureDefinition" || (r.Kind != "resource" && r.Kind != "complex-type") || r.Derivation != "specialization" {
			continue
		}
		for _, el := range r.Snapshot.Element {
			if !strings.Contains(el.Path, ".") {
				continue
			}
			f := ""
			if el.IsSummary {
				f += "s"
			}
			if el.Min > 0 {
				f += "r"
			}
			if strings.HasSuffix(el.Path, "[x]") {
				f += "x"
			}
			if f != "" {
				lines = append(lines, el.Path+" "+f)
			}
		}
	}
	return lines, nil
}

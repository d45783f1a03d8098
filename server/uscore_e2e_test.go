package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/internal/uscore"
	"github.com/valet-sandbox/valet/server/fhir"
	"github.com/valet-sandbox/valet/server/fhir/spec"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/synth"
)

// TestCapabilityStatementSearchesWork keeps /fhir/metadata true: on a sandbox holding a generated
// population and one resource of each US Core type the generator may lack, every US Core search parameter
// and combination the statement declares is run with a backend-services token, with values taken from a
// stored resource. Each must answer 200 with a searchset Bundle that contains that resource, and every
// match must carry the token and reference values asked for (the search filters, it does not list all).
func TestCapabilityStatementSearchesWork(t *testing.T) {
	base, _, _ := startSandbox(t, func(db *store.DB, base string) { seedUSCore(t, db, base) })
	h := registerBackend(t, base, "system/*.rs").client(t, "system/*.rs")
	get := func(path string) (int, map[string]any) { t.Helper(); return getFHIR(t, h, base, path) }
	_, cs := get("metadata")
	searches := 0
	for _, r := range cs["rest"].([]any)[0].(map[string]any)["resource"].([]any) {
		res := r.(map[string]any)
		typ := res["type"].(string)
		var queries [][]string
		for _, sp := range res["searchParam"].([]any) {
			p := sp.(map[string]any)
			if strings.HasPrefix(p["definition"].(string), "http://hl7.org/fhir/us/core/") {
				queries = append(queries, []string{p["name"].(string)})
			}
		}
		for _, ext := range asList(res["extension"]) {
			var combo []string
			for _, x := range asList(ext.(map[string]any)["extension"]) {
				if x := x.(map[string]any); x["url"] == "required" {
					combo = append(combo, x["valueString"].(string))
				}
			}
			queries = append(queries, combo)
		}
		if len(queries) == 0 {
			continue
		}
		code, all := get(typ + "?_count=1000")
		if code != 200 {
			t.Fatalf("%s: %d", typ, code)
		}
		for _, q := range queries {
			searches++
			target, query := exampleQuery(typ, q, all)
			if target == nil {
				t.Errorf("%s?%s: no stored %s has values for all of it", typ, strings.Join(q, "&"), typ)
				continue
			}
			code, bundle := get(typ + "?" + query.Encode() + "&_count=1000")
			if code != 200 || bundle["resourceType"] != "Bundle" || bundle["type"] != "searchset" {
				t.Errorf("%s?%s: %d %v", typ, query.Encode(), code, bundle["issue"])
				continue
			}
			found := false
			for _, e := range asList(bundle["entry"]) {
				m := e.(map[string]any)["resource"].(map[string]any)
				if m["resourceType"] != typ {
					continue
				}
				found = found || m["id"] == target["id"]
				for _, name := range q {
					if want := query.Get(name); want != "" && !hasValue(typ, name, m, want) {
						t.Errorf("%s?%s returned %s/%s, which has no %s=%s", typ, query.Encode(), typ, m["id"], name, want)
					}
				}
			}
			if !found && !hasNext(bundle) {
				t.Errorf("%s?%s: %s/%s, whose values these are, is not among the matches", typ, query.Encode(), typ, target["id"])
			}
		}
		for _, op := range asList(res["operation"]) {
			if op.(map[string]any)["name"] == "docref" {
				searches++
				code, b := get("DocumentReference/$docref?patient=usc1&type=http://loinc.org%7C11506-3&start=2025-01-01")
				if got := idsOf(b); code != 200 || got != "DocumentReference/usc-note" {
					t.Errorf("$docref: %d %s", code, got)
				}
			}
		}
		for _, inc := range asList(res["searchInclude"]) {
			if slices.Contains(uscore.SearchesOf(typ).Include, inc.(string)) {
				searches++
				checkInclude(t, get, typ, inc.(string))
			}
		}
		for _, inc := range asList(res["searchRevInclude"]) {
			if slices.Contains(uscore.SearchesOf(typ).RevInclude, inc.(string)) {
				searches++
				if code, b := get(typ + "?_count=5&_revinclude=" + inc.(string)); code != 200 || b["type"] != "searchset" {
					t.Errorf("%s?_revinclude=%s: %d", typ, inc, code)
				}
			}
		}
	}
	if searches < 100 {
		t.Errorf("only %d US Core searches declared", searches)
	}
	t.Logf("%d declared US Core searches run", searches)
}

// TestPatientChartListsUSCoreTypes reads a record holding every US Core type through the control API, as
// the panel's patient chart does: its counts name each type (Medication through the orders that reference
// it), its profile table each US Core profile claimed, and its notes come most recent first with their
// text decoded.
func TestPatientChartListsUSCoreTypes(t *testing.T) {
	base, _, _ := startSandbox(t, func(db *store.DB, base string) { seedUSCore(t, db, base) })
	var rec struct {
		Counts   map[string]int
		Profiles []struct {
			Profile, Type, Title string
			Count                int
		}
	}
	apiJSON(t, base, "GET", "/api/patients/usc1", nil, 200, &rec)
	for _, typ := range []string{"CareTeam", "Device", "DocumentReference", "DiagnosticReport", "Goal", "Medication", "MedicationDispense",
		"MedicationRequest", "QuestionnaireResponse", "RelatedPerson", "ServiceRequest", "Specimen"} {
		if rec.Counts[typ] != 1 {
			t.Errorf("counts[%s] = %d, want 1 (%v)", typ, rec.Counts[typ], rec.Counts)
		}
	}
	titles := map[string]int{}
	for _, p := range rec.Profiles {
		titles[p.Title] = p.Count
	}
	for _, title := range []string{"US Core DocumentReference Profile", "US Core DiagnosticReport Profile for Report and Note Exchange",
		"US Core Implantable Device Profile", "US Core Patient Profile"} {
		if titles[title] != 1 {
			t.Errorf("profile %q counted %d, want 1 (%v)", title, titles[title], rec.Profiles)
		}
	}
	if _, ok := titles["US Core Medication Profile"]; ok {
		t.Error("the Medication, outside the compartment, is counted by profile")
	}
	var notes struct {
		Notes []struct{ ID, ResourceType, Title, Text string }
	}
	apiJSON(t, base, "GET", "/api/patients/usc1/notes", nil, 200, &notes)
	var got []string
	for _, n := range notes.Notes {
		got = append(got, n.ID+": "+n.Text)
	}
	if strings.Join(got, "; ") != "usc-ct: No acute findings; usc-note: Progress note" {
		t.Errorf("notes %v", got)
	}
}

// checkInclude runs typ?_include=inc and expects, when a match references a resource of the include's
// target type, that resource among the included entries.
func checkInclude(t *testing.T, get func(string) (int, map[string]any), typ, inc string) {
	t.Helper()
	parts := strings.Split(inc, ":")
	code, b := get(typ + "?_count=1000&_include=" + inc)
	if code != 200 || b["type"] != "searchset" {
		t.Errorf("%s?_include=%s: %d %v", typ, inc, code, b["issue"])
		return
	}
	want, got := map[string]bool{}, map[string]bool{}
	for _, e := range asList(b["entry"]) {
		e := e.(map[string]any)
		m := e["resource"].(map[string]any)
		if mode, _ := e["search"].(map[string]any)["mode"].(string); mode == "include" {
			got[m["resourceType"].(string)+"/"+m["id"].(string)] = true
			continue
		}
		for _, ref := range paramValues(typ, parts[1], m) {
			if len(parts) < 3 || strings.HasPrefix(ref, parts[2]+"/") {
				want[ref] = true
			}
		}
	}
	for ref := range want {
		if !got[ref] {
			t.Errorf("%s?_include=%s: %s, referenced by a match, is not included", typ, inc, ref)
		}
	}
}

// exampleQuery picks a resource of the searchset all that has a value for every parameter of q and builds
// the query for them: tokens and references exactly, strings by a prefix, dates as a two-day window.
func exampleQuery(typ string, q []string, all map[string]any) (map[string]any, url.Values) {
next:
	for _, e := range asList(all["entry"]) {
		m := e.(map[string]any)["resource"].(map[string]any)
		query := url.Values{}
		for _, name := range q {
			vals := paramValues(typ, name, m)
			if len(vals) == 0 {
				continue next
			}
			p, _ := spec.Lookup(typ, name)
			switch {
			case name == "_id" || p.Type == spec.TokenParam || p.Type == spec.ReferenceParam:
				query.Set(name, vals[0])
			case p.Type == spec.StringParam:
				query.Set(name, vals[0][:min(3, len(vals[0]))])
			case p.Type == spec.DateParam:
				day, err := time.Parse("2006-01-02", vals[0][:min(10, len(vals[0]))])
				if err != nil {
					continue next
				}
				query.Add(name, "ge"+day.AddDate(0, 0, -1).Format("2006-01-02"))
				query.Add(name, "le"+day.AddDate(0, 0, 1).Format("2006-01-02"))
			default:
				continue next
			}
		}
		return m, query
	}
	return nil, nil
}

// hasValue reports whether resource m has want among its values of the token or reference parameter
// name; other parameter types are not compared.
func hasValue(typ, name string, m map[string]any, want string) bool {
	p, _ := spec.Lookup(typ, name)
	if name != "_id" && p.Type != spec.TokenParam && p.Type != spec.ReferenceParam {
		return true
	}
	for _, v := range paramValues(typ, name, m) {
		if v == want {
			return true
		}
	}
	return false
}

// paramValues are the search values resource m has for parameter name, read from the elements the
// parameter table names: system|code for codings and identifiers, Type/id for references, the first
// words of names and addresses, the start of periods.
func paramValues(typ, name string, m map[string]any) []string {
	if name == "_id" {
		return []string{m["id"].(string)}
	}
	p, ok := spec.Lookup(typ, name)
	if !ok {
		return nil
	}
	var out []string
	for _, path := range p.Paths {
		for _, v := range walk(m, segments(path)) {
			switch v := v.(type) {
			case string:
				out = append(out, v)
			case bool:
				out = append(out, fmt.Sprint(v))
			case map[string]any:
				for _, c := range asList(v["coding"]) {
					c := c.(map[string]any)
					out = append(out, fmt.Sprintf("%s|%s", c["system"], c["code"]))
				}
				switch {
				case v["reference"] != nil:
					out = append(out, v["reference"].(string))
				case v["system"] != nil && v["value"] != nil:
					out = append(out, fmt.Sprintf("%s|%s", v["system"], v["value"]))
				case v["system"] != nil && v["code"] != nil:
					out = append(out, fmt.Sprintf("%s|%s", v["system"], v["code"]))
				case v["family"] != nil:
					out = append(out, v["family"].(string))
				case v["city"] != nil:
					out = append(out, v["city"].(string))
				case v["start"] != nil:
					out = append(out, v["start"].(string))
				}
			}
		}
	}
	return out
}

// segments splits an element path at its dots, a where(…) segment kept whole (its URL has dots).
func segments(path string) []string {
	var out []string
	for path != "" {
		seg := path
		if strings.HasPrefix(path, "where(") {
			seg = path[:strings.Index(path, ")")+1]
		} else if i := strings.IndexByte(path, '.'); i >= 0 {
			seg = path[:i]
		}
		out = append(out, seg)
		path = strings.TrimPrefix(path[len(seg):], ".")
	}
	return out
}

// walk follows an element path, arrays fanned out, a segment ending in [x] matching its variants and
// where(k='v') keeping the elements whose k is v.
func walk(v any, path []string) []any {
	if len(path) == 0 {
		if arr, ok := v.([]any); ok {
			return arr
		}
		return []any{v}
	}
	switch v := v.(type) {
	case []any:
		var out []any
		for _, x := range v {
			out = append(out, walk(x, path)...)
		}
		return out
	case map[string]any:
		if cond, ok := strings.CutPrefix(path[0], "where("); ok {
			k, want, _ := strings.Cut(strings.TrimSuffix(cond, ")"), "=")
			if v[k] == strings.Trim(want, "'") {
				return walk(v, path[1:])
			}
			return nil
		}
		if stem, ok := strings.CutSuffix(path[0], "[x]"); ok {
			var out []any
			for k, x := range v {
				if strings.HasPrefix(k, stem) && len(k) > len(stem) && k[len(stem)] >= 'A' && k[len(stem)] <= 'Z' {
					out = append(out, walk(x, path[1:])...)
				}
			}
			return out
		}
		if x, ok := v[path[0]]; ok {
			return walk(x, path[1:])
		}
	}
	return nil
}

// idsOf lists a searchset's match entries as Type/id, comma-joined.
func idsOf(bundle map[string]any) string {
	var out []string
	for _, e := range asList(bundle["entry"]) {
		e := e.(map[string]any)
		if mode, _ := e["search"].(map[string]any)["mode"].(string); mode == "match" {
			m := e["resource"].(map[string]any)
			out = append(out, m["resourceType"].(string)+"/"+m["id"].(string))
		}
	}
	return strings.Join(out, ",")
}

func asList(v any) []any { l, _ := v.([]any); return l }

func hasNext(bundle map[string]any) bool {
	for _, l := range asList(bundle["link"]) {
		if l.(map[string]any)["relation"] == "next" {
			return true
		}
	}
	return false
}

// seedUSCore stores a small generated population and, for one more patient, a resource of each US Core
// type the generator may not write, each meeting its US Core profile.
func seedUSCore(t *testing.T, db *store.DB, base string) {
	var rs []fhir.Resource
	err := synth.Generate(context.Background(), synth.Options{Patients: 6, Seed: 3}, func(b []synth.Resource) error {
		for _, r := range b {
			rs = append(rs, fhir.Resource{Type: r.Type, ID: r.ID, JSON: r.JSON})
		}
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	subject := `"subject":{"reference":"Patient/usc1"}`
	for id, body := range map[string]string{
		"Patient/usc1":         `"identifier":[{"system":"urn:example:mrn","value":"USC-1"}],"name":[{"family":"Corey","given":["Una"]}],"gender":"female","birthDate":"1980-04-02"`,
		"Practitioner/uscdr1":  `"identifier":[{"system":"http://hl7.org/fhir/sid/us-npi","value":"1234567893"}],"name":[{"family":"Ward"}]`,
		"CareTeam/usc-team":    `"status":"active",` + subject + `,"participant":[{"role":[{"coding":[{"system":"http://snomed.info/sct","code":"446050000"}]}],"member":{"reference":"Practitioner/uscdr1"}}]`,
		"Device/usc-pacemaker": `"status":"active","patient":{"reference":"Patient/usc1"},"type":{"coding":[{"system":"http://snomed.info/sct","code":"14106009"}]},"udiCarrier":[{"deviceIdentifier":"09504000059118","carrierHRF":"(01)09504000059118(17)141120(10)7654321D(21)10987654d321"}]`,
		"DocumentReference/usc-note": `"status":"current","type":{"coding":[{"system":"http://loinc.org","code":"11506-3"}]},"category":[{"coding":[{"system":"http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category","code":"clinical-note"}]}],` +
			subject + `,"date":"2025-03-04T10:00:00Z","content":[{"attachment":{"contentType":"text/plain","data":"UHJvZ3Jlc3Mgbm90ZQ=="}}],"context":{"period":{"start":"2025-03-04T09:30:00Z","end":"2025-03-04T10:00:00Z"}}`,
		"DiagnosticReport/usc-ct": `"status":"final","category":[{"coding":[{"system":"http://loinc.org","code":"LP29684-5"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"24627-2"}]},` +
			subject + `,"effectiveDateTime":"2025-03-04T11:00:00Z","presentedForm":[{"contentType":"text/plain","data":"Tm8gYWN1dGUgZmluZGluZ3M="}]`,
		"Goal/usc-a1c":                `"lifecycleStatus":"active","description":{"coding":[{"system":"http://snomed.info/sct","code":"289169006"}],"text":"Lose weight"},` + subject + `,"target":[{"dueDate":"2026-06-01"}]`,
		"Medication/usc-med":          `"code":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"197361"}]}`,
		"MedicationRequest/usc-order": `"status":"active","intent":"order","medicationReference":{"reference":"Medication/usc-med"},` + subject + `,"authoredOn":"2025-03-04"`,
		"MedicationDispense/usc-fill": `"status":"completed","medicationReference":{"reference":"Medication/usc-med"},` + subject +
			`,"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"FF"}]},"whenHandedOver":"2025-03-05T15:00:00Z"`,
		"QuestionnaireResponse/usc-sdoh": `"questionnaire":"http://loinc.org/q/93025-5","status":"completed",` + subject + `,"authored":"2025-03-04T09:00:00Z"`,
		"RelatedPerson/usc-mother":       `"active":true,"patient":{"reference":"Patient/usc1"},"relationship":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-RoleCode","code":"MTH"}]}],"name":[{"family":"Corey","given":["Ida"]}]`,
		"ServiceRequest/usc-lab": `"status":"active","intent":"order","category":[{"coding":[{"system":"http://snomed.info/sct","code":"108252007"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"24323-8"}]},` +
			subject + `,"authoredOn":"2025-03-04T09:15:00Z"`,
		"Condition/usc-problem": `"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/condition-assertedDate","valueDateTime":"2024-11-02"}],` +
			`"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},` +
			`"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-category","code":"problem-list-item"}]}],` +
			`"code":{"coding":[{"system":"http://snomed.info/sct","code":"44054006"}]},` + subject,
		"Specimen/usc-blood": `"type":{"coding":[{"system":"http://snomed.info/sct","code":"119297000"}]},` + subject,
	} {
		typ, rid, _ := strings.Cut(id, "/")
		prof := uscore.ProfilesOf(typ)[0]
		switch typ {
		case "DiagnosticReport":
			prof, _ = uscore.ByURL(uscore.Base + "us-core-diagnosticreport-note")
		case "Condition":
			prof, _ = uscore.ByURL(uscore.Base + "us-core-condition-problems-health-concerns")
		}
		doc := `{"resourceType":"` + typ + `","id":"` + rid + `","meta":{"profile":["` + prof.URL() + `"]},` + body + `}`
		var m map[string]any
		if err := json.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if probs := uscore.Check(m); len(probs) > 0 {
			t.Fatalf("fixture %s: %v", id, probs)
		}
		rs = append(rs, fhir.Resource{Type: typ, ID: rid, JSON: []byte(doc)})
	}
	s := fhir.New(fhir.Config{BaseURL: base, Store: db})
	defer s.Close()
	if err := s.Ingest(context.Background(), rs); err != nil {
		t.Fatal(err)
	}
}

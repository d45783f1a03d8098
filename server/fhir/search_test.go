package fhir

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"sync"
	"testing"
)

func refs(prefix string, xs ...string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = prefix + x
	}
	return out
}

// TestUSCoreSearches loads a multi-patient transaction Bundle and checks every US Core SHALL search (and
// each parameter type, modifier and prefix) against the expected ids.
func TestUSCoreSearches(t *testing.T) {
	e := newEnv(t)
	var entries []any
	for _, r := range dataset(4) {
		var m map[string]any
		_ = jsonUnmarshal(r.JSON, &m)
		entries = append(entries, map[string]any{"resource": m, "request": map[string]any{"method": "PUT", "url": r.Type + "/" + r.ID}})
	}
	if r := e.do("POST", "", "admin", map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": entries}); r.status != 200 {
		t.Fatalf("load: %d %.300s", r.status, r.raw)
	}
	O := "Observation/"
	for _, tc := range []struct {
		query string
		want  []string
	}{
		// US Core SHALL
		{"Patient?_id=p2", []string{"Patient/p2"}},
		{"Patient?identifier=urn:mrn|MRN3", []string{"Patient/p3"}},
		{"Patient?name=smi", []string{"Patient/p0"}[:0]},
		{"Patient?name=jon", []string{"Patient/p1"}},
		{"Patient?birthdate=1952-03-12&name=garcia", []string{"Patient/p3"}[:0]},
		{"Patient?gender=male&name=jones", []string{"Patient/p1"}},
		{"Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|1234567893", []string{"Practitioner/dr1"}},
		{"Practitioner?name=house", []string{"Practitioner/dr1"}},
		{"Encounter?_id=p1-enc2", []string{"Encounter/p1-enc2"}},
		{"Encounter?patient=p1", refs("Encounter/", "p1-enc1", "p1-enc2", "p1-enc3")},
		{"Encounter?date=ge2022-01-01&patient=Patient/p1", refs("Encounter/", "p1-enc2", "p1-enc3")},
		{"Condition?patient=p2", []string{"Condition/p2-dm"}},
		{"Condition?patient=p2&category=problem-list-item", []string{"Condition/p2-dm"}},
		{"Observation?patient=p1&category=laboratory", refs(O, "p1-enc1-glu", "p1-enc2-glu", "p1-enc3-glu")},
		{"Observation?patient=p1&code=http://loinc.org|8867-4", refs(O, "p1-enc1-hr", "p1-enc2-hr", "p1-enc3-hr")},
		{"Observation?patient=p1&category=laboratory&date=gt2022", refs(O, "p1-enc3-glu")},
		{"MedicationRequest?patient=p1&intent=order", []string{"MedicationRequest/p1-mr"}},
		{"MedicationRequest?patient=p1&intent=order,plan&status=active", []string{"MedicationRequest/p1-mr"}},
		{"AllergyIntolerance?patient=p3", []string{"AllergyIntolerance/p3-alg"}},
		{"Immunization?patient=p3", []string{"Immunization/p3-imm"}},
		{"Procedure?patient=p3", []string{"Procedure/p3-proc"}},
		{"Procedure?patient=p3&date=2019", []string{"Procedure/p3-proc"}},
		{"DiagnosticReport?patient=p4", []string{"DiagnosticReport/p4-dr"}},
		{"DiagnosticReport?patient=p4&category=LAB", []string{"DiagnosticReport/p4-dr"}},
		{"DiagnosticReport?patient=p4&code=24323-8", []string{"DiagnosticReport/p4-dr"}},
		{"DiagnosticReport?patient=p4&category=LAB&date=2021-01", []string{"DiagnosticReport/p4-dr"}},
		{"CarePlan?patient=p4&category=assess-plan", []string{"CarePlan/p4-cp"}},
		{"Coverage?patient=p4", []string{"Coverage/p4-cov"}},
		// token forms and modifiers
		{"Observation?patient=p1&status=final,amended&category=laboratory", refs(O, "p1-enc1-glu", "p1-enc2-glu")},
		{"Observation?patient=p1&category=laboratory&status:not=final", refs(O, "p1-enc2-glu", "p1-enc3-glu")},
		{"Observation?patient=p1&code=|8867-4", nil},
		{"Observation?patient=p1&code=http://loinc.org|&category=laboratory", refs(O, "p1-enc1-glu", "p1-enc2-glu", "p1-enc3-glu")},
		{"Observation?patient=p1&code:text=glu", refs(O, "p1-enc1-glu", "p1-enc2-glu", "p1-enc3-glu")},
		{"Observation?patient=p1&value-quantity:missing=true&category=vital-signs", refs(O, "p1-enc1-bp", "p1-enc2-bp", "p1-enc3-bp")},
		// strings
		{"Patient?family=müller", []string{"Patient/p2"}},
		{"Patient?family=MULL", []string{"Patient/p2"}},
		{"Patient?family:exact=Müller", []string{"Patient/p2"}},
		{"Patient?family:exact=muller", nil},
		{"Patient?family:contains=arc", []string{"Patient/p3"}},
		// dates and prefixes
		{"Observation?patient=p1&code=2345-7&date=2022-02-12", refs(O, "p1-enc2-glu")},
		{"Observation?patient=p1&code=2345-7&date=ne2022-02-12", refs(O, "p1-enc1-glu", "p1-enc3-glu")},
		{"Observation?patient=p1&code=2345-7&date=lt2022-02-12T09:30:00Z", refs(O, "p1-enc1-glu")},
		{"Observation?patient=p1&code=2345-7&date=le2022-02-12T09:30:00Z", refs(O, "p1-enc1-glu", "p1-enc2-glu")},
		{"Observation?patient=p1&code=2345-7&date=sa2022", refs(O, "p1-enc3-glu")},
		{"Observation?patient=p1&code=2345-7&date=eb2022", refs(O, "p1-enc1-glu")},
		{"Observation?patient=p1&code=2345-7&date=ge2022-02-12T05:30:00-04:00", refs(O, "p1-enc2-glu", "p1-enc3-glu")},
		{"Encounter?patient=p1&date=2021-01-11T09:30:00Z", nil}, // a period is not within an instant
		{"Encounter?patient=p1&date=ap2021-01-11", refs("Encounter/", "p1-enc1")},
		// quantities
		{"Observation?patient=p1&value-quantity=gt120", refs(O, "p1-enc2-glu", "p1-enc3-glu")},
		{"Observation?patient=p1&value-quantity=140|http://unitsofmeasure.org|mg/dL", refs(O, "p1-enc2-glu")},
		{"Observation?patient=p1&value-quantity=le80", refs(O, "p1-enc1-hr", "p1-enc2-hr")},
		// references
		{"Observation?subject=Patient/p2&code=8867-4", refs(O, "p2-enc1-hr", "p2-enc2-hr", "p2-enc3-hr")},
		{"Observation?subject:Patient=p2&code=8867-4", refs(O, "p2-enc1-hr", "p2-enc2-hr", "p2-enc3-hr")},
		{"Observation?patient=http://valet.test/fhir/Patient/p2&code=8867-4", refs(O, "p2-enc1-hr", "p2-enc2-hr", "p2-enc3-hr")},
		// chains and _has
		{"Observation?patient.name=garcia&code=8867-4", refs(O, "p3-enc1-hr", "p3-enc2-hr", "p3-enc3-hr")},
		{"Encounter?practitioner.family=house&patient=p4", refs("Encounter/", "p4-enc1", "p4-enc2", "p4-enc3")},
		{"Patient?_has:Observation:patient:code=2345-7&gender=female", refs("Patient/", "p2", "p4")},
		{"Patient?_has:Condition:patient:code=nope", nil},
		{"Patient?_has:Observation:patient:_has:DiagnosticReport:result:code=24323-8&gender=female", refs("Patient/", "p2", "p4")},
		{"Patient?_has:Observation:patient:_has:DiagnosticReport:result:code=nope", nil},
		// quantity prefixes and precision (p1: heart rate 70 80 90, glucose 110 140 170)
		{"Observation?patient=p1&value-quantity=ge140", refs(O, "p1-enc2-glu", "p1-enc3-glu")},
		{"Observation?patient=p1&value-quantity=lt80", refs(O, "p1-enc1-hr")},
		{"Observation?patient=p1&value-quantity=ne80", refs(O, "p1-enc1-hr", "p1-enc1-glu", "p1-enc2-glu", "p1-enc3-hr", "p1-enc3-glu")},
		{"Observation?patient=p1&value-quantity=ap100", refs(O, "p1-enc1-glu", "p1-enc3-hr")},
		{"Observation?patient=p1&value-quantity=sa160", refs(O, "p1-enc3-glu")},
		{"Observation?patient=p1&value-quantity=eb75", refs(O, "p1-enc1-hr")},
		{"Observation?patient=p1&value-quantity=1.4e2", refs(O, "p1-enc2-glu")},
		{"Observation?patient=p1&value-quantity=140.0", refs(O, "p1-enc2-glu")},
		{"Observation?patient=p1&value-quantity=140.04", nil},
		{"Observation?patient=p1&value-quantity=140||mg/dL", refs(O, "p1-enc2-glu")},
		{"Observation?patient=p1&value-quantity=140|http://unitsofmeasure.org|/min", nil},
		{"Observation?patient=p1&value-quantity=gt100&value-quantity=lt150", refs(O, "p1-enc1-glu", "p1-enc2-glu")},
		// :missing on other types
		{"Encounter?patient=p1&location:missing=true", refs("Encounter/", "p1-enc1", "p1-enc2", "p1-enc3")},
		{"Condition?patient=p1&abatement-date:missing=false", nil},
		{"MedicationRequest?patient=p1&medication:missing=false", []string{"MedicationRequest/p1-mr"}},
		// _lastUpdated
		{"Patient?_lastUpdated=ge2026-01-01&_id=p1", []string{"Patient/p1"}},
		{"Patient?_lastUpdated=lt2026-01-01", nil},
	} {
		t.Run(tc.query, func(t *testing.T) {
			r := e.do("GET", "/"+tc.query, "admin", nil)
			if r.status != 200 {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			got := r.entryIDs("match")
			sort.Strings(got)
			want := append([]string(nil), tc.want...)
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestResultParameters(t *testing.T) {
	e := loaded(t, 3)
	r := e.do("GET", "/MedicationRequest?patient=p1&_include=MedicationRequest:medication&_revinclude=Provenance:target", "admin", nil)
	if got := r.entryIDs("include"); !slices.Equal(got, []string{"Medication/med1"}) {
		t.Errorf("include: %v", got)
	}
	r = e.do("GET", "/Condition?patient=p1&_revinclude=Provenance:target", "admin", nil)
	if got := r.entryIDs("include"); !slices.Equal(got, []string{"Provenance/p1-prov"}) {
		t.Errorf("revinclude: %v", got)
	}
	e.v["p1"] = access(t, "patient/*.rs", "p1", "")
	r = e.do("GET", "/Condition?_revinclude=Provenance:target", "p1", nil)
	if got := r.entryIDs("include"); !slices.Equal(got, []string{"Provenance/p1-prov"}) {
		t.Errorf("patient-scoped revinclude: %v", got)
	}
	r = e.do("GET", "/Observation?_summary=count", "admin", nil)
	if r.body["total"].(float64) != 27 || r.body["entry"] != nil {
		t.Errorf("_summary=count: %s", r.raw)
	}
	r = e.do("GET", "/Patient?_elements=gender&_id=p1", "admin", nil)
	if res := r.body["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any); res["name"] != nil || res["gender"] == nil {
		t.Errorf("_elements: %v", res)
	}
	r = e.do("GET", "/Observation?patient=p1&code=2345-7&_sort=-date", "admin", nil)
	if got := r.entryIDs("match"); !slices.Equal(got, refs("Observation/", "p1-enc3-glu", "p1-enc2-glu", "p1-enc1-glu")) {
		t.Errorf("_sort=-date: %v", got)
	}
	r = e.do("GET", "/Patient/p1/$everything?_type=Patient,Condition", "admin", nil)
	if got := r.entryIDs("match"); !slices.Equal(got, []string{"Patient/p1", "Condition/p1-dm"}) {
		t.Errorf("$everything: %v", got)
	}
}

// TestPagingStableUnderWrites walks every page of a search while other requests create and update
// resources: every resource that existed at the start appears exactly once.
func TestPagingStableUnderWrites(t *testing.T) {
	e := loaded(t, 5)
	before := e.do("GET", "/Observation?_count=1000", "admin", nil).entryIDs("match")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 40; i++ { // bounded: new rows land ahead of the walk
			select {
			case <-stop:
				return
			default:
			}
			o := map[string]any{"resourceType": "Observation", "status": "final", "code": map[string]any{"text": "x"}}
			e.do("POST", "/Observation", "admin", o)
			u := map[string]any{"resourceType": "Observation", "id": "p1-enc1-hr", "status": "amended", "code": map[string]any{"text": fmt.Sprint(i)}}
			e.do("PUT", "/Observation/p1-enc1-hr", "admin", u)
		}
	}()
	seen := map[string]int{}
	next := "/Observation?_count=7"
	for next != "" {
		r := e.do("GET", next, "admin", nil)
		for _, id := range r.entryIDs("match") {
			seen[id]++
		}
		next = ""
		for _, l := range r.body["link"].([]any) {
			if m := l.(map[string]any); m["relation"] == "next" {
				u, _ := url.Parse(m["url"].(string))
				next = u.Path[len("/fhir"):] + "?" + u.RawQuery
			}
		}
	}
	close(stop)
	wg.Wait()
	for _, id := range before {
		if seen[id] != 1 {
			t.Errorf("%s seen %d times", id, seen[id])
		}
	}
}

package fhir

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func loaded(t *testing.T, patients int) *env {
	e := newEnv(t)
	if err := e.s.Ingest(context.Background(), dataset(patients)); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestScopeEnforcement(t *testing.T) {
	e := loaded(t, 3)
	e.v["p1"] = access(t, "launch/patient patient/*.rs", "p1", "")
	e.v["p1-obs-r"] = access(t, "patient/Observation.r", "p1", "")
	e.v["p1-lab"] = access(t, "patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory", "p1", "")
	e.v["p1-v1"] = access(t, "patient/Observation.read", "p1", "")
	e.v["p1-write"] = access(t, "patient/Observation.cu patient/Observation.rs", "p1", "")
	e.v["user-pat"] = access(t, "user/*.rs", "", "Patient/p2")
	e.v["user-doc"] = access(t, "user/*.rs", "", "Practitioner/dr1")
	e.v["sys-audit"] = access(t, "system/AuditEvent.rs", "", "")
	for _, tc := range []struct {
		name, bearer, method, path string
		status                     int
		want                       []string // match entries of a search, exactly
	}{
		{"patient reads own", "p1", "GET", "/Observation/p1-enc1-bp", 200, nil},
		{"patient reads other → 404", "p1", "GET", "/Observation/p2-enc1-bp", 404, nil},
		{"patient reads other Patient → 404", "p1", "GET", "/Patient/p2", 404, nil},
		{"patient search confined", "p1", "GET", "/Condition", 200, []string{"Condition/p1-dm"}},
		{"patient search other patient empty", "p1", "GET", "/Condition?patient=p2", 200, nil},
		{"shared type readable", "p1", "GET", "/Medication/med1", 200, nil},
		{"r without s cannot search", "p1-obs-r", "GET", "/Observation", 403, nil},
		{"r reads", "p1-obs-r", "GET", "/Observation/p1-enc1-hr", 200, nil},
		{"no scope for type", "p1-obs-r", "GET", "/Condition/p1-dm", 403, nil},
		{"v1 read allows search", "p1-v1", "GET", "/Observation?code=8867-4", 200, []string{"Observation/p1-enc1-hr", "Observation/p1-enc2-hr", "Observation/p1-enc3-hr"}},
		{"v1 read forbids write", "p1-v1", "DELETE", "/Observation/p1-enc1-hr", 403, nil},
		{"restriction: exactly the lab results", "p1-lab", "GET", "/Observation", 200, []string{"Observation/p1-enc1-glu", "Observation/p1-enc2-glu", "Observation/p1-enc3-glu"}},
		{"restriction: vital sign read → 404", "p1-lab", "GET", "/Observation/p1-enc1-bp", 404, nil},
		{"restriction: lab read", "p1-lab", "GET", "/Observation/p1-enc2-glu", 200, nil},
		{"restriction AND criteria", "p1-lab", "GET", "/Observation?status=amended", 200, []string{"Observation/p1-enc2-glu"}},
		{"patient user sees own only", "user-pat", "GET", "/Patient", 200, []string{"Patient/p2"}},
		{"practitioner user sees all", "user-doc", "GET", "/Patient", 200, []string{"Patient/p1", "Patient/p2", "Patient/p3"}},
		{"audit needs its scope", "p1-obs-r", "GET", "/AuditEvent", 403, nil},
		{"everything confined", "p1", "GET", "/Patient/p2/$everything", 404, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(tc.method, tc.path, tc.bearer, nil)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
			if tc.status == 200 && r.body["resourceType"] == "Bundle" {
				if got := r.entryIDs("match"); !slices.Equal(got, tc.want) {
					t.Errorf("got %v, want %v", got, tc.want)
				}
			}
			if tc.status == 403 && !contains([]string{"OperationOutcome"}, r.body["resourceType"].(string)) {
				t.Errorf("403 without OperationOutcome")
			}
		})
	}
	// A token without the scope is told so in WWW-Authenticate as well (RFC 6750 §3.1), with the scope
	// that would have done: clients such as fhirclient read the header, not the body.
	if r := e.do("GET", "/Condition/p1-dm", "p1-obs-r", nil); r.status != 403 ||
		!strings.Contains(r.header.Get("WWW-Authenticate"), `error="insufficient_scope"`) ||
		!strings.Contains(r.header.Get("WWW-Authenticate"), `scope="patient/Condition.r"`) {
		t.Errorf("403 for a missing scope: %d WWW-Authenticate %q", r.status, r.header.Get("WWW-Authenticate"))
	}
	// Writes: inside the compartment yes, outside no; the update letter is needed.
	own := map[string]any{"resourceType": "Observation", "status": "final", "code": map[string]any{"text": "x"},
		"subject": map[string]any{"reference": "Patient/p1"}}
	if r := e.do("POST", "/Observation", "p1-write", own); r.status != 201 {
		t.Errorf("create in compartment: %d %s", r.status, r.raw)
	}
	own["subject"] = map[string]any{"reference": "Patient/p2"}
	if r := e.do("POST", "/Observation", "p1-write", own); r.status != 403 {
		t.Errorf("create outside compartment: %d %s", r.status, r.raw)
	}
	if r := e.do("POST", "/Observation", "p1", own); r.status != 403 {
		t.Errorf("create without c: %d", r.status)
	}
	// The audit log recorded these requests and is searchable with system/AuditEvent.rs.
	e.s.Flush()
	r := e.do("GET", "/AuditEvent?subtype=read&_total=accurate", "sys-audit", nil)
	if r.status != 200 || r.body["total"].(float64) < 5 {
		t.Errorf("audit search: %d %v", r.status, r.body["total"])
	}
}

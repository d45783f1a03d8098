package fhir

import (
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestUnsupportedModifiers: modifiers the server cannot evaluate honestly are a 400 naming the parameter,
// never silently ignored (which would widen the result). Token :below/:above need terminology
// subsumption and :in/:not-in a ValueSet expansion, neither of which Valet has.
func TestUnsupportedModifiers(t *testing.T) {
	e := newEnv(t)
	for _, q := range []string{"code:below=http://loinc.org|2345", "code:above=x", "code:in=http://vs", "code:not-in=http://vs",
		"_tag:below=http://x|y", "_security:above=R", "_profile:contains=http://x", "_profile:not=http://x", "subject:above=Patient/1",
		"_lastUpdated:missing=true", "_lastUpdated:exact=2020", "date:exact=2020"} {
		r := e.do("GET", "/Observation?"+q, "admin", nil)
		param, _, _ := strings.Cut(q, "=")
		if r.status != 400 || !strings.Contains(string(r.raw), param) {
			t.Errorf("%s: %d %s", q, r.status, r.raw)
		}
	}
}

const (
	tags = "https://valet.dev/fhir/tags"
	mrn  = "https://valet.dev/fhir/sid/mrn"
	conf = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
	uscp = "http://hl7.org/fhir/us/core/StructureDefinition/"
)

// TestCommonParamsAndModifiers: _tag, _security and _profile on any type (indexed on write, replaced on
// update), the uri modifiers :below and :above, and reference :identifier, both through the Reference's
// own identifier and through the target's identifier.
func TestCommonParamsAndModifiers(t *testing.T) {
	e := loaded(t, 2)
	coding := func(sys, code string) map[string]any { return map[string]any{"system": sys, "code": code} }
	ref := func(s string) map[string]any { return map[string]any{"reference": s} }
	for _, r := range []map[string]any{
		{"resourceType": "Patient", "id": "pn", "meta": map[string]any{"tag": []any{coding(tags, "persona-newborn")},
			"profile": []any{uscp + "us-core-patient"}},
			"identifier": []any{map[string]any{"system": mrn, "value": "ABC"}}},
		{"resourceType": "Patient", "id": "pu", "meta": map[string]any{"tag": []any{coding(tags, "portal-user"), coding("http://other", "x")}}},
		{"resourceType": "Condition", "id": "c-r", "meta": map[string]any{"security": []any{coding(conf, "R")}},
			"subject": ref("Patient/pn"), "code": map[string]any{"text": "restricted"}},
		{"resourceType": "Condition", "id": "c-n", "meta": map[string]any{"security": []any{coding(conf, "N")}},
			"subject": ref("Patient/pn"), "code": map[string]any{"text": "normal"}},
		{"resourceType": "Observation", "id": "o-pn", "status": "final", "code": map[string]any{"text": "x"}, "subject": ref("Patient/pn"),
			"meta": map[string]any{"profile": []any{uscp + "us-core-observation-lab"}}},
		{"resourceType": "Observation", "id": "o-ident", "status": "final", "code": map[string]any{"text": "x"},
			"subject": map[string]any{"type": "Patient", "identifier": map[string]any{"system": mrn, "value": "XYZ"}},
			"meta":    map[string]any{"profile": []any{"http://hl7.org/fhir/us/core-extra/StructureDefinition/x"}}},
		{"resourceType": "Observation", "id": "o-dev", "status": "final", "code": map[string]any{"text": "x"},
			"subject": map[string]any{"identifier": map[string]any{"system": "urn:dev", "value": "XYZ"}}},
		// A Location whose identifier looks like an MRN: not a target of Observation.patient.
		{"resourceType": "Location", "id": "loc", "identifier": []any{map[string]any{"system": mrn, "value": "LOC"}}},
		{"resourceType": "Observation", "id": "o-loc", "status": "final", "code": map[string]any{"text": "x"}, "subject": ref("Location/loc")},
	} {
		if res := e.do("PUT", "/"+r["resourceType"].(string)+"/"+r["id"].(string), "admin", r); res.status != 201 {
			t.Fatalf("create %s: %d %s", r["id"], res.status, res.raw)
		}
	}
	ids := func(q string) []string {
		r := e.do("GET", "/"+q+"&_count=1000", "admin", nil)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", q, r.status, r.raw)
		}
		got := r.entryIDs("match")
		sort.Strings(got)
		return got
	}
	p1obs := ids("Observation?patient=p1")
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"Patient?_tag=" + tags + "|persona-newborn", []string{"Patient/pn"}},
		{"Patient?_tag=persona-newborn", []string{"Patient/pn"}},
		{"Patient?_tag=" + tags + "|", []string{"Patient/pn", "Patient/pu"}},
		{"Patient?_tag=" + tags + "|persona-newborn," + tags + "|portal-user", []string{"Patient/pn", "Patient/pu"}},
		{"Patient?_tag=" + tags + "|portal-user&_tag=http://other|x", []string{"Patient/pu"}},
		{"Patient?_tag=http://other|persona-newborn", nil},
		{"Patient?_tag:not=" + tags + "|persona-newborn", []string{"Patient/p1", "Patient/p2", "Patient/pu"}},
		{"Patient?_tag:missing=true", []string{"Patient/p1", "Patient/p2"}},
		{"Condition?_security=" + conf + "|R", []string{"Condition/c-r"}},
		{"Condition?_security=R&patient=pn", []string{"Condition/c-r"}},
		{"Condition?_security:not=" + conf + "|R&patient=pn", []string{"Condition/c-n"}},
		{"Patient?_profile=" + uscp + "us-core-patient", []string{"Patient/pn"}},
		{"Patient?_profile=" + strings.ToUpper(uscp) + "us-core-patient", nil},
		{"Patient?_profile:missing=false", []string{"Patient/pn"}},
		{"Observation?_profile:below=http://hl7.org/fhir/us/core", []string{"Observation/o-pn"}},
		{"Observation?_profile:below=http://hl7.org/fhir/us/core/", []string{"Observation/o-pn"}},
		{"Observation?_profile:below=http://hl7.org/fhir/us/cor", nil},
		{"Observation?_profile:below=http://hl7.org/fhir/us", []string{"Observation/o-ident", "Observation/o-pn"}},
		{"Observation?_profile:above=" + uscp + "us-core-observation-lab/_history/2", []string{"Observation/o-pn"}},
		{"Observation?_profile:above=" + uscp + "us-core-observation-lab", []string{"Observation/o-pn"}},
		{"Observation?_profile:above=" + uscp, nil},
		{"Observation?subject:identifier=" + mrn + "|ABC", []string{"Observation/o-pn"}},
		{"Observation?subject:identifier=ABC", []string{"Observation/o-pn"}},
		{"Observation?subject:identifier=" + mrn + "|XYZ", []string{"Observation/o-ident"}},
		{"Observation?patient:identifier=" + mrn + "|XYZ", []string{"Observation/o-ident"}},
		{"Observation?subject:identifier=XYZ", []string{"Observation/o-dev", "Observation/o-ident"}},
		{"Observation?patient:identifier=urn:dev|XYZ", nil}, // no type: not known to be a Patient
		{"Observation?subject:identifier=" + mrn + "|LOC", []string{"Observation/o-loc"}},
		{"Observation?patient:identifier=" + mrn + "|LOC", nil},
		{"Observation?subject:identifier=" + mrn + "|ABC," + mrn + "|XYZ", []string{"Observation/o-ident", "Observation/o-pn"}},
		{"Observation?subject:identifier=urn:mrn|MRN1", p1obs},
		{"Observation?subject:identifier=urn:mrn|MRN1&code=2345-7", refs("Observation/", "p1-enc1-glu", "p1-enc2-glu", "p1-enc3-glu")},
		{"Condition?subject:identifier=" + mrn + "|ABC&_security=" + conf + "|R", []string{"Condition/c-r"}},
	} {
		if got := ids(tc.query); !slices.Equal(got, tc.want) {
			t.Errorf("%s:\n got %v\nwant %v", tc.query, got, tc.want)
		}
	}
	if len(p1obs) != 9 {
		t.Errorf("patient=p1: %v", p1obs)
	}
	// An update replaces the index rows: the tag goes, a new one comes.
	pn := e.do("GET", "/Patient/pn", "admin", nil).body
	pn["meta"].(map[string]any)["tag"] = []any{coding(tags, "persona-toddler")}
	if r := e.do("PUT", "/Patient/pn", "admin", pn); r.status != 200 {
		t.Fatalf("update: %d %s", r.status, r.raw)
	}
	if got := ids("Patient?_tag=" + tags + "|persona-newborn"); got != nil {
		t.Errorf("old tag after update: %v", got)
	}
	if got := ids("Patient?_tag=" + tags + "|persona-toddler"); !slices.Equal(got, []string{"Patient/pn"}) {
		t.Errorf("new tag after update: %v", got)
	}
	// A deleted target no longer resolves.
	e.do("DELETE", "/Patient/pn", "admin", nil)
	if got := ids("Observation?subject:identifier=" + mrn + "|ABC"); got != nil {
		t.Errorf("deleted target: %v", got)
	}
}

// TestCanonicalReferenceSearch: QuestionnaireResponse?questionnaire is a reference parameter over a
// canonical (US Core 6.1): the URL as written, the URL without its |version, or Questionnaire/id of this
// server find the response; another URL or version does not.
func TestCanonicalReferenceSearch(t *testing.T) {
	e := newEnv(t)
	for id, q := range map[string]string{"qr-v": "http://loinc.org/q/93025-5|2.0", "qr-plain": "http://loinc.org/q/96777-8",
		"qr-local": "Questionnaire/prapare"} {
		qr := map[string]any{"resourceType": "QuestionnaireResponse", "id": id, "status": "completed", "questionnaire": q}
		if r := e.do("PUT", "/QuestionnaireResponse/"+id, "admin", qr); r.status != 201 {
			t.Fatalf("create %s: %d %s", id, r.status, r.raw)
		}
	}
	expectMatches(t, e, "QuestionnaireResponse", map[string]string{
		"questionnaire=http://loinc.org/q/93025-5":                           "QuestionnaireResponse/qr-v",
		"questionnaire=" + url.QueryEscape("http://loinc.org/q/93025-5|2.0"): "QuestionnaireResponse/qr-v",
		"questionnaire=" + url.QueryEscape("http://loinc.org/q/93025-5|1.0"): "",
		"questionnaire=http://loinc.org/q/96777-8":                           "QuestionnaireResponse/qr-plain",
		"questionnaire=http://loinc.org/q/96777":                             "",
		"questionnaire=Questionnaire/prapare":                                "QuestionnaireResponse/qr-local",
		"questionnaire=http://valet.test/fhir/Questionnaire/prapare":         "QuestionnaireResponse/qr-local",
		"questionnaire:missing=false&_id=qr-v,qr-plain":                      "QuestionnaireResponse/qr-plain,QuestionnaireResponse/qr-v",
	})
}

// TestExtensionSearchParameter: Condition?asserted-date reads the condition-assertedDate extension only,
// not another extension's date nor the recordedDate.
func TestExtensionSearchParameter(t *testing.T) {
	e := newEnv(t)
	ext := func(url, date string) []any { return []any{map[string]any{"url": url, "valueDateTime": date}} }
	for id, c := range map[string]map[string]any{
		"asserted": {"extension": ext("http://hl7.org/fhir/StructureDefinition/condition-assertedDate", "2024-11-02")},
		"other":    {"extension": ext("http://example.org/StructureDefinition/asserted-date", "2024-11-02")},
		"recorded": {"recordedDate": "2024-11-02"},
	} {
		c["resourceType"], c["id"], c["subject"] = "Condition", id, map[string]any{"reference": "Patient/p1"}
		if r := e.do("PUT", "/Condition/"+id, "admin", c); r.status != 201 {
			t.Fatalf("create %s: %d %s", id, r.status, r.raw)
		}
	}
	expectMatches(t, e, "Condition", map[string]string{
		"asserted-date=2024-11-02":      "Condition/asserted",
		"asserted-date=ge2024-11-03":    "",
		"asserted-date:missing=true":    "Condition/other,Condition/recorded",
		"recorded-date=2024-11-02":      "Condition/recorded",
		"patient=p1&asserted-date=2024": "Condition/asserted",
	})
}

// expectMatches runs typ?query (sorted by id) for each case and expects its match ids, comma-joined.
func expectMatches(t *testing.T, e *env, typ string, cases map[string]string) {
	t.Helper()
	for query, want := range cases {
		r := e.do("GET", "/"+typ+"?"+query+"&_sort=_id", "admin", nil)
		if got := strings.Join(r.entryIDs("match"), ","); r.status != 200 || got != want {
			t.Errorf("%s?%s: %d %q, want %q (%s)", typ, query, r.status, got, want, r.raw)
		}
	}
}

// TestDocref: US Core's $docref is the patient's documents of a type (the CCD by default), the most recent
// without dates, those whose period of service meets start/end otherwise; bad input is a 400.
func TestDocref(t *testing.T) {
	e := newEnv(t)
	doc := func(id, patient, code, start, end string) {
		d := map[string]any{"resourceType": "DocumentReference", "id": id, "status": "current", "date": end + "T12:00:00Z",
			"type":    map[string]any{"coding": []any{map[string]any{"system": "http://loinc.org", "code": code}}},
			"subject": map[string]any{"reference": "Patient/" + patient},
			"content": []any{map[string]any{"attachment": map[string]any{"contentType": "text/plain", "data": "aGk="}}},
			"context": map[string]any{"period": map[string]any{"start": start, "end": end}}}
		if r := e.do("PUT", "/DocumentReference/"+id, "admin", d); r.status != 201 {
			t.Fatalf("create %s: %d %s", id, r.status, r.raw)
		}
	}
	doc("ccd-old", "p1", "34133-9", "2023-01-01", "2023-01-02")
	doc("ccd-new", "p1", "34133-9", "2025-06-01", "2025-06-01")
	doc("note", "p1", "11506-3", "2025-07-01", "2025-07-01")
	doc("ccd-other", "p2", "34133-9", "2025-08-01", "2025-08-01")
	for query, want := range map[string]string{
		"patient=p1": "DocumentReference/ccd-new",
		"patient=p1&start=2022-12-01&end=2023-12-31": "DocumentReference/ccd-old",
		"patient=p1&start=2022-01-01":                "DocumentReference/ccd-new,DocumentReference/ccd-old",
		"patient=p1&type=http://loinc.org%7C11506-3": "DocumentReference/note",
		"patient=p1&on-demand=false&end=2024-01-01":  "DocumentReference/ccd-old",
		"patient=p3": "",
	} {
		r := e.do("GET", "/DocumentReference/$docref?"+query, "admin", nil)
		got := r.entryIDs("match")
		sort.Strings(got)
		if r.status != 200 || r.body["type"] != "searchset" || strings.Join(got, ",") != want {
			t.Errorf("$docref?%s: %d %v, want %q (%s)", query, r.status, got, want, r.raw)
		}
	}
	for _, query := range []string{"", "patient=p1&patient=p2", "patient=p1&on-demand=yes", "patient=p1&start=soon", "patient=p1&format=pdf"} {
		if r := e.do("GET", "/DocumentReference/$docref?"+query, "admin", nil); r.status != 400 || r.body["resourceType"] != "OperationOutcome" {
			t.Errorf("$docref?%s: %d %s, want a 400 OperationOutcome", query, r.status, r.raw)
		}
	}
	// A token for patient p2 sees no document of p1 through the operation either.
	e.v["p2"] = access(t, "patient/DocumentReference.rs", "p2", "")
	if r := e.do("GET", "/DocumentReference/$docref?patient=p1&start=2000-01-01", "p2", nil); len(r.entryIDs("match")) != 0 {
		t.Errorf("a p2 token got p1's documents: %d %v", r.status, r.entryIDs("match"))
	}
}

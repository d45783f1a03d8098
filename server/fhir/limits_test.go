package fhir

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/valet-sandbox/valet/server/fhir/search"
)

// repeat joins n copies of f(i) with sep.
func repeat(n int, sep string, f func(i int) string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = f(i)
	}
	return strings.Join(parts, sep)
}

func same(s string) func(int) string { return func(int) string { return s } }
func numbered(prefix string) func(int) string {
	return func(i int) string { return prefix + strconv.Itoa(i) }
}

// issue returns the first issue of an OperationOutcome answer, failing the test on anything else.
func (r result) issue(t *testing.T, status int) map[string]any {
	t.Helper()
	if r.status != status || r.body["resourceType"] != "OperationOutcome" {
		t.Fatalf("got %d %.300s, want a %d OperationOutcome", r.status, r.raw, status)
	}
	return r.body["issue"].([]any)[0].(map[string]any)
}

// TestSearchTooLargeForSQLite: searches whose SQL SQLite refused (issue #13) are a 400 OperationOutcome
// naming the parameter, never a 500 carrying SQLite's text.
func TestSearchTooLargeForSQLite(t *testing.T) {
	e := loaded(t, 1)
	for _, tc := range []struct{ name, query, param string }{
		{"101 sort keys", "_sort=" + repeat(101, ",", same("date")), "_sort"},   // near ":0": syntax error
		{"501 OR values", "code=" + repeat(501, ",", numbered("c")), "code"},    // too many terms in compound SELECT
		{"491 AND repeats", repeat(491, "&", numbered("patient=p")), "patient"}, // Expression tree is too large
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := e.do("GET", "/Observation?"+tc.query, "admin", nil).issue(t, 400)
			if ex, _ := is["expression"].([]any); len(ex) != 1 || ex[0] != tc.param {
				t.Errorf("expression %v, want [%s]", is["expression"], tc.param)
			}
		})
	}
}

// TestSearchLimits: one past each limit is a 400 whose issue names the limit, the value given and the
// parameter; at each limit, in the shape that makes the largest SQL, the search runs.
func TestSearchLimits(t *testing.T) {
	e := loaded(t, 2)
	n := strconv.Itoa
	for _, tc := range []struct {
		name, query, param, code string
		says                     []string // in the diagnostics
	}{
		{"sort keys", "_sort=date,-code&_sort=" + repeat(search.MaxSortKeys-1, ",", same("status")), "_sort", "too-costly",
			[]string{n(search.MaxSortKeys + 1), n(search.MaxSortKeys)}},
		{"values", "combo-code=" + repeat(search.MaxValues+1, ",", numbered("c")), "combo-code", "too-costly",
			[]string{n(search.MaxValues + 1), n(search.MaxValues)}},
		{"values in a chain", "subject:Patient.name=" + repeat(search.MaxValues+1, ",", numbered("n")), "subject:Patient.name", "too-costly",
			[]string{n(search.MaxValues + 1)}},
		{"criteria", repeat(search.MaxCriteria-1, "&", numbered("status=s")) + "&date=ge2020&unknown-param=1", "status", "too-costly",
			[]string{n(search.MaxCriteria + 1), n(search.MaxCriteria)}},
		{"terms", repeat(search.MaxTerms/search.MaxValues+1, "&", same("combo-code="+repeat(search.MaxValues/2, ",", numbered("c")))), "combo-code", "too-costly",
			[]string{n(search.MaxTerms)}},
		{"terms of one chain", "performer.identifier=" + repeat(search.MaxValues, ",", numbered("i")), "performer.identifier", "too-costly",
			[]string{n(search.MaxTerms)}},
		{"terms of a uri", "_profile:above=http://x" + strings.Repeat("/a", search.MaxTerms), "_profile:above", "too-costly",
			[]string{n(search.MaxTerms)}},
		{"chain depth", "subject:Patient.general-practitioner:Practitioner._has:PractitionerRole:practitioner:_has:Encounter:participant:_has:Observation:encounter:code=1",
			"subject:Patient.general-practitioner:Practitioner._has:PractitionerRole:practitioner:_has:Encounter:participant:_has:Observation:encounter:code", "too-costly",
			[]string{n(search.MaxChainDepth + 1), n(search.MaxChainDepth)}},
		{"includes", repeat(search.MaxIncludes/2, "&", same("_include=Observation:subject")) + "&" +
			repeat(search.MaxIncludes/2+1, "&", same("_revinclude=DiagnosticReport:result")), "_revinclude", "too-costly",
			[]string{n(search.MaxIncludes + 1), n(search.MaxIncludes)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, method := range []string{"GET", "POST"} {
				var r result
				if method == "GET" {
					r = e.do("GET", "/Observation?"+tc.query, "admin", nil)
				} else {
					r = e.do("POST", "/Observation/_search", "admin", tc.query, "Content-Type", "application/x-www-form-urlencoded")
				}
				is := r.issue(t, 400)
				diag, _ := is["diagnostics"].(string)
				if is["code"] != tc.code {
					t.Errorf("%s: code %v, want %s", method, is["code"], tc.code)
				}
				if ex, _ := is["expression"].([]any); len(ex) != 1 || ex[0] != tc.param {
					t.Errorf("%s: expression %v, want [%s]", method, is["expression"], tc.param)
				}
				for _, s := range tc.says {
					if !strings.Contains(diag, s) {
						t.Errorf("%s: diagnostics %q do not say %s", method, diag, s)
					}
				}
			}
		})
	}

	// At the limits, in the shapes that make the most SQL: each runs.
	contains := strings.Repeat("_", search.MaxQueryLength-len("name:contains=")) // every byte escaped in LIKE
	for _, q := range []string{
		"_sort=" + strings.Join([]string{"date", "-code", "status", "-_lastUpdated", "value-quantity", "subject", "-patient", "category",
			"combo-code", "-encounter", "identifier", "-value-concept", "component-code", "performer", "-based-on", "_id"}, ","),
		"combo-code=" + repeat(search.MaxValues, ",", numbered("c")),
		"patient=" + repeat(search.MaxValues, ",", numbered("p")) + "&code=" + repeat(search.MaxValues, ",", numbered("c")),
		"patient:identifier=" + repeat(search.MaxValues, ",", numbered("s|")),
		repeat(search.MaxCriteria, "&", same("patient=p1")),
		repeat(search.MaxCriteria, "&", same("combo-code="+repeat(search.MaxTerms/search.MaxCriteria/2, ",", numbered("c")))),
		repeat(search.MaxCriteria, "&", same("value-quantity="+repeat(search.MaxTerms/search.MaxCriteria/2, ",", numbered("ne1|u|m")))),
		repeat(search.MaxCriteria, "&", same("subject:Patient.name="+repeat(search.MaxTerms/search.MaxCriteria/2, ",", numbered("n")))),
		"subject:Patient.general-practitioner:Practitioner._has:PractitionerRole:practitioner:_has:Encounter:practitioner:status=" +
			repeat(search.MaxValues, ",", numbered("c")),
		"_profile:above=http://x" + strings.Repeat("/a", search.MaxTerms/2-1),
		repeat(search.MaxIncludes/2, "&", same("_include=Observation:subject:iterate")) + "&" +
			repeat(search.MaxIncludes/2, "&", same("_revinclude=DiagnosticReport:result:iterate")),
	} {
		if r := e.do("GET", "/Observation?"+q, "admin", nil); r.status != 200 {
			t.Errorf("%.100s…: %d %.300s", q, r.status, r.raw)
		}
	}
	if r := e.do("GET", "/Patient?name:contains="+contains, "admin", nil); r.status != 200 {
		t.Errorf("name:contains of %d bytes: %d %.300s", len(contains), r.status, r.raw)
	}
}

// TestSortedPagingAtTheSortLimit walks pages of a search sorted by MaxSortKeys keys, so the keyset
// condition over all of them runs.
func TestSortedPagingAtTheSortLimit(t *testing.T) {
	e := loaded(t, 2)
	keys := "date,-code,status,-_lastUpdated,value-quantity,subject,-patient,category,combo-code,-encounter,identifier," +
		"-value-concept,component-code,performer,-based-on,_id"
	if strings.Count(keys, ",")+1 != search.MaxSortKeys {
		t.Fatalf("the test sorts by %d keys", strings.Count(keys, ",")+1)
	}
	pages := e.walk("/Observation?_count=4&_sort="+url.QueryEscape(keys), "next")
	seen := 0
	for _, p := range pages {
		seen += len(p)
	}
	if seen != 18 { // 2 patients × 3 encounters × 3 observations
		t.Errorf("walked %d resources in %d pages", seen, len(pages))
	}
}

// TestQueryTooLong: a query longer than search.MaxQueryLength is a 414 in the URL (a conditional update's
// too), a 413 in a POST _search form and a 400 in a conditional reference inside a Bundle.
func TestQueryTooLong(t *testing.T) {
	e := loaded(t, 1)
	long := "name=" + strings.Repeat("a", search.MaxQueryLength)
	r := e.do("GET", "/Patient?"+long, "admin", nil)
	if is := r.issue(t, 414); is["code"] != "too-long" || !strings.Contains(is["diagnostics"].(string), strconv.Itoa(search.MaxQueryLength)) {
		t.Errorf("GET: %v", is)
	}
	e.do("POST", "/Patient/_search", "admin", long, "Content-Type", "application/x-www-form-urlencoded").issue(t, 413)
	e.do("PUT", "/Patient?"+long, "admin", map[string]any{"resourceType": "Patient"}).issue(t, 414)
	bundle := map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": []any{map[string]any{
		"resource": map[string]any{"resourceType": "Observation", "status": "final", "code": map[string]any{"text": "x"},
			"subject": map[string]any{"reference": "Patient?" + long}},
		"request": map[string]any{"method": "POST", "url": "Observation"}}}}
	if is := e.do("POST", "", "admin", bundle).issue(t, 400); is["code"] != "too-long" {
		t.Errorf("conditional reference: %v", is)
	}
	// Within the limit, a form with the URL's parameters too.
	r = e.do("POST", "/Patient/_search?gender=male", "admin", "name="+strings.Repeat("a", 100), "Content-Type", "application/x-www-form-urlencoded")
	if r.status != 200 {
		t.Errorf("POST _search: %d %.300s", r.status, r.raw)
	}
}

// TestConditionalReferenceBeyondALimit: the search a conditional reference or a conditional create makes
// has the same limits as any search, in a transaction and in a batch.
func TestConditionalReferenceBeyondALimit(t *testing.T) {
	e := loaded(t, 1)
	cond := "Patient?identifier=" + repeat(search.MaxValues+1, ",", numbered("urn:mrn|MRN"))
	obs := map[string]any{"resourceType": "Observation", "status": "final", "code": map[string]any{"text": "x"},
		"subject": map[string]any{"reference": cond}}
	for _, typ := range []string{"transaction", "batch"} {
		b := map[string]any{"resourceType": "Bundle", "type": typ, "entry": []any{
			map[string]any{"resource": obs, "request": map[string]any{"method": "POST", "url": "Observation"}},
			map[string]any{"resource": map[string]any{"resourceType": "Patient"},
				"request": map[string]any{"method": "POST", "url": "Patient", "ifNoneExist": strings.TrimPrefix(cond, "Patient?")}},
		}}
		r := e.do("POST", "", "admin", b)
		if typ == "transaction" {
			if is := r.issue(t, 400); is["code"] != "too-costly" {
				t.Errorf("transaction: %v", is)
			}
			continue
		}
		if r.status != 200 || strings.Count(string(r.raw), `"400 Bad Request"`) != 2 || !strings.Contains(string(r.raw), "too-costly") {
			t.Errorf("batch: %d %.500s", r.status, r.raw)
		}
	}
}

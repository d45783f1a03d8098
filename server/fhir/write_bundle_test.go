package fhir

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestTransaction(t *testing.T) {
	e := loaded(t, 1)
	tx := map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": []any{
		map[string]any{"fullUrl": "urn:uuid:11111111-1111-1111-1111-111111111111",
			"resource": map[string]any{"resourceType": "Patient", "name": []any{map[string]any{"family": "New"}}},
			"request":  map[string]any{"method": "POST", "url": "Patient"}},
		map[string]any{"resource": map[string]any{"resourceType": "Observation", "status": "final", "code": map[string]any{"text": "t"},
			"subject":   map[string]any{"reference": "urn:uuid:11111111-1111-1111-1111-111111111111"},
			"performer": []any{map[string]any{"reference": "Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|1234567893"}}},
			"request": map[string]any{"method": "POST", "url": "Observation"}},
	}}
	r := e.do("POST", "", "admin", tx)
	if r.status != 200 || r.body["type"] != "transaction-response" {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	obs := r.body["entry"].([]any)[1].(map[string]any)["resource"].(map[string]any)
	pat := r.body["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any)
	if obs["subject"].(map[string]any)["reference"] != "Patient/"+pat["id"].(string) ||
		obs["performer"].([]any)[0].(map[string]any)["reference"] != "Practitioner/dr1" {
		t.Errorf("references not rewritten: %v", obs)
	}
	// One bad entry rolls back everything.
	before, _ := e.db.CountByType(context.Background())
	bad := map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": []any{
		map[string]any{"resource": map[string]any{"resourceType": "Patient"}, "request": map[string]any{"method": "POST", "url": "Patient"}},
		map[string]any{"resource": map[string]any{"resourceType": "Observation", "status": "final"}, "request": map[string]any{"method": "POST", "url": "Observation"}},
	}}
	r = e.do("POST", "", "admin", bad)
	if r.status != 422 || !strings.Contains(string(r.raw), `"expression":["Bundle.entry[1].resource.code"]`) {
		t.Errorf("bad transaction: %d %s", r.status, r.raw)
	}
	after, _ := e.db.CountByType(context.Background())
	if before["Patient"] != after["Patient"] || before["Observation"] != after["Observation"] {
		t.Errorf("a failed transaction left a trace: %v → %v", before, after)
	}
	// A batch applies entries independently.
	batch := map[string]any{"resourceType": "Bundle", "type": "batch", "entry": bad["entry"]}
	r = e.do("POST", "", "admin", batch)
	es := r.body["entry"].([]any)
	if r.status != 200 || !strings.HasPrefix(es[0].(map[string]any)["response"].(map[string]any)["status"].(string), "201") ||
		!strings.HasPrefix(es[1].(map[string]any)["response"].(map[string]any)["status"].(string), "422") {
		t.Errorf("batch: %s", r.raw)
	}
}

// Conditional references are resolved before the write transaction when they name one resource, and
// the transaction checks that they still do: a write landing in between (here, the NPI moving from
// dr1 to a new Practitioner, then disappearing) decides what the Bundle's references name.
func TestTransactionConditionalReferencesFollowConcurrentWrites(t *testing.T) {
	e := loaded(t, 1)
	npi := "Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|1234567893"
	obs := func(n int) map[string]any {
		var entries []any
		for i := range n {
			entries = append(entries, map[string]any{"request": map[string]any{"method": "POST", "url": "Observation"},
				"resource": map[string]any{"resourceType": "Observation", "status": "final", "code": map[string]any{"text": fmt.Sprint("t", i)},
					"subject": map[string]any{"reference": "Patient/p1"}, "performer": []any{map[string]any{"reference": npi}}}})
		}
		return map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": entries}
	}
	performers := func(r result) []string {
		var out []string
		for _, x := range r.body["entry"].([]any) {
			res := x.(map[string]any)["resource"].(map[string]any)
			out = append(out, res["performer"].([]any)[0].(map[string]any)["reference"].(string))
		}
		return out
	}
	if r := e.do("POST", "", "admin", obs(2)); r.status != 200 || !slices.Equal(performers(r), []string{"Practitioner/dr1", "Practitioner/dr1"}) {
		t.Fatalf("before any move: %d %s", r.status, r.raw)
	}
	withNPI := func(id string, has bool) map[string]any {
		p := map[string]any{"resourceType": "Practitioner", "id": id, "name": []any{map[string]any{"family": id}}}
		if has {
			p["identifier"] = []any{map[string]any{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}}
		}
		return p
	}
	e.s.afterAhead = func() {
		e.s.afterAhead = nil
		for _, p := range []map[string]any{withNPI("dr1", false), withNPI("dr2", true)} {
			if r := e.do("PUT", "/Practitioner/"+p["id"].(string), "admin", p); r.status >= 300 {
				t.Errorf("PUT %v: %d %s", p["id"], r.status, r.raw)
			}
		}
	}
	if r := e.do("POST", "", "admin", obs(3)); r.status != 200 || !slices.Equal(performers(r), []string{"Practitioner/dr2", "Practitioner/dr2", "Practitioner/dr2"}) {
		t.Errorf("after the NPI moved to dr2: %d %s", r.status, r.raw)
	}
	e.s.afterAhead = func() {
		e.s.afterAhead = nil
		if r := e.do("PUT", "/Practitioner/dr2", "admin", withNPI("dr2", false)); r.status != 200 {
			t.Errorf("PUT dr2: %d %s", r.status, r.raw)
		}
	}
	before, _ := e.db.CountByType(context.Background())
	if r := e.do("POST", "", "admin", obs(2)); r.status != 412 || !strings.Contains(string(r.raw), "the conditional reference "+npi+" matches nothing") {
		t.Errorf("after the NPI disappeared: %d %s", r.status, r.raw)
	}
	if after, _ := e.db.CountByType(context.Background()); after["Observation"] != before["Observation"] {
		t.Errorf("the refused Bundle stored Observations: %v → %v", before, after)
	}
}

func TestConcurrentWriters(t *testing.T) {
	e := loaded(t, 1)
	var wg sync.WaitGroup
	codes := make(chan int, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := map[string]any{"resourceType": "Patient", "id": "p1", "gender": "other"}
			codes <- e.do("PUT", "/Patient/p1", "admin", u, "If-Match", `W/"1"`).status
		}()
	}
	wg.Wait()
	close(codes)
	ok := 0
	for c := range codes {
		switch c {
		case 200:
			ok++
		case 412, 409:
		default:
			t.Errorf("unexpected status %d", c)
		}
	}
	if ok != 1 {
		t.Errorf("%d updates won with If-Match W/\"1\", want exactly 1", ok)
	}
}

// bigBundle is a transaction of n Observation POSTs for patient p1, with fn changing entry i.
func bigBundle(n int, fn func(i int, obs map[string]any)) map[string]any {
	var entries []any
	for i := range n {
		obs := map[string]any{"resourceType": "Observation", "status": "final", "code": map[string]any{"text": fmt.Sprintf("o%d", i)},
			"subject": map[string]any{"reference": "Patient/p1"}}
		if fn != nil {
			fn(i, obs)
		}
		entries = append(entries, map[string]any{"resource": obs, "request": map[string]any{"method": "POST", "url": "Observation"}})
	}
	return map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": entries}
}

// Entries are validated together at the end (on every core for big Bundles); the Bundle still fails on
// its first invalid entry, by position, and stores nothing.
func TestTransactionNamesItsFirstInvalidEntry(t *testing.T) {
	e := loaded(t, 1)
	before, _ := e.db.CountByType(context.Background())
	r := e.do("POST", "", "admin", bigBundle(80, func(i int, obs map[string]any) {
		if i == 61 || i == 70 {
			delete(obs, "code")
		}
	}))
	if r.status != 422 || !strings.Contains(string(r.raw), `"expression":["Bundle.entry[61].resource.code"]`) || strings.Contains(string(r.raw), "entry[70]") {
		t.Errorf("want entry 61 named alone: %d %s", r.status, r.raw)
	}
	// A later entry's own refusal (here a PUT to a resource with another version) does not hide an
	// earlier invalid one.
	b := bigBundle(40, func(i int, obs map[string]any) {
		if i == 3 {
			obs["status"] = "no-such-status"
		}
	})
	b["entry"] = append(b["entry"].([]any), map[string]any{"resource": map[string]any{"resourceType": "Patient", "id": "p1"},
		"request": map[string]any{"method": "PUT", "url": "Patient/p1", "ifMatch": `W/"7"`}})
	r = e.do("POST", "", "admin", b)
	if r.status != 422 || !strings.Contains(string(r.raw), "Bundle.entry[3]") {
		t.Errorf("want entry 3's validation error: %d %s", r.status, r.raw)
	}
	after, _ := e.db.CountByType(context.Background())
	if before["Observation"] != after["Observation"] || before["Patient"] != after["Patient"] {
		t.Errorf("a failed transaction left a trace: %v → %v", before, after)
	}
	r = e.do("POST", "", "admin", bigBundle(80, nil))
	if r.status != 200 {
		t.Fatalf("valid Bundle: %d %s", r.status, r.raw)
	}
	if after, _ = e.db.CountByType(context.Background()); after["Observation"] != before["Observation"]+80 {
		t.Errorf("stored %d Observations, want 80", after["Observation"]-before["Observation"])
	}
}

// Updates in a transaction read the current versions up front; a resource written twice in one Bundle
// is read again after its first write.
func TestTransactionUpdates(t *testing.T) {
	e := loaded(t, 1)
	put := func(id, gender, ifMatch string) map[string]any {
		req := map[string]any{"method": "PUT", "url": "Patient/" + id}
		if ifMatch != "" {
			req["ifMatch"] = ifMatch
		}
		return map[string]any{"resource": map[string]any{"resourceType": "Patient", "id": id, "gender": gender}, "request": req}
	}
	b := map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": []any{
		put("p1", "female", `W/"1"`), put("new1", "male", ""), put("new2", "male", ""), put("new2", "female", `W/"1"`)}}
	r := e.do("POST", "", "admin", b)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	var got []string
	for _, x := range r.body["entry"].([]any) {
		got = append(got, x.(map[string]any)["response"].(map[string]any)["status"].(string)+" "+
			x.(map[string]any)["response"].(map[string]any)["etag"].(string))
	}
	want := []string{`200 OK W/"2"`, `201 Created W/"1"`, `201 Created W/"1"`, `200 OK W/"2"`}
	if !slices.Equal(got, want) {
		t.Errorf("responses %q, want %q", got, want)
	}
	if r := e.do("GET", "/Patient/new2", "admin", nil); r.body["gender"] != "female" {
		t.Errorf("new2 after the Bundle: %s", r.raw)
	}
	// A stale If-Match still refuses the whole Bundle.
	b = map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": []any{put("new3", "male", ""), put("p1", "male", `W/"1"`)}}
	if r := e.do("POST", "", "admin", b); r.status != 412 || !strings.Contains(string(r.raw), "Bundle.entry[1]") {
		t.Errorf("stale If-Match: %d %s", r.status, r.raw)
	}
	if r := e.do("GET", "/Patient/new3", "admin", nil); r.status != 404 {
		t.Errorf("new3 was stored by a refused Bundle: %d", r.status)
	}
}

// A Provenance posted with what it is about, in one Bundle, joins its targets' patient compartments, so
// the patient's own app finds it with _revinclude.
func TestTransactionProvenanceJoinsItsTargetsCompartments(t *testing.T) {
	e := loaded(t, 1)
	e.v["p1"] = access(t, "patient/*.rs", "p1", "")
	cond := "urn:uuid:22222222-2222-2222-2222-222222222222"
	b := bigBundle(40, nil)
	b["entry"] = append(b["entry"].([]any),
		map[string]any{"fullUrl": cond, "request": map[string]any{"method": "POST", "url": "Condition"},
			"resource": map[string]any{"resourceType": "Condition", "subject": map[string]any{"reference": "Patient/p1"},
				"code": map[string]any{"text": "new problem"}, "category": []any{map[string]any{"coding": []any{map[string]any{
					"system": "http://terminology.hl7.org/CodeSystem/condition-category", "code": "problem-list-item"}}}}}},
		map[string]any{"request": map[string]any{"method": "POST", "url": "Provenance"},
			"resource": map[string]any{"resourceType": "Provenance", "target": []any{map[string]any{"reference": cond}},
				"recorded": "2024-01-01T00:00:00Z", "agent": []any{map[string]any{"who": map[string]any{"reference": "Practitioner/dr1"}}}}})
	r := e.do("POST", "", "admin", b)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	es := r.body["entry"].([]any)
	condID := es[40].(map[string]any)["resource"].(map[string]any)["id"].(string)
	provID := es[41].(map[string]any)["resource"].(map[string]any)["id"].(string)
	r = e.do("GET", "/Condition?_id="+condID+"&_revinclude=Provenance:target", "p1", nil)
	if got := r.entryIDs("include"); !slices.Equal(got, []string{"Provenance/" + provID}) {
		t.Errorf("the patient's app sees %v with its Condition, want the Provenance: %s", got, r.raw)
	}
}

// Prefer: return=… shapes a transaction-response's entries as it shapes a single write's answer: the
// stored resource by default, only the outcome for minimal, an OperationOutcome in its place for
// OperationOutcome. Every entry keeps its fullUrl, status, location and etag.
func TestTransactionResponseFollowsPrefer(t *testing.T) {
	e := loaded(t, 1)
	for _, tc := range []struct {
		prefer            string
		resource, outcome bool
	}{{"", true, false}, {"return=representation", true, false}, {"return=minimal", false, false}, {"return=OperationOutcome", false, true}} {
		for _, typ := range []string{"transaction", "batch"} {
			b := bigBundle(3, nil)
			b["type"] = typ
			var hdr []string
			if tc.prefer != "" {
				hdr = []string{"Prefer", tc.prefer}
			}
			r := e.do("POST", "", "admin", b, hdr...)
			es, _ := r.body["entry"].([]any)
			if r.status != 200 || len(es) != 3 {
				t.Fatalf("%s %q: %d %s", typ, tc.prefer, r.status, r.raw)
			}
			for i, x := range es {
				en := x.(map[string]any)
				resp := en["response"].(map[string]any)
				_, hasRes := en["resource"]
				_, hasOutcome := resp["outcome"]
				loc, _ := resp["location"].(string)
				full, _ := en["fullUrl"].(string)
				if hasRes != tc.resource || hasOutcome != tc.outcome || !strings.HasPrefix(resp["status"].(string), "201") ||
					!strings.HasPrefix(loc, "Observation/") || resp["etag"] != `W/"1"` || !strings.HasSuffix(full, strings.Split(loc, "/_history")[0]) {
					t.Errorf("%s %q entry %d: %v", typ, tc.prefer, i, en)
				}
			}
		}
	}
}

// A conditional reference is a search made for the app that sent the Bundle: it needs the token's search
// scope on the type and sees only what that scope shows. A patient-scoped app cannot resolve (and so
// learn of, or link to) another patient's records, and learns nothing from the answer that it could not
// learn from a search of its own.
func TestTransactionConditionalReferencesSearchAsTheToken(t *testing.T) {
	e := loaded(t, 2)
	e.v["p1-app"] = access(t, "patient/Observation.c patient/Patient.rs patient/Condition.rs", "p1", "")
	e.v["no-condition-scope"] = access(t, "patient/Observation.c patient/Patient.rs", "p1", "")
	obs := func(focus string) map[string]any {
		return map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": []any{
			map[string]any{"request": map[string]any{"method": "POST", "url": "Observation"},
				"resource": map[string]any{"resourceType": "Observation", "status": "final", "code": map[string]any{"text": "note"},
					"subject": map[string]any{"reference": "Patient?identifier=urn:mrn|MRN1"},
					"focus":   []any{map[string]any{"reference": focus}}}}}}
	}
	stored := func(r result) map[string]any {
		return r.body["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any)
	}
	before, _ := e.db.CountByType(context.Background())

	// Its own patient's Condition resolves, and so does the subject.
	r := e.do("POST", "", "p1-app", obs("Condition?code=http://snomed.info/sct|44054006"))
	if r.status != 200 {
		t.Fatalf("own patient's Condition: %d %s", r.status, r.raw)
	}
	if res := stored(r); res["subject"].(map[string]any)["reference"] != "Patient/p1" ||
		res["focus"].([]any)[0].(map[string]any)["reference"] != "Condition/p1-dm" {
		t.Errorf("references stored as %v / %v", res["subject"], res["focus"])
	}
	// Patient p2 has the same Condition code and an MRN of its own: to this app, neither exists.
	for _, focus := range []string{"Condition?_id=p2-dm", "Condition?subject=Patient/p2", "Patient?identifier=urn:mrn|MRN2"} {
		r := e.do("POST", "", "p1-app", obs(focus))
		if r.status != 412 || !strings.Contains(string(r.raw), "the conditional reference "+focus+" matches nothing") {
			t.Errorf("%s: %d %s, want 412 matches nothing", focus, r.status, r.raw)
		}
	}
	// A batch entry resolves its references the same way.
	b := obs("Patient?identifier=urn:mrn|MRN2")
	b["type"] = "batch"
	if r := e.do("POST", "", "p1-app", b); r.status != 200 || !strings.Contains(string(r.raw), `"status":"412 Precondition Failed"`) {
		t.Errorf("batch entry naming p2: %d %s", r.status, r.raw)
	}
	// Without a search scope on the type, the reference is refused for what the token lacks.
	r = e.do("POST", "", "no-condition-scope", obs("Condition?code=http://snomed.info/sct|44054006"))
	if r.status != 403 || !strings.Contains(string(r.raw), "the conditional reference Condition?code=http://snomed.info/sct|44054006 is a search of Condition") ||
		!strings.Contains(string(r.raw), "patient/Condition.s") {
		t.Errorf("no Condition scope: %d %s", r.status, r.raw)
	}
	if after, _ := e.db.CountByType(context.Background()); after["Observation"] != before["Observation"]+1 {
		t.Errorf("Observations stored: %d → %d, want the one accepted Bundle's", before["Observation"], after["Observation"])
	}
}

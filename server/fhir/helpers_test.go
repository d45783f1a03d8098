package fhir

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/valet-sandbox/valet/server/ref"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server/scope"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/token"
)

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// mapVerifier stands in for the authorization server: bearer → what it grants.
type mapVerifier map[string]*token.Access

func (m mapVerifier) Verify(_ context.Context, bearer string) (*token.Access, error) {
	if a, ok := m[bearer]; ok {
		return a, nil
	}
	return nil, fmt.Errorf("%w: unknown token", token.ErrInvalidToken)
}

func access(t testing.TB, scopes, patient, fhirUser string) *token.Access {
	set, err := scope.ParseList(scopes)
	if err != nil {
		t.Fatal(err)
	}
	user, err := ref.ParseUser(fhirUser)
	if err != nil {
		t.Fatal(err)
	}
	return &token.Access{ClientID: "app", Subject: "u", Scopes: set, Patient: patient, User: user, Expiry: t0.Add(time.Hour)}
}

type env struct {
	t   testing.TB
	s   *Service
	db  *store.DB
	srv *httptest.Server
	v   mapVerifier
}

func newEnv(t testing.TB) *env {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "valet.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := mapVerifier{"admin": access(t, "system/*.cruds", "", "")}
	s := New(Config{BaseURL: "http://valet.test", Store: db, Verifier: v, Now: func() time.Time { return t0 }, AuditFlush: 20 * time.Millisecond})
	mux := http.NewServeMux()
	s.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { srv.Close(); s.Close(); db.Close() })
	return &env{t: t, s: s, db: db, srv: srv, v: v}
}

type result struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (e *env) do(method, path, bearer string, body any, hdr ...string) result {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, e.srv.URL+"/fhir"+path, rd)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := result{status: resp.StatusCode, header: resp.Header, raw: raw}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

// entryIDs lists Type/id of a Bundle's match entries, in order.
func (r result) entryIDs(mode string) []string {
	var out []string
	es, _ := r.body["entry"].([]any)
	for _, e := range es {
		m := e.(map[string]any)
		if s, ok := m["search"].(map[string]any); ok && s["mode"] != mode {
			continue
		}
		res, _ := m["resource"].(map[string]any)
		out = append(out, fmt.Sprintf("%s/%s", res["resourceType"], res["id"]))
	}
	return out
}

// dataset builds n synthetic patients with US Core shaped records (ids are predictable: p1, p1-enc1, …).
func dataset(n int) []Resource {
	var out []Resource
	add := func(typ, id string, m map[string]any) {
		m["resourceType"], m["id"] = typ, id
		b, _ := json.Marshal(m)
		out = append(out, Resource{Type: typ, ID: id, JSON: b})
	}
	ref := func(s string) map[string]any { return map[string]any{"reference": s} }
	cc := func(sys, code, disp string) map[string]any {
		return map[string]any{"coding": []any{map[string]any{"system": sys, "code": code, "display": disp}}, "text": disp}
	}
	cat := func(code string) []any {
		return []any{cc("http://terminology.hl7.org/CodeSystem/observation-category", code, code)}
	}
	add("Practitioner", "dr1", map[string]any{"name": []any{map[string]any{"family": "House", "given": []any{"Gregory"}}},
		"identifier": []any{map[string]any{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}}})
	add("Medication", "med1", map[string]any{"code": cc("http://www.nlm.nih.gov/research/umls/rxnorm", "860975", "metformin")})
	families := []string{"Smith", "Jones", "Müller", "Garcia", "Nguyen"}
	for i := 1; i <= n; i++ {
		p := fmt.Sprintf("p%d", i)
		gender := []string{"female", "male"}[i%2]
		add("Patient", p, map[string]any{
			"identifier": []any{map[string]any{"system": "urn:mrn", "value": fmt.Sprintf("MRN%d", i)}},
			"name":       []any{map[string]any{"family": families[i%len(families)], "given": []any{fmt.Sprintf("Pat%d", i)}}},
			"gender":     gender, "birthDate": fmt.Sprintf("%d-0%d-1%d", 1950+i%50, 1+i%9, i%10),
			"address": []any{map[string]any{"city": "Boston", "state": "MA", "postalCode": "02110"}},
		})
		add("Coverage", p+"-cov", map[string]any{"status": "active", "beneficiary": ref("Patient/" + p), "payor": []any{ref("Patient/" + p)}})
		add("AllergyIntolerance", p+"-alg", map[string]any{"patient": ref("Patient/" + p),
			"clinicalStatus": cc("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active"),
			"code":           cc("http://snomed.info/sct", "91936005", "Penicillin")})
		for k := 1; k <= 3; k++ {
			enc := fmt.Sprintf("%s-enc%d", p, k)
			day := fmt.Sprintf("202%d-0%d-1%d", k, k, k)
			add("Encounter", enc, map[string]any{"status": "finished",
				"class":   map[string]any{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
				"subject": ref("Patient/" + p), "period": map[string]any{"start": day + "T09:00:00Z", "end": day + "T10:00:00Z"},
				"participant": []any{map[string]any{"individual": ref("Practitioner/dr1")}}})
			add("Observation", enc+"-bp", map[string]any{"status": "final", "category": cat("vital-signs"),
				"code": cc("http://loinc.org", "85354-9", "Blood pressure"), "subject": ref("Patient/" + p), "encounter": ref("Encounter/" + enc),
				"effectiveDateTime": day + "T09:10:00Z"})
			add("Observation", enc+"-hr", map[string]any{"status": "final", "category": cat("vital-signs"),
				"code": cc("http://loinc.org", "8867-4", "Heart rate"), "subject": ref("Patient/" + p),
				"effectiveDateTime": day + "T09:11:00Z",
				"valueQuantity":     map[string]any{"value": 60 + k*10, "unit": "/min", "system": "http://unitsofmeasure.org", "code": "/min"}})
			add("Observation", enc+"-glu", map[string]any{"status": []string{"final", "amended", "preliminary"}[k-1], "category": cat("laboratory"),
				"code": cc("http://loinc.org", "2345-7", "Glucose"), "subject": ref("Patient/" + p),
				"effectiveDateTime": day + "T09:30:00Z",
				"valueQuantity":     map[string]any{"value": 80 + k*30, "unit": "mg/dL", "system": "http://unitsofmeasure.org", "code": "mg/dL"}})
		}
		add("Condition", p+"-dm", map[string]any{"subject": ref("Patient/" + p),
			"category":       []any{cc("http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item", "Problem")},
			"clinicalStatus": cc("http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active"),
			"code":           cc("http://snomed.info/sct", "44054006", "Diabetes"), "onsetDateTime": "2020-01-01"})
		add("MedicationRequest", p+"-mr", map[string]any{"status": "active", "intent": "order", "subject": ref("Patient/" + p),
			"medicationReference": ref("Medication/med1"), "authoredOn": "2021-02-03"})
		add("Immunization", p+"-imm", map[string]any{"status": "completed", "patient": ref("Patient/" + p),
			"vaccineCode": cc("http://hl7.org/fhir/sid/cvx", "140", "Influenza"), "occurrenceDateTime": "2022-10-01"})
		add("Procedure", p+"-proc", map[string]any{"status": "completed", "subject": ref("Patient/" + p),
			"code": cc("http://snomed.info/sct", "80146002", "Appendectomy"), "performedDateTime": "2019-05-05"})
		add("DiagnosticReport", p+"-dr", map[string]any{"status": "final", "subject": ref("Patient/" + p),
			"category": []any{cc("http://terminology.hl7.org/CodeSystem/v2-0074", "LAB", "Laboratory")},
			"code":     cc("http://loinc.org", "24323-8", "Metabolic panel"), "effectiveDateTime": "2021-01-11",
			"result": []any{ref("Observation/" + p + "-enc1-glu")}})
		add("CarePlan", p+"-cp", map[string]any{"status": "active", "intent": "plan", "subject": ref("Patient/" + p),
			"category": []any{cc("http://hl7.org/fhir/us/core/CodeSystem/careplan-category", "assess-plan", "Assessment and Plan")}})
		add("Provenance", p+"-prov", map[string]any{"target": []any{ref("Condition/" + p + "-dm")}, "recorded": "2020-01-01T00:00:00Z",
			"agent": []any{map[string]any{"who": ref("Practitioner/dr1")}}})
	}
	return out
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

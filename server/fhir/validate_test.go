package fhir

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/valet-sandbox/valet/synth"
)

// TestSyntheticPopulationIsValid: everything the generator produces (random patients and every persona)
// passes the validator, so Ingest never rejects generated data.
func TestSyntheticPopulationIsValid(t *testing.T) {
	n := 0
	err := synth.Generate(context.Background(), synth.Options{Patients: 8, Seed: 7, Personas: true}, func(batch []synth.Resource) error {
		for _, r := range batch {
			m, o := decode(r.JSON)
			if o == nil {
				o = validate(m, r.Type, false)
			}
			if o != nil {
				t.Errorf("%s/%s: %d %v", r.Type, r.ID, o.Status, o.Issues)
			}
			n++
		}
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n < 1000 {
		t.Errorf("only %d resources generated", n)
	}
}

type issueWant struct{ code, expr string }

func TestValidateRejects(t *testing.T) {
	obs := func(extra string) string {
		return `{"resourceType":"Observation","status":"final","code":{"text":"x"}` + extra + `}`
	}
	for _, tc := range []struct {
		name, typ, body string
		status          int
		want            []issueWant
	}{
		{"resourceType missing", "Patient", `{"id":"a"}`, 400, []issueWant{{"structure", "Patient"}}},
		{"resourceType other", "Patient", `{"resourceType":"Observation"}`, 400, []issueWant{{"structure", "Patient.resourceType"}}},
		{"not storable", "Bundle", `{"resourceType":"Bundle","type":"collection"}`, 400, []issueWant{{"not-supported", "Bundle.resourceType"}}},
		{"unknown element", "Patient", `{"resourceType":"Patient","nmae":[{"family":"X"}]}`, 422, []issueWant{{"structure", "Patient.nmae"}}},
		{"unknown nested element", "Patient", `{"resourceType":"Patient","name":[{"family":"X"},{"given":["a"],"frist":"b"}]}`, 422,
			[]issueWant{{"structure", "Patient.name[1].frist"}}},
		{"string where array", "Patient", `{"resourceType":"Patient","name":[{"given":"Ann"}]}`, 422, []issueWant{{"structure", "Patient.name[0].given"}}},
		{"array where single", "Patient", `{"resourceType":"Patient","gender":["male"]}`, 422, []issueWant{{"structure", "Patient.gender"}}},
		{"number where string", "Patient", `{"resourceType":"Patient","name":[{"given":["a",5]}]}`, 422, []issueWant{{"structure", "Patient.name[0].given[1]"}}},
		{"string where boolean", "Patient", `{"resourceType":"Patient","active":"true"}`, 422, []issueWant{{"structure", "Patient.active"}}},
		{"string where object", "Observation", obs(`,"subject":"Patient/1"`), 422, []issueWant{{"structure", "Observation.subject"}}},
		{"decimal as string", "Observation", obs(`,"valueQuantity":{"value":"5.4"}`), 422, []issueWant{{"structure", "Observation.valueQuantity.value"}}},
		{"integer with fraction", "Observation", obs(`,"valueInteger":1.5`), 422, []issueWant{{"value", "Observation.valueInteger"}}},
		{"two choice values", "Observation", obs(`,"valueString":"a","valueBoolean":true`), 422, []issueWant{{"structure", "Observation.value[x]"}}},
		{"unknown choice type", "Observation", obs(`,"valueFoo":"a"`), 422, []issueWant{{"structure", "Observation.valueFoo"}}},
		{"missing required", "Observation", `{"resourceType":"Observation","status":"final"}`, 422, []issueWant{{"required", "Observation.code"}}},
		{"missing required choice", "MedicationRequest", `{"resourceType":"MedicationRequest","status":"active","intent":"order","subject":{"reference":"Patient/1"}}`, 422,
			[]issueWant{{"required", "MedicationRequest.medication[x]"}}},
		{"missing required in backbone", "Observation", obs(`,"component":[{"valueString":"a"}]`), 422, []issueWant{{"required", "Observation.component[0].code"}}},
		{"bad code", "Observation", `{"resourceType":"Observation","status":"done","code":{"text":"x"}}`, 422, []issueWant{{"code-invalid", "Observation.status"}}},
		{"bad gender", "Patient", `{"resourceType":"Patient","gender":"M"}`, 422, []issueWant{{"code-invalid", "Patient.gender"}}},
		{"code whitespace", "Observation", obs(`,"category":[{"coding":[{"code":" lab"}]}]`), 422, []issueWant{{"value", "Observation.category[0].coding[0].code"}}},
		{"bad date", "Patient", `{"resourceType":"Patient","birthDate":"1990-02-30"}`, 422, []issueWant{{"value", "Patient.birthDate"}}},
		{"dateTime without zone", "Observation", obs(`,"effectiveDateTime":"2020-01-01T10:00:00"`), 422, []issueWant{{"value", "Observation.effectiveDateTime"}}},
		{"instant without time", "Observation", obs(`,"issued":"2020-01-01"`), 422, []issueWant{{"value", "Observation.issued"}}},
		{"bad id", "Patient", `{"resourceType":"Patient","id":"a_b"}`, 422, []issueWant{{"value", "Patient.id"}}},
		{"bad uri", "Patient", `{"resourceType":"Patient","identifier":[{"system":"http://x y","value":"1"}]}`, 422, []issueWant{{"value", "Patient.identifier[0].system"}}},
		{"empty string", "Patient", `{"resourceType":"Patient","name":[{"family":""}]}`, 422, []issueWant{{"value", "Patient.name[0].family"}}},
		{"empty object", "Patient", `{"resourceType":"Patient","maritalStatus":{}}`, 422, []issueWant{{"structure", "Patient.maritalStatus"}}},
		{"empty array", "Patient", `{"resourceType":"Patient","name":[]}`, 422, []issueWant{{"structure", "Patient.name"}}},
		{"null", "Patient", `{"resourceType":"Patient","gender":null}`, 422, []issueWant{{"structure", "Patient.gender"}}},
		{"null in primitive list", "Patient", `{"resourceType":"Patient","name":[{"given":["a",null]}]}`, 422, []issueWant{{"structure", "Patient.name[0].given[1]"}}},
		{"extension of complex", "Patient", `{"resourceType":"Patient","_name":{"id":"x"}}`, 422, []issueWant{{"structure", "Patient._name"}}},
		{"bad extension content", "Patient", `{"resourceType":"Patient","_gender":{"foo":1}}`, 422, []issueWant{{"structure", "Patient._gender.foo"}}},
		{"misaligned primitive extensions", "Patient", `{"resourceType":"Patient","name":[{"given":["a","b"],"_given":[null]}]}`, 422,
			[]issueWant{{"structure", "Patient.name[0]._given"}}},
		{"extension without url", "Patient", `{"resourceType":"Patient","extension":[{"valueString":"a"}]}`, 422, []issueWant{{"required", "Patient.extension[0].url"}}},
		{"narrative not xhtml", "Patient", `{"resourceType":"Patient","text":{"status":"generated","div":"hello"}}`, 422, []issueWant{{"value", "Patient.text.div"}}},
		{"reference shape", "Observation", obs(`,"subject":{"reference":"patient 1"}`), 422, []issueWant{{"value", "Observation.subject.reference"}}},
		{"reference unknown type", "Observation", obs(`,"subject":{"reference":"Patinet/1"}`), 422, []issueWant{{"value", "Observation.subject.reference"}}},
		{"urn:uuid outside a transaction", "Observation", obs(`,"subject":{"reference":"urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e"}`), 422,
			[]issueWant{{"value", "Observation.subject.reference"}}},
		{"conditional reference outside a transaction", "Observation", obs(`,"subject":{"reference":"Patient?identifier=1"}`), 422,
			[]issueWant{{"value", "Observation.subject.reference"}}},
		{"dangling contained reference", "Observation", obs(`,"subject":{"reference":"#p1"}`), 422, []issueWant{{"value", "Observation.subject.reference"}}},
		{"invalid contained", "Observation", obs(`,"contained":[{"resourceType":"Patient","id":"p1","gender":"x"}],"subject":{"reference":"#p1"}`), 422,
			[]issueWant{{"code-invalid", "Observation.contained[0].gender"}}},
		{"contained unknown type", "Observation", obs(`,"contained":[{"resourceType":"Foo","id":"p1"}]`), 422, []issueWant{{"structure", "Observation.contained[0]"}}},
		{"nested contained", "Observation", obs(`,"contained":[{"resourceType":"Patient","id":"p1","contained":[{"resourceType":"Patient","id":"p2"}]}]`), 422,
			[]issueWant{{"structure", "Observation.contained[0].contained"}}},
		{"resourceType inside an element", "Patient", `{"resourceType":"Patient","maritalStatus":{"resourceType":"CodeableConcept","text":"x"}}`, 422,
			[]issueWant{{"structure", "Patient.maritalStatus.resourceType"}}},
		{"several problems", "Patient", `{"resourceType":"Patient","gender":"M","birthDate":"x","foo":1}`, 422,
			[]issueWant{{"value", "Patient.birthDate"}, {"structure", "Patient.foo"}, {"code-invalid", "Patient.gender"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, o := decode([]byte(tc.body))
			if o != nil {
				t.Fatalf("decode: %v", o)
			}
			o = validate(m, tc.typ, false)
			if o == nil {
				t.Fatal("accepted")
			}
			var got []issueWant
			for _, is := range o.Issues {
				got = append(got, issueWant{is.Code, strings.Join(is.Expression, ",")})
			}
			if o.Status != tc.status || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %d %v, want %d %v\n%v", o.Status, got, tc.status, tc.want, o.Issues)
			}
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	for _, body := range []string{
		`{"resourceType":"Patient","id":"a.b-1","name":[{"given":["a",null],"_given":[null,{"extension":[{"url":"http://x","valueString":"b"}]}]}],"_gender":{"extension":[{"url":"http://x","valueCode":"x"}]}}`,
		`{"resourceType":"Observation","status":"final","code":{"text":"x"},"contained":[{"resourceType":"Patient","id":"p1"}],"subject":{"reference":"#p1"},"valueQuantity":{"value":1.50,"unit":"mg"}}`,
		`{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"http://other.example/fhir/Patient/1"},"performer":[{"reference":"Practitioner/1/_history/2"},{"display":"Dr X"}]}`,
		`{"resourceType":"Patient","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"},"birthDate":"2024-02-29","deceasedDateTime":"2025-01-01T10:00:00.5+14:00"}`,
		`{"resourceType":"Basic","code":{"text":"x"},"_implicitRules":{"id":"r"}}`,
	} {
		m, o := decode([]byte(body))
		if o == nil {
			o = validate(m, m["resourceType"].(string), false)
		}
		if o != nil {
			t.Errorf("%s: %v", body, o.Issues)
		}
	}
}

// TestValidateOverHTTP: 400 for what is not a resource of the URL's type, 422 for an invalid one; nothing is stored.
func TestValidateOverHTTP(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", "/Patient", "admin", map[string]any{"resourceType": "Patient", "gendr": "male", "birthDate": "1990-13-01"})
	if r.status != http.StatusUnprocessableEntity || len(r.body["issue"].([]any)) != 2 {
		t.Errorf("invalid Patient: %d %s", r.status, r.raw)
	}
	r = e.do("POST", "/Patient", "admin", map[string]any{"resourceType": "Practitioner"})
	if r.status != http.StatusBadRequest {
		t.Errorf("wrong type: %d %s", r.status, r.raw)
	}
	r = e.do("PUT", "/Patient/p9", "admin", map[string]any{"resourceType": "Patient"})
	if r.status != http.StatusBadRequest {
		t.Errorf("update without id: %d %s", r.status, r.raw)
	}
	counts, _ := e.db.CountByType(context.Background())
	if counts["Patient"] != 0 || counts["Practitioner"] != 0 {
		t.Errorf("something was stored: %v", counts)
	}
}

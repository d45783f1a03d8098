package uscore

// searches are the search parameters and combinations of the US Core 6.1.0 Server CapabilityStatement
// (http://hl7.org/fhir/us/core/STU6.1/CapabilityStatement-us-core-server.html), per resource type, with
// their expectations, and the _include / _revinclude values it names. Types the statement lists without a
// search (Medication, Provenance, Endpoint, HealthcareService, Media, Questionnaire, ValueSet) are absent.
var searches = map[string]Searches{
	"AllergyIntolerance": {
		Params: []SearchParam{
			{"clinical-status", "token", May},
			{"patient", "reference", Shall},
		},
		Combinations: []Combination{
			{[]string{"patient", "clinical-status"}, Should},
		},
		RevInclude: []string{"Provenance:target"},
	},
	"CarePlan": {
		Params: []SearchParam{
			{"category", "token", May},
			{"date", "date", May},
			{"patient", "reference", May},
			{"status", "token", May},
		},
		Combinations: []Combination{
			{[]string{"patient", "category"}, Shall},
			{[]string{"patient", "category", "date"}, Should},
			{[]string{"patient", "category", "status"}, Should},
			{[]string{"patient", "category", "status", "date"}, Should},
		},
		RevInclude: []string{"Provenance:target"},
	},
	"CareTeam": {
		Params: []SearchParam{
			{"patient", "reference", May},
			{"status", "token", May},
			{"role", "token", Should},
		},
		Combinations: []Combination{
			{[]string{"patient", "status"}, Shall},
			{[]string{"patient", "role"}, Should},
		},
		Include:    []string{"CareTeam:participant:PractitionerRole", "CareTeam:participant:Practitioner", "CareTeam:participant:Patient", "CareTeam:participant:RelatedPerson"},
		RevInclude: []string{"Provenance:target"},
	},
	"Condition": {
		Params: []SearchParam{
			{"category", "token", May},
			{"clinical-status", "token", May},
			{"patient", "reference", Shall},
			{"onset-date", "date", May},
			{"asserted-date", "date", May},
			{"recorded-date", "date", May},
			{"abatement-date", "date", May},
			{"code", "token", May},
			{"encounter", "reference", May},
		},
		Combinations: []Combination{
			{[]string{"patient", "category"}, Shall},
			{[]string{"patient", "abatement-date"}, Should},
			{[]string{"patient", "asserted-date"}, Should},
			{[]string{"patient", "clinical-status"}, Should},
			{[]string{"patient", "code"}, Should},
			{[]string{"patient", "onset-date"}, Should},
			{[]string{"patient", "recorded-date"}, Should},
			{[]string{"patient", "category", "clinical-status"}, Should},
			{[]string{"patient", "category", "encounter"}, Should},
		},
		RevInclude: []string{"Provenance:target"},
	},
	"Coverage": {
		Params: []SearchParam{
			{"patient", "reference", Shall},
		},
		RevInclude: []string{"Provenance:target"},
	},
	"Device": {
		Params: []SearchParam{
			{"patient", "reference", Shall},
			{"type", "token", May},
			{"status", "token", May},
		},
		Combinations: []Combination{
			{[]string{"patient", "status"}, Should},
			{[]string{"patient", "type"}, Should},
		},
		RevInclude: []string{"Provenance:target"},
	},
	"DiagnosticReport": {
		Params: []SearchParam{
			{"status", "token", May},
			{"patient", "reference", Shall},
			{"category", "token", May},
			{"code", "token", May},
			{"date", "date", May},
		},
		Combinations: []Combination{
			{[]string{"patient", "category"}, Shall},
			{[]string{"patient", "code"}, Shall},
			{[]string{"patient", "category", "date"}, Shall},
			{[]string{"patient", "status"}, Should},
			{[]string{"patient", "code", "date"}, Should},
		},
		RevInclude: []string{"Provenance:target"},
	},
	"DocumentReference": {
		Params: []SearchParam{
			{"_id", "token", Shall},
			{"status", "token", May},
			{"patient", "reference", Shall},
			{"category", "token", May},
			{"type", "token", May},
			{"date", "date", May},
			{"period", "date", May},
		},
		Combinations: []Combination{
			{[]string{"patient", "category"}, Shall},
			{[]string{"patient", "type"}, Shall},
			{[]string{"patient", "category", "date"}, Shall},
			{[]string{"patient", "status"}, Should},
			{[]string{"patient", "type", "period"}, Should},
		},
		RevInclude: []string{"Provenance:target"},
	},
	"Encounter": {
		Params: []SearchParam{
			{"_id", "token", Shall},
			{"class", "token", May},
			{"date", "date", May},
			{"identifier", "token", Should},
			{"patient", "reference", Shall},
			{"location", "reference", May},
			{"status", "token", May},
			{"type", "token", May},
			{"discharge-disposition", "token", May},
		},
		Combinations: []Combination{
			{[]string{"date", "patient"}, Shall},
			{[]string{"class", "patient"}, Should},
			{[]string{"patient", "discharge-disposition"}, Should},
			{[]string{"patient", "location"}, Should},
			{[]string{"patient", "status"}, Should},
			{[]string{"patient", "type"}, Should},
		},
		RevInclude: []string{"Provenance:target"},
	},
	"Goal": {
		Params: []SearchParam{
			{"lifecycle-status", "token", May},
			{"patient", "reference", Shall},
			{"target-date", "date", May},
			{"description", "token", May},
		},
		Combinations: []Combination{
			{[]string{"patient", "description"}, Should},
			{[]string{"patient", "lifecycle-status"}, Should},
			{[]string{"patient", "target-date"}, Should},
		},
		RevInclude: []string{"Provenance:target"},
	},
	"Immunization": {
		Params: []SearchParam{
			{"patient", "reference", Shall},
			{"status", "token", May},
			{"date", "date", May},
		},
		Combinations: []Combination{
			{[]string{"patient", "date"}, Should},
			{[]string{"patient", "status"}, Should},
		},
		RevInclude: []string{"Provenance:target"},
	},
	"Location": {
		Params: []SearchParam{
			{"name", "string", Shall},
			{"address", "string", Shall},
			{"address-city", "string", Should},
			{"address-state", "string", Should},
			{"address-postalcode", "string", Should},
		},
	},
	"MedicationDispense": {
		Params: []SearchParam{
			{"status", "token", May},
			{"type", "token", May},
			{"patient", "reference", Shall},
		},
		Combinations: []Combination{
			{[]string{"patient", "status"}, Should},
			{[]string{"patient", "status", "type"}, Should},
		},
		Include:    []string{"MedicationDispense:medication"},
		RevInclude: []string{"Provenance:target"},
	},
	"MedicationRequest": {
		Params: []SearchParam{
			{"status", "token", May},
			{"intent", "token", May},
			{"patient", "reference", May},
			{"encounter", "reference", May},
			{"authoredon", "date", May},
		},
		Combinations: []Combination{
			{[]string{"patient", "intent"}, Shall},
			{[]string{"patient", "intent", "status"}, Shall},
			{[]string{"patient", "intent", "authoredon"}, Should},
			{[]string{"patient", "intent", "encounter"}, Should},
		},
		Include:    []string{"MedicationRequest:medication"},
		RevInclude: []string{"Provenance:target"},
	},
	"Observation": {
		Params: []SearchParam{
			{"status", "token", May},
			{"category", "token", May},
			{"code", "token", May},
			{"date", "date", May},
			{"patient", "reference", May},
		},
		Combinations: []Combination{
			{[]string{"patient", "category"}, Shall},
			{[]string{"patient", "code"}, Shall},
			{[]string{"patient", "category", "date"}, Shall},
			{[]string{"patient", "category", "status"}, Should},
			{[]string{"patient", "code", "date"}, Should},
		},
		RevInclude: []string{"Provenance:target"},
	},
	"Organization": {
		Params: []SearchParam{
			{"name", "string", Shall},
			{"address", "string", Shall},
		},
	},
	"Patient": {
		Params: []SearchParam{
			{"_id", "token", Shall},
			{"birthdate", "date", May},
			{"death-date", "date", May},
			{"family", "string", May},
			{"gender", "token", May},
			{"given", "string", May},
			{"identifier", "token", Shall},
			{"name", "string", Shall},
		},
		Combinations: []Combination{
			{[]string{"birthdate", "name"}, Shall},
			{[]string{"gender", "name"}, Shall},
			{[]string{"birthdate", "family"}, Should},
			{[]string{"death-date", "family"}, Should},
			{[]string{"family", "gender"}, Should},
		},
		RevInclude: []string{"Provenance:target"},
	},
	"Practitioner": {
		Params: []SearchParam{
			{"_id", "token", Should},
			{"name", "string", Shall},
			{"identifier", "token", Shall},
		},
	},
	"PractitionerRole": {
		Params: []SearchParam{
			{"specialty", "token", Shall},
			{"practitioner", "reference", Shall},
		},
		Include: []string{"PractitionerRole:endpoint", "PractitionerRole:practitioner"},
	},
	"Procedure": {
		Params: []SearchParam{
			{"status", "token", May},
			{"patient", "reference", Shall},
			{"date", "date", May},
			{"code", "token", May},
		},
		Combinations: []Combination{
			{[]string{"patient", "date"}, Shall},
			{[]string{"patient", "status"}, Should},
			{[]string{"patient", "code", "date"}, Should},
		},
		RevInclude: []string{"Provenance:target"},
	},
	"QuestionnaireResponse": {
		Params: []SearchParam{
			{"_id", "token", Shall},
			{"patient", "reference", Shall},
			{"status", "token", May},
			{"authored", "date", May},
			{"questionnaire", "reference", May},
		},
		Combinations: []Combination{
			{[]string{"patient", "authored"}, Should},
			{[]string{"patient", "questionnaire"}, Should},
			{[]string{"patient", "status"}, Should},
		},
		RevInclude: []string{"Provenance:target"},
	},
	"RelatedPerson": {
		Params: []SearchParam{
			{"_id", "token", Shall},
			{"patient", "reference", Should},
			{"name", "string", Should},
		},
		Combinations: []Combination{
			{[]string{"patient", "name"}, Should},
		},
		RevInclude: []string{"Provenance:target"},
	},
	"ServiceRequest": {
		Params: []SearchParam{
			{"status", "token", May},
			{"patient", "reference", Shall},
			{"category", "token", May},
			{"code", "token", May},
			{"authored", "date", May},
			{"_id", "token", Shall},
		},
		Combinations: []Combination{
			{[]string{"patient", "category"}, Shall},
			{[]string{"patient", "code"}, Shall},
			{[]string{"patient", "category", "authored"}, Shall},
			{[]string{"patient", "status"}, Should},
			{[]string{"patient", "code", "authored"}, Should},
		},
		RevInclude: []string{"Provenance:target"},
	},
	"Specimen": {
		Params: []SearchParam{
			{"_id", "token", Shall},
			{"patient", "reference", Should},
		},
	},
}

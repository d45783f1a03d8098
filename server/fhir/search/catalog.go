package search

import "strings"

// Catalog is the searches docs/fhir.md promises to answer at population scale (issue #17): every US Core
// SHALL and SHOULD search and combination on the types Valet generates, the resource-level parameters
// (_id, _lastUpdated, _tag), chains, _has, _include and _revinclude, and the population-wide searches a
// backend service makes with a system/ token. Values in braces are filled from the data searched (Fill):
// the test of query plans (server/fhir/plan_test.go) fills them with anything, since SQLite chooses a
// plan from the schema alone (Valet keeps no statistics); the search table (`loadtest -searches`) fills
// them from a patient of the population it measures.
var Catalog = []string{
	// US Core: Patient (SHALL _id, identifier, name, birthdate+name, gender+name; SHOULD the rest)
	"Patient?_id={patient}",
	"Patient?identifier={mrn}",
	"Patient?name={family}",
	"Patient?birthdate={birthdate}&name={family}",
	"Patient?gender={gender}&name={family}",
	"Patient?birthdate={birthdate}&family={family}",
	"Patient?family={family}&gender={gender}",
	// Practitioner, PractitionerRole, Organization, Location
	"Practitioner?name={practitioner-family}",
	"Practitioner?identifier={npi}",
	"PractitionerRole?practitioner={practitioner}",
	"PractitionerRole?specialty=http://nucc.org/provider-taxonomy|207Q00000X",
	"PractitionerRole?practitioner={practitioner}&_include=PractitionerRole:practitioner",
	"Organization?name={organization-name}",
	"Location?name={location-name}",
	"Location?address-city={location-city}",
	// Clinical types by patient (SHALL and SHOULD)
	"AllergyIntolerance?patient={patient}",
	"AllergyIntolerance?patient={patient}&clinical-status=active",
	"CarePlan?patient={patient}&category=http://hl7.org/fhir/us/core/CodeSystem/careplan-category|assess-plan",
	"CarePlan?patient={patient}&category=assess-plan&date=ge2020-01-01",
	"CarePlan?patient={patient}&category=assess-plan&status=active",
	"CarePlan?patient={patient}&category=assess-plan&status=active&date=ge2020-01-01",
	"Condition?patient={patient}",
	"Condition?patient={patient}&category=problem-list-item",
	"Condition?patient={patient}&clinical-status=active",
	"Condition?patient={patient}&category=encounter-diagnosis&clinical-status=resolved",
	"Condition?patient={patient}&code=http://snomed.info/sct|44054006",
	"Condition?patient={patient}&onset-date=ge2020-01-01",
	"Condition?patient={patient}&recorded-date=ge2020-01-01",
	"Condition?patient={patient}&category=encounter-diagnosis&encounter={encounter}",
	"Condition?patient={patient}&_lastUpdated=ge2020-01-01",
	"Condition?patient={patient}&_revinclude=Provenance:target",
	"Coverage?patient={patient}",
	"DiagnosticReport?patient={patient}",
	"DiagnosticReport?patient={patient}&category=LAB",
	"DiagnosticReport?patient={patient}&code=http://loinc.org|58410-2",
	"DiagnosticReport?patient={patient}&category=LAB&date=ge2020-01-01",
	"DiagnosticReport?patient={patient}&status=final",
	"DiagnosticReport?patient={patient}&code=58410-2&date=ge2020-01-01",
	"DiagnosticReport?patient={patient}&category=LAB&_lastUpdated=ge2020-01-01",
	"Encounter?_id={encounter}",
	"Encounter?patient={patient}",
	"Encounter?date=ge2020-01-01&patient={patient}",
	"Encounter?patient={patient}&status=finished",
	"Encounter?class=AMB&patient={patient}",
	"Encounter?patient={patient}&type=http://snomed.info/sct|162673000",
	"Encounter?patient={patient}&_lastUpdated=ge2020-01-01",
	"Immunization?patient={patient}",
	"Immunization?patient={patient}&date=ge2020-01-01",
	"Immunization?patient={patient}&status=completed",
	"MedicationRequest?patient={patient}&intent=order",
	"MedicationRequest?patient={patient}&intent=order&status=active",
	"MedicationRequest?patient={patient}&intent=order&encounter={encounter}",
	"MedicationRequest?patient={patient}&intent=order&authoredon=ge2020-01-01",
	"MedicationRequest?patient={patient}&intent=order&_include=MedicationRequest:medication",
	"Observation?patient={patient}&category=laboratory",
	"Observation?patient={patient}&category=vital-signs",
	"Observation?patient={patient}&code=http://loinc.org|8867-4",
	"Observation?patient={patient}&category=laboratory&date=ge2020-01-01",
	"Observation?patient={patient}&category=laboratory&status=final",
	"Observation?patient={patient}&code=http://loinc.org|8867-4&date=ge2020-01-01",
	"Observation?patient={patient}&category=laboratory&_lastUpdated=ge2020-01-01",
	"Procedure?patient={patient}",
	"Procedure?patient={patient}&date=ge2020-01-01",
	"Procedure?patient={patient}&status=completed",
	"Procedure?patient={patient}&code=http://snomed.info/sct|430193006&date=ge2020-01-01",
	// Resource-level parameters, chains, _has
	"Patient?_tag=https://valet.dev/fhir/tags|portal-user",
	"Patient?_lastUpdated=ge2020-01-01",
	"Observation?_lastUpdated=ge2020-01-01",
	"Observation?patient.name={family}&code=http://loinc.org|8867-4",
	"Encounter?practitioner.family={practitioner-family}&patient={patient}",
	"Observation?subject:Patient.identifier={mrn}&category=laboratory",
	"Patient?_has:Observation:patient:code=http://loinc.org|4548-4&gender={gender}",
	// Population-wide, as a backend service searches with a system/ token (the table)
	"Patient?birthdate={birthdate}",
	"Patient?gender={gender}",
	"Observation?category=laboratory&date=ge2025-06-01",
	"Observation?code=http://loinc.org|8867-4&value-quantity=gt150",
	"Observation?code=http://loinc.org|4548-4",
	"Encounter?date=ge2025-12-01&_include=Encounter:patient",
	"Encounter?practitioner={practitioner}",
	"MedicationRequest?status=active",
	"Condition?code=http://snomed.info/sct|44054006",
	"Condition?clinical-status=active&category=problem-list-item",
	"Immunization?date={immunization-month}",
	"Procedure?date=ge2025-01-01",
}

// Fill replaces each {name} in query by vars[name] (left as it is when vars has none).
func Fill(query string, vars map[string]string) string {
	for k, v := range vars {
		query = strings.ReplaceAll(query, "{"+k+"}", v)
	}
	return query
}

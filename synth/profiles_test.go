package synth

import (
	"strings"
	"testing"
)

// mustSupport lists, per US Core profile, the Must Support elements every generated resource of that
// profile carries (dotted paths; "a|b" means either). Elements US Core marks Must Support only when the
// data exists (e.g. Patient.deceased) are listed where the generator always writes them.
var mustSupport = map[string][]string{
	ProfilePatient: {"identifier.system", "identifier.value", "name.family", "name.given", "telecom.system", "telecom.value",
		"gender", "birthDate", "address.line", "address.city", "address.state", "address.postalCode",
		"communication.language", "deceasedBoolean|deceasedDateTime", "extension.url"},
	ProfileOrganization:     {"identifier.system", "identifier.value", "active", "name", "telecom", "address.line"},
	ProfileLocation:         {"status", "name", "telecom", "address.line", "address.city", "managingOrganization.reference"},
	ProfilePractitioner:     {"identifier.system", "identifier.value", "name.family"},
	ProfilePractitionerRole: {"practitioner.reference", "organization.reference", "code.coding.code", "specialty.coding.code", "location.reference", "telecom"},
	ProfileCoverage: {"identifier.type", "identifier.value", "status", "type.coding.code", "subscriberId", "beneficiary.reference",
		"relationship.coding.code", "period.start", "payor.reference", "class.type", "class.value"},
	ProfileEncounter: {"identifier.value", "status", "class.code", "type.coding.code", "subject.reference", "participant.type",
		"participant.period.start", "participant.individual.reference", "period.start", "reasonCode.coding.code",
		"hospitalization.dischargeDisposition", "location.location.reference", "serviceProvider.reference"},
	ProfileConditionProblems:  {"clinicalStatus", "verificationStatus", "category.coding.code", "code.coding.code", "subject.reference", "onsetDateTime", "recordedDate"},
	ProfileConditionEncounter: {"clinicalStatus", "verificationStatus", "category.coding.code", "code.coding.code", "subject.reference", "encounter.reference", "onsetDateTime", "recordedDate"},
	ProfileObservationLab: {"status", "category.coding.code", "code.coding.code", "subject.reference", "effectiveDateTime",
		"valueQuantity.value", "valueQuantity.code", "referenceRange", "interpretation.coding.code"},
	ProfileSmokingStatus:       {"status", "category.coding.code", "code.coding.code", "subject.reference", "effectiveDateTime", "valueCodeableConcept.coding.code"},
	ProfileDiagnosticReportLab: {"status", "category.coding.code", "code.coding.code", "subject.reference", "effectiveDateTime", "issued", "performer.reference", "result.reference"},
	ProfileMedicationRequest: {"status", "intent", "category", "reportedBoolean", "medicationCodeableConcept.coding.code|medicationReference.reference", "subject.reference",
		"encounter.reference", "authoredOn", "requester.reference", "reasonReference.reference",
		"dosageInstruction.text", "dosageInstruction.timing", "dosageInstruction.doseAndRate.doseQuantity.value"},
	ProfileAllergyIntolerance: {"clinicalStatus", "verificationStatus", "code.coding.code", "patient.reference"},
	ProfileImmunization:       {"status", "vaccineCode.coding.code", "patient.reference", "occurrenceDateTime", "primarySource", "encounter.reference", "location.reference", "performer.actor.reference"},
	ProfileProcedure:          {"status", "code.coding.code", "subject.reference", "performedPeriod.start", "encounter.reference", "performer.actor.reference"},
	ProfileCarePlan:           {"text.status", "text.div", "status", "intent", "category.coding.code", "subject.reference", "addresses.reference"},
	ProfileProvenance:         {"target.reference", "recorded", "agent.type", "agent.who.reference", "agent.onBehalfOf.reference"},

	ProfileMedication: {"code.coding.code"},
	ProfileMedicationDispense: {"status", "medicationCodeableConcept.coding.code|medicationReference.reference", "subject.reference", "context.reference",
		"performer.actor.reference", "authorizingPrescription.reference", "type.coding.code", "quantity.value", "whenHandedOver", "dosageInstruction.text", "dosageInstruction.timing"},
	ProfileDocumentReference: {"identifier.value", "status", "type.coding.code", "category.coding.code", "subject.reference", "date", "author.reference",
		"custodian.reference", "content.attachment.contentType", "content.attachment.data", "content.format.code", "context.encounter.reference", "context.period.start"},
	ProfileDiagnosticReportNote: {"status", "category.coding.code", "code.coding.code", "subject.reference", "encounter.reference", "effectiveDateTime",
		"issued", "performer.reference", "resultsInterpreter.reference", "presentedForm.contentType", "presentedForm.data", "basedOn.reference"},
	ProfileGoal: {"lifecycleStatus", "description.text", "subject.reference", "startDate", "target.measure.coding.code", "target.detailQuantity.value",
		"target.dueDate", "expressedBy.reference", "addresses.reference"},
	ProfileCareTeam: {"status", "category.coding.code", "subject.reference", "participant.role.coding.code", "participant.member.reference", "period.start"},
	ProfileImplantableDevice: {"udiCarrier.deviceIdentifier", "udiCarrier.carrierHRF", "distinctIdentifier", "manufactureDate", "expirationDate",
		"lotNumber", "serialNumber", "type.coding.code", "patient.reference"},
	ProfileServiceRequest: {"status", "intent", "category.coding.code", "code.coding.code", "subject.reference", "encounter.reference", "authoredOn", "requester.reference"},
	ProfileSpecimen: {"identifier.value", "accessionIdentifier.value", "status", "type.coding.code", "subject.reference", "receivedTime",
		"request.reference", "collection.collectedDateTime"},
	ProfileRelatedPerson:     {"active", "patient.reference", "relationship.coding.code", "name.family", "name.given", "telecom.value", "address.line"},
	ProfileQuestionnaireResp: {"questionnaire", "status", "subject.reference", "authored", "author.reference", "item.linkId", "item.item.linkId", "item.item.answer.valueCoding.code"},
	ProfileScreeningAssessment: {"status", "category.coding.code", "code.coding.code", "subject.reference", "effectiveDateTime", "performer.reference",
		"valueCodeableConcept.coding.code", "derivedFrom.reference"},
	ProfileOccupation: {"status", "category.coding.code", "code.coding.code", "subject.reference", "effectivePeriod.start", "valueCodeableConcept.coding.code",
		"component.code.coding.code", "component.valueCodeableConcept.coding.code"},
	ProfileClinicalResult: {"status", "category.coding.code", "code.coding.code", "subject.reference", "effectiveDateTime", "valueString"},
	ProfileSimpleObservation: {"status", "category.coding.code", "code.coding.code", "subject.reference", "effectiveDateTime", "performer.reference",
		"valueCodeableConcept.coding.code", "derivedFrom.reference"},
	ProfileSexualOrientation: socialMustSupport,
	ProfilePregnancyStatus:   socialMustSupport,
	ProfilePregnancyIntent:   socialMustSupport,
}

var socialMustSupport = []string{"status", "category.coding.code", "code.coding.code", "subject.reference", "effectiveDateTime", "valueCodeableConcept.coding.code"}

// vital-sign profiles share one list; blood pressure carries its values in components.
var vitalMustSupport = []string{"status", "category.coding.code", "code.coding.code", "subject.reference", "effectiveDateTime", "valueQuantity.value|component.valueQuantity.value", "valueQuantity.code|component.valueQuantity.code"}

func TestUSCoreMustSupportOnEveryResource(t *testing.T) {
	seen := map[string]int{}
	for _, g := range generate(t, Options{Patients: 60, Seed: 5, Personas: true}) {
		for i, m := range g.res {
			prof := profileOf(m)
			if g.batch[i].Type == "Group" {
				continue // US Core has no Group profile; groups.go is tested in uscore_test.go
			}
			if !strings.HasPrefix(prof, "http://hl7.org/fhir/us/core/StructureDefinition/") {
				t.Fatalf("%s/%s has no US Core profile", g.batch[i].Type, g.batch[i].ID)
			}
			paths, ok := mustSupport[prof]
			if !ok {
				if vitalByCode[str(m, "code", "coding", "code")] == nil {
					t.Fatalf("%s/%s: profile %s has no Must Support list in this test", g.batch[i].Type, g.batch[i].ID, prof)
				}
				paths = vitalMustSupport
			}
			seen[prof]++
			for _, p := range paths {
				found := false
				for _, alt := range strings.Split(p, "|") {
					if len(get(m, strings.Split(alt, ".")...)) > 0 {
						found = true
					}
				}
				if !found {
					t.Errorf("%s/%s (%s) lacks Must Support element %s", g.batch[i].Type, g.batch[i].ID, prof, p)
				}
			}
			if prof == ProfileAllergyIntolerance && str(m, "code", "coding", "code") != noKnownAllergy.Code && len(get(m, "reaction", "manifestation")) == 0 {
				t.Errorf("%s: allergy without reaction manifestation", g.batch[i].ID)
			}
			if prof == ProfilePatient {
				for _, ext := range []string{extRace, extEthnicity, extBirthSex} {
					if !containsString(get(m, "extension", "url"), ext) {
						t.Errorf("Patient/%s lacks extension %s", g.batch[i].ID, ext)
					}
				}
			}
			if prof == ProfilePractitioner && str(m, "identifier", "system") != SystemNPI {
				t.Errorf("Practitioner/%s has no NPI", g.batch[i].ID)
			}
		}
	}
	for prof := range mustSupport {
		if seen[prof] == 0 {
			t.Errorf("no resource of profile %s was generated", prof)
		}
	}
	t.Logf("resources per profile: %v", seen)
}

func containsString(vals []any, s string) bool {
	for _, v := range vals {
		if v == s {
			return true
		}
	}
	return false
}

package spec

import "sort"

// patientCompartment lists, per type, the reference elements that put a resource in a patient's
// compartment (http://hl7.org/fhir/R4/compartmentdefinition-patient.html). A Patient belongs to its own.
var patientCompartment = map[string][]string{
	"Patient":                     {"link.other"},
	"Account":                     {"subject"},
	"AdverseEvent":                {"subject"},
	"AllergyIntolerance":          {"patient", "recorder", "asserter"},
	"Appointment":                 {"participant.actor"},
	"AppointmentResponse":         {"actor"},
	"AuditEvent":                  {"entity.what"},
	"Basic":                       {"subject", "author"},
	"BodyStructure":               {"patient"},
	"CarePlan":                    {"subject", "activity.detail.performer"},
	"CareTeam":                    {"subject", "participant.member"},
	"ChargeItem":                  {"subject"},
	"Claim":                       {"patient", "payee.party"},
	"ClaimResponse":               {"patient"},
	"ClinicalImpression":          {"subject"},
	"Communication":               {"subject", "sender", "recipient"},
	"CommunicationRequest":        {"subject", "sender", "recipient", "requester"},
	"Composition":                 {"subject", "author", "attester.party"},
	"Condition":                   {"subject", "asserter"},
	"Consent":                     {"patient"},
	"Coverage":                    {"policyHolder", "subscriber", "beneficiary", "payor"},
	"CoverageEligibilityRequest":  {"patient"},
	"CoverageEligibilityResponse": {"patient"},
	"DetectedIssue":               {"patient"},
	"Device":                      {"patient"},
	"DeviceRequest":               {"subject", "performer"},
	"DeviceUseStatement":          {"subject"},
	"DiagnosticReport":            {"subject"},
	"DocumentManifest":            {"subject", "author", "recipient"},
	"DocumentReference":           {"subject", "author"},
	"Encounter":                   {"subject"},
	"EnrollmentRequest":           {"candidate"},
	"EpisodeOfCare":               {"patient"},
	"ExplanationOfBenefit":        {"patient", "payee.party"},
	"FamilyMemberHistory":         {"patient"},
	"Flag":                        {"subject"},
	"Goal":                        {"subject"},
	"Group":                       {"member.entity"},
	"ImagingStudy":                {"subject"},
	"Immunization":                {"patient"},
	"ImmunizationEvaluation":      {"patient"},
	"ImmunizationRecommendation":  {"patient"},
	"Invoice":                     {"subject", "recipient"},
	"List":                        {"subject", "source"},
	"MeasureReport":               {"subject"},
	"Media":                       {"subject"},
	"MedicationAdministration":    {"subject", "performer.actor"},
	"MedicationDispense":          {"subject", "receiver"},
	"MedicationRequest":           {"subject"},
	"MedicationStatement":         {"subject"},
	"MolecularSequence":           {"patient"},
	"NutritionOrder":              {"patient"},
	"Observation":                 {"subject", "performer"},
	"Person":                      {"link.target"},
	"Procedure":                   {"subject", "performer.actor"},
	"Provenance":                  {"target"},
	"QuestionnaireResponse":       {"subject", "author"},
	"RelatedPerson":               {"patient"},
	"RequestGroup":                {"subject", "participant"},
	"ResearchSubject":             {"individual"},
	"RiskAssessment":              {"subject"},
	"Schedule":                    {"actor"},
	"ServiceRequest":              {"subject", "performer"},
	"Specimen":                    {"subject"},
	"SupplyDelivery":              {"patient"},
	"SupplyRequest":               {"requester"},
	"VisionPrescription":          {"patient"},
}

// InPatientCompartment reports whether resources of typ can belong to a patient's compartment at all.
// Types that cannot (Practitioner, Organization, Medication, …) are shared, not patient data.
func InPatientCompartment(typ string) bool {
	_, ok := patientCompartment[typ]
	return ok
}

// CompartmentLink reports whether a reference parameter of typ links a resource to the patient it points
// at: every element it searches is one the compartment definition lists for typ, so any resource whose p
// points at Patient/x is in x's compartment (Observation's patient, subject and performer; not focus).
func CompartmentLink(typ string, p Param) bool {
	paths := patientCompartment[typ]
	if p.Type != ReferenceParam || len(p.Paths) == 0 || len(paths) == 0 {
		return false
	}
	for _, path := range p.Paths {
		if !contains(paths, path) {
			return false
		}
	}
	return true
}

func compartmentOf(typ, id string, res map[string]any, base string) []string {
	paths, ok := patientCompartment[typ]
	if !ok {
		return nil
	}
	var out []string
	if typ == "Patient" && id != "" {
		out = append(out, id)
	}
	for _, path := range paths {
		for _, v := range eval(res, path) {
			m, _ := v.(map[string]any)
			s, _ := m["reference"].(string)
			if t, pid := SplitReference(s, base); t == "Patient" && !contains(out, pid) {
				out = append(out, pid)
			}
		}
	}
	return out
}

// CompartmentTypes lists the types that can be in a patient's compartment, sorted.
func CompartmentTypes() []string {
	out := make([]string, 0, len(patientCompartment))
	for t := range patientCompartment {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

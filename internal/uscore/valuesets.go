package uscore

// ValueSet is the part of a value set a required binding is checked against: its codes, and the code
// systems it takes whole (a filter that cannot be expanded here, such as US Core's document types: every
// LOINC code whose scale is DOC, checked as "a LOINC code").
type ValueSet struct {
	URL     string
	Codes   []Coding // System "" matches a primitive code, which carries no system
	Systems []string
}

func (vs ValueSet) has(c Coding) bool {
	for _, s := range vs.Systems {
		if c.System == s && c.Code != "" {
			return true
		}
	}
	for _, k := range vs.Codes {
		if k.Code == c.Code && (k.System == "" || k.System == c.System) {
			return true
		}
	}
	return false
}

const (
	conditionCategory = "http://terminology.hl7.org/CodeSystem/condition-category"
	r4                = "http://hl7.org/fhir/ValueSet/"
	usVS              = "http://hl7.org/fhir/us/core/ValueSet/"
)

// codes is a value set of primitive codes (code elements, whose system the element's binding implies).
func codes(url string, cs ...string) ValueSet {
	vs := ValueSet{URL: url}
	for _, c := range cs {
		vs.Codes = append(vs.Codes, Coding{Code: c})
	}
	return vs
}

// concepts is a value set of codes of one system, for CodeableConcepts.
func concepts(url, system string, cs ...string) ValueSet {
	vs := ValueSet{URL: url}
	for _, c := range cs {
		vs.Codes = append(vs.Codes, Coding{system, c})
	}
	return vs
}

// The value sets of US Core 6.1.0's required bindings (R4 4.0.1's where US Core binds an R4 one).
var (
	vsAllergyClinical = concepts(r4+"allergyintolerance-clinical",
		"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "inactive", "resolved")
	vsAllergyVerification = concepts(r4+"allergyintolerance-verification",
		"http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "unconfirmed", "confirmed", "refuted", "entered-in-error")
	vsConditionClinical = concepts(r4+"condition-clinical", "http://terminology.hl7.org/CodeSystem/condition-clinical",
		"active", "recurrence", "relapse", "inactive", "remission", "resolved")
	vsConditionVerification = concepts(r4+"condition-ver-status", "http://terminology.hl7.org/CodeSystem/condition-ver-status",
		"unconfirmed", "provisional", "differential", "confirmed", "refuted", "entered-in-error")
	vsProblemOrHealthConcern = ValueSet{URL: usVS + "us-core-problem-or-health-concern", Codes: []Coding{
		{conditionCategory, "problem-list-item"}, {"http://hl7.org/fhir/us/core/CodeSystem/condition-category", "health-concern"}}}
	vsDiagnosticReportCategory  = concepts(usVS+"us-core-diagnosticreport-category", LOINC, "LP29684-5", "LP29708-2", "LP7839-6")
	vsDocumentReferenceCategory = concepts(usVS+"us-core-documentreference-category",
		"http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category", "clinical-note")
	vsDocumentReferenceType = ValueSet{URL: usVS + "us-core-documentreference-type", Systems: []string{LOINC},
		Codes: []Coding{{"http://terminology.hl7.org/CodeSystem/v3-NullFlavor", "UNK"}}}
	vsClinicalResultCategory = concepts(usVS+"us-core-clinical-result-observation-category", ObsCategory,
		"laboratory", "exam", "therapy", "imaging", "procedure", "vital-signs", "activity")
	vsSimpleObservationCategory = ValueSet{URL: usVS + "us-core-simple-observation-category", Systems: []string{USCoreCategory, ObsCategory}}

	vsNarrativeStatus             = codes(usVS+"us-core-narrative-status", "additional", "generated")
	vsRequestStatus               = codes(r4+"request-status", "draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown")
	vsRequestIntent               = codes(r4+"request-intent", "proposal", "plan", "directive", "order", "original-order", "reflex-order", "filler-order", "instance-order", "option")
	vsCarePlanIntent              = codes(r4+"care-plan-intent", "proposal", "plan", "order", "option")
	vsCareTeamStatus              = codes(r4+"care-team-status", "proposed", "active", "suspended", "inactive", "entered-in-error")
	vsDiagnosticReportStatus      = codes(r4+"diagnostic-report-status", "registered", "partial", "preliminary", "final", "amended", "corrected", "appended", "cancelled", "entered-in-error", "unknown")
	vsDocumentReferenceStatus     = codes(r4+"document-reference-status", "current", "superseded", "entered-in-error")
	vsGoalStatus                  = codes(r4+"goal-status", "proposed", "planned", "accepted", "active", "on-hold", "completed", "cancelled", "entered-in-error", "rejected")
	vsImmunizationStatus          = codes(r4+"immunization-status", "completed", "entered-in-error", "not-done")
	vsMedicationRequestStatus     = codes(r4+"medicationrequest-status", "active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped", "draft", "unknown")
	vsMedicationRequestIntent     = codes(r4+"medicationrequest-intent", "proposal", "plan", "order", "original-order", "reflex-order", "filler-order", "instance-order", "option")
	vsEventStatus                 = codes(r4+"event-status", "preparation", "in-progress", "not-done", "on-hold", "stopped", "completed", "entered-in-error", "unknown")
	vsObservationStatus           = codes(r4+"observation-status", "registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown")
	vsSmokingStatusStatus         = codes(usVS+"us-core-observation-smoking-status-status", "final", "entered-in-error")
	vsQuestionnaireResponseStatus = codes(r4+"questionnaire-answers-status", "in-progress", "completed", "amended", "entered-in-error", "stopped")
	vsAdministrativeGender        = codes(r4+"administrative-gender", "male", "female", "other", "unknown")
	vsContactPointSystem          = codes(r4+"contact-point-system", "phone", "fax", "email", "pager", "url", "sms", "other")
	vsContactPointUse             = codes(r4+"contact-point-use", "home", "work", "temp", "old", "mobile")
	vsUCUMBodyLength              = codes(r4+"ucum-bodylength", "cm", "[in_i]")
	vsUCUMBodyTemp                = codes(r4+"ucum-bodytemp", "Cel", "[degF]")
	vsUCUMBodyWeight              = codes(r4+"ucum-bodyweight", "kg", "[lb_av]", "g")
)

// Package uscore is Valet's one description of US Core 6.1.0
// (http://hl7.org/fhir/us/core/STU6.1): its profiles with the rules a resource that claims one must meet
// (the 1..* elements, the fixed codes and the required value-set bindings of each StructureDefinition, as
// data), and the search parameters and combinations of the US Core Server CapabilityStatement.
//
// It lives under internal/ rather than server/ because both sides use it: the FHIR server declares what it
// serves from it (server/fhir/capability.go) and the generator's tests check their output with Check,
// and synth may depend on no server package. It is a leaf: it imports nothing of Valet's.
package uscore

import "strings"

// Version is the US Core release this package describes.
const Version = "6.1.0"

// Base is the prefix of every US Core profile's canonical URL.
const Base = "http://hl7.org/fhir/us/core/StructureDefinition/"

// Code systems the profiles' rules name.
const (
	LOINC          = "http://loinc.org"
	UCUM           = "http://unitsofmeasure.org"
	ObsCategory    = "http://terminology.hl7.org/CodeSystem/observation-category"
	USCoreCategory = "http://hl7.org/fhir/us/core/CodeSystem/us-core-category"
)

// Coding is a code in a code system.
type Coding struct{ System, Code string }

// Profile is one US Core 6.1.0 profile of a resource.
type Profile struct {
	ID    string // the StructureDefinition id: "us-core-patient", "pediatric-bmi-for-age"
	Type  string // the resource type it constrains
	Title string
	// Parent is the ID of the US Core profile this one derives from ("us-core-vital-signs" for the vital
	// signs, "us-core-observation-clinical-result" for the lab profile), "" when it constrains the resource.
	// A profile meets its parent's rules too.
	Parent string
	// Category and Code tell a type's profiles apart (Observation, DiagnosticReport, Condition): a resource
	// of the profile has a category among Category (when given) and a code among Code (when given).
	Category []Coding
	Code     []Coding
	rules    []rule
}

// URL is the profile's canonical URL, as resources declare it in meta.profile.
func (p *Profile) URL() string { return Base + p.ID }

// profiles are the 49 profiles of US Core 6.1.0 (StructureDefinitions of kind resource), in the IG's order by
// resource type. The rules come from each profile's differential, its parent's, and the base resource's
// mandatory elements; invariants other than the attachment's url-or-data are not encoded.
var profiles = []*Profile{
	{ID: "us-core-allergyintolerance", Type: "AllergyIntolerance", Title: "US Core AllergyIntolerance Profile", rules: []rule{
		present("patient"), present("code"),
		every("clinicalStatus", vsAllergyClinical), every("verificationStatus", vsAllergyVerification)}},
	{ID: "us-core-careplan", Type: "CarePlan", Title: "US Core CarePlan Profile", rules: []rule{
		present("status"), present("intent"), present("subject"), present("category"),
		hasCoding("category", Coding{"http://hl7.org/fhir/us/core/CodeSystem/careplan-category", "assess-plan"}),
		codeIn("text.status", vsNarrativeStatus), codeIn("status", vsRequestStatus), codeIn("intent", vsCarePlanIntent)}},
	{ID: "us-core-careteam", Type: "CareTeam", Title: "US Core CareTeam Profile", rules: []rule{
		present("subject"), present("participant"), present("participant.role"), present("participant.member"),
		codeIn("status", vsCareTeamStatus)}},
	{ID: "us-core-condition-encounter-diagnosis", Type: "Condition", Title: "US Core Condition Encounter Diagnosis Profile",
		Category: []Coding{{conditionCategory, "encounter-diagnosis"}}, rules: []rule{
			present("subject"), present("category"), present("code"),
			hasCoding("category", Coding{conditionCategory, "encounter-diagnosis"}),
			every("clinicalStatus", vsConditionClinical), every("verificationStatus", vsConditionVerification)}},
	{ID: "us-core-condition-problems-health-concerns", Type: "Condition", Title: "US Core Condition Problems and Health Concerns Profile",
		Category: vsProblemOrHealthConcern.Codes, rules: []rule{
			present("subject"), present("category"), present("code"),
			some("category", vsProblemOrHealthConcern),
			every("clinicalStatus", vsConditionClinical), every("verificationStatus", vsConditionVerification)}},
	{ID: "us-core-coverage", Type: "Coverage", Title: "US Core Coverage Profile", rules: []rule{
		present("status"), present("beneficiary"), present("payor"), present("relationship")}},
	{ID: "us-core-implantable-device", Type: "Device", Title: "US Core Implantable Device Profile", rules: []rule{
		present("type"), present("patient"), present("udiCarrier.deviceIdentifier")}},
	{ID: "us-core-diagnosticreport-lab", Type: "DiagnosticReport", Title: "US Core DiagnosticReport Profile for Laboratory Results Reporting",
		Category: []Coding{{"http://terminology.hl7.org/CodeSystem/v2-0074", "LAB"}}, rules: []rule{
			present("status"), present("code"), present("subject"), present("category"),
			hasCoding("category", Coding{"http://terminology.hl7.org/CodeSystem/v2-0074", "LAB"}),
			codeIn("status", vsDiagnosticReportStatus)}},
	{ID: "us-core-diagnosticreport-note", Type: "DiagnosticReport", Title: "US Core DiagnosticReport Profile for Report and Note Exchange",
		Category: vsDiagnosticReportCategory.Codes, rules: []rule{
			present("status"), present("code"), present("subject"), present("category"),
			some("category", vsDiagnosticReportCategory), codeIn("status", vsDiagnosticReportStatus)}},
	{ID: "us-core-documentreference", Type: "DocumentReference", Title: "US Core DocumentReference Profile", rules: []rule{
		present("status"), present("type"), present("category"), present("subject"), present("content"),
		present("content.attachment"), present("content.attachment.contentType"), present("content.attachment.url|data"),
		codeIn("status", vsDocumentReferenceStatus), every("type", vsDocumentReferenceType),
		some("category", vsDocumentReferenceCategory)}},
	{ID: "us-core-encounter", Type: "Encounter", Title: "US Core Encounter Profile", rules: []rule{
		present("status"), present("class"), present("type"), present("subject"),
		present("identifier.system"), present("identifier.value")}},
	{ID: "us-core-goal", Type: "Goal", Title: "US Core Goal Profile", rules: []rule{
		present("lifecycleStatus"), present("description"), present("subject"), codeIn("lifecycleStatus", vsGoalStatus)}},
	{ID: "us-core-immunization", Type: "Immunization", Title: "US Core Immunization Profile", rules: []rule{
		present("status"), present("vaccineCode"), present("patient"), present("occurrence[x]"),
		codeIn("status", vsImmunizationStatus)}},
	{ID: "us-core-location", Type: "Location", Title: "US Core Location Profile", rules: []rule{present("name")}},
	{ID: "us-core-medication", Type: "Medication", Title: "US Core Medication Profile", rules: []rule{present("code")}},
	{ID: "us-core-medicationdispense", Type: "MedicationDispense", Title: "US Core MedicationDispense Profile", rules: []rule{
		present("status"), present("medication[x]"), present("subject")}},
	{ID: "us-core-medicationrequest", Type: "MedicationRequest", Title: "US Core MedicationRequest Profile", rules: []rule{
		present("status"), present("intent"), present("medication[x]"), present("subject"),
		codeIn("status", vsMedicationRequestStatus), codeIn("intent", vsMedicationRequestIntent)}},

	// Observation: the clinical-result family, the vital signs and the social-history and assessment profiles.
	{ID: "us-core-observation-clinical-result", Type: "Observation", Title: "US Core Observation Clinical Result Profile",
		Category: vsClinicalResultCategory.Codes, rules: []rule{
			present("status"), present("code"), present("category"), present("subject"),
			some("category", vsClinicalResultCategory), codeIn("status", vsObservationStatus)}},
	{ID: "us-core-observation-lab", Type: "Observation", Title: "US Core Laboratory Result Observation Profile",
		Parent: "us-core-observation-clinical-result", Category: []Coding{{ObsCategory, "laboratory"}}, rules: []rule{
			hasCoding("category", Coding{ObsCategory, "laboratory"})}},
	{ID: "us-core-observation-occupation", Type: "Observation", Title: "US Core Observation Occupation Profile",
		Code: []Coding{{LOINC, "11341-5"}}, rules: []rule{
			present("status"), present("code"), present("subject"), present("valueCodeableConcept"),
			hasCoding("code", Coding{LOINC, "11341-5"}), codeIn("status", vsObservationStatus),
			component(Coding{LOINC, "86188-0"}, 0, "")}},
	{ID: "us-core-observation-pregnancyintent", Type: "Observation", Title: "US Core Observation Pregnancy Intent Profile",
		Code: []Coding{{LOINC, "86645-9"}}, rules: []rule{
			present("status"), present("code"), present("subject"), present("effectiveDateTime"), present("valueCodeableConcept"),
			hasCoding("code", Coding{LOINC, "86645-9"}), codeIn("status", vsObservationStatus)}},
	{ID: "us-core-observation-pregnancystatus", Type: "Observation", Title: "US Core Observation Pregnancy Status Profile",
		Code: []Coding{{LOINC, "82810-3"}}, rules: []rule{
			present("status"), present("code"), present("subject"), present("effectiveDateTime"), present("valueCodeableConcept"),
			hasCoding("code", Coding{LOINC, "82810-3"}), codeIn("status", vsObservationStatus)}},
	{ID: "us-core-observation-screening-assessment", Type: "Observation", Title: "US Core Observation Screening Assessment Profile",
		Category: []Coding{{ObsCategory, "survey"}}, rules: []rule{
			present("status"), present("code"), present("category"), present("subject"),
			hasCoding("category", Coding{ObsCategory, "survey"}), codeIn("status", vsObservationStatus)}},
	{ID: "us-core-observation-sexual-orientation", Type: "Observation", Title: "US Core Observation Sexual Orientation Profile",
		Code: []Coding{{LOINC, "76690-7"}}, rules: []rule{
			present("status"), present("code"), present("subject"),
			hasCoding("code", Coding{LOINC, "76690-7"}), codeIn("status", vsObservationStatus)}},
	{ID: "us-core-simple-observation", Type: "Observation", Title: "US Core Simple Observation Profile",
		Category: vsSimpleObservationCategory.Codes, rules: []rule{
			present("status"), present("code"), present("category"), present("subject"),
			some("category", vsSimpleObservationCategory), codeIn("status", vsObservationStatus)}},
	{ID: "us-core-smokingstatus", Type: "Observation", Title: "US Core Smoking Status Observation Profile",
		Code: []Coding{{LOINC, "72166-2"}}, rules: []rule{
			present("status"), present("code"), present("category"), present("subject"), present("effectiveDateTime"),
			present("value[x]"), hasCoding("category", Coding{ObsCategory, "social-history"}),
			codeIn("status", vsSmokingStatusStatus)}},
	{ID: "us-core-vital-signs", Type: "Observation", Title: "US Core Vital Signs Profile",
		Category: []Coding{{ObsCategory, "vital-signs"}}, rules: []rule{
			present("status"), present("code"), present("category"), present("subject"), present("effective[x]"),
			hasCoding("category", Coding{ObsCategory, "vital-signs"}), codeIn("status", vsObservationStatus)}},
	vital("us-core-blood-pressure", "US Core Blood Pressure Profile", "85354-9", "",
		component(Coding{LOINC, "8480-6"}, 1, "mm[Hg]"), component(Coding{LOINC, "8462-4"}, 1, "mm[Hg]")),
	vital("us-core-bmi", "US Core BMI Profile", "39156-5", "kg/m2"),
	vital("us-core-body-height", "US Core Body Height Profile", "8302-2", "", codeIn("valueQuantity.code", vsUCUMBodyLength)),
	vital("us-core-body-temperature", "US Core Body Temperature Profile", "8310-5", "", codeIn("valueQuantity.code", vsUCUMBodyTemp)),
	vital("us-core-body-weight", "US Core Body Weight Profile", "29463-7", "", codeIn("valueQuantity.code", vsUCUMBodyWeight)),
	vital("us-core-head-circumference", "US Core Head Circumference Profile", "9843-4", "", codeIn("valueQuantity.code", vsUCUMBodyLength)),
	vital("us-core-heart-rate", "US Core Heart Rate Profile", "8867-4", "/min"),
	vital("pediatric-bmi-for-age", "US Core Pediatric BMI for Age Observation Profile", "59576-9", "%"),
	vital("pediatric-weight-for-height", "US Core Pediatric Weight for Height Observation Profile", "77606-2", "%"),
	vital("head-occipital-frontal-circumference-percentile", "US Core Pediatric Head Occipital Frontal Circumference Percentile Profile", "8289-1", "%"),
	// Pulse oximetry carries both codes; its flow-rate and concentration components are optional.
	vital("us-core-pulse-oximetry", "US Core Pulse Oximetry Profile", "59408-5", "%", hasCoding("code", Coding{LOINC, "2708-6"}),
		component(Coding{LOINC, "3151-8"}, 0, "L/min"), component(Coding{LOINC, "3150-0"}, 0, "%")),
	vital("us-core-respiratory-rate", "US Core Respiratory Rate Profile", "9279-1", "/min"),

	{ID: "us-core-organization", Type: "Organization", Title: "US Core Organization Profile", rules: []rule{
		present("active"), present("name")}},
	{ID: "us-core-patient", Type: "Patient", Title: "US Core Patient Profile", rules: []rule{
		present("identifier"), present("identifier.system"), present("identifier.value"), present("name"), present("gender"),
		present("telecom.system"), present("telecom.value"),
		codeIn("gender", vsAdministrativeGender), codeIn("telecom.system", vsContactPointSystem), codeIn("telecom.use", vsContactPointUse)}},
	{ID: "us-core-practitioner", Type: "Practitioner", Title: "US Core Practitioner Profile", rules: []rule{
		present("identifier"), present("identifier.system"), present("identifier.value"), present("name"), present("name.family")}},
	{ID: "us-core-practitionerrole", Type: "PractitionerRole", Title: "US Core PractitionerRole Profile", rules: []rule{
		present("telecom.system"), present("telecom.value"), codeIn("telecom.system", vsContactPointSystem)}},
	{ID: "us-core-procedure", Type: "Procedure", Title: "US Core Procedure Profile", rules: []rule{
		present("status"), present("code"), present("subject"), codeIn("status", vsEventStatus)}},
	{ID: "us-core-provenance", Type: "Provenance", Title: "US Core Provenance Profile", rules: []rule{
		present("target"), present("recorded"), present("agent"), present("agent.who")}},
	{ID: "us-core-questionnaireresponse", Type: "QuestionnaireResponse", Title: "US Core QuestionnaireResponse Profile", rules: []rule{
		present("questionnaire"), present("status"), present("subject"), present("authored"),
		codeIn("status", vsQuestionnaireResponseStatus)}},
	{ID: "us-core-relatedperson", Type: "RelatedPerson", Title: "US Core RelatedPerson Profile", rules: []rule{
		present("active"), present("patient")}},
	{ID: "us-core-servicerequest", Type: "ServiceRequest", Title: "US Core ServiceRequest Profile", rules: []rule{
		present("status"), present("intent"), present("code"), present("subject"),
		codeIn("status", vsRequestStatus), codeIn("intent", vsRequestIntent)}},
	{ID: "us-core-specimen", Type: "Specimen", Title: "US Core Specimen Profile", rules: []rule{present("type")}},
}

// vital is a vital-signs profile identified by one LOINC code; a non-empty unit is the UCUM code its
// valueQuantity must carry.
func vital(id, title, loinc, unit string, more ...rule) *Profile {
	rules := []rule{hasCoding("code", Coding{LOINC, loinc}),
		present("valueQuantity.value"), present("valueQuantity.unit"), present("valueQuantity.system"), present("valueQuantity.code"),
		codeIn("valueQuantity.system", ValueSet{URL: "fixed", Codes: []Coding{{"", UCUM}}})}
	if unit != "" {
		rules = append(rules, codeIn("valueQuantity.code", ValueSet{URL: "fixed", Codes: []Coding{{"", unit}}}))
	}
	return &Profile{ID: id, Type: "Observation", Title: title, Parent: "us-core-vital-signs",
		Code: []Coding{{LOINC, loinc}}, rules: append(rules, more...)}
}

var byID = func() map[string]*Profile {
	m := map[string]*Profile{}
	for _, p := range profiles {
		m[p.ID] = p
	}
	return m
}()

// Profiles returns every US Core 6.1.0 profile.
func Profiles() []*Profile { return append([]*Profile(nil), profiles...) }

// ProfilesOf returns the profiles of resource type typ, in the IG's order.
func ProfilesOf(typ string) []*Profile {
	var out []*Profile
	for _, p := range profiles {
		if p.Type == typ {
			out = append(out, p)
		}
	}
	return out
}

// ByURL finds a profile by its canonical URL, with or without a "|version" suffix.
func ByURL(url string) (*Profile, bool) {
	url, _, _ = strings.Cut(url, "|")
	id, ok := strings.CutPrefix(url, Base)
	if !ok {
		return nil, false
	}
	p, ok := byID[id]
	return p, ok
}

// allRules is p's rules after its ancestors'.
func (p *Profile) allRules() []rule {
	if p.Parent == "" {
		return p.rules
	}
	return append(byID[p.Parent].allRules(), p.rules...)
}

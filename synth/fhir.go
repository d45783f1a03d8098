package synth

import (
	"strconv"
	"time"
)

// FHIR R4 datatypes, just the parts the generator writes. Structs (not maps) keep the JSON key order fixed,
// which is half of what makes the output byte-identical from run to run.

// Code systems and identifier systems used in generated resources.
const (
	SystemSNOMED    = "http://snomed.info/sct"
	SystemLOINC     = "http://loinc.org"
	SystemRxNorm    = "http://www.nlm.nih.gov/research/umls/rxnorm"
	SystemCVX       = "http://hl7.org/fhir/sid/cvx"
	SystemUCUM      = "http://unitsofmeasure.org"
	SystemNPI       = "http://hl7.org/fhir/sid/us-npi"
	SystemSSN       = "http://hl7.org/fhir/sid/us-ssn"
	SystemNUCC      = "http://nucc.org/provider-taxonomy"
	SystemOMB       = "urn:oid:2.16.840.1.113883.6.238"
	SystemBCP47     = "urn:ietf:bcp:47"
	SystemSOPT      = "https://nahdo.org/sopt"
	SystemMRN       = "https://valet.dev/fhir/sid/mrn"
	SystemEncounter = "https://valet.dev/fhir/sid/encounter"
	SystemMember    = "https://valet.dev/fhir/sid/member"
	SystemTags      = "https://valet.dev/fhir/tags"

	tho = "http://terminology.hl7.org/CodeSystem/"

	SystemV2IdentifierType  = tho + "v2-0203"
	SystemV2DiagService     = tho + "v2-0074"
	SystemActCode           = tho + "v3-ActCode"
	SystemConfidentiality   = tho + "v3-Confidentiality"
	SystemMaritalStatus     = tho + "v3-MaritalStatus"
	SystemParticipationType = tho + "v3-ParticipationType"
	SystemInterpretation    = tho + "v3-ObservationInterpretation"
	SystemObsCategory       = tho + "observation-category"
	SystemCondCategory      = tho + "condition-category"
	SystemCondClinical      = tho + "condition-clinical"
	SystemCondVerification  = tho + "condition-ver-status"
	SystemAllergyClinical   = tho + "allergyintolerance-clinical"
	SystemAllergyVerif      = tho + "allergyintolerance-verification"
	SystemDischargeDisp     = tho + "discharge-disposition"
	SystemCoverageClass     = tho + "coverage-class"
	SystemSubscriberRel     = tho + "subscriber-relationship"
	SystemOrgType           = tho + "organization-type"
	SystemProvenanceAgent   = tho + "provenance-participant-type"
	SystemMedReqCategory    = tho + "medicationrequest-category"
	SystemCarePlanCategory  = "http://hl7.org/fhir/us/core/CodeSystem/careplan-category"
	SystemLocationPhysType  = tho + "location-physical-type"
	SystemV2RelatedType     = tho + "v2-0131"
	SystemRoleCode          = tho + "v3-RoleCode"
	SystemNullFlavor        = tho + "v3-NullFlavor"
	SystemDataAbsent        = tho + "data-absent-reason"
	SystemGoalAchievement   = tho + "goal-achievement"
	SystemV2SpecimenType    = tho + "v2-0487"
	SystemDocCategory       = "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category"
	SystemUSCoreCategory    = "http://hl7.org/fhir/us/core/CodeSystem/us-core-category"
	SystemSDOHCategory      = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
	SystemFormatCode        = "http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode"
	SystemOccupation        = tho + "PHOccupationCDCCensus2010"
	SystemIndustry          = tho + "PHIndustryCDCCensus2010"
	SystemSpecimenID        = "https://valet.dev/fhir/sid/specimen"
	SystemAccession         = "https://valet.dev/fhir/sid/accession"
	SystemOrder             = "https://valet.dev/fhir/sid/order"
	SystemDocument          = "https://valet.dev/fhir/sid/document"

	usCore = "http://hl7.org/fhir/us/core/StructureDefinition/"
)

// US Core profile canonical URLs written in meta.profile.
const (
	ProfilePatient             = usCore + "us-core-patient"
	ProfileOrganization        = usCore + "us-core-organization"
	ProfileLocation            = usCore + "us-core-location"
	ProfilePractitioner        = usCore + "us-core-practitioner"
	ProfilePractitionerRole    = usCore + "us-core-practitionerrole"
	ProfileCoverage            = usCore + "us-core-coverage"
	ProfileEncounter           = usCore + "us-core-encounter"
	ProfileConditionProblems   = usCore + "us-core-condition-problems-health-concerns"
	ProfileConditionEncounter  = usCore + "us-core-condition-encounter-diagnosis"
	ProfileObservationLab      = usCore + "us-core-observation-lab"
	ProfileSmokingStatus       = usCore + "us-core-smokingstatus"
	ProfileDiagnosticReportLab = usCore + "us-core-diagnosticreport-lab"
	ProfileMedicationRequest   = usCore + "us-core-medicationrequest"
	ProfileAllergyIntolerance  = usCore + "us-core-allergyintolerance"
	ProfileImmunization        = usCore + "us-core-immunization"
	ProfileProcedure           = usCore + "us-core-procedure"
	ProfileCarePlan            = usCore + "us-core-careplan"
	ProfileProvenance          = usCore + "us-core-provenance"
	ProfileVitalSigns          = usCore + "us-core-vital-signs"
	ProfilePulseOximetry       = usCore + "us-core-pulse-oximetry"

	ProfileDocumentReference    = usCore + "us-core-documentreference"
	ProfileDiagnosticReportNote = usCore + "us-core-diagnosticreport-note"
	ProfileGoal                 = usCore + "us-core-goal"
	ProfileCareTeam             = usCore + "us-core-careteam"
	ProfileImplantableDevice    = usCore + "us-core-implantable-device"
	ProfileServiceRequest       = usCore + "us-core-servicerequest"
	ProfileSpecimen             = usCore + "us-core-specimen"
	ProfileRelatedPerson        = usCore + "us-core-relatedperson"
	ProfileQuestionnaireResp    = usCore + "us-core-questionnaireresponse"
	ProfileMedication           = usCore + "us-core-medication"
	ProfileMedicationDispense   = usCore + "us-core-medicationdispense"
	ProfileScreeningAssessment  = usCore + "us-core-observation-screening-assessment"
	ProfileOccupation           = usCore + "us-core-observation-occupation"
	ProfileSexualOrientation    = usCore + "us-core-observation-sexual-orientation"
	ProfilePregnancyStatus      = usCore + "us-core-observation-pregnancystatus"
	ProfilePregnancyIntent      = usCore + "us-core-observation-pregnancyintent"
	ProfileClinicalResult       = usCore + "us-core-observation-clinical-result"
	ProfileSimpleObservation    = usCore + "us-core-simple-observation"

	extRace           = usCore + "us-core-race"
	extEthnicity      = usCore + "us-core-ethnicity"
	extBirthSex       = usCore + "us-core-birthsex"
	extGenderIdentity = usCore + "us-core-genderIdentity"
)

// Dec is a FHIR decimal held as an integer and a count of decimal places, so values are exact, print with
// their precision ("7.0" stays "7.0") and never depend on floating-point rounding or FMA contraction, which
// differ between CPU architectures.
type Dec struct {
	N     int64
	Scale int // 0..3
}

func (d Dec) MarshalJSON() ([]byte, error) { return []byte(d.String()), nil }

func (d Dec) String() string {
	if d.Scale == 0 {
		return strconv.FormatInt(d.N, 10)
	}
	neg := d.N < 0
	n := d.N
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	for len(s) <= d.Scale {
		s = "0" + s
	}
	s = s[:len(s)-d.Scale] + "." + s[len(s)-d.Scale:]
	if neg {
		s = "-" + s
	}
	return s
}

// Cmp compares two decimals of any scale.
func (d Dec) Cmp(o Dec) int {
	a, b := d.N, o.N
	for s := d.Scale; s < o.Scale; s++ {
		a *= 10
	}
	for s := o.Scale; s < d.Scale; s++ {
		b *= 10
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

type Coding struct {
	System  string `json:"system,omitempty"`
	Version string `json:"version,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

type CodeableConcept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// cc builds a CodeableConcept from one coding, with the display as text.
func cc(system, code, display string) CodeableConcept {
	return CodeableConcept{Coding: []Coding{{System: system, Code: code, Display: display}}, Text: display}
}

// ccs builds a CodeableConcept from one coding, without text (for fixed category codes).
func ccs(system, code, display string) CodeableConcept {
	return CodeableConcept{Coding: []Coding{{System: system, Code: code, Display: display}}}
}

type Reference struct {
	Reference string `json:"reference,omitempty"`
	Display   string `json:"display,omitempty"`
}

func ref(typ, id string) *Reference { return &Reference{Reference: typ + "/" + id} }

type Identifier struct {
	Use    string           `json:"use,omitempty"`
	Type   *CodeableConcept `json:"type,omitempty"`
	System string           `json:"system,omitempty"`
	Value  string           `json:"value,omitempty"`
	Period *Period          `json:"period,omitempty"`
}

type Period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

type Quantity struct {
	Value      Dec    `json:"value"`
	Comparator string `json:"comparator,omitempty"`
	Unit       string `json:"unit,omitempty"`
	System     string `json:"system,omitempty"`
	Code       string `json:"code,omitempty"`
}

type Meta struct {
	Profile  []string `json:"profile,omitempty"`
	Security []Coding `json:"security,omitempty"`
	Tag      []Coding `json:"tag,omitempty"`
}

// Attachment is inline content (data, base64) or a URL.
type Attachment struct {
	ContentType string `json:"contentType,omitempty"`
	Language    string `json:"language,omitempty"`
	Data        string `json:"data,omitempty"`
	Title       string `json:"title,omitempty"`
	Creation    string `json:"creation,omitempty"`
}

type Range struct {
	Low  *Quantity `json:"low,omitempty"`
	High *Quantity `json:"high,omitempty"`
}

type Narrative struct {
	Status string `json:"status"`
	Div    string `json:"div"`
}

type Extension struct {
	URL                  string           `json:"url"`
	ValueCoding          *Coding          `json:"valueCoding,omitempty"`
	ValueCodeableConcept *CodeableConcept `json:"valueCodeableConcept,omitempty"`
	ValueString          string           `json:"valueString,omitempty"`
	ValueCode            string           `json:"valueCode,omitempty"`
	Extension            []Extension      `json:"extension,omitempty"`
}

type HumanName struct {
	Use    string   `json:"use,omitempty"`
	Text   string   `json:"text,omitempty"`
	Family string   `json:"family,omitempty"`
	Given  []string `json:"given,omitempty"`
	Prefix []string `json:"prefix,omitempty"`
	Suffix []string `json:"suffix,omitempty"`
	Period *Period  `json:"period,omitempty"`
}

type ContactPoint struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
	Use    string `json:"use,omitempty"`
}

type Address struct {
	Use        string   `json:"use,omitempty"`
	Type       string   `json:"type,omitempty"`
	Line       []string `json:"line,omitempty"`
	City       string   `json:"city,omitempty"`
	State      string   `json:"state,omitempty"`
	PostalCode string   `json:"postalCode,omitempty"`
	Country    string   `json:"country,omitempty"`
	Period     *Period  `json:"period,omitempty"`
}

type ReferenceRange struct {
	Low  *Quantity        `json:"low,omitempty"`
	High *Quantity        `json:"high,omitempty"`
	Type *CodeableConcept `json:"type,omitempty"`
	Text string           `json:"text,omitempty"`
}

// header is the part every resource shares; embedding it puts resourceType and id first in the JSON.
type header struct {
	ResourceType string     `json:"resourceType"`
	ID           string     `json:"id"`
	Meta         *Meta      `json:"meta,omitempty"`
	Text         *Narrative `json:"text,omitempty"`
}

func hdr(typ, id string, profiles ...string) header {
	return header{ResourceType: typ, ID: id, Meta: &Meta{Profile: profiles}}
}

// FHIR date and dateTime renderings. Everything is UTC so output never depends on the local zone.
func fhirDate(t time.Time) string     { return t.UTC().Format("2006-01-02") }
func fhirDateTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
func fhirInstant(t time.Time) string  { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

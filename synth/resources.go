package synth

// Resource structs: only the elements the generator fills, in FHIR's element order.

type organization struct {
	header
	Identifier []Identifier      `json:"identifier,omitempty"`
	Active     bool              `json:"active"`
	Type       []CodeableConcept `json:"type,omitempty"`
	Name       string            `json:"name"`
	Telecom    []ContactPoint    `json:"telecom,omitempty"`
	Address    []Address         `json:"address,omitempty"`
}

type location struct {
	header
	Status               string            `json:"status"`
	Name                 string            `json:"name"`
	Description          string            `json:"description,omitempty"`
	Type                 []CodeableConcept `json:"type,omitempty"`
	Telecom              []ContactPoint    `json:"telecom,omitempty"`
	Address              *Address          `json:"address,omitempty"`
	PhysicalType         *CodeableConcept  `json:"physicalType,omitempty"`
	ManagingOrganization *Reference        `json:"managingOrganization,omitempty"`
}

type practitioner struct {
	header
	Identifier []Identifier   `json:"identifier"`
	Active     bool           `json:"active"`
	Name       []HumanName    `json:"name"`
	Telecom    []ContactPoint `json:"telecom,omitempty"`
	Address    []Address      `json:"address,omitempty"`
	Gender     string         `json:"gender,omitempty"`
}

type practitionerRole struct {
	header
	Active       bool              `json:"active"`
	Practitioner *Reference        `json:"practitioner"`
	Organization *Reference        `json:"organization"`
	Code         []CodeableConcept `json:"code,omitempty"`
	Specialty    []CodeableConcept `json:"specialty,omitempty"`
	Location     []Reference       `json:"location,omitempty"`
	Telecom      []ContactPoint    `json:"telecom,omitempty"`
}

type patientCommunication struct {
	Language  CodeableConcept `json:"language"`
	Preferred bool            `json:"preferred,omitempty"`
}

type patientLink struct {
	Other Reference `json:"other"`
	Type  string    `json:"type"`
}

type patient struct {
	header
	Extension            []Extension            `json:"extension,omitempty"`
	Identifier           []Identifier           `json:"identifier,omitempty"`
	Active               *bool                  `json:"active,omitempty"`
	Name                 []HumanName            `json:"name,omitempty"`
	Telecom              []ContactPoint         `json:"telecom,omitempty"`
	Gender               string                 `json:"gender,omitempty"`
	BirthDate            string                 `json:"birthDate,omitempty"`
	DeceasedBoolean      *bool                  `json:"deceasedBoolean,omitempty"`
	DeceasedDateTime     string                 `json:"deceasedDateTime,omitempty"`
	Address              []Address              `json:"address,omitempty"`
	MaritalStatus        *CodeableConcept       `json:"maritalStatus,omitempty"`
	Communication        []patientCommunication `json:"communication,omitempty"`
	GeneralPractitioner  []Reference            `json:"generalPractitioner,omitempty"`
	ManagingOrganization *Reference             `json:"managingOrganization,omitempty"`
	Link                 []patientLink          `json:"link,omitempty"`
}

type coverageClass struct {
	Type  CodeableConcept `json:"type"`
	Value string          `json:"value"`
	Name  string          `json:"name,omitempty"`
}

type coverage struct {
	header
	Identifier   []Identifier     `json:"identifier,omitempty"`
	Status       string           `json:"status"`
	Type         *CodeableConcept `json:"type,omitempty"`
	SubscriberID string           `json:"subscriberId,omitempty"`
	Beneficiary  Reference        `json:"beneficiary"`
	Relationship *CodeableConcept `json:"relationship,omitempty"`
	Period       *Period          `json:"period,omitempty"`
	Payor        []Reference      `json:"payor"`
	Class        []coverageClass  `json:"class,omitempty"`
}

type encounterParticipant struct {
	Type       []CodeableConcept `json:"type,omitempty"`
	Period     *Period           `json:"period,omitempty"`
	Individual *Reference        `json:"individual,omitempty"`
}

type encounterLocation struct {
	Location Reference `json:"location"`
}

type encounterHospitalization struct {
	DischargeDisposition *CodeableConcept `json:"dischargeDisposition,omitempty"`
}

type encounter struct {
	header
	Identifier      []Identifier              `json:"identifier,omitempty"`
	Status          string                    `json:"status"`
	Class           Coding                    `json:"class"`
	Type            []CodeableConcept         `json:"type,omitempty"`
	Subject         *Reference                `json:"subject"`
	Participant     []encounterParticipant    `json:"participant,omitempty"`
	Period          *Period                   `json:"period,omitempty"`
	ReasonCode      []CodeableConcept         `json:"reasonCode,omitempty"`
	ReasonReference []Reference               `json:"reasonReference,omitempty"`
	Hospitalization *encounterHospitalization `json:"hospitalization,omitempty"`
	Location        []encounterLocation       `json:"location,omitempty"`
	ServiceProvider *Reference                `json:"serviceProvider,omitempty"`
}

type condition struct {
	header
	ClinicalStatus     *CodeableConcept  `json:"clinicalStatus,omitempty"`
	VerificationStatus *CodeableConcept  `json:"verificationStatus,omitempty"`
	Category           []CodeableConcept `json:"category"`
	Code               CodeableConcept   `json:"code"`
	Subject            *Reference        `json:"subject"`
	Encounter          *Reference        `json:"encounter,omitempty"`
	OnsetDateTime      string            `json:"onsetDateTime,omitempty"`
	AbatementDateTime  string            `json:"abatementDateTime,omitempty"`
	RecordedDate       string            `json:"recordedDate,omitempty"`
	Recorder           *Reference        `json:"recorder,omitempty"`
}

type observationComponent struct {
	Code                 CodeableConcept   `json:"code"`
	ValueQuantity        *Quantity         `json:"valueQuantity,omitempty"`
	ValueCodeableConcept *CodeableConcept  `json:"valueCodeableConcept,omitempty"`
	DataAbsentReason     *CodeableConcept  `json:"dataAbsentReason,omitempty"`
	Interpretation       []CodeableConcept `json:"interpretation,omitempty"`
}

type observation struct {
	header
	BasedOn              []Reference            `json:"basedOn,omitempty"`
	Status               string                 `json:"status"`
	Category             []CodeableConcept      `json:"category"`
	Code                 CodeableConcept        `json:"code"`
	Subject              *Reference             `json:"subject"`
	Encounter            *Reference             `json:"encounter,omitempty"`
	EffectiveDateTime    string                 `json:"effectiveDateTime,omitempty"`
	EffectivePeriod      *Period                `json:"effectivePeriod,omitempty"`
	Issued               string                 `json:"issued,omitempty"`
	Performer            []Reference            `json:"performer,omitempty"`
	ValueQuantity        *Quantity              `json:"valueQuantity,omitempty"`
	ValueCodeableConcept *CodeableConcept       `json:"valueCodeableConcept,omitempty"`
	ValueString          string                 `json:"valueString,omitempty"`
	Interpretation       []CodeableConcept      `json:"interpretation,omitempty"`
	Specimen             *Reference             `json:"specimen,omitempty"`
	ReferenceRange       []ReferenceRange       `json:"referenceRange,omitempty"`
	HasMember            []Reference            `json:"hasMember,omitempty"`
	DerivedFrom          []Reference            `json:"derivedFrom,omitempty"`
	Component            []observationComponent `json:"component,omitempty"`
}

type diagnosticReport struct {
	header
	BasedOn           []Reference       `json:"basedOn,omitempty"`
	Status            string            `json:"status"`
	Category          []CodeableConcept `json:"category"`
	Code              CodeableConcept   `json:"code"`
	Subject           *Reference        `json:"subject"`
	Encounter         *Reference        `json:"encounter,omitempty"`
	EffectiveDateTime string            `json:"effectiveDateTime,omitempty"`
	Issued            string            `json:"issued,omitempty"`
	Performer         []Reference       `json:"performer,omitempty"`
	ResultsInterp     []Reference       `json:"resultsInterpreter,omitempty"`
	Specimen          []Reference       `json:"specimen,omitempty"`
	Result            []Reference       `json:"result,omitempty"`
	Conclusion        string            `json:"conclusion,omitempty"`
	PresentedForm     []Attachment      `json:"presentedForm,omitempty"`
}

type timingRepeat struct {
	Frequency  int    `json:"frequency,omitempty"`
	Period     int    `json:"period,omitempty"`
	PeriodUnit string `json:"periodUnit,omitempty"`
}

type timing struct {
	Repeat *timingRepeat `json:"repeat,omitempty"`
}

type doseAndRate struct {
	DoseQuantity *Quantity `json:"doseQuantity,omitempty"`
}

type dosage struct {
	Sequence        int              `json:"sequence,omitempty"`
	Text            string           `json:"text,omitempty"`
	Timing          *timing          `json:"timing,omitempty"`
	AsNeededBoolean bool             `json:"asNeededBoolean,omitempty"`
	Route           *CodeableConcept `json:"route,omitempty"`
	DoseAndRate     []doseAndRate    `json:"doseAndRate,omitempty"`
}

type dispenseRequest struct {
	ValidityPeriod         *Period `json:"validityPeriod,omitempty"`
	NumberOfRepeatsAllowed int     `json:"numberOfRepeatsAllowed,omitempty"`
}

type medicationRequest struct {
	header
	Status                    string            `json:"status"`
	Intent                    string            `json:"intent"`
	Category                  []CodeableConcept `json:"category,omitempty"`
	ReportedBoolean           *bool             `json:"reportedBoolean,omitempty"`
	MedicationCodeableConcept *CodeableConcept  `json:"medicationCodeableConcept,omitempty"`
	MedicationReference       *Reference        `json:"medicationReference,omitempty"`
	Subject                   *Reference        `json:"subject"`
	Encounter                 *Reference        `json:"encounter,omitempty"`
	AuthoredOn                string            `json:"authoredOn,omitempty"`
	Requester                 *Reference        `json:"requester,omitempty"`
	ReasonReference           []Reference       `json:"reasonReference,omitempty"`
	DosageInstruction         []dosage          `json:"dosageInstruction,omitempty"`
	DispenseRequest           *dispenseRequest  `json:"dispenseRequest,omitempty"`
}

type allergyReaction struct {
	Manifestation []CodeableConcept `json:"manifestation"`
	Severity      string            `json:"severity,omitempty"`
}

type allergyIntolerance struct {
	header
	ClinicalStatus     *CodeableConcept  `json:"clinicalStatus,omitempty"`
	VerificationStatus *CodeableConcept  `json:"verificationStatus,omitempty"`
	Type               string            `json:"type,omitempty"`
	Category           []string          `json:"category,omitempty"`
	Criticality        string            `json:"criticality,omitempty"`
	Code               CodeableConcept   `json:"code"`
	Patient            *Reference        `json:"patient"`
	Encounter          *Reference        `json:"encounter,omitempty"`
	OnsetDateTime      string            `json:"onsetDateTime,omitempty"`
	RecordedDate       string            `json:"recordedDate,omitempty"`
	Recorder           *Reference        `json:"recorder,omitempty"`
	Reaction           []allergyReaction `json:"reaction,omitempty"`
}

type immunizationPerformer struct {
	Actor Reference `json:"actor"`
}

type immunization struct {
	header
	Status             string                  `json:"status"`
	VaccineCode        CodeableConcept         `json:"vaccineCode"`
	Patient            *Reference              `json:"patient"`
	Encounter          *Reference              `json:"encounter,omitempty"`
	OccurrenceDateTime string                  `json:"occurrenceDateTime"`
	PrimarySource      bool                    `json:"primarySource"`
	Location           *Reference              `json:"location,omitempty"`
	Performer          []immunizationPerformer `json:"performer,omitempty"`
}

type procedurePerformer struct {
	Actor Reference `json:"actor"`
}

type procedureDevice struct {
	Action      *CodeableConcept `json:"action,omitempty"`
	Manipulated Reference        `json:"manipulated"`
}

type procedure struct {
	header
	BasedOn         []Reference          `json:"basedOn,omitempty"`
	Status          string               `json:"status"`
	Code            CodeableConcept      `json:"code"`
	Subject         *Reference           `json:"subject"`
	Encounter       *Reference           `json:"encounter,omitempty"`
	PerformedPeriod *Period              `json:"performedPeriod,omitempty"`
	Performer       []procedurePerformer `json:"performer,omitempty"`
	Location        *Reference           `json:"location,omitempty"`
	ReasonReference []Reference          `json:"reasonReference,omitempty"`
	FocalDevice     []procedureDevice    `json:"focalDevice,omitempty"`
}

type carePlan struct {
	header
	Status    string            `json:"status"`
	Intent    string            `json:"intent"`
	Category  []CodeableConcept `json:"category"`
	Title     string            `json:"title,omitempty"`
	Subject   *Reference        `json:"subject"`
	Period    *Period           `json:"period,omitempty"`
	Created   string            `json:"created,omitempty"`
	Author    *Reference        `json:"author,omitempty"`
	Addresses []Reference       `json:"addresses,omitempty"`
}

type provenanceAgent struct {
	Type       *CodeableConcept `json:"type,omitempty"`
	Who        Reference        `json:"who"`
	OnBehalfOf *Reference       `json:"onBehalfOf,omitempty"`
}

type provenance struct {
	header
	Target   []Reference       `json:"target"`
	Recorded string            `json:"recorded"`
	Agent    []provenanceAgent `json:"agent"`
}

package synth

// Resource structs of the US Core types added to the original sixteen (notes, orders, care team, goals,
// devices, social history, dispensing) and the population's Groups: only the elements the generator fills,
// in FHIR's element order.

type docContent struct {
	Attachment Attachment `json:"attachment"`
	Format     *Coding    `json:"format,omitempty"`
}

type docContext struct {
	Encounter []Reference `json:"encounter,omitempty"`
	Period    *Period     `json:"period,omitempty"`
}

type documentReference struct {
	header
	Identifier  []Identifier      `json:"identifier,omitempty"`
	Status      string            `json:"status"`
	DocStatus   string            `json:"docStatus,omitempty"`
	Type        CodeableConcept   `json:"type"`
	Category    []CodeableConcept `json:"category"`
	Subject     *Reference        `json:"subject"`
	Date        string            `json:"date,omitempty"`
	Author      []Reference       `json:"author,omitempty"`
	Custodian   *Reference        `json:"custodian,omitempty"`
	Description string            `json:"description,omitempty"`
	Content     []docContent      `json:"content"`
	Context     *docContext       `json:"context,omitempty"`
}

type goalTarget struct {
	Measure        *CodeableConcept `json:"measure,omitempty"`
	DetailQuantity *Quantity        `json:"detailQuantity,omitempty"`
	DueDate        string           `json:"dueDate,omitempty"`
}

type goal struct {
	header
	LifecycleStatus   string           `json:"lifecycleStatus"`
	AchievementStatus *CodeableConcept `json:"achievementStatus,omitempty"`
	Description       CodeableConcept  `json:"description"`
	Subject           *Reference       `json:"subject"`
	StartDate         string           `json:"startDate,omitempty"`
	Target            []goalTarget     `json:"target,omitempty"`
	ExpressedBy       *Reference       `json:"expressedBy,omitempty"`
	Addresses         []Reference      `json:"addresses,omitempty"`
}

type careTeamParticipant struct {
	Role       []CodeableConcept `json:"role,omitempty"`
	Member     *Reference        `json:"member,omitempty"`
	OnBehalfOf *Reference        `json:"onBehalfOf,omitempty"`
	Period     *Period           `json:"period,omitempty"`
}

type careTeam struct {
	header
	Status               string                `json:"status"`
	Category             []CodeableConcept     `json:"category,omitempty"`
	Name                 string                `json:"name,omitempty"`
	Subject              *Reference            `json:"subject"`
	Encounter            *Reference            `json:"encounter,omitempty"`
	Period               *Period               `json:"period,omitempty"`
	Participant          []careTeamParticipant `json:"participant"`
	ReasonReference      []Reference           `json:"reasonReference,omitempty"`
	ManagingOrganization []Reference           `json:"managingOrganization,omitempty"`
}

type udiCarrier struct {
	DeviceIdentifier string `json:"deviceIdentifier"`
	Issuer           string `json:"issuer,omitempty"`
	Jurisdiction     string `json:"jurisdiction,omitempty"`
	CarrierHRF       string `json:"carrierHRF,omitempty"`
	EntryType        string `json:"entryType,omitempty"`
}

type deviceName struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type device struct {
	header
	UDICarrier         []udiCarrier    `json:"udiCarrier,omitempty"`
	Status             string          `json:"status,omitempty"`
	DistinctIdentifier string          `json:"distinctIdentifier,omitempty"`
	Manufacturer       string          `json:"manufacturer,omitempty"`
	ManufactureDate    string          `json:"manufactureDate,omitempty"`
	ExpirationDate     string          `json:"expirationDate,omitempty"`
	LotNumber          string          `json:"lotNumber,omitempty"`
	SerialNumber       string          `json:"serialNumber,omitempty"`
	DeviceName         []deviceName    `json:"deviceName,omitempty"`
	Type               CodeableConcept `json:"type"`
	Patient            *Reference      `json:"patient"`
}

type serviceRequest struct {
	header
	Identifier         []Identifier      `json:"identifier,omitempty"`
	Status             string            `json:"status"`
	Intent             string            `json:"intent"`
	Category           []CodeableConcept `json:"category"`
	Priority           string            `json:"priority,omitempty"`
	Code               CodeableConcept   `json:"code"`
	Subject            *Reference        `json:"subject"`
	Encounter          *Reference        `json:"encounter,omitempty"`
	OccurrenceDate     string            `json:"occurrenceDateTime,omitempty"`
	AuthoredOn         string            `json:"authoredOn"`
	Requester          *Reference        `json:"requester,omitempty"`
	PerformerType      *CodeableConcept  `json:"performerType,omitempty"`
	Performer          []Reference       `json:"performer,omitempty"`
	ReasonCode         []CodeableConcept `json:"reasonCode,omitempty"`
	ReasonReference    []Reference       `json:"reasonReference,omitempty"`
	Specimen           []Reference       `json:"specimen,omitempty"`
	PatientInstruction string            `json:"patientInstruction,omitempty"`
}

type specimenCollection struct {
	Collector         *Reference       `json:"collector,omitempty"`
	CollectedDateTime string           `json:"collectedDateTime,omitempty"`
	Method            *CodeableConcept `json:"method,omitempty"`
	BodySite          *CodeableConcept `json:"bodySite,omitempty"`
}

type specimen struct {
	header
	Identifier          []Identifier        `json:"identifier,omitempty"`
	AccessionIdentifier *Identifier         `json:"accessionIdentifier,omitempty"`
	Status              string              `json:"status,omitempty"`
	Type                CodeableConcept     `json:"type"`
	Subject             *Reference          `json:"subject"`
	ReceivedTime        string              `json:"receivedTime,omitempty"`
	Request             []Reference         `json:"request,omitempty"`
	Collection          *specimenCollection `json:"collection,omitempty"`
}

type relatedPerson struct {
	header
	Active       bool              `json:"active"`
	Patient      Reference         `json:"patient"`
	Relationship []CodeableConcept `json:"relationship,omitempty"`
	Name         []HumanName       `json:"name,omitempty"`
	Telecom      []ContactPoint    `json:"telecom,omitempty"`
	Gender       string            `json:"gender,omitempty"`
	Address      []Address         `json:"address,omitempty"`
}

type qrAnswer struct {
	ValueCoding *Coding `json:"valueCoding,omitempty"`
	ValueString string  `json:"valueString,omitempty"`
}

type qrItem struct {
	LinkID string     `json:"linkId"`
	Text   string     `json:"text,omitempty"`
	Answer []qrAnswer `json:"answer,omitempty"`
	Item   []qrItem   `json:"item,omitempty"`
}

type questionnaireResponse struct {
	header
	Extension     []Extension `json:"extension,omitempty"`
	Identifier    *Identifier `json:"identifier,omitempty"`
	Questionnaire string      `json:"questionnaire"`
	Status        string      `json:"status"`
	Subject       *Reference  `json:"subject"`
	Encounter     *Reference  `json:"encounter,omitempty"`
	Authored      string      `json:"authored"`
	Author        *Reference  `json:"author,omitempty"`
	Source        *Reference  `json:"source,omitempty"`
	Item          []qrItem    `json:"item"`
}

type medication struct {
	header
	Code   CodeableConcept  `json:"code"`
	Status string           `json:"status,omitempty"`
	Form   *CodeableConcept `json:"form,omitempty"`
}

type dispensePerformer struct {
	Actor Reference `json:"actor"`
}

type medicationDispense struct {
	header
	Status                    string              `json:"status"`
	Category                  *CodeableConcept    `json:"category,omitempty"`
	MedicationCodeableConcept *CodeableConcept    `json:"medicationCodeableConcept,omitempty"`
	MedicationReference       *Reference          `json:"medicationReference,omitempty"`
	Subject                   *Reference          `json:"subject"`
	Context                   *Reference          `json:"context,omitempty"`
	Performer                 []dispensePerformer `json:"performer,omitempty"`
	AuthorizingPrescription   []Reference         `json:"authorizingPrescription,omitempty"`
	Type                      *CodeableConcept    `json:"type,omitempty"`
	Quantity                  *Quantity           `json:"quantity,omitempty"`
	DaysSupply                *Quantity           `json:"daysSupply,omitempty"`
	WhenPrepared              string              `json:"whenPrepared,omitempty"`
	WhenHandedOver            string              `json:"whenHandedOver,omitempty"`
	DosageInstruction         []dosage            `json:"dosageInstruction,omitempty"`
}

type groupCharacteristic struct {
	Code                 CodeableConcept  `json:"code"`
	ValueCodeableConcept *CodeableConcept `json:"valueCodeableConcept,omitempty"`
	ValueRange           *Range           `json:"valueRange,omitempty"`
	Exclude              bool             `json:"exclude"`
}

type groupMember struct {
	Entity Reference `json:"entity"`
}

type group struct {
	header
	Identifier     []Identifier          `json:"identifier,omitempty"`
	Active         bool                  `json:"active"`
	Type           string                `json:"type"`
	Actual         bool                  `json:"actual"`
	Name           string                `json:"name"`
	Quantity       int                   `json:"quantity"`
	Characteristic []groupCharacteristic `json:"characteristic,omitempty"`
	Member         []groupMember         `json:"member,omitempty"`
}

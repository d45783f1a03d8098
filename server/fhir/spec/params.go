// Package spec holds the parts of FHIR R4 that Valet's server is built from: the search parameters it
// indexes (with the element paths they read), the Patient compartment, date ranges and string folding.
// It imports only the store's index types.
package spec

import "sort"

// ParamType is a search parameter type (http://hl7.org/fhir/R4/search.html#ptypes).
type ParamType string

const (
	TokenParam     ParamType = "token"
	StringParam    ParamType = "string"
	DateParam      ParamType = "date"
	ReferenceParam ParamType = "reference"
	QuantityParam  ParamType = "quantity"
	NumberParam    ParamType = "number"
	URIParam       ParamType = "uri"
)

// Param is one search parameter of a resource type. Paths are element paths from the resource root
// ("code", "effective[x]", "participant.individual"); Targets limit a reference parameter to some types
// (Observation.patient is subject where it is a Patient).
type Param struct {
	Name    string
	Type    ParamType
	Paths   []string
	Targets []string
	Doc     string
}

func tok(name, doc string, paths ...string) Param {
	return Param{Name: name, Type: TokenParam, Paths: paths, Doc: doc}
}
func str(name, doc string, paths ...string) Param {
	return Param{Name: name, Type: StringParam, Paths: paths, Doc: doc}
}
func date(name, doc string, paths ...string) Param {
	return Param{Name: name, Type: DateParam, Paths: paths, Doc: doc}
}
func ref(name, doc string, targets []string, paths ...string) Param {
	return Param{Name: name, Type: ReferenceParam, Paths: paths, Targets: targets, Doc: doc}
}
func qty(name, doc string, paths ...string) Param {
	return Param{Name: name, Type: QuantityParam, Paths: paths, Doc: doc}
}

var pat = []string{"Patient"}

func patientOf(path string) Param {
	return ref("patient", "Who the resource is about, when a patient", pat, path)
}
func subjectOf(path string) Param { return ref("subject", "Who the resource is about", nil, path) }
func ident() Param                { return tok("identifier", "A business identifier", "identifier") }
func status() Param               { return tok("status", "Status", "status") }
func encounter(path string) Param {
	return ref("encounter", "The Encounter it was part of", []string{"Encounter"}, path)
}

var personParams = []Param{
	ident(),
	str("name", "Any part of the name (family, given, prefix, suffix, text)", "name"),
	str("family", "Family name", "name.family"),
	str("given", "Given name", "name.given"),
	tok("gender", "Administrative gender", "gender"),
	str("address", "Any part of the address", "address"),
	str("address-city", "City", "address.city"),
	str("address-state", "State", "address.state"),
	str("address-postalcode", "Postal code", "address.postalCode"),
	tok("telecom", "Any contact point value", "telecom"),
	tok("email", "Email address", "telecom.where(system='email')"),
	tok("phone", "Phone number", "telecom.where(system='phone')"),
}

// params lists the indexed search parameters per type, beyond _id and _lastUpdated which every type has.
var params = map[string][]Param{
	"Patient": append([]Param{
		date("birthdate", "Date of birth", "birthDate"),
		date("death-date", "Date of death", "deceasedDateTime"),
		ref("general-practitioner", "Primary care provider", nil, "generalPractitioner"),
		ref("organization", "Managing organization", []string{"Organization"}, "managingOrganization"),
	}, personParams...),
	"Practitioner": personParams,
	"RelatedPerson": append([]Param{
		patientOf("patient"),
		tok("relationship", "Relationship to the patient", "relationship"),
		date("birthdate", "Date of birth", "birthDate"),
	}, personParams...),
	"PractitionerRole": {ident(),
		ref("practitioner", "The practitioner", []string{"Practitioner"}, "practitioner"),
		ref("organization", "The organization", []string{"Organization"}, "organization"),
		ref("location", "Where the role is performed", []string{"Location"}, "location"),
		tok("role", "The role", "code"), tok("specialty", "Specialty", "specialty")},
	"Organization": {ident(), str("name", "Name", "name", "alias"), str("address", "Any part of the address", "address"),
		tok("type", "Kind of organization", "type")},
	"Location": {ident(), str("name", "Name", "name", "alias"), str("address", "Any part of the address", "address"),
		str("address-city", "City", "address.city"), str("address-state", "State", "address.state"),
		str("address-postalcode", "Postal code", "address.postalCode"),
		ref("organization", "Managing organization", []string{"Organization"}, "managingOrganization"),
		tok("type", "Kind of location", "type"), status()},
	"Encounter": {ident(), status(), patientOf("subject"), subjectOf("subject"),
		date("date", "When the encounter took place", "period"),
		tok("class", "Classification", "class"), tok("type", "Specific type", "type"),
		ref("location", "Where it took place", []string{"Location"}, "location.location"),
		ref("practitioner", "Participant practitioner", []string{"Practitioner"}, "participant.individual"),
		ref("participant", "Participant", nil, "participant.individual"),
		ref("service-provider", "Responsible organization", []string{"Organization"}, "serviceProvider"),
		tok("reason-code", "Reason", "reasonCode"),
		tok("discharge-disposition", "Discharge disposition", "hospitalization.dischargeDisposition")},
	"Condition": {ident(), patientOf("subject"), subjectOf("subject"),
		tok("category", "Category", "category"), tok("clinical-status", "Clinical status", "clinicalStatus"),
		tok("verification-status", "Verification status", "verificationStatus"), tok("code", "Condition code", "code"),
		date("onset-date", "Onset", "onset[x]"), date("abatement-date", "Abatement", "abatement[x]"),
		date("recorded-date", "Recorded", "recordedDate"), encounter("encounter"),
		date("asserted-date", "When first asserted (the condition-assertedDate extension)",
			"extension.where(url='http://hl7.org/fhir/StructureDefinition/condition-assertedDate').value[x]"),
		ref("asserter", "Asserter", nil, "asserter")},
	"Observation": {ident(), status(), patientOf("subject"), subjectOf("subject"),
		tok("category", "Category", "category"), tok("code", "Observation code", "code"),
		date("date", "Clinically relevant time", "effective[x]"), encounter("encounter"),
		qty("value-quantity", "Quantity value", "valueQuantity"),
		tok("value-concept", "Coded value", "valueCodeableConcept"),
		tok("component-code", "Component code", "component.code"),
		tok("combo-code", "Code or component code", "code", "component.code"),
		ref("performer", "Performer", nil, "performer"),
		ref("based-on", "Fulfils", nil, "basedOn"), ref("has-member", "Panel members", nil, "hasMember"),
		ref("derived-from", "Derived from", nil, "derivedFrom"), ref("specimen", "Specimen", nil, "specimen")},
	"MedicationDispense": {ident(), status(), patientOf("subject"), subjectOf("subject"), tok("type", "Kind of dispense", "type"),
		ref("medication", "Medication (reference)", []string{"Medication"}, "medicationReference"),
		tok("code", "Medication code", "medicationCodeableConcept"), ref("performer", "Who dispensed", nil, "performer.actor"),
		ref("prescription", "The MedicationRequest it fills", []string{"MedicationRequest"}, "authorizingPrescription"),
		date("whenhandedover", "When handed over", "whenHandedOver"), date("whenprepared", "When prepared", "whenPrepared")},
	"MedicationRequest": {ident(), status(), patientOf("subject"), subjectOf("subject"),
		tok("intent", "Intent", "intent"), date("authoredon", "When written", "authoredOn"), encounter("encounter"),
		ref("medication", "Medication (reference)", []string{"Medication"}, "medicationReference"),
		tok("code", "Medication code", "medicationCodeableConcept"),
		ref("requester", "Prescriber", nil, "requester")},
	// Basic is where SMART apps persist their state (SMART App Launch 2.2 §App State): code is the state
	// code, subject the user or patient it belongs to, absent for global state (subject:missing=true).
	"Basic": {ident(), tok("code", "Kind of resource (SMART app state: the state code)", "code"), subjectOf("subject"),
		patientOf("subject"), ref("author", "Who created", nil, "author"), date("created", "When created", "created")},
	"Medication": {ident(), status(), tok("code", "Medication code", "code")},
	"AllergyIntolerance": {ident(), patientOf("patient"), tok("clinical-status", "Clinical status", "clinicalStatus"),
		tok("verification-status", "Verification status", "verificationStatus"), tok("code", "Substance", "code"),
		tok("category", "Category", "category"), tok("criticality", "Criticality", "criticality"),
		date("date", "Recorded", "recordedDate")},
	"Immunization": {ident(), status(), patientOf("patient"), date("date", "When given", "occurrence[x]"),
		tok("vaccine-code", "Vaccine", "vaccineCode")},
	"Procedure": {ident(), status(), patientOf("subject"), subjectOf("subject"), tok("code", "Procedure code", "code"),
		date("date", "When performed", "performed[x]"), encounter("encounter"),
		ref("performer", "Performer", nil, "performer.actor")},
	"DiagnosticReport": {ident(), status(), patientOf("subject"), subjectOf("subject"), tok("category", "Category", "category"),
		tok("code", "Report code", "code"), date("date", "Clinically relevant time", "effective[x]"),
		date("issued", "When issued", "issued"), encounter("encounter"), ref("result", "Result observations", []string{"Observation"}, "result"),
		ref("performer", "Performer", nil, "performer")},
	"CarePlan": {ident(), status(), patientOf("subject"), subjectOf("subject"), tok("category", "Category", "category"),
		tok("intent", "Intent", "intent"), date("date", "Period", "period"), encounter("encounter")},
	"CareTeam": {ident(), status(), patientOf("subject"), subjectOf("subject"), tok("category", "Category", "category"),
		ref("participant", "Member", nil, "participant.member"), encounter("encounter"),
		tok("role", "A member's role", "participant.role")},
	// Groups are the cohorts of a Bulk Data export ([base]/Group/[id]/$export, server/bulk).
	"Group": {ident(), tok("type", "Kind of members (person, ...)", "type"), tok("code", "Kind of group", "code"),
		tok("actual", "Whether the members are listed (true) or only described", "actual"),
		tok("characteristic", "A trait the members share", "characteristic.code"),
		str("name", "Name", "name"), ref("member", "A member", nil, "member.entity"),
		ref("managing-entity", "Who maintains the group", nil, "managingEntity")},
	"Goal": {ident(), patientOf("subject"), subjectOf("subject"), tok("lifecycle-status", "Lifecycle status", "lifecycleStatus"),
		tok("category", "Category", "category"), date("target-date", "Target date", "target.due[x]"),
		tok("description", "What the goal is (coded)", "description")},
	"Coverage": {ident(), status(), patientOf("beneficiary"), ref("beneficiary", "Covered party", nil, "beneficiary"),
		ref("subscriber", "Subscriber", nil, "subscriber"), ref("policy-holder", "Policy holder", nil, "policyHolder"),
		ref("payor", "Payor", nil, "payor"), tok("type", "Kind of coverage", "type")},
	"DocumentReference": {ident(), status(), patientOf("subject"), subjectOf("subject"), tok("type", "Kind of document", "type"),
		tok("category", "Category", "category"), date("date", "When created", "date"), date("period", "Period of service", "context.period"),
		encounter("context.encounter"), ref("author", "Author", nil, "author")},
	"Provenance": {ref("target", "Target", nil, "target"), patientOf("target"), ref("agent", "Agent", nil, "agent.who"),
		date("recorded", "When recorded", "recorded")},
	"Device": {ident(), status(), patientOf("patient"), tok("type", "Device type", "type")},
	"ServiceRequest": {ident(), status(), patientOf("subject"), subjectOf("subject"), tok("code", "Service code", "code"),
		tok("intent", "Intent", "intent"), tok("category", "Category", "category"), date("authored", "When authored", "authoredOn"),
		encounter("encounter"), ref("requester", "Requester", nil, "requester")},
	"Specimen": {ident(), status(), patientOf("subject"), subjectOf("subject"), tok("type", "Specimen type", "type"),
		date("collected", "Collection time", "collection.collected[x]")},
	"QuestionnaireResponse": {ident(), status(), patientOf("subject"), subjectOf("subject"), date("authored", "When authored", "authored"),
		ref("questionnaire", "The questionnaire answered (its canonical URL)", nil, "questionnaire"),
		encounter("encounter"), ref("author", "Author", nil, "author")},
	"AuditEvent": {date("date", "When the event was recorded", "recorded"), tok("type", "Type", "type"),
		tok("subtype", "Subtype", "subtype"), tok("action", "Action", "action"), tok("outcome", "Outcome", "outcome"),
		ref("agent", "Who took part", nil, "agent.who"), tok("altid", "Client id", "agent.altId"),
		ref("entity", "What was involved", nil, "entity.what"), patientOf("entity.what"),
		tok("entity-name", "Query or resource involved", "entity.name")},
}

// common are the parameters every resource type has beyond _id and _lastUpdated
// (http://hl7.org/fhir/R4/resource.html#search). _text, _content, _list, _query and _filter are not among them.
var common = []Param{
	tok("_tag", "Tags (meta.tag): system|code", "meta.tag"),
	tok("_security", "Security labels (meta.security): system|code", "meta.security"),
	{Name: "_profile", Type: URIParam, Paths: []string{"meta.profile"}, Doc: "Profiles claimed (meta.profile); :below and :above match by path"},
}

// CommonParams returns the indexed parameters every resource type has, in CapabilityStatement order.
func CommonParams() []Param { return append([]Param(nil), common...) }

// Params returns the indexed search parameters of typ, sorted by name (CommonParams not included).
func Params(typ string) []Param {
	ps := append([]Param(nil), params[typ]...)
	sort.Slice(ps, func(i, j int) bool { return ps[i].Name < ps[j].Name })
	return ps
}

// Lookup finds the search parameter name of typ, a common one included.
func Lookup(typ, name string) (Param, bool) {
	for _, p := range common {
		if p.Name == name {
			return p, true
		}
	}
	for _, p := range params[typ] {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// SearchableTypes lists the types with indexed parameters, sorted.
func SearchableTypes() []string {
	out := make([]string, 0, len(params))
	for t := range params {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

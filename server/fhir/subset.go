package fhir

// summaryElements approximates the R4 summary view (elements flagged isSummary) for _summary=true:
// identity, status and classification, subject and timing — what a list of results shows.
var summaryElements = map[string]bool{"id": true, "meta": true, "implicitRules": true, "identifier": true,
	"status": true, "intent": true, "category": true, "code": true, "subject": true, "patient": true,
	"encounter": true, "name": true, "gender": true, "birthDate": true, "active": true, "clinicalStatus": true,
	"verificationStatus": true, "type": true, "class": true, "period": true, "effectiveDateTime": true,
	"effectivePeriod": true, "authoredOn": true, "issued": true, "onsetDateTime": true, "recordedDate": true,
	"vaccineCode": true, "occurrenceDateTime": true, "performedDateTime": true, "performedPeriod": true,
	"medicationCodeableConcept": true, "medicationReference": true, "beneficiary": true, "target": true,
	"recorded": true, "lifecycleStatus": true, "description": true, "date": true, "telecom": true, "address": true}

// subset answers _summary and _elements (http://hl7.org/fhir/R4/search.html#summary): a copy of the
// resource with fewer elements, tagged SUBSETTED as the spec requires.
func subset(body []byte, summary string, elements []string) []byte {
	m, o := decode(body)
	if o != nil {
		return body
	}
	var keep func(k string) bool
	switch {
	case len(elements) > 0:
		set := map[string]bool{"id": true, "meta": true}
		for _, e := range elements {
			set[e] = true
		}
		keep = func(k string) bool { return set[k] }
	case summary == "true":
		keep = func(k string) bool { return summaryElements[k] }
	case summary == "text":
		keep = func(k string) bool { return k == "id" || k == "meta" || k == "text" }
	case summary == "data":
		keep = func(k string) bool { return k != "text" }
	default:
		return body
	}
	for k := range m {
		if k != "resourceType" && !keep(k) {
			delete(m, k)
		}
	}
	meta, _ := m["meta"].(object)
	if meta == nil {
		meta = object{}
	}
	tags, _ := meta["tag"].([]any)
	meta["tag"] = append(tags, object{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "SUBSETTED"})
	m["meta"] = meta
	return encode(m)
}

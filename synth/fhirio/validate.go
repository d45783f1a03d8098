package fhirio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

var idPattern = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)

// checkResource applies the structural rules of FHIR JSON (R4 §2.6.2 JSON representation): a resource is an
// object with a known resourceType, its id matches the id datatype, and no property is null, an empty
// string, an empty array or an empty object. Deeper validation is the FHIR server's job; these rules catch
// the broken files early and say where. prefix is the path of the resource within its file; valid says b
// is known to be valid JSON, which lets quickCheck accept it without decoding it.
func checkResource(b []byte, prefix string, valid bool) (Entry, *Error) {
	if valid {
		if e, ok := quickCheck(b); ok {
			return e, nil
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return Entry{}, &Error{Path: prefix, Msg: "invalid JSON: " + err.Error()}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return Entry{}, &Error{Path: prefix, Msg: "a resource must be a JSON object"}
	}
	rt, _ := obj["resourceType"].(string)
	root := prefix
	if root == "" {
		root = rt
	}
	if rt == "" {
		return Entry{}, &Error{Path: orRoot(prefix, "resourceType"), Msg: "missing resourceType"}
	}
	if !resourceTypes[rt] {
		return Entry{}, &Error{Path: root + ".resourceType", Msg: fmt.Sprintf("%q is not a FHIR R4 resource type", rt)}
	}
	id := ""
	if raw, ok := obj["id"]; ok {
		id, _ = raw.(string)
		if !idPattern.MatchString(id) {
			return Entry{}, &Error{Path: root + ".id", Msg: fmt.Sprintf("%v is not a valid id ([A-Za-z0-9-.]{1,64})", raw)}
		}
	}
	if err := checkValue(obj, root); err != nil {
		return Entry{}, err
	}
	compact := b
	if bytes.ContainsAny(b, "\n\r") {
		var buf bytes.Buffer
		if err := json.Compact(&buf, b); err == nil {
			compact = buf.Bytes()
		}
	}
	return Entry{ResourceType: rt, ID: id, Resource: json.RawMessage(compact)}, nil
}

func orRoot(prefix, leaf string) string {
	if prefix == "" {
		return leaf
	}
	return prefix + "." + leaf
}

// checkValue walks a value in a stable (sorted-key) order so the reported problem does not depend on map
// iteration order.
func checkValue(v any, path string) *Error {
	switch x := v.(type) {
	case nil:
		return &Error{Path: path, Msg: "null is not allowed in FHIR JSON"}
	case string:
		if strings.TrimSpace(x) == "" {
			return &Error{Path: path, Msg: "empty string is not allowed in FHIR JSON"}
		}
	case []any:
		if len(x) == 0 {
			return &Error{Path: path, Msg: "empty array is not allowed in FHIR JSON"}
		}
		// null is allowed as a placeholder in a primitive array and its _element twin (given: ["A", null],
		// _given: [null, {"extension": …}]), as long as the array holds something
		leaf := path[strings.LastIndex(path, ".")+1:]
		placeholders := isPrimitiveArray(x) || (strings.HasPrefix(leaf, "_") && slices.ContainsFunc(x, func(e any) bool { return e != nil }))
		for i, e := range x {
			if e == nil && placeholders {
				continue
			}
			if err := checkValue(e, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case map[string]any:
		if len(x) == 0 {
			return &Error{Path: path, Msg: "empty object is not allowed in FHIR JSON"}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if k == "resourceType" {
				continue
			}
			if err := checkValue(x[k], path+"."+k); err != nil {
				return err
			}
		}
	}
	return nil
}

// isPrimitiveArray reports whether an array holds primitives with null placeholders (given: ["A", null]).
func isPrimitiveArray(x []any) bool {
	for _, e := range x {
		switch e.(type) {
		case map[string]any, []any:
			return false
		}
	}
	return slices.ContainsFunc(x, func(e any) bool { return e != nil })
}

// resourceTypes are the R4 (4.0.1) resource types, from the discriminator of HL7's fhir.schema.json.
var resourceTypes = map[string]bool{
	"Account": true, "ActivityDefinition": true, "AdverseEvent": true, "AllergyIntolerance": true,
	"Appointment": true, "AppointmentResponse": true, "AuditEvent": true, "Basic": true, "Binary": true,
	"BiologicallyDerivedProduct": true, "BodyStructure": true, "Bundle": true, "CapabilityStatement": true,
	"CarePlan": true, "CareTeam": true, "CatalogEntry": true, "ChargeItem": true, "ChargeItemDefinition": true,
	"Claim": true, "ClaimResponse": true, "ClinicalImpression": true, "CodeSystem": true, "Communication": true,
	"CommunicationRequest": true, "CompartmentDefinition": true, "Composition": true, "ConceptMap": true,
	"Condition": true, "Consent": true, "Contract": true, "Coverage": true, "CoverageEligibilityRequest": true,
	"CoverageEligibilityResponse": true, "DetectedIssue": true, "Device": true, "DeviceDefinition": true,
	"DeviceMetric": true, "DeviceRequest": true, "DeviceUseStatement": true, "DiagnosticReport": true,
	"DocumentManifest": true, "DocumentReference": true, "EffectEvidenceSynthesis": true, "Encounter": true,
	"Endpoint": true, "EnrollmentRequest": true, "EnrollmentResponse": true, "EpisodeOfCare": true,
	"EventDefinition": true, "Evidence": true, "EvidenceVariable": true, "ExampleScenario": true,
	"ExplanationOfBenefit": true, "FamilyMemberHistory": true, "Flag": true, "Goal": true,
	"GraphDefinition": true, "Group": true, "GuidanceResponse": true, "HealthcareService": true,
	"ImagingStudy": true, "Immunization": true, "ImmunizationEvaluation": true,
	"ImmunizationRecommendation": true, "ImplementationGuide": true, "InsurancePlan": true, "Invoice": true,
	"Library": true, "Linkage": true, "List": true, "Location": true, "Measure": true, "MeasureReport": true,
	"Media": true, "Medication": true, "MedicationAdministration": true, "MedicationDispense": true,
	"MedicationKnowledge": true, "MedicationRequest": true, "MedicationStatement": true,
	"MedicinalProduct": true, "MedicinalProductAuthorization": true, "MedicinalProductContraindication": true,
	"MedicinalProductIndication": true, "MedicinalProductIngredient": true, "MedicinalProductInteraction": true,
	"MedicinalProductManufactured": true, "MedicinalProductPackaged": true,
	"MedicinalProductPharmaceutical": true, "MedicinalProductUndesirableEffect": true,
	"MessageDefinition": true, "MessageHeader": true, "MolecularSequence": true, "NamingSystem": true,
	"NutritionOrder": true, "Observation": true, "ObservationDefinition": true, "OperationDefinition": true,
	"OperationOutcome": true, "Organization": true, "OrganizationAffiliation": true, "Parameters": true,
	"Patient": true, "PaymentNotice": true, "PaymentReconciliation": true, "Person": true,
	"PlanDefinition": true, "Practitioner": true, "PractitionerRole": true, "Procedure": true,
	"Provenance": true, "Questionnaire": true, "QuestionnaireResponse": true, "RelatedPerson": true,
	"RequestGroup": true, "ResearchDefinition": true, "ResearchElementDefinition": true, "ResearchStudy": true,
	"ResearchSubject": true, "RiskAssessment": true, "RiskEvidenceSynthesis": true, "Schedule": true,
	"SearchParameter": true, "ServiceRequest": true, "Slot": true, "Specimen": true, "SpecimenDefinition": true,
	"StructureDefinition": true, "StructureMap": true, "Subscription": true, "Substance": true,
	"SubstanceNucleicAcid": true, "SubstancePolymer": true, "SubstanceProtein": true,
	"SubstanceReferenceInformation": true, "SubstanceSourceMaterial": true, "SubstanceSpecification": true,
	"SupplyDelivery": true, "SupplyRequest": true, "Task": true, "TerminologyCapabilities": true,
	"TestReport": true, "TestScript": true, "ValueSet": true, "VerificationResult": true,
	"VisionPrescription": true,
}

package fhir

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/valet-sandbox/valet/server/fhir/spec"
)

// capabilities answers GET /fhir/metadata: a CapabilityStatement generated from the parameter table and
// the interactions this package implements (http://hl7.org/fhir/R4/capabilitystatement.html), with the
// SMART security block (http://hl7.org/fhir/smart-app-launch/conformance.html).
func (s *Service) capabilities(r *request) (*response, *Outcome) {
	return &response{status: http.StatusOK, body: s.CapabilityStatement()}, nil
}

var typeInteractions = []string{"read", "vread", "update", "delete", "history-instance", "history-type", "create", "search-type"}

// CapabilityStatement is the server's CapabilityStatement as JSON.
func (s *Service) CapabilityStatement() []byte {
	var resources []any
	for _, t := range spec.SearchableTypes() {
		var ints []any
		for _, i := range typeInteractions {
			ints = append(ints, object{"code": i})
		}
		params := []any{
			object{"name": "_id", "type": "token", "definition": "http://hl7.org/fhir/SearchParameter/Resource-id", "documentation": "Logical id"},
			object{"name": "_lastUpdated", "type": "date", "definition": "http://hl7.org/fhir/SearchParameter/Resource-lastUpdated", "documentation": "When the resource last changed"},
		}
		for _, p := range spec.CommonParams() {
			params = append(params, object{"name": p.Name, "type": string(p.Type), "documentation": p.Doc,
				"definition": "http://hl7.org/fhir/SearchParameter/Resource-" + strings.TrimPrefix(p.Name, "_")})
		}
		var revs []any
		var incs []any
		for _, p := range spec.Params(t) {
			params = append(params, object{"name": p.Name, "type": string(p.Type), "documentation": p.Doc,
				"definition": "http://hl7.org/fhir/SearchParameter/" + t + "-" + p.Name})
			if p.Type == spec.ReferenceParam {
				incs = append(incs, t+":"+p.Name)
			}
		}
		revs = append(revs, "Provenance:target")
		res := object{"type": t, "interaction": ints, "versioning": "versioned", "readHistory": true,
			"updateCreate": true, "conditionalCreate": true, "conditionalUpdate": true, "conditionalDelete": "single",
			"searchParam": params, "searchInclude": incs, "searchRevInclude": revs,
			"referencePolicy": []any{"literal", "local"}}
		if t == appStateType {
			// Basic is SMART app state here (appstate.go): versioned updates only, no create on update.
			res["versioning"], res["updateCreate"] = "versioned-update", false
			res["supportedProfile"] = []any{"http://hl7.org/fhir/smart-app-launch/StructureDefinition/smart-app-state-basic"}
		}
		if t == "Patient" {
			res["operation"] = []any{object{"name": "everything", "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything"},
				object{"name": "export", "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export"}}
		}
		if t == "Group" { // Bulk Data export (server/bulk)
			res["operation"] = []any{object{"name": "export", "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export"}}
		}
		resources = append(resources, res)
	}
	auth := s.cfg.BaseURL + "/auth/"
	cs := object{
		"resourceType": "CapabilityStatement",
		"status":       "active",
		"date":         "2026-01-01",
		"kind":         "instance",
		"instantiates": []any{"http://hl7.org/fhir/us/core/CapabilityStatement/us-core-server",
			"http://hl7.org/fhir/smart-app-launch/CapabilityStatement/smart-app-state-server",
			"http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data"},
		"software":       object{"name": "Valet", "version": s.cfg.Version},
		"implementation": object{"description": "Valet SMART on FHIR sandbox", "url": s.base},
		"fhirVersion":    "4.0.1",
		"format":         []any{"json", "application/fhir+json"},
		"rest": []any{object{
			"mode": "server",
			"security": object{
				"cors": true,
				"service": []any{object{"coding": []any{object{"system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
					"code": "SMART-on-FHIR"}}, "text": "OAuth2 using SMART-on-FHIR profile (see http://docs.smarthealthit.org)"}},
				"extension": []any{object{"url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
					"extension": []any{
						object{"url": "authorize", "valueUri": auth + "authorize"},
						object{"url": "token", "valueUri": auth + "token"},
						object{"url": "introspect", "valueUri": auth + "introspect"},
						object{"url": "revoke", "valueUri": auth + "revoke"},
						object{"url": "register", "valueUri": auth + "register"},
						object{"url": "manage", "valueUri": s.cfg.BaseURL + "/"},
					}}},
			},
			"resource":    resources,
			"interaction": []any{object{"code": "transaction"}, object{"code": "batch"}},
			"operation":   []any{object{"name": "export", "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"}},
		}},
	}
	b, _ := json.MarshalIndent(cs, "", "  ")
	return b
}

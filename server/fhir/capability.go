package fhir

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/valet-sandbox/valet/internal/uscore"
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
			searchParam(t, "_id", "token", "http://hl7.org/fhir/SearchParameter/Resource-id", "Logical id"),
			object{"name": "_lastUpdated", "type": "date", "definition": "http://hl7.org/fhir/SearchParameter/Resource-lastUpdated", "documentation": "When the resource last changed"},
		}
		for _, p := range spec.CommonParams() {
			params = append(params, object{"name": p.Name, "type": string(p.Type), "documentation": p.Doc,
				"definition": "http://hl7.org/fhir/SearchParameter/Resource-" + strings.TrimPrefix(p.Name, "_")})
		}
		var revs []any
		var incs []any
		for _, p := range spec.Params(t) {
			params = append(params, searchParam(t, p.Name, string(p.Type), "http://hl7.org/fhir/SearchParameter/"+t+"-"+p.Name, p.Doc))
			if p.Type == spec.ReferenceParam {
				incs = append(incs, t+":"+p.Name)
			}
		}
		incs = append(incs, usCoreTargetedIncludes(t)...)
		revs = append(revs, "Provenance:target")
		res := object{"type": t, "interaction": ints, "versioning": "versioned", "readHistory": true,
			"updateCreate": true, "conditionalCreate": true, "conditionalUpdate": true, "conditionalDelete": "single",
			"searchParam": params, "searchInclude": incs, "searchRevInclude": revs,
			"referencePolicy": []any{"literal", "local"}}
		if profiles := supportedProfiles(t); len(profiles) > 0 {
			res["supportedProfile"] = profiles
		}
		if combos := searchCombinations(t); len(combos) > 0 {
			res["extension"] = combos
		}
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
		if t == "DocumentReference" { // US Core's document query (docref.go)
			res["operation"] = []any{object{"name": "docref", "definition": "http://hl7.org/fhir/us/core/OperationDefinition/docref"}}
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

// supportedProfile lists the US Core 6.1.0 profiles of typ: Valet stores and serves every resource of
// these types, and the generator writes them with the profile in meta.profile. Test kits (Inferno's US Core
// suite) read this list to decide what to test.
func supportedProfiles(typ string) []any {
	var out []any
	for _, p := range uscore.ProfilesOf(typ) {
		out = append(out, p.URL())
	}
	return out
}

// searchParam is one CapabilityStatement searchParam; a parameter US Core defines for typ points at US
// Core's SearchParameter (whose expression Valet's index follows), the others at R4's.
func searchParam(typ, name, ptype, r4Definition, doc string) object {
	def := r4Definition
	for _, p := range uscore.SearchesOf(typ).Params {
		if p.Name == name && p.Type == ptype {
			def = p.Definition(typ)
		}
	}
	return object{"name": name, "type": ptype, "definition": def, "documentation": doc}
}

// searchCombinations declares US Core's parameter combinations for typ whose every parameter Valet
// indexes, in the US Core search-parameter-combination extension with their US Core expectation
// (http://hl7.org/fhir/StructureDefinition/capabilitystatement-search-parameter-combination).
// Combinations that need a parameter Valet lacks are left out rather than claimed.
func searchCombinations(typ string) []any {
	var out []any
	for _, c := range uscore.SearchesOf(typ).Combinations {
		if !indexes(typ, c.Params...) {
			continue
		}
		ext := []any{object{"url": "http://hl7.org/fhir/StructureDefinition/capabilitystatement-expectation", "valueCode": string(c.Expectation)}}
		for _, p := range c.Params {
			ext = append(ext, object{"url": "required", "valueString": p})
		}
		out = append(out, object{"url": "http://hl7.org/fhir/StructureDefinition/capabilitystatement-search-parameter-combination",
			"extension": ext})
	}
	return out
}

// indexes reports whether typ's search takes every parameter in names.
func indexes(typ string, names ...string) bool {
	for _, n := range names {
		if _, ok := spec.Lookup(typ, n); !ok && n != "_id" && n != "_lastUpdated" {
			return false
		}
	}
	return true
}

// usCoreTargetedIncludes are the includes US Core names with a target type (CareTeam:participant:Practitioner)
// whose parameter Valet indexes; the untargeted ones are already declared for every reference parameter.
func usCoreTargetedIncludes(typ string) []any {
	var out []any
	for _, inc := range uscore.SearchesOf(typ).Include {
		if parts := strings.Split(inc, ":"); len(parts) == 3 && indexes(typ, parts[1]) {
			out = append(out, inc)
		}
	}
	return out
}

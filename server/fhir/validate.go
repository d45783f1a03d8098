package fhir

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/valet-sandbox/valet/server/fhir/spec"
)

// required lists, for the types Valet's users write most, the elements R4 requires (min 1).
var required = map[string][]string{
	"AllergyIntolerance":    {"patient"},
	"AuditEvent":            {"type", "recorded", "agent", "source"},
	"CarePlan":              {"status", "intent", "subject"},
	"Condition":             {"subject"},
	"Coverage":              {"status", "beneficiary", "payor"},
	"DiagnosticReport":      {"status", "code"},
	"DocumentReference":     {"status", "content"},
	"Encounter":             {"status", "class"},
	"Goal":                  {"lifecycleStatus", "description", "subject"},
	"Immunization":          {"status", "vaccineCode", "patient", "occurrence[x]"},
	"MedicationRequest":     {"status", "intent", "medication[x]", "subject"},
	"Observation":           {"status", "code"},
	"Procedure":             {"status", "subject"},
	"Provenance":            {"target", "recorded", "agent"},
	"QuestionnaireResponse": {"status"},
	"RelatedPerson":         {"patient"},
	"ServiceRequest":        {"status", "intent", "subject"},
}

// dateElements are element names whose values are FHIR dates, dateTimes or instants.
var dateElements = map[string]bool{"birthDate": true, "recordedDate": true, "authoredOn": true, "issued": true,
	"recorded": true, "start": true, "end": true, "lastUpdated": true, "authored": true, "deceasedDateTime": true}

var genders = map[string]bool{"male": true, "female": true, "other": true, "unknown": true}

// validate checks m against the R4 rules a server must enforce before storing (resourceType and id
// rules, JSON shapes, required elements, date and reference forms). It answers 400 with one issue per
// problem, each naming its element in expression.
func validate(m object, typ string, needID bool) *Outcome {
	var issues []Issue
	add := func(expr, format string, args ...any) {
		issues = append(issues, Issue{Severity: "error", Code: "structure", Diagnostics: fmt.Sprintf(format, args...), Expression: []string{expr}})
	}
	rt, _ := m["resourceType"].(string)
	switch {
	case rt == "":
		add(typ, "resourceType is missing")
	case rt != typ:
		add(typ+".resourceType", "resourceType %q does not match the type %q of the URL", rt, typ)
	case !spec.IsStorableType(rt):
		add(typ+".resourceType", "%q is not a resource type this server stores", rt)
	}
	if id, ok := m["id"]; ok {
		if s, _ := id.(string); !spec.ValidID(s) {
			add(typ+".id", "id must be 1–64 characters of A–Z, a–z, 0–9, '-' and '.'")
		}
	} else if needID {
		add(typ+".id", "an update must carry the resource id")
	}
	for _, el := range required[typ] {
		if !has(m, el) {
			add(typ+"."+strings.TrimSuffix(el, "[x]"), "%s is required", el)
		}
	}
	if g, ok := m["gender"]; ok {
		if s, _ := g.(string); !genders[s] {
			add(typ+".gender", "gender must be male, female, other or unknown")
		}
	}
	for _, k := range sortedKeys(m) {
		if k != "resourceType" {
			walk(m[k], typ+"."+k, k, add)
		}
	}
	if len(issues) == 0 {
		return nil
	}
	return &Outcome{Status: http.StatusBadRequest, Issues: issues}
}

func has(m object, el string) bool {
	if choice, ok := strings.CutSuffix(el, "[x]"); ok {
		for k := range m {
			if strings.HasPrefix(k, choice) && len(k) > len(choice) {
				return true
			}
		}
		return false
	}
	_, ok := m[el]
	return ok
}

// walk checks the general JSON rules (http://hl7.org/fhir/R4/json.html): no nulls, no empty objects,
// arrays or strings, no leading/trailing whitespace in codes, and the shape of dates and references.
func walk(v any, path, name string, add func(expr, format string, args ...any)) {
	switch x := v.(type) {
	case nil:
		add(path, "null is not allowed in FHIR JSON")
	case string:
		if x == "" {
			add(path, "empty strings are not allowed")
		} else if dateElements[name] || strings.HasSuffix(name, "DateTime") || strings.HasSuffix(name, "Instant") ||
			(strings.HasSuffix(name, "Date") && name != "targetDate") {
			if _, _, err := spec.DateRange(x); err != nil {
				add(path, "%q is not a valid date, dateTime or instant", x)
			}
		} else if name == "reference" && strings.TrimSpace(x) != x {
			add(path, "a reference must not have surrounding whitespace")
		}
	case []any:
		if len(x) == 0 {
			add(path, "empty arrays are not allowed")
		}
		for i, e := range x {
			if e == nil && strings.HasPrefix(name, "_") {
				continue // primitive extension arrays align with nulls
			}
			walk(e, fmt.Sprintf("%s[%d]", path, i), name, add)
		}
	case map[string]any:
		if len(x) == 0 {
			add(path, "empty objects are not allowed")
		}
		if rt, ok := x["resourceType"].(string); ok && name == "contained" {
			path = rt
		}
		for _, k := range sortedKeys(x) {
			if k == "resourceType" {
				continue
			}
			if k == "div" && name == "text" {
				continue
			}
			walk(x[k], path+"."+k, k, add)
		}
	case json.Number, bool:
	}
}

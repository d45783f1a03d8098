package fhir

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/valet-sandbox/valet/server/fhir/spec"
)

// maxIssues bounds an OperationOutcome: past it, one more issue says how many were left out.
const maxIssues = 100

// validate checks m against R4's structure (spec.StructureOf, generated from HL7's schema and profiles)
// before anything is stored, walking the JSON once: every element known for its type, the right JSON
// kind, single or array, mandatory elements and choice groups, primitive formats, required-binding
// codes, contained resources and reference shapes, plus FHIR JSON's own rules (no nulls, no empty
// objects, arrays or strings; http://hl7.org/fhir/R4/json.html).
//
// The status follows http://hl7.org/fhir/R4/http.html: 400 when the body is not a resource of the
// type the URL names (no or unknown resourceType, another type, an update without the id — a basic rule
// the spec assigns 400), 422 when it is one but is structurally invalid. Each problem is one issue whose
// expression is a FHIRPath to the element (Patient.name[0].given[1]).
func validate(m object, typ string, needID bool) *Outcome {
	rt, _ := m["resourceType"].(string)
	switch {
	case rt == "":
		return structural(http.StatusBadRequest, "structure", typ, "resourceType is missing")
	case rt != typ:
		return structural(http.StatusBadRequest, "structure", typ+".resourceType", fmt.Sprintf("resourceType %q does not match the type %q of the URL", rt, typ))
	case !spec.IsStorableType(rt):
		return structural(http.StatusBadRequest, "not-supported", typ+".resourceType", fmt.Sprintf("%q is not a resource type this server stores", rt))
	}
	if _, ok := m["id"]; !ok && needID {
		return structural(http.StatusBadRequest, "required", typ+".id", "an update must carry the resource id (http.html#update)")
	}
	v := validator{root: typ}
	v.path = v.pathBuf[:0]
	v.resource(m, spec.StructureOf(typ), false)
	if len(v.issues) == 0 {
		return nil
	}
	sort.SliceStable(v.issues, func(i, j int) bool { return v.issues[i].Expression[0] < v.issues[j].Expression[0] })
	if v.dropped > 0 {
		v.issues = append(v.issues, Issue{Severity: "error", Code: "too-costly", Expression: []string{typ},
			Diagnostics: strconv.Itoa(v.dropped) + " more issues were left out"})
	}
	return &Outcome{Status: http.StatusUnprocessableEntity, Issues: v.issues}
}

func structural(status int, code, expr, diag string) *Outcome {
	return &Outcome{Status: status, Issues: []Issue{{Severity: "error", Code: code, Diagnostics: diag, Expression: []string{expr}}}}
}

// validator walks one resource. The path is a stack of segments rendered only when an issue is added,
// so a valid resource costs no string building.
type validator struct {
	root      string
	path      []segment
	pathBuf   [16]segment
	issues    []Issue
	dropped   int
	contained map[string]bool // ids of the resource's contained resources, for #id references
}

type segment struct {
	name  string
	index int // -1: not an array item
}

func (v *validator) push(name string, index int) { v.path = append(v.path, segment{name, index}) }
func (v *validator) pop()                        { v.path = v.path[:len(v.path)-1] }

func (v *validator) expr() string {
	var b strings.Builder
	b.WriteString(v.root)
	for _, s := range v.path {
		b.WriteByte('.')
		b.WriteString(s.name)
		if s.index >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
		}
	}
	return b.String()
}

func (v *validator) add(code, format string, args ...any) {
	if len(v.issues) >= maxIssues {
		v.dropped++
		return
	}
	v.issues = append(v.issues, Issue{Severity: "error", Code: code, Diagnostics: fmt.Sprintf(format, args...), Expression: []string{v.expr()}})
}

// resource checks a resource's elements (resourceType already checked by the caller).
func (v *validator) resource(m object, t *spec.Type, contained bool) {
	if id, ok := m["id"]; ok {
		if s, _ := id.(string); !spec.ValidID(s) {
			v.push("id", -1)
			v.add("value", "id must be 1–64 characters of A–Z, a–z, 0–9, '-' and '.'")
			v.pop()
		}
	}
	if cs, ok := m["contained"].([]any); ok && !contained {
		for _, c := range cs {
			if co, ok := c.(object); ok {
				if id, ok := co["id"].(string); ok {
					if v.contained == nil {
						v.contained = map[string]bool{}
					}
					v.contained[id] = true
				}
			}
		}
	}
	if contained {
		if _, ok := m["contained"]; ok {
			v.push("contained", -1)
			v.add("structure", "a contained resource must not contain resources (dom-2)")
			v.pop()
		}
	}
	v.object(m, t, true)
}

// object checks the elements of a resource, datatype or backbone element of type t.
func (v *validator) object(m object, t *spec.Type, isResource bool) {
	if len(m) == 0 {
		v.add("structure", "empty objects are not allowed")
		return
	}
	var seen [4]string // choice groups present (few per object)
	nseen := 0
	for k, val := range m {
		if isResource && k == "resourceType" {
			continue
		}
		if k == "id" && isResource {
			continue // checked by resource
		}
		if len(k) > 1 && k[0] == '_' {
			v.primitiveExtension(m, t, k, val)
			continue
		}
		el := t.Elements[k]
		if el == nil {
			v.push(k, -1)
			v.add("structure", "%s is not an element of %s", k, typeLabel(t))
			v.pop()
			continue
		}
		if el.Choice != "" {
			dup := false
			for i := 0; i < nseen && i < len(seen); i++ {
				if seen[i] == el.Choice {
					dup = true
				}
			}
			if dup {
				v.push(el.Choice+"[x]", -1)
				v.add("structure", "%s[x] may have only one value (%s is another)", el.Choice, k)
				v.pop()
			} else if nseen < len(seen) {
				seen[nseen] = el.Choice
				nseen++
			}
		}
		v.push(k, -1)
		v.value(m, el, val)
		v.pop()
	}
	for _, el := range t.Required {
		if _, ok := m[el.Name]; !ok {
			if _, ok := m["_"+el.Name]; !ok {
				v.push(el.Name, -1)
				v.add("required", "%s is required", el.Name)
				v.pop()
			}
		}
	}
	for _, group := range t.RequiredChoices {
		found := false
		for i := 0; i < nseen; i++ {
			found = found || seen[i] == group
		}
		if !found {
			v.push(group+"[x]", -1)
			v.add("required", "%s[x] is required", group)
			v.pop()
		}
	}
}

func typeLabel(t *spec.Type) string { return strings.ReplaceAll(t.Name, "_", ".") }

// value checks one element's value: its cardinality, then each item.
func (v *validator) value(parent object, el *spec.Element, val any) {
	arr, isArr := val.([]any)
	switch {
	case val == nil:
		v.add("structure", "null is not allowed in FHIR JSON")
		return
	case el.Array && !isArr:
		v.add("structure", "%s is a list: it must be a JSON array", el.Name)
		return
	case !el.Array && isArr:
		v.add("structure", "%s has at most one value: it must not be a JSON array", el.Name)
		return
	case !isArr:
		v.item(el, val)
		return
	}
	if len(arr) == 0 {
		v.add("structure", "empty arrays are not allowed")
		return
	}
	var ext []any
	if el.Prim != nil {
		ext, _ = parent["_"+el.Name].([]any)
	}
	last := len(v.path) - 1
	for i, x := range arr {
		v.path[last].index = i
		if x == nil {
			// A primitive array may hold null where its _element array holds the extensions.
			if i < len(ext) && ext[i] != nil {
				continue
			}
			v.add("structure", "null is not allowed in FHIR JSON (except in a primitive list aligned with its _%s extensions)", el.Name)
			continue
		}
		v.item(el, x)
	}
	v.path[last].index = -1
}

// item checks a single value against the element's type.
func (v *validator) item(el *spec.Element, val any) {
	switch {
	case el.Prim != nil:
		v.primitive(el, val)
	case el.XHTML:
		s, ok := val.(string)
		if !ok || !strings.HasPrefix(strings.TrimSpace(s), "<div") {
			v.add("value", "the narrative must be an XHTML <div> element as a JSON string")
		}
	case el.Resource:
		m, ok := val.(object)
		if !ok {
			v.add("structure", "%s must be a resource (a JSON object)", el.Name)
			return
		}
		rt, _ := m["resourceType"].(string)
		t := spec.StructureOf(rt)
		if t == nil || t.Class != spec.ResourceClass {
			v.add("structure", "%s must have the resourceType of an R4 resource, not %q", el.Name, rt)
			return
		}
		v.resource(m, t, el.Name == "contained")
	default:
		m, ok := val.(object)
		if !ok {
			v.add("structure", "%s is a %s: it must be a JSON object", el.Name, typeLabel(el.Type))
			return
		}
		v.object(m, el.Type, false)
		if el.Type.Name == "Reference" {
			if ref, ok := m["reference"].(string); ok {
				v.push("reference", -1)
				v.reference(ref)
				v.pop()
			}
		}
	}
}

func (v *validator) primitive(el *spec.Element, val any) {
	p := el.Prim
	var lex string
	switch x := val.(type) {
	case string:
		if p.Kind != spec.JSONString {
			v.add("structure", "%s is a %s: it must be a JSON %s, not a string", el.Name, p.Name, kindName(p.Kind))
			return
		}
		lex = x
	case json.Number:
		if p.Kind != spec.JSONNumber {
			v.add("structure", "%s is a %s: it must be a JSON %s, not a number", el.Name, p.Name, kindName(p.Kind))
			return
		}
		lex = string(x)
	case bool:
		if p.Kind != spec.JSONBool {
			v.add("structure", "%s is a %s: it must be a JSON %s, not a boolean", el.Name, p.Name, kindName(p.Kind))
		}
		return
	case float64:
		if p.Kind != spec.JSONNumber {
			v.add("structure", "%s is a %s: it must be a JSON %s, not a number", el.Name, p.Name, kindName(p.Kind))
		}
		return
	default:
		v.add("structure", "%s is a %s: it must be a JSON %s", el.Name, p.Name, kindName(p.Kind))
		return
	}
	if !p.Valid(lex) {
		if lex == "" {
			v.add("value", "empty strings are not allowed")
		} else {
			v.add("value", "%q is not a valid %s", clip(lex), p.Name)
		}
		return
	}
	if el.Enum != nil && !el.Enum[lex] {
		v.add("code-invalid", "%q is not one of the codes of %s (required binding)", clip(lex), el.Name)
	}
}

func kindName(k spec.Kind) string {
	return map[spec.Kind]string{spec.JSONString: "string", spec.JSONNumber: "number", spec.JSONBool: "boolean"}[k]
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// primitiveExtension checks _name: the id and extensions of a primitive element
// (http://hl7.org/fhir/R4/json.html#primitive).
func (v *validator) primitiveExtension(m object, t *spec.Type, k string, val any) {
	el := t.Elements[k[1:]]
	v.push(k, -1)
	defer v.pop()
	if el == nil || el.Prim == nil {
		v.add("structure", "%s is not an element of %s (only primitive elements have _ extensions)", k, typeLabel(t))
		return
	}
	elem := spec.StructureOf("Element")
	if !el.Array {
		if o, ok := val.(object); ok {
			v.object(o, elem, false)
		} else {
			v.add("structure", "%s must be a JSON object with id and extension", k)
		}
		return
	}
	arr, ok := val.([]any)
	if !ok || len(arr) == 0 {
		v.add("structure", "%s must be a non-empty JSON array aligned with %s", k, el.Name)
		return
	}
	if base, ok := m[el.Name].([]any); ok && len(base) != len(arr) {
		v.add("structure", "%s has %d items but %s has %d: they must align", k, len(arr), el.Name, len(base))
	}
	last := len(v.path) - 1
	for i, x := range arr {
		if x == nil {
			continue
		}
		v.path[last].index = i
		if o, ok := x.(object); ok {
			v.object(o, elem, false)
		} else {
			v.add("structure", "%s items must be JSON objects or null", k)
		}
	}
	v.path[last].index = -1
}

// reference checks the shape of Reference.reference (http://hl7.org/fhir/R4/references.html): Type/id
// (optionally /_history/n), an absolute URL, or #id of a contained resource. urn:uuid: and conditional
// references (Type?query) exist only inside a transaction Bundle, which resolves them before this runs.
func (v *validator) reference(ref string) {
	switch {
	case strings.HasPrefix(ref, "#"):
		if id := ref[1:]; id != "" && !v.contained[id] {
			v.add("value", "the reference %q names no contained resource", clip(ref))
		}
		return
	case strings.HasPrefix(ref, "urn:uuid:") || strings.HasPrefix(ref, "urn:oid:"):
		v.add("value", "the reference %q is only allowed inside a transaction Bundle, where it names an entry's fullUrl", clip(ref))
		return
	case strings.Contains(ref, "?"):
		v.add("value", "the conditional reference %q is only allowed inside a transaction Bundle", clip(ref))
		return
	case strings.ContainsAny(ref, " \t\r\n"):
		v.add("value", "a reference must not contain whitespace")
		return
	}
	if i := strings.Index(ref, "://"); i > 0 {
		return // absolute URL: another server, or this one
	}
	parts := strings.Split(ref, "/")
	ok := (len(parts) == 2 || len(parts) == 4 && parts[2] == "_history" && parts[3] != "") &&
		spec.IsResourceType(parts[0]) && spec.ValidID(parts[1])
	if !ok {
		v.add("value", "the reference %q is not Type/id, Type/id/_history/n, an absolute URL or #contained-id", clip(ref))
	}
}

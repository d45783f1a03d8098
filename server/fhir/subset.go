package fhir

import "github.com/valet-sandbox/valet/server/fhir/spec"

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
		rt, _ := m["resourceType"].(string)
		if t := spec.StructureOf(rt); t != nil {
			summarizeObject(m, t)
		}
		keep = func(string) bool { return true }
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

// summarizeObject keeps the summary elements (isSummary in R4's definitions, generated into spec's
// table) of a resource or backbone element, and within kept backbone elements their summary children.
// Datatypes are kept whole: their elements are summary wherever the datatype is.
func summarizeObject(m object, t *spec.Type) {
	for k, v := range m {
		if k == "resourceType" {
			continue
		}
		name := k
		if len(k) > 1 && k[0] == '_' {
			name = k[1:]
		}
		el := t.Elements[name]
		if el == nil || !el.Summary {
			delete(m, k)
			continue
		}
		if el.Type == nil || el.Type.Class != spec.BackboneClass || name != k {
			continue
		}
		switch x := v.(type) {
		case object:
			summarizeObject(x, el.Type)
		case []any:
			for _, y := range x {
				if o, ok := y.(object); ok {
					summarizeObject(o, el.Type)
				}
			}
		}
	}
}

// Subset is the resource with only the top-level elements named (and id and meta), tagged SUBSETTED:
// _elements of a Bulk Data export (server/bulk), as of a search.
func Subset(body []byte, elements []string) []byte { return subset(body, "", elements) }

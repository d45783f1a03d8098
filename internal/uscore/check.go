package uscore

import (
	"fmt"
	"strings"
)

// Problem is one way a resource fails a profile it claims.
type Problem struct {
	Profile string // the profile's id ("us-core-patient"); "" for a claim of an unknown US Core profile
	Path    string // the element, from the resource root ("Observation.component.valueQuantity.code")
	Message string
}

func (p Problem) String() string {
	if p.Profile == "" {
		return p.Path + ": " + p.Message
	}
	return p.Profile + ": " + p.Path + ": " + p.Message
}

// Check validates resource (decoded JSON) against each US Core profile it declares in meta.profile, and
// their parents: the profile must exist in US Core 6.1.0 and be of the resource's type, and the resource
// must meet the profile's rules. Profiles outside US Core are not checked. Nil means no problem found.
func Check(resource map[string]any) []Problem {
	typ, _ := resource["resourceType"].(string)
	meta, _ := resource["meta"].(map[string]any)
	claims, _ := meta["profile"].([]any)
	var out []Problem
	for _, c := range claims {
		url, _ := c.(string)
		if !strings.HasPrefix(url, Base) {
			continue
		}
		p, ok := ByURL(url)
		switch {
		case !ok:
			out = append(out, Problem{Path: typ + ".meta.profile", Message: "no US Core " + Version + " profile " + url})
		case p.Type != typ:
			out = append(out, Problem{Profile: p.ID, Path: typ + ".meta.profile", Message: "the profile is of " + p.Type + ", not " + typ})
		default:
			out = append(out, p.Check(resource)...)
		}
	}
	return out
}

// Check validates resource against p's rules (and its parents'), whatever its meta.profile says.
func (p *Profile) Check(resource map[string]any) []Problem {
	var out []Problem
	for _, r := range p.allRules() {
		if msg := r.check(resource); msg != "" {
			out = append(out, Problem{Profile: p.ID, Path: p.Type + "." + r.path, Message: msg})
		}
	}
	return out
}

type ruleKind int

const (
	ruleRequired  ruleKind = iota // the element is present in every instance of its parent (min 1)
	ruleHasCoding                 // some CodeableConcept at path carries the coding (a pattern, or a required slice)
	ruleSome                      // some CodeableConcept at path carries a coding of the value set (a required slice's binding)
	ruleEvery                     // every CodeableConcept at path carries a coding of the value set (a required binding)
	ruleCodeIn                    // every primitive at path is a code of the value set (a required binding or a fixed value)
	ruleComponent                 // min components with the code, each with a value of the unit (see component)
)

// rule is one requirement of a profile on the element at path (dotted from the resource root; a segment
// ending in [x] is any of its choice variants, and a last segment "a|b" is present when a or b is).
type rule struct {
	kind   ruleKind
	path   string
	coding Coding
	vs     ValueSet
	min    int
	unit   string
}

func present(path string) rule             { return rule{kind: ruleRequired, path: path} }
func hasCoding(path string, c Coding) rule { return rule{kind: ruleHasCoding, path: path, coding: c} }
func some(path string, vs ValueSet) rule   { return rule{kind: ruleSome, path: path, vs: vs} }
func every(path string, vs ValueSet) rule  { return rule{kind: ruleEvery, path: path, vs: vs} }
func codeIn(path string, vs ValueSet) rule { return rule{kind: ruleCodeIn, path: path, vs: vs} }

// component requires at least min Observation components whose code carries c, each with a valueQuantity
// of value, unit, UCUM system and code unit — or, when unit is "", with a valueCodeableConcept.
func component(c Coding, min int, unit string) rule {
	return rule{kind: ruleComponent, path: "component", coding: c, min: min, unit: unit}
}

// check returns why resource breaks r, or "".
func (r rule) check(resource map[string]any) string {
	switch r.kind {
	case ruleRequired:
		parent, last := "", r.path
		if i := strings.LastIndexByte(r.path, '.'); i >= 0 {
			parent, last = r.path[:i], r.path[i+1:]
		}
		for _, n := range nodes(resource, parent) {
			obj, ok := n.(map[string]any)
			if !ok || !hasAny(obj, strings.Split(last, "|")) {
				return "required (min 1) but absent"
			}
		}
	case ruleHasCoding:
		for _, cc := range nodes(resource, r.path) {
			if carries(cc, func(c Coding) bool { return c == r.coding }) {
				return ""
			}
		}
		return fmt.Sprintf("needs the coding %s|%s", r.coding.System, r.coding.Code)
	case ruleSome:
		for _, cc := range nodes(resource, r.path) {
			if carries(cc, r.vs.has) {
				return ""
			}
		}
		return "needs a coding from " + r.vs.URL
	case ruleEvery:
		for _, cc := range nodes(resource, r.path) {
			if !carries(cc, r.vs.has) {
				return "has no coding from " + r.vs.URL + " (required binding)"
			}
		}
	case ruleCodeIn:
		for _, v := range nodes(resource, r.path) {
			s, _ := v.(string)
			if !r.vs.has(Coding{Code: s}) {
				return fmt.Sprintf("%q is not in %s", s, r.vs.URL)
			}
		}
	case ruleComponent:
		return r.checkComponents(resource)
	}
	return ""
}

func (r rule) checkComponents(resource map[string]any) string {
	n := 0
	for _, c := range nodes(resource, "component") {
		comp, _ := c.(map[string]any)
		if !carries(comp["code"], func(c Coding) bool { return c == r.coding }) {
			continue
		}
		n++
		if r.unit == "" {
			if !hasAny(comp, []string{"valueCodeableConcept"}) {
				return "component " + r.coding.Code + " needs a valueCodeableConcept"
			}
			continue
		}
		q, _ := comp["valueQuantity"].(map[string]any)
		if q == nil || q["value"] == nil || q["unit"] == nil || q["system"] != UCUM || q["code"] != r.unit {
			return fmt.Sprintf("component %s needs a valueQuantity with value, unit and UCUM code %s", r.coding.Code, r.unit)
		}
	}
	if n < r.min {
		return fmt.Sprintf("needs a component with code %s|%s", r.coding.System, r.coding.Code)
	}
	return ""
}

// nodes returns the values at path under root, arrays flattened; "" is root itself.
func nodes(root map[string]any, path string) []any {
	cur := []any{root}
	if path == "" {
		return cur
	}
	for _, seg := range strings.Split(path, ".") {
		var next []any
		for _, n := range cur {
			obj, ok := n.(map[string]any)
			if !ok {
				continue
			}
			for _, v := range values(obj, seg) {
				if arr, ok := v.([]any); ok {
					next = append(next, arr...)
				} else {
					next = append(next, v)
				}
			}
		}
		cur = next
	}
	return cur
}

// values returns obj's element name, or every variant of a choice name ending in [x].
func values(obj map[string]any, name string) []any {
	if stem, ok := strings.CutSuffix(name, "[x]"); ok {
		var out []any
		for k, v := range obj {
			if len(k) > len(stem) && strings.HasPrefix(k, stem) && k[len(stem)] >= 'A' && k[len(stem)] <= 'Z' {
				out = append(out, v)
			}
		}
		return out
	}
	if v, ok := obj[name]; ok {
		return []any{v}
	}
	return nil
}

// hasAny reports whether obj has a non-empty value for one of names.
func hasAny(obj map[string]any, names []string) bool {
	for _, name := range names {
		for _, v := range values(obj, name) {
			switch v := v.(type) {
			case nil:
			case string:
				if v != "" {
					return true
				}
			case []any:
				if len(v) > 0 {
					return true
				}
			case map[string]any:
				if len(v) > 0 {
					return true
				}
			default:
				return true
			}
		}
	}
	return false
}

// carries reports whether the CodeableConcept (or Coding) cc has a coding for which ok holds.
func carries(cc any, ok func(Coding) bool) bool {
	obj, _ := cc.(map[string]any)
	if obj == nil {
		return false
	}
	codings, _ := obj["coding"].([]any)
	if _, isCoding := obj["code"]; isCoding && codings == nil {
		codings = []any{obj}
	}
	for _, c := range codings {
		m, _ := c.(map[string]any)
		s, _ := m["system"].(string)
		k, _ := m["code"].(string)
		if ok(Coding{s, k}) {
			return true
		}
	}
	return false
}

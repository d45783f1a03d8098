package uscore

import (
	"encoding/json"
	"strings"
	"testing"
)

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// conforming builds the smallest resource that meets every rule of p: codings and components first,
// then primitive codes, then a placeholder for each required element still absent.
func conforming(p *Profile) map[string]any {
	res := map[string]any{"resourceType": p.Type, "meta": map[string]any{"profile": []any{p.URL()}}}
	rules := p.allRules()
	for _, r := range rules {
		switch r.kind {
		case ruleHasCoding:
			addCoding(res, r.path, r.coding)
		case ruleSome, ruleEvery:
			var c Coding
			if len(r.vs.Codes) > 0 {
				c = r.vs.Codes[0]
			} else {
				c = Coding{r.vs.Systems[0], "some-code"}
			}
			addCoding(res, r.path, c)
		case ruleComponent:
			comp := map[string]any{"code": map[string]any{"coding": []any{map[string]any{"system": r.coding.System, "code": r.coding.Code}}}}
			if r.unit == "" {
				comp["valueCodeableConcept"] = map[string]any{"text": "x"}
			} else {
				comp["valueQuantity"] = map[string]any{"value": 1.0, "unit": r.unit, "system": UCUM, "code": r.unit}
			}
			comps, _ := res["component"].([]any)
			res["component"] = append(comps, comp)
		}
	}
	for _, r := range rules {
		if r.kind == ruleCodeIn {
			set(res, r.path, r.vs.Codes[0].Code)
		}
	}
	for _, r := range rules {
		if r.kind == ruleRequired {
			// Also under an optional parent, so that the rule can be broken (udiCarrier.deviceIdentifier).
			path, _, _ := strings.Cut(r.path, "|")
			path = strings.Replace(path, "[x]", "String", 1)
			set(res, path, "x")
		}
	}
	return res
}

// parentOf walks to the object holding path's last segment, creating objects on the way.
func parentOf(res map[string]any, path string) (map[string]any, string) {
	segs := strings.Split(path, ".")
	cur := res
	for _, s := range segs[:len(segs)-1] {
		next, ok := cur[s].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[s] = next
		}
		cur = next
	}
	return cur, segs[len(segs)-1]
}

func set(res map[string]any, path string, v any) {
	obj, last := parentOf(res, path)
	if _, ok := obj[last]; !ok {
		obj[last] = v
	}
}

// addCoding adds c to the CodeableConcept at path, or as a new one where the element repeats (category).
func addCoding(res map[string]any, path string, c Coding) {
	obj, last := parentOf(res, path)
	coding := map[string]any{"system": c.System, "code": c.Code}
	if last == "category" {
		cats, _ := obj[last].([]any)
		obj[last] = append(cats, map[string]any{"coding": []any{coding}})
		return
	}
	cc, _ := obj[last].(map[string]any)
	if cc == nil {
		cc = map[string]any{}
		obj[last] = cc
	}
	codings, _ := cc["coding"].([]any)
	cc["coding"] = append(codings, coding)
}

// breakRule changes res so that it violates r, and returns the message stem the problem must carry.
func breakRule(res map[string]any, r rule) string {
	bad := map[string]any{"coding": []any{map[string]any{"system": "urn:example:other", "code": "other"}}}
	switch r.kind {
	case ruleRequired:
		path, alts, _ := strings.Cut(r.path, "|")
		for _, n := range nodesForParent(res, path) {
			delete(n.obj, n.last)
			for _, a := range strings.Split(alts, "|") {
				delete(n.obj, a)
			}
			if strings.HasSuffix(n.last, "[x]") {
				stem := strings.TrimSuffix(n.last, "[x]")
				for k := range n.obj {
					if strings.HasPrefix(k, stem) {
						delete(n.obj, k)
					}
				}
			}
		}
		return "required"
	case ruleHasCoding, ruleSome, ruleEvery:
		obj, last := parentOf(res, r.path)
		if last == "category" {
			obj[last] = []any{bad}
		} else {
			obj[last] = bad
		}
		if r.kind == ruleHasCoding {
			return "needs the coding"
		}
		if r.kind == ruleSome {
			return "needs a coding from"
		}
		return "has no coding from"
	case ruleCodeIn:
		obj, last := parentOf(res, r.path)
		obj[last] = "not-a-code"
		return "is not in"
	case ruleComponent:
		comps, _ := res["component"].([]any)
		for _, c := range comps {
			comp := c.(map[string]any)
			if !carries(comp["code"], func(c Coding) bool { return c == r.coding }) {
				continue
			}
			if r.min > 0 {
				comp["code"] = bad
			} else if r.unit == "" {
				delete(comp, "valueCodeableConcept")
			} else {
				comp["valueQuantity"].(map[string]any)["code"] = "wrong-unit"
			}
		}
		return "component"
	}
	panic("unknown rule")
}

type slot struct {
	obj  map[string]any
	last string
}

func nodesForParent(res map[string]any, path string) []slot {
	parent, last := "", path
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		parent, last = path[:i], path[i+1:]
	}
	var out []slot
	for _, n := range nodes(res, parent) {
		if obj, ok := n.(map[string]any); ok {
			out = append(out, slot{obj, last})
		}
	}
	return out
}

// TestEveryRuleCatchesItsViolation builds, for every profile, a resource that meets all its rules (Check
// finds nothing), then breaks one rule at a time and expects exactly that rule's element to be reported.
func TestEveryRuleCatchesItsViolation(t *testing.T) {
	rules := 0
	for _, p := range profiles {
		good := conforming(p)
		if probs := Check(good); len(probs) > 0 {
			t.Errorf("%s: the conforming instance fails: %v", p.ID, probs)
			continue
		}
		for i, r := range p.allRules() {
			rules++
			res := conforming(p)
			want := breakRule(res, r)
			found := false
			for _, pr := range Check(res) {
				if pr.Path == p.Type+"."+r.path && strings.Contains(pr.Message, want) && pr.Profile != "" {
					found = true
				}
			}
			if !found {
				t.Errorf("%s rule %d (%s): breaking it is not reported (want %q at %s.%s): %v", p.ID, i, r.path, want, p.Type, r.path, Check(res))
			}
		}
	}
	if rules < 300 {
		t.Errorf("only %d rules checked", rules)
	}
}

func TestProfilesAreUSCore61(t *testing.T) {
	if len(profiles) != 49 {
		t.Errorf("US Core 6.1.0 has 49 resource profiles, the table %d", len(profiles))
	}
	seen := map[string]bool{}
	for _, p := range profiles {
		if seen[p.ID] {
			t.Errorf("%s listed twice", p.ID)
		}
		seen[p.ID] = true
		if p.Parent != "" && byID[p.Parent] == nil {
			t.Errorf("%s: unknown parent %s", p.ID, p.Parent)
		}
		if len(p.allRules()) == 0 {
			t.Errorf("%s has no rule", p.ID)
		}
	}
	if got := len(ProfilesOf("Observation")); got != 22 {
		t.Errorf("Observation has 22 profiles in US Core 6.1.0, the table %d", got)
	}
	p, ok := ByURL(Base + "us-core-pulse-oximetry|6.1.0")
	if !ok || p.Type != "Observation" || p.Parent != "us-core-vital-signs" {
		t.Errorf("ByURL with a version: %v %v", p, ok)
	}
	if _, ok := ByURL("http://hl7.org/fhir/StructureDefinition/vitalsigns"); ok {
		t.Error("ByURL found a non-US Core profile")
	}
}

// Realistic resources as apps send them: each good one passes, and each typical mistake is named.
func TestCheckExamples(t *testing.T) {
	bp := `{"resourceType":"Observation","meta":{"profile":["http://hl7.org/fhir/us/core/StructureDefinition/us-core-blood-pressure"]},
	"status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],
	"code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}]},"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2024-01-02",
	"component":[
	 {"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":120,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}},
	 {"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":80,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}]}`
	note := `{"resourceType":"DocumentReference","meta":{"profile":["http://hl7.org/fhir/us/core/StructureDefinition/us-core-documentreference"]},
	"status":"current","type":{"coding":[{"system":"http://loinc.org","code":"11506-3"}]},
	"category":[{"coding":[{"system":"http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category","code":"clinical-note"}]}],
	"subject":{"reference":"Patient/p1"},"content":[{"attachment":{"contentType":"text/plain","data":"SGVsbG8="}}]}`
	problem := `{"resourceType":"Condition","meta":{"profile":["http://hl7.org/fhir/us/core/StructureDefinition/us-core-condition-problems-health-concerns"]},
	"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},
	"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-category","code":"problem-list-item"}]}],
	"code":{"coding":[{"system":"http://snomed.info/sct","code":"44054006"}]},"subject":{"reference":"Patient/p1"}}`
	lab := `{"resourceType":"Observation","meta":{"profile":["http://hl7.org/fhir/us/core/StructureDefinition/us-core-observation-lab"]},
	"status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],
	"code":{"coding":[{"system":"http://loinc.org","code":"4548-4"}]},"subject":{"reference":"Patient/p1"},"valueQuantity":{"value":7.1}}`
	cases := []struct {
		name, json string
		edit       func(m map[string]any)
		want       string // "" = no problem; else a substring of one problem's String()
	}{
		{"blood pressure", bp, nil, ""},
		{"blood pressure without diastolic", bp, func(m map[string]any) { m["component"] = m["component"].([]any)[:1] }, "needs a component with code http://loinc.org|8462-4"},
		{"blood pressure in the wrong unit", bp, func(m map[string]any) {
			m["component"].([]any)[0].(map[string]any)["valueQuantity"].(map[string]any)["code"] = "mmHg"
		}, "component 8480-6 needs a valueQuantity with value, unit and UCUM code mm[Hg]"},
		{"blood pressure without category", bp, func(m map[string]any) { delete(m, "category") }, "Observation.category: required"},
		{"blood pressure with an unknown status", bp, func(m map[string]any) { m["status"] = "done" }, `Observation.status: "done" is not in`},
		{"clinical note", note, nil, ""},
		{"note with neither data nor url", note, func(m map[string]any) {
			delete(m["content"].([]any)[0].(map[string]any)["attachment"].(map[string]any), "data")
		}, "DocumentReference.content.attachment.url|data: required"},
		{"note without a contentType", note, func(m map[string]any) {
			delete(m["content"].([]any)[0].(map[string]any)["attachment"].(map[string]any), "contentType")
		}, "content.attachment.contentType: required"},
		{"note typed in SNOMED", note, func(m map[string]any) {
			m["type"] = map[string]any{"coding": []any{map[string]any{"system": "http://snomed.info/sct", "code": "371530004"}}}
		}, "DocumentReference.type: has no coding from http://hl7.org/fhir/us/core/ValueSet/us-core-documentreference-type"},
		{"problem", problem, nil, ""},
		{"problem filed as an encounter diagnosis", problem, func(m map[string]any) {
			m["category"].([]any)[0].(map[string]any)["coding"].([]any)[0].(map[string]any)["code"] = "encounter-diagnosis"
		}, "Condition.category: needs a coding from http://hl7.org/fhir/us/core/ValueSet/us-core-problem-or-health-concern"},
		{"problem with a made-up clinical status", problem, func(m map[string]any) {
			m["clinicalStatus"].(map[string]any)["coding"].([]any)[0].(map[string]any)["code"] = "ongoing"
		}, "Condition.clinicalStatus: has no coding"},
		{"lab result", lab, nil, ""},
		{"lab result without subject (a rule of its parent profile)", lab, func(m map[string]any) { delete(m, "subject") },
			"us-core-observation-lab: Observation.subject: required"},
		{"lab result filed as vital signs", lab, func(m map[string]any) {
			m["category"].([]any)[0].(map[string]any)["coding"].([]any)[0].(map[string]any)["code"] = "vital-signs"
		}, "needs the coding http://terminology.hl7.org/CodeSystem/observation-category|laboratory"},
		{"unknown US Core profile", lab, func(m map[string]any) {
			m["meta"].(map[string]any)["profile"] = []any{Base + "us-core-lab"}
		}, "no US Core 6.1.0 profile"},
		{"profile of another type", lab, func(m map[string]any) {
			m["meta"].(map[string]any)["profile"] = []any{Base + "us-core-patient"}
		}, "the profile is of Patient, not Observation"},
		{"versioned canonical", lab, func(m map[string]any) {
			m["meta"].(map[string]any)["profile"] = []any{Base + "us-core-observation-lab|6.1.0"}
		}, ""},
		{"a profile outside US Core is not checked", lab, func(m map[string]any) {
			m["meta"].(map[string]any)["profile"] = []any{"http://example.org/StructureDefinition/mine"}
			delete(m, "subject")
		}, ""},
	}
	for _, c := range cases {
		m := decode(t, c.json)
		if c.edit != nil {
			c.edit(m)
		}
		probs := Check(m)
		if c.want == "" {
			if len(probs) > 0 {
				t.Errorf("%s: unexpected problems %v", c.name, probs)
			}
			continue
		}
		found := false
		for _, p := range probs {
			if strings.Contains(p.String(), c.want) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: want a problem containing %q, got %v", c.name, c.want, probs)
		}
	}
}

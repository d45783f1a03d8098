package synth

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// Coherence rules over a population of 200 random patients: conditions drive values and treatment,
// nothing happens before birth or after death, encounters and their observations share dates, vital signs
// suit the age, and each record has the reference minimum.

var (
	antihypertensives = []string{"314076", "197361", "310798", "979485"}
	statins           = []string{"314231", "312961", "259255"}
)

type chart struct {
	patient   map[string]any
	birth     time.Time
	death     time.Time
	byType    map[string][]map[string]any
	encStart  map[string]string   // "Encounter/id" → period.start
	condByKey map[string]string   // SNOMED code → "Condition/id" (problem list)
	medsFor   map[string][]string // "Condition/id" → RxNorm codes prescribed for it
}

func chartOf(t *testing.T, g generated) *chart {
	c := &chart{patient: g.res[0], byType: map[string][]map[string]any{}, encStart: map[string]string{},
		condByKey: map[string]string{}, medsFor: map[string][]string{}}
	c.birth, _ = time.Parse("2006-01-02", str(c.patient, "birthDate"))
	if d := str(c.patient, "deceasedDateTime"); d != "" {
		c.death, _ = time.Parse(time.RFC3339, d)
	}
	for i, m := range g.res {
		typ := g.batch[i].Type
		c.byType[typ] = append(c.byType[typ], m)
		ref := typ + "/" + g.batch[i].ID
		switch typ {
		case "Encounter":
			c.encStart[ref] = str(m, "period", "start")
		case "Condition":
			if str(m, "category", "coding", "code") == "problem-list-item" {
				c.condByKey[str(m, "code", "coding", "code")] = ref
			}
		case "MedicationRequest":
			reason := str(m, "reasonReference", "reference")
			code := str(m, "medicationCodeableConcept", "coding", "code")
			if med := str(m, "medicationReference", "reference"); med != "" {
				code = med[strings.LastIndex(med, "-med-")+len("-med-"):] // the pool's Medication/<tag>-med-<RxNorm>
			}
			c.medsFor[reason] = append(c.medsFor[reason], code)
		}
	}
	return c
}

// values returns the numeric values of observations with a LOINC code (components included).
func (c *chart) values(code string) []float64 {
	var out []float64
	for _, o := range c.byType["Observation"] {
		if hasCode(o, code, "code") {
			out = append(out, num(o, "valueQuantity", "value"))
		}
		for _, comp := range get(o, "component") {
			if hasCode(comp.(map[string]any), code, "code") {
				out = append(out, num(comp, "valueQuantity", "value"))
			}
		}
	}
	return out
}

func TestCoherenceOver200Patients(t *testing.T) {
	pop := generate(t, Options{Patients: 200, Seed: 3})
	ref := DefaultReference
	counts := map[string]int{}
	for _, g := range records(t, pop) {
		c := chartOf(t, g)
		id := g.batch[0].ID
		fail := func(format string, args ...any) { t.Errorf("Patient/"+id+": "+format, args...) }
		all := func(code string, ok func(float64) bool, rule string) {
			vals := c.values(code)
			if len(vals) == 0 {
				fail("%s: no %s observation", rule, code)
			}
			for _, v := range vals {
				if !ok(v) {
					fail("%s: %s = %v", rule, code, v)
				}
			}
		}
		treated := func(cond string, meds []string, rule string) {
			if !slices.ContainsFunc(c.medsFor[c.condByKey[cond]], func(m string) bool { return slices.Contains(meds, m) }) {
				fail("%s: no %v prescribed with reasonReference %s", rule, meds, c.condByKey[cond])
			}
		}
		if _, ok := c.condByKey["59621000"]; ok {
			counts["hypertension"]++
			for i, s := range c.values(loincSystolic) {
				if d := c.values(loincDiastolic)[i]; s < 140 && d < 90 {
					fail("hypertension: blood pressure %v/%v", s, d)
				}
			}
			treated("59621000", antihypertensives, "hypertension")
		}
		if _, ok := c.condByKey["44054006"]; ok {
			counts["diabetes"]++
			all("4548-4", func(v float64) bool { return v >= 6.5 }, "diabetes")
			treated("44054006", []string{"860975"}, "diabetes")
		}
		if _, ok := c.condByKey["55822004"]; ok {
			counts["hyperlipidemia"]++
			all("18262-6", func(v float64) bool { return v >= 160 }, "hyperlipidemia")
			treated("55822004", statins, "hyperlipidemia")
		}
		if _, ok := c.condByKey["433144002"]; ok {
			counts["ckd"]++
			all("38483-4", func(v float64) bool { return v > 1.2 }, "CKD creatinine")
			all("33914-3", func(v float64) bool { return v < 60 }, "CKD eGFR")
		}
		if _, ok := c.condByKey["195967001"]; ok {
			counts["asthma"]++
			treated("195967001", []string{"745679"}, "asthma")
		}
		if _, ok := c.condByKey["162864005"]; ok {
			counts["obesity"]++
			all(loincBMI, func(v float64) bool { return v >= 30 }, "obesity")
		}
		checkTimeline(t, id, c, ref)
		checkEncounterDates(t, id, c)
		checkVitalsByAge(t, id, c)
		checkMinimum(t, id, c, g)
		if str(c.patient, "deceasedDateTime") != "" {
			counts["deceased"]++
		}
	}
	for _, rule := range []string{"hypertension", "diabetes", "hyperlipidemia", "ckd", "asthma", "obesity", "deceased"} {
		if counts[rule] == 0 {
			t.Errorf("no patient exercised %s in 200 patients", rule)
		}
	}
	t.Logf("patients per rule: %v", counts)
}

var dateKeys = map[string]bool{"effectiveDateTime": true, "issued": true, "onsetDateTime": true, "abatementDateTime": true,
	"recordedDate": true, "authoredOn": true, "occurrenceDateTime": true, "recorded": true, "created": true,
	"date": true, "authored": true, "whenHandedOver": true, "whenPrepared": true, "collectedDateTime": true, "receivedTime": true, "startDate": true}

// checkTimeline: every clinical date lies between birth and death (or the reference date).
func checkTimeline(t *testing.T, id string, c *chart, ref time.Time) {
	end := ref
	if !c.death.IsZero() {
		end = c.death
	}
	var walk func(v any, parent string)
	check := func(key, s string) {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			tm, err = time.Parse("2006-01-02", s)
		}
		if err != nil {
			t.Errorf("Patient/%s: %s %q unparsable", id, key, s)
			return
		}
		if tm.Before(c.birth) || tm.After(end) {
			t.Errorf("Patient/%s: %s %s outside life %s..%s", id, key, s, c.birth.Format(time.DateOnly), end.Format(time.RFC3339))
		}
	}
	walk = func(v any, parent string) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && (dateKeys[k] || ((k == "start" || k == "end") && (parent == "period" || parent == "performedPeriod"))) {
					check(parent+"."+k, s)
				}
				walk(e, k)
			}
		case []any:
			for _, e := range x {
				walk(e, parent)
			}
		}
	}
	for typ, list := range c.byType {
		if typ == "Patient" {
			continue
		}
		for _, m := range list {
			walk(m, "")
		}
	}
}

// checkEncounterDates: an observation made at an encounter is effective at its start.
func checkEncounterDates(t *testing.T, id string, c *chart) {
	for _, typ := range []string{"Observation", "DiagnosticReport"} {
		for _, o := range c.byType[typ] {
			enc := str(o, "encounter", "reference")
			if enc == "" || str(o, "effectivePeriod", "start") != "" {
				continue // an occupation's period is the job's, not the visit's
			}
			start, ok := c.encStart[enc]
			if !ok {
				t.Errorf("Patient/%s: %s refers to unknown %s", id, typ, enc)
			} else if str(o, "effectiveDateTime") != start {
				t.Errorf("Patient/%s: %s at %s, its encounter at %s", id, typ, str(o, "effectiveDateTime"), start)
			}
		}
	}
}

// checkVitalsByAge: age-restricted vital signs only at ages they apply to, heart rate within the age band.
func checkVitalsByAge(t *testing.T, id string, c *chart) {
	for _, o := range c.byType["Observation"] {
		at, _ := time.Parse(time.RFC3339, str(o, "effectiveDateTime"))
		m := months(c.birth, at)
		code := str(o, "code", "coding", "code")
		if def := vitalByCode[code]; def != nil {
			if m < def.MinAge || (def.MaxAge > 0 && m >= def.MaxAge) {
				t.Errorf("Patient/%s: %s (%s) at %d months", id, code, def.Display, m)
			}
		}
		if code == loincHeartRate {
			hr := num(o, "valueQuantity", "value")
			lo, hi := 60.0, 100.0
			if m < 12 {
				lo, hi = 100, 170
			} else if m < 156 {
				lo, hi = 70, 150
			}
			if hr < lo || hr > hi {
				t.Errorf("Patient/%s: heart rate %v at %d months", id, hr, m)
			}
		}
	}
}

// checkMinimum: the per-patient minimum of the reference file.
func checkMinimum(t *testing.T, id string, c *chart, g generated) {
	n := func(typ string) int { return len(c.byType[typ]) }
	if n("Coverage") != 1 {
		t.Errorf("Patient/%s: %d coverages", id, n("Coverage"))
	}
	if e := n("Encounter"); e < 3 || e > 8 {
		t.Errorf("Patient/%s: %d encounters", id, e)
	}
	var first time.Time
	for _, e := range c.byType["Encounter"] {
		s, _ := time.Parse(time.RFC3339, str(e, "period", "start"))
		if first.IsZero() || s.Before(first) {
			first = s
		}
	}
	cats := map[string]int{}
	for _, cond := range c.byType["Condition"] {
		cats[str(cond, "category", "coding", "code")]++
	}
	if years(c.birth, first) >= 2 && cats["problem-list-item"] == 0 {
		t.Errorf("Patient/%s: no problem-list-item", id)
	}
	if cats["encounter-diagnosis"] == 0 {
		t.Errorf("Patient/%s: no encounter-diagnosis", id)
	}
	if years(c.birth, first) >= 2 && (n("MedicationRequest") < 2 || n("MedicationRequest") > maxMedications) {
		t.Errorf("Patient/%s: %d medication requests", id, n("MedicationRequest"))
	}
	implants := n("Device")
	if n("DiagnosticReport") < 1 || n("Procedure") < 1 || n("Procedure") > 3+implants || n("AllergyIntolerance") > 2 {
		t.Errorf("Patient/%s: %d reports, %d procedures (%d implants), %d allergies", id, n("DiagnosticReport"), n("Procedure"), implants, n("AllergyIntolerance"))
	}
	if n("CarePlan") != cats["problem-list-item"] {
		t.Errorf("Patient/%s: %d care plans for %d chronic conditions", id, n("CarePlan"), cats["problem-list-item"])
	}
	for _, o := range c.byType["DiagnosticReport"] {
		if len(get(o, "result")) == 0 && len(get(o, "presentedForm", "data")) == 0 {
			t.Errorf("Patient/%s: DiagnosticReport without results or presented form", id)
		}
	}
	if n("Provenance") != 1 || len(get(c.byType["Provenance"][0], "target")) != len(g.batch)-1 {
		t.Errorf("Patient/%s: Provenance must target the %d other resources", id, len(g.batch)-1)
	}
	// every reference resolves inside the record or the shared pool
	local := map[string]bool{}
	for _, r := range g.batch {
		local[r.Type+"/"+r.ID] = true
	}
	for _, list := range c.byType {
		for _, m := range list {
			for _, r := range references(m) {
				if !local[r] && !strings.Contains(r, "-org-") && !strings.Contains(r, "-loc-") && !strings.Contains(r, "-prac-") && !strings.Contains(r, "-med-") {
					t.Errorf("Patient/%s: dangling reference %s", id, r)
				}
			}
		}
	}
}

func references(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && k == "reference" {
				out = append(out, s)
			}
			out = append(out, references(e)...)
		}
	case []any:
		for _, e := range x {
			out = append(out, references(e)...)
		}
	}
	return out
}

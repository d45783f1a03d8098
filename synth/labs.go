package synth

import (
	"slices"
	"time"
)

// Laboratory results: each ordered panel becomes a US Core lab DiagnosticReport whose result list points at
// its Observations, all effective at the encounter's start.

// planLabs returns, per visit, the panels drawn at it: the panels that monitor the patient's chronic
// conditions (repeated at a later visit half of the time, so values can be followed over time) and routine
// panels up to 1–3 reports.
func (r *record) planLabs(p *person, visits []*visit) [][]string {
	out := make([][]string, len(visits))
	age := years(p.birth, visits[0].start)
	var required []string
	for _, c := range p.chronic {
		for _, k := range conditionPanels[c.Key] {
			if !slices.Contains(required, k) {
				required = append(required, k)
			}
		}
	}
	routine := []string{"cbc"}
	if age >= 2 {
		routine = append(routine, "bmp")
	}
	if age >= 18 {
		routine = append(routine, "lipid", "hepatic")
	}
	want := 1 + r.rng.IntN(3)
	if age < 1 {
		want = 1
	}
	panels := slices.Clone(required)
	for tries := 0; len(panels) < want && tries < 10; tries++ {
		k := routine[r.rng.IntN(len(routine))]
		if !slices.Contains(panels, k) {
			panels = append(panels, k)
		}
	}
	var labVisits []int // check-ups and follow-ups first; any visit if there are none
	for i, v := range visits {
		if v.wellness || v.kind == encFollowUp {
			labVisits = append(labVisits, i)
		}
	}
	if len(labVisits) == 0 {
		labVisits = []int{0}
	}
	for _, k := range panels {
		i := labVisits[r.rng.IntN(len(labVisits))]
		out[i] = append(out[i], k)
		if slices.Contains(required, k) && len(labVisits) > 1 && chance(r.rng, 500) {
			j := labVisits[r.rng.IntN(len(labVisits))]
			if j != i {
				out[j] = append(out[j], k)
			}
		}
	}
	return out
}

// analyteRange is the range the patient's value is drawn from: the condition's when a chronic condition
// moves it, else the healthy range for the patient's sex.
func analyteRange(p *person, a *AnalyteDef) [2]int64 {
	for _, c := range p.chronic {
		for _, e := range conditionLabEffects[c.Key] {
			if e.Analyte == a.Key {
				return e.Range
			}
		}
	}
	if p.birthSex == "F" && a.Female != [2]int64{} {
		return a.Female
	}
	return a.Normal
}

// sensitiveFor returns the sensitive condition a panel reports on, if any.
func sensitiveFor(p *person, panel string) *ConditionDef {
	for _, c := range p.chronic {
		if c.Label != "" && slices.Contains(conditionPanels[c.Key], panel) {
			return c
		}
	}
	return nil
}

func (r *record) labReport(p *person, v *visit, panelKey string) {
	panel := panelByKey[panelKey]
	labels := securityLabels(sensitiveFor(p, panelKey))
	org := r.g.pool.providers[r.g.pool.locations[v.loc].Org]
	issued := v.start.Add(3 * time.Hour)
	orderID := r.labOrder(p, v, panel, labels)
	specimenID := r.specimen(p, v, panel, orderID, labels)
	basedOn := []Reference{{Reference: "ServiceRequest/" + orderID}}
	spec := &Reference{Reference: "Specimen/" + specimenID}
	v.labs = append(v.labs, panel.Display+":")
	results := make([]Reference, 0, len(panel.Analytes))
	for _, key := range panel.Analytes {
		a := analyteByKey[key]
		id := r.nextID()
		obs := r.labObservation(p, a, v.start, issued, r.drift("lab:"+key, analyteRange(p, a)))
		obs.ID = id
		obs.Encounter = &Reference{Reference: "Encounter/" + v.id}
		obs.Performer = []Reference{{Reference: "Organization/" + org.ID, Display: org.Name}}
		obs.BasedOn = basedOn
		obs.Specimen = spec
		obs.Meta.Security = labels
		v.labs = append(v.labs, "- "+a.Display+": "+obs.ValueQuantity.Value.String()+" "+a.Unit+" ("+obs.Interpretation[0].Coding[0].Display+")")
		r.add("Observation", id, obs)
		results = append(results, Reference{Reference: "Observation/" + id})
	}
	id := r.nextID()
	dr := diagnosticReport{
		header:            hdr("DiagnosticReport", id, ProfileDiagnosticReportLab),
		BasedOn:           basedOn,
		Status:            "final",
		Category:          []CodeableConcept{ccs(SystemV2DiagService, "LAB", "Laboratory")},
		Code:              cc(SystemLOINC, panel.Code, panel.Display),
		Subject:           &Reference{Reference: "Patient/" + p.key},
		Encounter:         &Reference{Reference: "Encounter/" + v.id},
		EffectiveDateTime: fhirDateTime(v.start),
		Issued:            fhirInstant(issued),
		Performer:         []Reference{{Reference: "Organization/" + org.ID, Display: org.Name}},
		Specimen:          []Reference{*spec},
		Result:            results,
	}
	dr.Meta.Security = labels
	r.add("DiagnosticReport", id, dr)
}

// labObservation builds a US Core laboratory Observation with reference range and interpretation.
func (r *record) labObservation(p *person, a *AnalyteDef, effective, issued time.Time, value int64) observation {
	obs := observation{
		header:            hdr("Observation", "", ProfileObservationLab),
		Status:            "final",
		Category:          []CodeableConcept{ccs(SystemObsCategory, "laboratory", "Laboratory")},
		Code:              cc(SystemLOINC, a.Code, a.Display),
		Subject:           &Reference{Reference: "Patient/" + p.key},
		EffectiveDateTime: fhirDateTime(effective),
		Issued:            fhirInstant(issued),
		ValueQuantity:     &Quantity{Value: Dec{value, a.Scale}, Unit: a.Unit, System: SystemUCUM, Code: a.Unit},
		Interpretation:    []CodeableConcept{interpretation(a, value)},
	}
	rr := ReferenceRange{}
	if a.RefLow >= 0 {
		rr.Low = &Quantity{Value: Dec{a.RefLow, a.Scale}, Unit: a.Unit, System: SystemUCUM, Code: a.Unit}
	}
	if a.RefHigh >= 0 {
		rr.High = &Quantity{Value: Dec{a.RefHigh, a.Scale}, Unit: a.Unit, System: SystemUCUM, Code: a.Unit}
	}
	obs.ReferenceRange = []ReferenceRange{rr}
	return obs
}

func interpretation(a *AnalyteDef, v int64) CodeableConcept {
	switch {
	case a.RefLow >= 0 && v < a.RefLow:
		return cc(SystemInterpretation, "L", "Low")
	case a.RefHigh >= 0 && v > a.RefHigh:
		return cc(SystemInterpretation, "H", "High")
	}
	return cc(SystemInterpretation, "N", "Normal")
}

// homeGlucose adds capillary glucose readings twice a day, the paging persona's thousands of Observations.
func (r *record) homeGlucose(p *person) {
	a := analyteByKey["glucometer"]
	rng := analyteRange(p, a)
	_, end := r.window(p)
	day := r.now().AddDate(0, 0, -p.glucometerDays).Truncate(24 * time.Hour)
	for d := 0; d < p.glucometerDays; d++ {
		for _, hour := range []time.Duration{12, 23} { // 7:00 and 18:00 US Eastern
			t := day.AddDate(0, 0, d).Add(hour*time.Hour + time.Duration(r.rng.IntN(40))*time.Minute)
			if t.Before(p.birth) || t.After(end) {
				continue
			}
			id := r.nextID()
			obs := r.labObservation(p, a, t, t.Add(time.Minute), r.drift("glucometer", rng))
			obs.ID = id
			r.add("Observation", id, obs)
		}
	}
}

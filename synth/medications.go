package synth

import (
	"time"
)

// medPlan is one planned prescription: the drug, the condition it treats and the visit it is written at.
type medPlan struct {
	def     *MedicationDef
	cond    *ConditionDef
	condID  string
	visit   *visit
	chronic bool
}

// maxMedications caps prescriptions per record (the reference minimum asks for 2–5).
const maxMedications = 5

// planMedications prescribes the first-line drug of each treated chronic condition at the first visit
// (asthma also gets its controller) and the treatment of each acute problem at its visit.
func (r *record) planMedications(p *person, visits []*visit) []*medPlan {
	var out []*medPlan
	first := visits[0]
	for i, c := range p.chronic {
		if len(c.Meds) == 0 || len(out) >= maxMedications {
			continue
		}
		out = append(out, &medPlan{def: medicationByCode[c.Meds[0]], cond: c, condID: r.chronicIDs[i], visit: first, chronic: true})
	}
	for i, c := range p.chronic {
		if c.Key == condAsthma && len(out) < maxMedications {
			out = append(out, &medPlan{def: medicationByCode[c.Meds[1]], cond: c, condID: r.chronicIDs[i], visit: first, chronic: true})
		}
	}
	for _, v := range visits {
		if v.acute != nil && len(v.acute.Meds) > 0 && len(out) < maxMedications {
			out = append(out, &medPlan{def: medicationByCode[v.acute.Meds[0]], cond: v.acute, condID: v.acuteID, visit: v})
		}
	}
	if years(p.birth, first.start) >= 2 {
		// at least two prescriptions: a second drug (or acetaminophen) for an acute problem
		for _, v := range visits {
			if len(out) >= 2 {
				break
			}
			if v.acute == nil {
				continue
			}
			code := "313782"
			if len(v.acute.Meds) > 1 {
				code = v.acute.Meds[1]
			}
			if len(v.acute.Meds) > 0 && v.acute.Meds[0] == code {
				code = "310965"
			}
			out = append(out, &medPlan{def: medicationByCode[code], cond: v.acute, condID: v.acuteID, visit: v})
		}
	}
	return out
}

func (r *record) medicationRequest(p *person, m *medPlan) {
	id := r.nextID()
	v := m.visit
	_, end := r.window(p)
	status := "active"
	validity := &Period{Start: fhirDate(v.start), End: fhirDate(v.start.AddDate(1, 0, 0))}
	repeats := 3
	if m.chronic && !p.death.IsZero() {
		status = "stopped"
	}
	if !m.chronic {
		days := max(m.def.Days, 1)
		stop := v.start.AddDate(0, 0, days)
		validity.End = fhirDate(stop)
		repeats = 0
		if stop.Before(end) {
			status = "completed"
		}
	}
	f := false
	unit := m.def.DoseUnit
	mr := medicationRequest{
		header:                    hdr("MedicationRequest", id, ProfileMedicationRequest),
		Status:                    status,
		Intent:                    "order",
		Category:                  []CodeableConcept{ccs(SystemMedReqCategory, "community", "Community")},
		ReportedBoolean:           &f,
		MedicationCodeableConcept: cc(SystemRxNorm, m.def.Code, m.def.Display),
		Subject:                   &Reference{Reference: "Patient/" + p.key},
		Encounter:                 &Reference{Reference: "Encounter/" + v.id},
		AuthoredOn:                fhirDateTime(v.start.Add(time.Duration(v.kind.Minutes-5) * time.Minute)),
		Requester:                 &Reference{Reference: "Practitioner/" + r.g.pool.practitioners[v.prac].ID, Display: r.g.pool.practitioners[v.prac].Name},
		ReasonReference:           []Reference{{Reference: "Condition/" + m.condID, Display: m.cond.Display}},
		DosageInstruction: []dosage{{
			Sequence:        1,
			Text:            m.def.Text,
			Timing:          &timing{Repeat: &timingRepeat{Frequency: m.def.Frequency, Period: m.def.Period, PeriodUnit: m.def.PeriodU}},
			AsNeededBoolean: m.def.AsNeeded,
			DoseAndRate:     []doseAndRate{{DoseQuantity: &Quantity{Value: m.def.Dose, Unit: unitDisplay(unit), System: SystemUCUM, Code: unit}}},
		}},
		DispenseRequest: &dispenseRequest{ValidityPeriod: validity, NumberOfRepeatsAllowed: repeats},
	}
	mr.Meta.Security = securityLabels(m.cond)
	r.add("MedicationRequest", id, mr)
}

func unitDisplay(ucum string) string {
	switch ucum {
	case "{puff}":
		return "puff"
	case "{tbl}":
		return "tablet"
	case "{application}":
		return "application"
	case "[IU]":
		return "IU"
	}
	return ucum
}

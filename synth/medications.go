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
		header:          hdr("MedicationRequest", id, ProfileMedicationRequest),
		Status:          status,
		Intent:          "order",
		Category:        []CodeableConcept{ccs(SystemMedReqCategory, "community", "Community")},
		ReportedBoolean: &f,
		Subject:         &Reference{Reference: "Patient/" + p.key},
		Encounter:       &Reference{Reference: "Encounter/" + v.id},
		AuthoredOn:      fhirDateTime(v.start.Add(time.Duration(v.kind.Minutes-5) * time.Minute)),
		Requester:       &Reference{Reference: "Practitioner/" + r.g.pool.practitioners[v.prac].ID, Display: r.g.pool.practitioners[v.prac].Name},
		ReasonReference: []Reference{{Reference: "Condition/" + m.condID, Display: m.cond.Display}},
		DosageInstruction: []dosage{{
			Sequence:        1,
			Text:            m.def.Text,
			Timing:          &timing{Repeat: &timingRepeat{Frequency: m.def.Frequency, Period: m.def.Period, PeriodUnit: m.def.PeriodU}},
			AsNeededBoolean: m.def.AsNeeded,
			DoseAndRate:     []doseAndRate{{DoseQuantity: &Quantity{Value: m.def.Dose, Unit: unitDisplay(unit), System: SystemUCUM, Code: unit}}},
		}},
		DispenseRequest: &dispenseRequest{ValidityPeriod: validity, NumberOfRepeatsAllowed: repeats},
	}
	// Ongoing treatments name a formulary Medication of the shared pool; short courses carry the drug
	// inline: US Core requires servers to support both forms.
	if m.chronic {
		mr.MedicationReference = &Reference{Reference: "Medication/" + medicationID(r.g.tag, m.def.Code), Display: m.def.Display}
	} else {
		c := cc(SystemRxNorm, m.def.Code, m.def.Display)
		mr.MedicationCodeableConcept = &c
	}
	mr.Meta.Security = securityLabels(m.cond)
	r.add("MedicationRequest", id, mr)
	r.dispense(p, m, &mr, end)
}

// medicationID is the id of a catalog drug's Medication in the shared pool.
func medicationID(tag, rxnorm string) string { return tag + "-med-" + rxnorm }

// dispense fills nine prescriptions in ten at the prescribing organization's pharmacy a few hours after
// they were written (never after the record ends): a first fill of 30 days, or of the whole course.
func (r *record) dispense(p *person, m *medPlan, mr *medicationRequest, end time.Time) {
	if !chance(r.rng, 900) {
		return
	}
	v := m.visit
	handed := v.end.Add(time.Duration(between(r.rng, 1, 30)) * time.Hour)
	if handed.After(end) {
		return
	}
	days := int64(30)
	if !m.chronic {
		days = int64(max(m.def.Days, 1))
	}
	perDay := int64(m.def.Frequency)
	switch m.def.PeriodU {
	case "h":
		perDay = int64(m.def.Frequency) * 24 / int64(max(m.def.Period, 1))
	case "wk":
		perDay = 1
	}
	id := r.nextID()
	org := r.g.pool.providers[r.g.pool.locations[v.loc].Org]
	md := medicationDispense{
		header:                    hdr("MedicationDispense", id, ProfileMedicationDispense),
		Status:                    "completed",
		Category:                  ccsPtr(tho+"medicationdispense-category", "community", "Community"),
		MedicationCodeableConcept: mr.MedicationCodeableConcept,
		MedicationReference:       mr.MedicationReference,
		Subject:                   &Reference{Reference: "Patient/" + p.key},
		Context:                   &Reference{Reference: "Encounter/" + v.id},
		Performer:                 []dispensePerformer{{Actor: Reference{Reference: "Organization/" + org.ID, Display: org.Name}}},
		AuthorizingPrescription:   []Reference{{Reference: "MedicationRequest/" + mr.ID}},
		Type:                      ccsPtr(SystemActCode, "FF", "First Fill"),
		Quantity:                  &Quantity{Value: Dec{days * max(perDay, 1), 0}, Unit: "dose", System: SystemUCUM, Code: "{dose}"},
		DaysSupply:                &Quantity{Value: Dec{days, 0}, Unit: "day", System: SystemUCUM, Code: "d"},
		WhenPrepared:              fhirDateTime(handed.Add(-30 * time.Minute)),
		WhenHandedOver:            fhirDateTime(handed),
		DosageInstruction:         mr.DosageInstruction,
	}
	md.Meta.Security = mr.Meta.Security
	r.add("MedicationDispense", id, md)
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

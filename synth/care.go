package synth

import (
	"html"
	"strconv"
	"time"
)

// Allergies, immunizations, procedures, care plans and the record's Provenance.

func (r *record) allergyResources(p *person, visits []*visit) {
	for _, a := range p.allergies {
		v := visits[r.rng.IntN(len(visits))]
		id := r.nextID()
		n := 1 + r.rng.IntN(min(2, len(a.Reactions)))
		var manifestations []CodeableConcept
		severity := "mild"
		for _, ri := range a.Reactions[:n] {
			c := reactionCatalog[ri]
			manifestations = append(manifestations, cc(c.System, c.Code, c.Display))
			if c.Code == "39579001" {
				severity = "severe"
			}
		}
		if severity == "mild" && chance(r.rng, 400) {
			severity = "moderate"
		}
		crit := "low"
		if a.Critical {
			crit = "high"
		}
		r.add("AllergyIntolerance", id, allergyIntolerance{
			header:             hdr("AllergyIntolerance", id, ProfileAllergyIntolerance),
			ClinicalStatus:     ccsPtr(SystemAllergyClinical, "active", "Active"),
			VerificationStatus: ccsPtr(SystemAllergyVerif, "confirmed", "Confirmed"),
			Type:               "allergy",
			Category:           []string{a.Category},
			Criticality:        crit,
			Code:               cc(SystemSNOMED, a.Code, a.Display),
			Patient:            &Reference{Reference: "Patient/" + p.key},
			Encounter:          &Reference{Reference: "Encounter/" + v.id},
			RecordedDate:       fhirDateTime(v.start),
			Recorder:           &Reference{Reference: "Practitioner/" + r.g.pool.practitioners[v.prac].ID},
			Reaction:           []allergyReaction{{Manifestation: manifestations, Severity: severity}},
		})
	}
	if p.nka {
		v := visits[len(visits)-1]
		id := r.nextID()
		r.add("AllergyIntolerance", id, allergyIntolerance{
			header:             hdr("AllergyIntolerance", id, ProfileAllergyIntolerance),
			ClinicalStatus:     ccsPtr(SystemAllergyClinical, "active", "Active"),
			VerificationStatus: ccsPtr(SystemAllergyVerif, "confirmed", "Confirmed"),
			Code:               cc(noKnownAllergy.System, noKnownAllergy.Code, noKnownAllergy.Display),
			Patient:            &Reference{Reference: "Patient/" + p.key},
			Encounter:          &Reference{Reference: "Encounter/" + v.id},
			RecordedDate:       fhirDateTime(v.start),
			Recorder:           &Reference{Reference: "Practitioner/" + r.g.pool.practitioners[v.prac].ID},
		})
	}
}

// immunizations gives, at this visit, the earliest missing dose of each vaccine due by now (doses due before
// the record window are history the record does not hold) and a seasonal influenza shot once per season.
func (r *record) immunizations(p *person, v *visit, windowStart time.Time, given map[string]bool, flu map[int]bool) {
	for _, vac := range vaccineCatalog {
		if vac.Sex != "" && vac.Sex != p.gender {
			continue
		}
		for k, m := range vac.Months {
			key := vac.Code + "#" + strconv.Itoa(k)
			if given[key] {
				continue
			}
			due := p.birth.AddDate(0, m, 0)
			if due.After(v.start) {
				break
			}
			given[key] = true
			if due.Before(windowStart.AddDate(0, 0, -1)) {
				continue
			}
			r.immunization(p, v, vac)
			break
		}
	}
	if months(p.birth, v.start) >= 6 {
		mo := v.start.Month()
		season := v.start.Year()
		if mo <= time.March {
			season--
		}
		if (mo >= time.September || mo <= time.March) && !flu[season] {
			flu[season] = true
			r.immunization(p, v, seasonalFlu)
		}
	}
}

func (r *record) immunization(p *person, v *visit, vac VaccineDef) {
	id := r.nextID()
	pr := r.g.pool.practitioners[v.prac]
	r.add("Immunization", id, immunization{
		header:             hdr("Immunization", id, ProfileImmunization),
		Status:             "completed",
		VaccineCode:        cc(SystemCVX, vac.Code, vac.Display),
		Patient:            &Reference{Reference: "Patient/" + p.key},
		Encounter:          &Reference{Reference: "Encounter/" + v.id},
		OccurrenceDateTime: fhirDateTime(v.start),
		PrimarySource:      true,
		Location:           &Reference{Reference: "Location/" + r.g.pool.locations[v.loc].ID},
		Performer:          []immunizationPerformer{{Actor: Reference{Reference: "Practitioner/" + pr.ID, Display: pr.Name}}},
	})
}

// procedures writes 1–3 procedures chosen among those the record makes plausible: the work-up of an acute
// problem first, then screening and monitoring due for the patient's age, sex and conditions.
func (r *record) procedures(p *person, visits []*visit) {
	type candidate struct {
		def    *ProcedureDef
		visit  *visit
		reason string
	}
	var acute, other []candidate
	done := map[string]bool{}
	for i := range procedureCatalog {
		def := &procedureCatalog[i]
		for vi, v := range visits {
			age := years(p.birth, v.start)
			ok := false
			reason := ""
			switch def.When {
			case "wellness":
				ok = vi == 0 || v.wellness
			case "screen-12":
				ok = v.wellness && age >= 12
			case "screen-45":
				ok = v.wellness && age >= 45
			case "screen-female-40":
				ok = v.wellness && age >= 40 && p.gender == "female"
			default:
				if v.acute != nil && v.acute.Key == def.When {
					acute = append(acute, candidate{def, v, v.acuteID})
					continue
				}
				for ci, c := range p.chronic {
					if c.Key == def.When && (vi == 0 || v.kind == encFollowUp) {
						ok, reason = true, r.chronicIDs[ci]
					}
				}
			}
			if ok && !done[def.Code] {
				done[def.Code] = true
				other = append(other, candidate{def, v, reason})
			}
		}
	}
	want := 1 + r.rng.IntN(3)
	chosen := acute
	for len(chosen) < want && len(other) > 0 {
		i := r.rng.IntN(len(other))
		chosen = append(chosen, other[i])
		other = append(other[:i], other[i+1:]...)
	}
	if len(chosen) > 3 {
		chosen = chosen[:3]
	}
	for _, c := range chosen {
		study, isStudy := studies[c.def.Code]
		var orderID string
		if isStudy {
			cat := srCategoryImaging
			if !study.Imaging {
				cat = ccs(SystemSNOMED, "386053000", "Evaluation procedure")
			}
			var reasons []Reference
			if c.reason != "" {
				reasons = []Reference{{Reference: "Condition/" + c.reason}}
			}
			orderID = r.order(p, c.visit, cat, cc(SystemSNOMED, c.def.Code, c.def.Display), reasons, nil)
		}
		id := r.nextID()
		pr := r.g.pool.practitioners[c.visit.prac]
		start := c.visit.start.Add(5 * time.Minute)
		proc := procedure{
			header:          hdr("Procedure", id, ProfileProcedure),
			Status:          "completed",
			Code:            cc(SystemSNOMED, c.def.Code, c.def.Display),
			Subject:         &Reference{Reference: "Patient/" + p.key},
			Encounter:       &Reference{Reference: "Encounter/" + c.visit.id},
			PerformedPeriod: &Period{Start: fhirDateTime(start), End: fhirDateTime(start.Add(15 * time.Minute))},
			Performer:       []procedurePerformer{{Actor: Reference{Reference: "Practitioner/" + pr.ID, Display: pr.Name}}},
			Location:        &Reference{Reference: "Location/" + r.g.pool.locations[c.visit.loc].ID},
		}
		if c.reason != "" {
			proc.ReasonReference = []Reference{{Reference: "Condition/" + c.reason}}
		}
		if isStudy {
			proc.BasedOn = []Reference{{Reference: "ServiceRequest/" + orderID}}
		}
		r.add("Procedure", id, proc)
		if isStudy {
			r.studyReport(p, c.visit, study, orderID, c.visit.start)
		}
	}
}

// carePlan writes the assessment-and-plan CarePlan of a chronic condition, with its narrative.
func (r *record) carePlan(p *person, c *ConditionDef, condID string, first *visit) {
	id := r.nextID()
	pr := r.g.pool.practitioners[first.prac]
	status := "active"
	if !p.death.IsZero() {
		status = "completed"
	}
	plan := c.Plan
	if plan == "" {
		plan = "Monitor and review at each visit."
	}
	title := "Care plan: " + c.Display
	cp := carePlan{
		header:    hdr("CarePlan", id, ProfileCarePlan),
		Status:    status,
		Intent:    "plan",
		Category:  []CodeableConcept{ccs(SystemCarePlanCategory, "assess-plan", "Assessment and Plan of Treatment")},
		Title:     title,
		Subject:   &Reference{Reference: "Patient/" + p.key},
		Period:    &Period{Start: fhirDateTime(first.start)},
		Created:   fhirDateTime(first.start),
		Author:    &Reference{Reference: "Practitioner/" + pr.ID, Display: pr.Name},
		Addresses: []Reference{{Reference: "Condition/" + condID, Display: c.Display}},
	}
	if !p.death.IsZero() {
		cp.Period.End = fhirDateTime(p.death)
	}
	cp.Text = &Narrative{Status: "generated", Div: `<div xmlns="http://www.w3.org/1999/xhtml"><p><b>` + html.EscapeString(title) +
		`</b></p><p>Assessment: ` + html.EscapeString(c.Display) + ` since ` + fhirDate(first.start) +
		`.</p><p>Plan: ` + html.EscapeString(plan) + `</p></div>`}
	cp.Meta.Security = securityLabels(c)
	r.add("CarePlan", id, cp)
}

// provenance records who authored the record: the primary care practitioner on behalf of their
// organization, targeting every resource of the record.
func (r *record) provenance(p *person, recorded time.Time) {
	id := r.nextID()
	pcp := r.g.pool.practitioners[p.pcp]
	org := r.g.pool.providers[pcp.Org]
	targets := make([]Reference, len(r.targets))
	copy(targets, r.targets)
	r.add("Provenance", id, provenance{
		header:   hdr("Provenance", id, ProfileProvenance),
		Target:   targets,
		Recorded: fhirInstant(recorded),
		Agent: []provenanceAgent{{
			Type:       ccsPtr(SystemProvenanceAgent, "author", "Author"),
			Who:        Reference{Reference: "Practitioner/" + pcp.ID, Display: pcp.Name},
			OnBehalfOf: &Reference{Reference: "Organization/" + org.ID, Display: org.Name},
		}},
	})
}

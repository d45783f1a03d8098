package synth

import (
	"time"
)

// randomPatient builds the record of random patient i.
func (g *generator) randomPatient(i int) built {
	r := g.newRecord(patientKey(g.tag, i))
	p := r.newPerson()
	p.portal = i < portalUsers
	out := r.build(p)
	return built{out, r.members}
}

// portalUsers is how many random patients (the first ones) are tagged as portal users.
const portalUsers = 3

// build writes the person's whole record. Ids are allocated in the order resources are written, except
// that encounters and conditions are allocated together up front because they reference each other.
func (r *record) build(p *person) []Resource {
	r.targets = r.targets[:0]
	r.referred = -1
	r.patientResource(p)
	if p.content == contentPatientOnly {
		return r.out
	}
	start, _ := r.window(p)
	r.coverageResource(p, start)
	if p.content == contentCoverageOnly {
		return r.out
	}

	visits := r.planVisits(p)
	first := visits[0]
	specialist, referred := r.planReferral(p, visits)
	r.referred = referred
	for range p.chronic {
		r.chronicIDs = append(r.chronicIDs, r.nextID())
	}
	for _, v := range visits {
		if v.acute != nil {
			v.acuteID = r.nextID()
		}
	}
	for _, v := range visits {
		r.encounterResource(p, v)
	}
	for i, c := range p.chronic {
		r.chronicCondition(p, c, r.chronicIDs[i], first)
	}
	for _, v := range visits {
		if v.acute != nil {
			r.acuteCondition(p, v)
		}
	}

	labs := r.planLabs(p, visits)
	meds := r.planMedications(p, visits)
	smokingAt := -1
	for i, v := range visits {
		if months(p.birth, v.start) >= 156 {
			smokingAt = i
		}
	}
	last := len(visits) - 1
	given := map[string]bool{}
	fluSeasons := map[int]bool{}
	for i, v := range visits {
		r.vitalSigns(p, v)
		if i == smokingAt {
			r.smokingStatus(p, v)
		}
		if i == last {
			if years(p.birth, v.start) >= 18 {
				r.hrsnScreening(p, v)
			}
			if years(p.birth, v.start) >= 15 {
				r.socialHistory(p, v)
			}
		}
		for _, panel := range labs[i] {
			r.labReport(p, v, panel)
		}
		r.immunizations(p, v, start, given, fluSeasons)
		for _, m := range meds {
			if m.visit == v {
				r.medicationRequest(p, m)
			}
		}
		if i == 0 && specialist >= 0 {
			r.referral(p, v, specialist, referred)
		}
		r.encounterNote(p, v, i == 0, meds)
		if len(v.labs) > 0 {
			r.labNote(p, v)
		}
	}
	r.allergyResources(p, visits)
	r.procedures(p, visits)
	r.implants(p, first)
	for i, c := range p.chronic {
		r.carePlan(p, c, r.chronicIDs[i], first)
	}
	r.goals(p, first)
	contact := r.relatedPerson(p)
	r.careTeams(p, visits, contact, specialist, referred)
	if p.glucometerDays > 0 {
		r.homeGlucose(p)
	}
	r.provenance(p, visits[len(visits)-1].end)
	return r.out
}

// chronicCondition writes a problem-list entry whose onset precedes the record window.
func (r *record) chronicCondition(p *person, c *ConditionDef, id string, first *visit) {
	earliest := p.birth.AddDate(c.MinAge, 0, 0)
	if e := first.start.AddDate(-8, 0, 0); e.After(earliest) {
		earliest = e
	}
	onset := first.start.Add(-time.Hour)
	if d := first.start.Sub(earliest); d > 24*time.Hour {
		onset = earliest.Add(time.Duration(r.rng.Int64N(int64(d/time.Hour))) * time.Hour)
	}
	cond := condition{
		header:             hdr("Condition", id, ProfileConditionProblems),
		ClinicalStatus:     ccsPtr(SystemCondClinical, "active", "Active"),
		VerificationStatus: ccsPtr(SystemCondVerification, "confirmed", "Confirmed"),
		Category:           []CodeableConcept{ccs(SystemCondCategory, "problem-list-item", "Problem List Item")},
		Code:               cc(SystemSNOMED, c.Code, c.Display),
		Subject:            &Reference{Reference: "Patient/" + p.key},
		OnsetDateTime:      fhirDateTime(onset),
		RecordedDate:       fhirDateTime(first.start),
		Recorder:           &Reference{Reference: "Practitioner/" + r.g.pool.practitioners[first.prac].ID},
	}
	cond.Meta.Security = securityLabels(c)
	r.add("Condition", id, cond)
}

// acuteCondition writes the encounter diagnosis of a visit for an acute problem; it resolves in 1–3 weeks.
func (r *record) acuteCondition(p *person, v *visit) {
	c := v.acute
	onset := v.start.Add(-time.Duration(between(r.rng, 1, 72)) * time.Hour)
	if onset.Before(p.birth) {
		onset = v.start
	}
	cond := condition{
		header:             hdr("Condition", v.acuteID, ProfileConditionEncounter),
		ClinicalStatus:     ccsPtr(SystemCondClinical, "active", "Active"),
		VerificationStatus: ccsPtr(SystemCondVerification, "confirmed", "Confirmed"),
		Category:           []CodeableConcept{ccs(SystemCondCategory, "encounter-diagnosis", "Encounter Diagnosis")},
		Code:               cc(SystemSNOMED, c.Code, c.Display),
		Subject:            &Reference{Reference: "Patient/" + p.key},
		Encounter:          &Reference{Reference: "Encounter/" + v.id},
		OnsetDateTime:      fhirDateTime(onset),
		RecordedDate:       fhirDateTime(v.start),
		Recorder:           &Reference{Reference: "Practitioner/" + r.g.pool.practitioners[v.prac].ID},
	}
	abate := v.start.AddDate(0, 0, int(between(r.rng, 7, 21)))
	_, end := r.window(p)
	if abate.Before(end) {
		cond.ClinicalStatus = ccsPtr(SystemCondClinical, "resolved", "Resolved")
		cond.AbatementDateTime = fhirDateTime(abate)
	}
	r.add("Condition", v.acuteID, cond)
}

// securityLabels marks a resource about a sensitive condition as restricted (HL7 v3 Confidentiality R)
// with its sensitivity category (v3 ActCode), so consent and scope tests have data to hide.
func securityLabels(c *ConditionDef) []Coding {
	if c == nil || c.Label == "" {
		return nil
	}
	display := map[string]string{"HIV": "HIV/AIDS information sensitivity", "ETH": "substance abuse information sensitivity", "PSY": "psychiatry information sensitivity"}[c.Label]
	return []Coding{
		{System: SystemConfidentiality, Code: "R", Display: "restricted"},
		{System: SystemActCode, Code: c.Label, Display: display},
	}
}

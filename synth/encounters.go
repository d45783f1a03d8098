package synth

import (
	"slices"
	"time"
)

// visit is one planned encounter.
type visit struct {
	id         string
	kind       encounterKind
	start, end time.Time
	prac, loc  int
	acute      *ConditionDef
	acuteID    string
	wellness   bool
	// consult marks the follow-up the patient was referred to a specialist for (see planReferral).
	consult bool
	// vitals and labs are the measurements taken at the visit, one line each, for its notes.
	vitals, labs []string
}

// planVisits lays 3–8 encounters over the record window, the first a check-up (or the birth admission for a
// patient born inside the window), some of the rest visits for an acute problem.
func (r *record) planVisits(p *person) []*visit {
	start, end := r.window(p)
	n := p.encounters
	if n == 0 {
		n = 3 + r.rng.IntN(6)
	}
	born := !p.birth.Before(start)
	times := make([]time.Time, 0, n)
	first := 0
	if born {
		times = append(times, p.birth.Add(30*time.Minute))
		first = 1
	}
	span := end.Sub(start)
	rest := n - first
	lo := start
	if born {
		lo = p.birth.Add(49 * time.Hour) // after the 2-day birth stay
	}
	if span < 60*24*time.Hour {
		// a short window (a newborn): evenly spaced
		step := end.Sub(lo) / time.Duration(rest+1)
		for i := 1; i <= rest; i++ {
			times = append(times, lo.Add(step*time.Duration(i)).Truncate(time.Minute))
		}
	} else {
		var drawn []time.Time
		for i := 0; i < rest; i++ {
			off := time.Duration(r.rng.Int64N(int64(end.Sub(lo)/time.Minute))) * time.Minute
			day := lo.Add(off).Truncate(24 * time.Hour)
			t := day.Add(13*time.Hour + time.Duration(r.rng.IntN(8*60))*time.Minute) // 8:00–16:00 US Eastern
			if t.Before(lo) {
				t = lo.Add(time.Hour)
			}
			if t.After(end.Add(-4 * time.Hour)) {
				t = end.Add(-4 * time.Hour)
			}
			drawn = append(drawn, t)
		}
		slices.SortFunc(drawn, func(a, b time.Time) int { return a.Compare(b) })
		times = append(times, drawn...)
	}

	pool := r.g.pool
	pcp := pool.practitioners[p.pcp]
	visits := make([]*visit, n)
	for i, t := range times {
		v := &visit{start: t, prac: p.pcp, loc: pool.clinic(pcp.Org)}
		switch {
		case i == 0 && born:
			v.kind = encBirth
			v.loc = pool.clinic(hospitalOrg)
			if pr := pool.byOrgAndSpecialty(hospitalOrg, nuccPediatrics); pr >= 0 {
				v.prac = pr
			}
		case i == 0:
			v.kind, v.wellness = r.wellness(p, t), true
		default:
			v.kind, v.wellness = r.wellness(p, t), true
			if len(p.chronic) > 0 && chance(r.rng, 300) {
				v.kind, v.wellness = encFollowUp, false
			}
		}
		visits[i] = v
	}
	if !p.noAcute {
		r.assignAcute(p, visits)
	}
	// enforce order and non-overlap after kinds (and durations) are known
	for i, v := range visits {
		if i > 0 && v.start.Before(visits[i-1].end.Add(time.Hour)) {
			v.start = visits[i-1].end.Add(time.Hour)
		}
		v.end = v.start.Add(time.Duration(v.kind.Minutes) * time.Minute)
	}
	for _, v := range visits {
		v.id = r.nextID()
	}
	return visits
}

func (r *record) wellness(p *person, t time.Time) encounterKind {
	if years(p.birth, t) < 18 {
		return encWellChild
	}
	return encWellAdult
}

// assignAcute turns 1–3 visits after the first into visits for an acute problem.
func (r *record) assignAcute(p *person, visits []*visit) {
	if len(visits) < 2 {
		return
	}
	want := 1 + r.rng.IntN(min(3, len(visits)-1))
	order := r.rng.Perm(len(visits) - 1)
	pool := r.g.pool
	for _, k := range order {
		if want == 0 {
			break
		}
		v := visits[k+1]
		if v.kind == encBirth {
			continue
		}
		c := r.drawAcute(years(p.birth, v.start), p.gender)
		if c == nil {
			continue
		}
		want--
		v.acute, v.wellness, v.kind = c, false, encSymptom
		if c.Injury {
			v.kind = encEmergency
			v.loc = pool.erLocation()
			if pr := pool.byOrgAndSpecialty(hospitalOrg, nuccEmergency); pr >= 0 {
				v.prac = pr
			}
		}
	}
}

func (r *record) drawAcute(age int, gender string) *ConditionDef {
	total := 0
	for i := range conditionCatalog {
		c := &conditionCatalog[i]
		if !c.Chronic && eligible(c, age, gender) {
			total += c.PerMil
		}
	}
	if total == 0 {
		return nil
	}
	n := r.rng.IntN(total)
	for i := range conditionCatalog {
		c := &conditionCatalog[i]
		if c.Chronic || !eligible(c, age, gender) {
			continue
		}
		if n < c.PerMil {
			return c
		}
		n -= c.PerMil
	}
	return nil
}

// encounterResource writes one planned visit.
func (r *record) encounterResource(p *person, v *visit) {
	pool := r.g.pool
	pr := pool.practitioners[v.prac]
	loc := pool.locations[v.loc]
	e := encounter{
		header:     hdr("Encounter", v.id, ProfileEncounter),
		Identifier: []Identifier{{System: SystemEncounter, Value: v.id}},
		Status:     "finished",
		Class:      Coding{System: SystemActCode, Code: v.kind.Class, Display: v.kind.ClassDisplay},
		Type:       []CodeableConcept{cc(v.kind.Type.System, v.kind.Type.Code, v.kind.Type.Display)},
		Subject:    &Reference{Reference: "Patient/" + p.key},
		Participant: []encounterParticipant{{
			Type:       []CodeableConcept{ccs(SystemParticipationType, "ATND", "attender")},
			Period:     &Period{Start: fhirDateTime(v.start), End: fhirDateTime(v.end)},
			Individual: &Reference{Reference: "Practitioner/" + pr.ID, Display: pr.Name},
		}},
		Period:          &Period{Start: fhirDateTime(v.start), End: fhirDateTime(v.end)},
		Hospitalization: &encounterHospitalization{DischargeDisposition: ccsPtr(SystemDischargeDisp, "home", "Home")},
		Location:        []encounterLocation{{Location: Reference{Reference: "Location/" + loc.ID, Display: loc.Name}}},
		ServiceProvider: &Reference{Reference: "Organization/" + pool.providers[loc.Org].ID, Display: pool.providers[loc.Org].Name},
	}
	switch {
	case v.acute != nil:
		e.ReasonCode = []CodeableConcept{cc(SystemSNOMED, v.acute.Code, v.acute.Display)}
		e.ReasonReference = []Reference{{Reference: "Condition/" + v.acuteID}}
	case v.kind == encBirth:
		// the newborn examination is the reason for the birth stay in the child's own record
		e.ReasonCode = []CodeableConcept{cc(SystemSNOMED, encWellChild.Type.Code, encWellChild.Type.Display)}
	case v.kind == encFollowUp && len(r.chronicIDs) > 0:
		i := followUpOf(r, v)
		c := p.chronic[i]
		e.ReasonCode = []CodeableConcept{cc(SystemSNOMED, c.Code, c.Display)}
		e.ReasonReference = []Reference{{Reference: "Condition/" + r.chronicIDs[i]}}
	default:
		e.ReasonCode = []CodeableConcept{cc(checkUpReason.System, checkUpReason.Code, checkUpReason.Display)}
	}
	r.add("Encounter", v.id, e)
}

// followUpOf is the index in person.chronic of the condition a follow-up visit is for: the referred
// condition at the specialist's consultation, else the first chronic condition.
func followUpOf(r *record, v *visit) int {
	if v.consult && r.referred >= 0 {
		return r.referred
	}
	return 0
}

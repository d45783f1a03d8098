package synth

import (
	"time"
)

// clinicalProfile draws the chronic conditions, allergies, habits, body build, care team and payer of a
// random patient. Chronic conditions are drawn for the age at the start of the record window, so every
// encounter in the record already shows their effects.
func (r *record) clinicalProfile(p *person) {
	start, _ := r.window(p)
	age := years(p.birth, start)
	for i := range conditionCatalog {
		c := &conditionCatalog[i]
		if !c.Chronic || !eligible(c, age, p.gender) {
			continue
		}
		perMil := c.PerMil
		if c.Boost60 && age >= 60 {
			perMil *= 2
		}
		if c.Key == condPrediabetes && p.has(condDiabetes) {
			continue
		}
		if chance(r.rng, perMil) {
			p.chronic = append(p.chronic, c)
		}
	}
	for len(p.chronic) > 4 {
		i := r.rng.IntN(len(p.chronic))
		p.chronic = append(p.chronic[:i], p.chronic[i+1:]...)
	}
	if len(p.chronic) == 0 && age >= 2 {
		var options []*ConditionDef
		for i := range conditionCatalog {
			c := &conditionCatalog[i]
			if c.Chronic && eligible(c, age, p.gender) && c.Key != condDiabetes && c.Key != condCKD {
				options = append(options, c)
			}
		}
		if len(options) > 0 {
			p.chronic = append(p.chronic, options[r.rng.IntN(len(options))])
		}
	}
	switch n := r.rng.IntN(100); {
	case n < 25:
		p.allergies = r.drawAllergies(1)
	case n < 35:
		p.allergies = r.drawAllergies(2)
	}
	r.body(p)
	r.careTeam(p)
}

func (p *person) has(key string) bool {
	for _, c := range p.chronic {
		if c.Key == key {
			return true
		}
	}
	return false
}

func (r *record) drawAllergies(n int) []*AllergyDef {
	var out []*AllergyDef
	for len(out) < n {
		a := &allergyCatalog[r.rng.IntN(len(allergyCatalog))]
		if len(out) == 0 || out[0] != a {
			out = append(out, a)
		}
	}
	return out
}

// body draws growth deviations, the adult BMI (≥ 30 with obesity) and the smoking status.
func (r *record) body(p *person) {
	p.heightF = int(between(r.rng, -60, 60))
	p.weightF = int(between(r.rng, -120, 160))
	p.headF = int(between(r.rng, -40, 40))
	if p.has(condObesity) {
		p.bmi = between(r.rng, 310, 420)
	} else {
		p.bmi = between(r.rng, 195, 290)
	}
	switch n := r.rng.IntN(100); {
	case p.has(condCOPD) && n < 60:
		p.smoking = smokingStatuses[1]
	case p.has(condCOPD), n < 12:
		p.smoking = smokingStatuses[2]
	case n < 16:
		p.smoking = smokingStatuses[3]
	case n < 36:
		p.smoking = smokingStatuses[1]
	default:
		p.smoking = smokingStatuses[0]
	}
}

// careTeam picks the primary care practitioner (a pediatrician for children) and the payer.
func (r *record) careTeam(p *person) {
	child := years(p.birth, r.now()) < 18
	pcps := r.g.pool.primaryCare(child)
	p.pcp = pcps[r.rng.IntN(len(pcps))]
	age := years(p.birth, r.now())
	switch {
	case age >= 65:
		p.payer = 0 // Medicare
	case chance(r.rng, 200):
		p.payer = 1 // Medicaid
	default:
		p.payer = 2 + r.rng.IntN(len(r.g.pool.payers)-2)
	}
}

// window is the span the record covers: the last Years years, never before birth, ending a day before
// death (or an hour before the reference date).
func (r *record) window(p *person) (time.Time, time.Time) {
	start := r.now().AddDate(-r.g.opt.Years, 0, 0)
	if p.birth.After(start) {
		start = p.birth
	}
	end := r.now().Add(-time.Hour)
	if !p.death.IsZero() && p.death.Add(-24*time.Hour).Before(end) {
		end = p.death.Add(-24 * time.Hour)
	}
	if end.Before(start) {
		end = start
	}
	return start, end
}

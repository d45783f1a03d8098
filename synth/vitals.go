package synth

import (
	"time"
)

// Vital signs, age-appropriate (US Core vital signs profiles), all taken at the encounter's start so an
// encounter and its observations share their date. Growth follows median curves (CDC/WHO, rounded) scaled
// by the patient's own percentile; adults' weight follows their BMI.

// growth medians by age in months: height in mm, weight in 0.1 kg, head circumference in mm.
var (
	growthMonths   = []int{0, 3, 6, 12, 18, 24, 36, 48, 60, 72, 84, 96, 108, 120, 132, 144, 156, 168, 180, 192, 204, 216}
	heightMale     = []int64{500, 615, 675, 760, 825, 875, 960, 1030, 1100, 1160, 1220, 1280, 1335, 1390, 1440, 1500, 1565, 1640, 1700, 1735, 1755, 1765}
	heightFemale   = []int64{490, 600, 655, 745, 810, 860, 950, 1020, 1090, 1150, 1210, 1275, 1330, 1385, 1445, 1510, 1565, 1600, 1620, 1625, 1630, 1632}
	weightMale     = []int64{35, 64, 79, 96, 109, 122, 143, 163, 184, 206, 230, 256, 286, 318, 357, 400, 455, 510, 560, 605, 640, 670}
	weightFemale   = []int64{34, 59, 73, 89, 102, 115, 138, 160, 180, 202, 226, 254, 286, 322, 365, 410, 455, 490, 515, 535, 550, 560}
	headCircMonths = []int{0, 3, 6, 12, 18, 24, 36}
	headCirc       = []int64{345, 405, 430, 460, 475, 485, 495}
)

// interpolate returns the median at ageMonths (piecewise linear, integer arithmetic).
func interpolate(at []int, values []int64, ageDays int64) int64 {
	ageM := ageDays * 12 / 365 // whole months are enough between table points
	if ageM <= int64(at[0]) {
		return values[0]
	}
	for i := 1; i < len(at); i++ {
		if ageM <= int64(at[i]) {
			d0, d1 := int64(at[i-1])*365/12, int64(at[i])*365/12
			return values[i-1] + (values[i]-values[i-1])*(ageDays-d0)/(d1-d0)
		}
	}
	return values[len(values)-1]
}

func scalePermil(v int64, f int) int64 { return v * int64(1000+f) / 1000 }

func clamp(v, lo, hi int64) int64 { return max(lo, min(hi, v)) }

// heightMM is the patient's height at t, with a small loss after 70.
func heightMM(p *person, t time.Time) int64 {
	days := int64(t.Sub(p.birth) / (24 * time.Hour))
	table := heightMale
	if p.birthSex == "F" {
		table = heightFemale
	}
	h := scalePermil(interpolate(growthMonths, table, days), p.heightF)
	if y := years(p.birth, t); y > 70 {
		h -= int64(y-70) * 2
	}
	return h
}

// weight returns the weight in 0.1 kg at t.
func (r *record) weight(p *person, t time.Time, h int64) int64 {
	if years(p.birth, t) >= 18 {
		bmi := p.bmi + between(r.rng, -8, 8)
		if p.has(condObesity) {
			bmi = max(bmi, 305)
		} else {
			bmi = min(bmi, 295)
		}
		return bmi * h * h / 1_000_000
	}
	days := int64(t.Sub(p.birth) / (24 * time.Hour))
	table := weightMale
	if p.birthSex == "F" {
		table = weightFemale
	}
	return scalePermil(interpolate(growthMonths, table, days), p.weightF+int(between(r.rng, -15, 15)))
}

// ageRange picks the healthy range of a vital sign for an age in months.
func ageRange(m int, infant, toddler, preschool, school, teenAdult [2]int64) [2]int64 {
	switch {
	case m < 12:
		return infant
	case m < 36:
		return toddler
	case m < 72:
		return preschool
	case m < 156:
		return school
	}
	return teenAdult
}

// drift returns the patient's value inside rng: a per-patient position (kept for the whole record) plus a
// small visit-to-visit variation, so values vary plausibly over time instead of jumping across the range.
func (r *record) drift(key string, rng [2]int64) int64 {
	pos, ok := r.base[key]
	if !ok {
		pos = between(r.rng, 100, 900)
		r.base[key] = pos
	}
	w := rng[1] - rng[0]
	v := rng[0] + w*pos/1000 + between(r.rng, -w/8, w/8)
	return clamp(v, rng[0], rng[1])
}

func (r *record) vitalSigns(p *person, v *visit) {
	m := months(p.birth, v.start)
	y := years(p.birth, v.start)
	fever := v.acute != nil && v.acute.Febrile
	hypoxic := (v.acute != nil && v.acute.Hypoxic) || p.has(condCOPD)

	if m >= 36 {
		sys, dia := [2]int64{90, 112}, [2]int64{52, 72}
		switch {
		case y >= 18 && p.has(condHypertension):
			sys, dia = [2]int64{142, 182}, [2]int64{91, 112}
		case y >= 18:
			sys, dia = [2]int64{102, 134}, [2]int64{64, 86}
		case y >= 13:
			sys, dia = [2]int64{100, 124}, [2]int64{60, 79}
		}
		r.bloodPressure(p, v, r.drift("sys", sys), r.drift("dia", dia))
	}
	hr := ageRange(m, [2]int64{110, 160}, [2]int64{95, 140}, [2]int64{80, 120}, [2]int64{70, 110}, [2]int64{60, 100})
	hrV := r.drift("hr", hr)
	if fever {
		hrV = min(hrV+10, hr[1])
	}
	r.vital(p, v, loincHeartRate, Dec{hrV, 0}, nil)
	rr := ageRange(m, [2]int64{30, 50}, [2]int64{24, 36}, [2]int64{20, 30}, [2]int64{16, 24}, [2]int64{12, 20})
	r.vital(p, v, loincRespRate, Dec{r.drift("rr", rr), 0}, nil)
	temp := between(r.rng, 364, 373)
	if fever {
		temp = between(r.rng, 381, 394)
	}
	r.vital(p, v, loincTemperature, Dec{temp, 1}, nil)
	spo2 := between(r.rng, 95, 100)
	if hypoxic {
		spo2 = between(r.rng, 88, 94)
	}
	r.vital(p, v, loincSpO2, Dec{spo2, 0}, []Coding{{System: SystemLOINC, Code: loincSpO2Art, Display: vitalByCode[loincSpO2Art].Display}})

	h := heightMM(p, v.start)
	w := r.weight(p, v.start, h)
	r.vital(p, v, loincHeight, Dec{h, 1}, nil) // mm as cm with one decimal
	r.vital(p, v, loincWeight, Dec{w, 1}, nil)
	if m >= 24 {
		r.vital(p, v, loincBMI, Dec{w * 1_000_000 / (h * h), 1}, nil)
	}
	if m >= 24 && m < 240 {
		r.vital(p, v, loincBMIPct, Dec{clamp(int64(50+(p.weightF-p.heightF)/4), 2, 98), 0}, nil)
	}
	if m < 36 {
		days := int64(v.start.Sub(p.birth) / (24 * time.Hour))
		r.vital(p, v, loincHeadCirc, Dec{scalePermil(interpolate(headCircMonths, headCirc, days), p.headF), 1}, nil)
		r.vital(p, v, loincHeadPct, Dec{clamp(int64(50+p.headF), 2, 98), 0}, nil)
		r.vital(p, v, loincWeightLen, Dec{clamp(int64(50+(p.weightF-p.heightF)/3), 2, 98), 0}, nil)
	}
}

func (r *record) vitalObservation(p *person, v *visit, code string, extra []Coding) (string, observation) {
	def := vitalByCode[code]
	id := r.nextID()
	obs := observation{
		header:            hdr("Observation", id, def.Profile),
		Status:            "final",
		Category:          []CodeableConcept{ccs(SystemObsCategory, "vital-signs", "Vital Signs")},
		Code:              CodeableConcept{Coding: append([]Coding{{System: SystemLOINC, Code: code, Display: def.Display}}, extra...), Text: def.Display},
		Subject:           &Reference{Reference: "Patient/" + p.key},
		Encounter:         &Reference{Reference: "Encounter/" + v.id},
		EffectiveDateTime: fhirDateTime(v.start),
		Issued:            fhirInstant(v.start.Add(10 * time.Minute)),
		Performer:         []Reference{{Reference: "Practitioner/" + r.g.pool.practitioners[v.prac].ID}},
	}
	return id, obs
}

func (r *record) vital(p *person, v *visit, code string, value Dec, extra []Coding) {
	id, obs := r.vitalObservation(p, v, code, extra)
	def := vitalByCode[code]
	obs.ValueQuantity = &Quantity{Value: value, Unit: def.Unit, System: SystemUCUM, Code: def.Unit}
	if code == loincSpO2 {
		if value.N < 95 {
			// on supplemental oxygen: the profile's flow-rate and concentration components
			obs.Component = []observationComponent{
				{Code: cc(SystemLOINC, "3151-8", "Inhaled oxygen flow rate"), ValueQuantity: &Quantity{Value: Dec{2, 0}, Unit: "L/min", System: SystemUCUM, Code: "L/min"}},
				{Code: cc(SystemLOINC, "3150-0", "Inhaled oxygen concentration"), ValueQuantity: &Quantity{Value: Dec{28, 0}, Unit: "%", System: SystemUCUM, Code: "%"}},
			}
		}
	}
	v.vitals = append(v.vitals, def.Display+": "+value.String()+" "+def.Unit)
	r.add("Observation", id, obs)
}

func (r *record) bloodPressure(p *person, v *visit, sys, dia int64) {
	id, obs := r.vitalObservation(p, v, loincBP, nil)
	comp := func(code string, val int64) observationComponent {
		return observationComponent{
			Code:          cc(SystemLOINC, code, vitalByCode[code].Display),
			ValueQuantity: &Quantity{Value: Dec{val, 0}, Unit: "mm[Hg]", System: SystemUCUM, Code: "mm[Hg]"},
		}
	}
	obs.Component = []observationComponent{comp(loincSystolic, sys), comp(loincDiastolic, dia)}
	v.vitals = append(v.vitals, "Blood pressure: "+Dec{sys, 0}.String()+"/"+Dec{dia, 0}.String()+" mm[Hg]")
	r.add("Observation", id, obs)
}

// smokingStatus records tobacco use (from 13 years) at one encounter.
func (r *record) smokingStatus(p *person, v *visit) {
	id := r.nextID()
	def := vitalByCode[loincSmoking]
	value := CodeableConcept{Coding: []Coding{p.smoking}, Text: p.smoking.Display}
	r.add("Observation", id, observation{
		header:               hdr("Observation", id, ProfileSmokingStatus),
		Status:               "final",
		Category:             []CodeableConcept{ccs(SystemObsCategory, "social-history", "Social History")},
		Code:                 cc(SystemLOINC, loincSmoking, def.Display),
		Subject:              &Reference{Reference: "Patient/" + p.key},
		Encounter:            &Reference{Reference: "Encounter/" + v.id},
		EffectiveDateTime:    fhirDateTime(v.start),
		Issued:               fhirInstant(v.start.Add(10 * time.Minute)),
		Performer:            []Reference{{Reference: "Practitioner/" + r.g.pool.practitioners[v.prac].ID}},
		ValueCodeableConcept: &value,
	})
}

package synth

import (
	"time"
)

// Social history and screening: an AHC-HRSN social needs screening answered by adults (a US Core
// QuestionnaireResponse with one US Core screening-assessment Observation per answer, derived from it),
// occupation, sexual orientation, and the pregnancy status and intent of women of childbearing age.

// hrsnQuestion is one AHC-HRSN question with its answers (LOINC answer codes); the first answer is the
// one without a social need, and Domain is its SDOH category.
type hrsnQuestion struct {
	Code, Text string
	Domain     Coding
	Answers    []Coding
}

func la(code, display string) Coding {
	return Coding{System: SystemLOINC, Code: code, Display: display}
}

var hrsnQuestions = []hrsnQuestion{
	{"71802-3", "Housing status", Coding{System: SystemSDOHCategory, Code: "housing-instability", Display: "Housing Instability"},
		[]Coding{la("LA31993-1", "I have a steady place to live"), la("LA31994-9", "I have a place to live today, but I am worried about losing it in the future"), la("LA31995-6", "I do not have a steady place to live")}},
	{"88122-7", "Within the past 12 months we worried whether our food would run out before we got money to buy more", Coding{System: SystemSDOHCategory, Code: "food-insecurity", Display: "Food Insecurity"},
		[]Coding{la("LA28398-8", "Never true"), la("LA6729-3", "Sometimes true"), la("LA28397-0", "Often true")}},
	{"93030-5", "Has lack of transportation kept you from medical appointments, meetings, work, or from getting things needed for daily living", Coding{System: SystemSDOHCategory, Code: "transportation-insecurity", Display: "Transportation Insecurity"},
		[]Coding{la("LA32-8", "No"), la("LA33-6", "Yes")}},
	{"96779-4", "Has the electric, gas, oil, or water company threatened to shut off services in your home in past 12 months", Coding{System: SystemSDOHCategory, Code: "utility-insecurity", Display: "Utility Insecurity"},
		[]Coding{la("LA32-8", "No"), la("LA33-6", "Yes"), la("LA32002-0", "Already shut off")}},
}

var (
	catSurvey = ccs(SystemObsCategory, "survey", "Survey")
	catSDOH   = ccs(SystemUSCoreCategory, "sdoh", "SDOH")
	catSocial = ccs(SystemObsCategory, "social-history", "Social History")
)

// hrsnScreening writes the screening at visit v: the QuestionnaireResponse and its Observations. A
// patient on Medicaid reports a social need three times as often.
func (r *record) hrsnScreening(p *person, v *visit) {
	risk := 120
	if p.payer == 1 {
		risk = 360
	}
	answers := make([]Coding, len(hrsnQuestions))
	items := make([]qrItem, len(hrsnQuestions))
	for i, q := range hrsnQuestions {
		a := q.Answers[0]
		if chance(r.rng, risk) {
			a = q.Answers[1+r.rng.IntN(len(q.Answers)-1)]
		}
		answers[i] = a
		items[i] = qrItem{LinkID: q.Code, Text: q.Text, Answer: []qrAnswer{{ValueCoding: &answers[i]}}}
	}
	qrID := r.nextID()
	self := &Reference{Reference: "Patient/" + p.key, Display: p.names[0].Text}
	r.add("QuestionnaireResponse", qrID, questionnaireResponse{
		header:        hdr("QuestionnaireResponse", qrID, ProfileQuestionnaireResp),
		Questionnaire: "http://loinc.org/q/96777-8",
		Status:        "completed",
		Subject:       &Reference{Reference: "Patient/" + p.key},
		Encounter:     &Reference{Reference: "Encounter/" + v.id},
		Authored:      fhirDateTime(v.start),
		Author:        self,
		Source:        self,
		Item:          []qrItem{{LinkID: "96777-8", Text: "Accountable health communities (AHC) health-related social needs screening (HRSN) tool", Item: items}},
	})
	var positive []int
	var answerIDs []string
	for i, q := range hrsnQuestions {
		id := r.nextID()
		value := CodeableConcept{Coding: []Coding{answers[i]}, Text: answers[i].Display}
		if _, ok := hrsnFindings[answers[i].Code]; ok {
			positive = append(positive, i)
			answerIDs = append(answerIDs, id)
		}
		r.add("Observation", id, observation{
			header:               hdr("Observation", id, ProfileScreeningAssessment),
			Status:               "final",
			Category:             []CodeableConcept{catSurvey, catSDOH, ccs(q.Domain.System, q.Domain.Code, q.Domain.Display)},
			Code:                 cc(SystemLOINC, q.Code, q.Text),
			Subject:              &Reference{Reference: "Patient/" + p.key},
			Encounter:            &Reference{Reference: "Encounter/" + v.id},
			EffectiveDateTime:    fhirDateTime(v.start),
			Issued:               fhirInstant(v.start.Add(10 * time.Minute)),
			Performer:            []Reference{*self},
			ValueCodeableConcept: &value,
			DerivedFrom:          []Reference{{Reference: "QuestionnaireResponse/" + qrID}},
		})
	}
	for k, i := range positive {
		r.sdohFinding(p, v, hrsnFindings[answers[i].Code], hrsnQuestions[i].Domain, answerIDs[k])
	}
}

// hrsnFindings are the problems a screening answer establishes (SNOMED CT findings), recorded as US
// Core simple Observations derived from the answer's Observation.
var hrsnFindings = map[string]Coding{
	"LA31995-6": {System: SystemSNOMED, Code: "32911000", Display: "Homeless (finding)"},
	"LA6729-3":  {System: SystemSNOMED, Code: "733423003", Display: "Food insecurity (finding)"},
	"LA28397-0": {System: SystemSNOMED, Code: "733423003", Display: "Food insecurity (finding)"},
}

// sdohFinding writes the finding a screening answer (the Observation answerID) establishes.
func (r *record) sdohFinding(p *person, v *visit, finding, domain Coding, answerID string) {
	id := r.nextID()
	value := CodeableConcept{Coding: []Coding{finding}, Text: finding.Display}
	pr := r.g.pool.practitioners[v.prac]
	r.add("Observation", id, observation{
		header:               hdr("Observation", id, ProfileSimpleObservation),
		Status:               "final",
		Category:             []CodeableConcept{catSDOH, ccs(domain.System, domain.Code, domain.Display)},
		Code:                 cc(SystemSNOMED, "404684003", "Clinical finding (finding)"),
		Subject:              &Reference{Reference: "Patient/" + p.key},
		Encounter:            &Reference{Reference: "Encounter/" + v.id},
		EffectiveDateTime:    fhirDateTime(v.start),
		Issued:               fhirInstant(v.start.Add(20 * time.Minute)),
		Performer:            []Reference{{Reference: "Practitioner/" + pr.ID, Display: pr.Name}},
		ValueCodeableConcept: &value,
		DerivedFrom:          []Reference{{Reference: "Observation/" + answerID}},
	})
}

// occupationDef is a job (CDC Census 2010 occupation) and the industry it is in.
type occupationDef struct{ Occupation, Industry Coding }

var occupations = []occupationDef{
	{Coding{SystemOccupation, "", "2310", "Elementary and middle school teachers"}, Coding{SystemIndustry, "", "7860", "Elementary and secondary schools"}},
	{Coding{SystemOccupation, "", "3255", "Registered nurses"}, Coding{SystemIndustry, "", "8190", "Hospitals"}},
	{Coding{SystemOccupation, "", "4720", "Cashiers"}, Coding{SystemIndustry, "", "4970", "Grocery stores"}},
	{Coding{SystemOccupation, "", "9130", "Driver/sales workers and truck drivers"}, Coding{SystemIndustry, "", "6170", "Truck transportation"}},
	{Coding{SystemOccupation, "", "1020", "Software developers, applications and systems software"}, Coding{SystemIndustry, "", "7380", "Computer systems design and related services"}},
	{Coding{SystemOccupation, "", "6230", "Carpenters"}, Coding{SystemIndustry, "", "0770", "Construction"}},
}

// socialHistory writes, at visit v (an adult's last visit), occupation (working age), sexual orientation
// and, for women 15–49, pregnancy status and intent.
func (r *record) socialHistory(p *person, v *visit) {
	age := years(p.birth, v.start)
	obs := func(profile, code, display string, value Coding) observation {
		id := r.nextID()
		val := CodeableConcept{Coding: []Coding{value}, Text: value.Display}
		return observation{
			header:               hdr("Observation", id, profile),
			Status:               "final",
			Category:             []CodeableConcept{catSocial},
			Code:                 cc(SystemLOINC, code, display),
			Subject:              &Reference{Reference: "Patient/" + p.key},
			Encounter:            &Reference{Reference: "Encounter/" + v.id},
			EffectiveDateTime:    fhirDateTime(v.start),
			Issued:               fhirInstant(v.start.Add(10 * time.Minute)),
			Performer:            []Reference{{Reference: "Practitioner/" + r.g.pool.practitioners[v.prac].ID}},
			ValueCodeableConcept: &val,
		}
	}
	if age >= 18 && age < 67 && chance(r.rng, 850) {
		job := occupations[r.rng.IntN(len(occupations))]
		o := obs(ProfileOccupation, "11341-5", "History of Occupation", job.Occupation)
		since := v.start.AddDate(-int(between(r.rng, 0, int64(age-18))), -r.rng.IntN(12), 0)
		o.EffectiveDateTime, o.EffectivePeriod = "", &Period{Start: fhirDate(since)}
		ind := CodeableConcept{Coding: []Coding{job.Industry}, Text: job.Industry.Display}
		o.Component = []observationComponent{{Code: cc(SystemLOINC, "86188-0", "History of Occupation industry"), ValueCodeableConcept: &ind}}
		r.add("Observation", o.ID, o)
	}
	if age >= 18 {
		var value Coding
		switch n := r.rng.IntN(100); {
		case n < 4:
			value = Coding{System: SystemSNOMED, Code: "38628009", Display: "Homosexual (finding)"}
		case n < 8:
			value = Coding{System: SystemSNOMED, Code: "42035005", Display: "Bisexual (finding)"}
		case n < 11:
			value = Coding{System: SystemDataAbsent, Code: "asked-declined", Display: "Asked But Declined"}
		default:
			value = Coding{System: SystemSNOMED, Code: "20430005", Display: "Heterosexual (finding)"}
		}
		o := obs(ProfileSexualOrientation, "76690-7", "Sexual orientation", value)
		r.add("Observation", o.ID, o)
	}
	if p.birthSex == "F" && age >= 15 && age < 50 {
		status := Coding{System: SystemSNOMED, Code: "60001007", Display: "Not pregnant (finding)"}
		if chance(r.rng, 40) {
			status = Coding{System: SystemSNOMED, Code: "77386006", Display: "Pregnant (finding)"}
		}
		o := obs(ProfilePregnancyStatus, "82810-3", "Pregnancy status", status)
		r.add("Observation", o.ID, o)
		if status.Code == "77386006" {
			return
		}
		intent := Coding{System: SystemSNOMED, Code: "454391000124108", Display: "Does not want to become pregnant (finding)"}
		switch n := r.rng.IntN(100); {
		case n < 20:
			intent = Coding{System: SystemSNOMED, Code: "454381000124105", Display: "Wants to become pregnant (finding)"}
		case n < 30:
			intent = Coding{System: SystemSNOMED, Code: "261665006", Display: "Unknown (qualifier value)"}
		}
		o = obs(ProfilePregnancyIntent, "86645-9", "Future pregnancy intention Reported", intent)
		r.add("Observation", o.ID, o)
	}
}

package synth

// The people around a patient: an emergency contact (a parent for a minor) as a RelatedPerson, the care
// teams (primary care, the specialist a condition was referred to, the emergency department team of an
// emergency visit) and the goals set for conditions with a measurable target.

// relation is a RelatedPerson's relationship to the patient (v3-RoleCode).
type relation struct {
	Code, Display string
	Gender        string // "" = either
}

var (
	relMother   = relation{"MTH", "mother", "female"}
	relFather   = relation{"FTH", "father", "male"}
	relSpouse   = relation{"SPS", "spouse", ""}
	relSibling  = relation{"SIB", "sibling", ""}
	relFriend   = relation{"FRND", "unrelated friend", ""}
	relChild    = relation{"CHILD", "child", ""}
	emergencyCt = ccs(SystemV2RelatedType, "C", "Emergency Contact")
)

// relatedPerson writes the patient's emergency contact and returns its id: a parent for a minor, a
// spouse for a married adult, an adult child for the elderly, else a sibling or friend.
func (r *record) relatedPerson(p *person) string {
	age := years(p.birth, r.now())
	var rel relation
	switch {
	case age < 18:
		rel = relMother
		if chance(r.rng, 300) {
			rel = relFather
		}
	case p.marital != nil && p.marital.Code == "M":
		rel = relSpouse
	case age >= 70:
		rel = relChild
	case chance(r.rng, 500):
		rel = relSibling
	default:
		rel = relFriend
	}
	gender := rel.Gender
	if gender == "" {
		gender = "male"
		if r.rng.IntN(2) == 0 {
			gender = "female"
		}
	}
	given := maleNames[r.rng.IntN(len(maleNames))]
	if gender == "female" {
		given = femaleNames[r.rng.IntN(len(femaleNames))]
	}
	family := p.names[0].Family
	if rel == relFriend {
		family = r.fake.LastName()
	}
	address := p.address
	if rel == relFriend || rel == relChild || rel == relSibling {
		address = []Address{r.address()}
	}
	id := r.nextID()
	r.add("RelatedPerson", id, relatedPerson{
		header:       hdr("RelatedPerson", id, ProfileRelatedPerson),
		Active:       true,
		Patient:      Reference{Reference: "Patient/" + p.key},
		Relationship: []CodeableConcept{ccs(SystemRoleCode, rel.Code, rel.Display), emergencyCt},
		Name:         []HumanName{{Use: "official", Text: given + " " + family, Family: family, Given: []string{given}}},
		Telecom:      []ContactPoint{{System: "phone", Value: r.phone(), Use: "mobile"}},
		Gender:       gender,
		Address:      address,
	})
	return id
}

// Care team categories (LOINC answers) and member roles (SNOMED CT occupations and persons).
var (
	teamLongitudinal = ccs(SystemLOINC, "LA28865-6", "Longitudinal care-coordination focused care team")
	teamCondition    = ccs(SystemLOINC, "LA28867-2", "Condition-focused care team")
	teamEncounter    = ccs(SystemLOINC, "LA27976-2", "Encounter-focused care team")

	rolePatient    = ccs(SystemSNOMED, "116154003", "Patient (person)")
	rolePCP        = ccs(SystemSNOMED, "446050000", "Primary care physician (occupation)")
	roleNP         = ccs(SystemSNOMED, "224571005", "Nurse practitioner (occupation)")
	roleCaregiver  = ccs(SystemSNOMED, "133932002", "Caregiver (person)")
	roleSpecialist = ccs(SystemSNOMED, "309343006", "Physician (occupation)")
	roleEDDoctor   = ccs(SystemSNOMED, "309294001", "Accident and Emergency doctor (occupation)")
)

// careTeams writes the primary care team (inactive once the patient died), the condition-focused team
// of a referral (specialist >= 0) and an inactive encounter-focused team for each emergency visit.
func (r *record) careTeams(p *person, visits []*visit, contactID string, specialist, cond int) {
	pool := r.g.pool
	pcp := pool.practitioners[p.pcp]
	org := pool.providers[pcp.Org]
	first := visits[0]
	member := func(role CodeableConcept, typ, id, display string) careTeamParticipant {
		return careTeamParticipant{Role: []CodeableConcept{role}, Member: &Reference{Reference: typ + "/" + id, Display: display}}
	}
	patient := member(rolePatient, "Patient", p.key, p.names[0].Text)
	primary := careTeam{
		header:      hdr("CareTeam", r.nextID(), ProfileCareTeam),
		Status:      "active",
		Category:    []CodeableConcept{teamLongitudinal},
		Name:        "Primary care team",
		Subject:     &Reference{Reference: "Patient/" + p.key},
		Period:      &Period{Start: fhirDate(first.start)},
		Participant: []careTeamParticipant{patient, member(rolePCP, "Practitioner", pcp.ID, pcp.Name)},
	}
	if np := pool.byOrgAndSpecialty(pcp.Org, nuccFamilyNP); np >= 0 {
		primary.Participant = append(primary.Participant, member(roleNP, "Practitioner", pool.practitioners[np].ID, pool.practitioners[np].Name))
	}
	if contactID != "" {
		primary.Participant = append(primary.Participant, member(roleCaregiver, "RelatedPerson", contactID, ""))
	}
	primary.ManagingOrganization = []Reference{{Reference: "Organization/" + org.ID, Display: org.Name}}
	if !p.death.IsZero() {
		primary.Status = "inactive"
		primary.Period.End = fhirDate(p.death)
	}
	r.add("CareTeam", primary.ID, primary)

	if specialist >= 0 {
		s := pool.practitioners[specialist]
		c := p.chronic[cond]
		team := careTeam{
			header:               hdr("CareTeam", r.nextID(), ProfileCareTeam),
			Status:               primary.Status,
			Category:             []CodeableConcept{teamCondition},
			Name:                 c.Display + " care team",
			Subject:              &Reference{Reference: "Patient/" + p.key},
			Period:               &Period{Start: fhirDate(first.start), End: primary.Period.End},
			Participant:          []careTeamParticipant{patient, member(roleSpecialist, "Practitioner", s.ID, s.Name), member(rolePCP, "Practitioner", pcp.ID, pcp.Name)},
			ReasonReference:      []Reference{{Reference: "Condition/" + r.chronicIDs[cond], Display: c.Display}},
			ManagingOrganization: []Reference{{Reference: "Organization/" + pool.providers[s.Org].ID, Display: pool.providers[s.Org].Name}},
		}
		r.add("CareTeam", team.ID, team)
	}
	for _, v := range visits {
		if v.kind != encEmergency {
			continue
		}
		doc := pool.practitioners[v.prac]
		team := careTeam{
			header:               hdr("CareTeam", r.nextID(), ProfileCareTeam),
			Status:               "inactive",
			Category:             []CodeableConcept{teamEncounter},
			Name:                 "Emergency department team",
			Subject:              &Reference{Reference: "Patient/" + p.key},
			Encounter:            &Reference{Reference: "Encounter/" + v.id},
			Period:               &Period{Start: fhirDateTime(v.start), End: fhirDateTime(v.end)},
			Participant:          []careTeamParticipant{patient, member(roleEDDoctor, "Practitioner", doc.ID, doc.Name)},
			ManagingOrganization: []Reference{{Reference: "Organization/" + pool.providers[hospitalOrg].ID, Display: pool.providers[hospitalOrg].Name}},
		}
		r.add("CareTeam", team.ID, team)
	}
}

// goalDef is the treatment target of a chronic condition (US Core Goal).
type goalDef struct {
	Text    string
	Targets []goalTargetDef
}

type goalTargetDef struct {
	Code, Display string
	Value         Dec
	Unit          string
}

var conditionGoals = map[string]goalDef{
	condDiabetes:       {"Hemoglobin A1c below 7 %", []goalTargetDef{{"4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", Dec{7, 0}, "%"}}},
	condHypertension:   {"Blood pressure below 130/80 mm[Hg]", []goalTargetDef{{loincSystolic, "Systolic blood pressure", Dec{130, 0}, "mm[Hg]"}, {loincDiastolic, "Diastolic blood pressure", Dec{80, 0}, "mm[Hg]"}}},
	condHyperlipidemia: {"LDL cholesterol below 100 mg/dL", []goalTargetDef{{"18262-6", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay", Dec{100, 0}, "mg/dL"}}},
	condObesity:        {"Body mass index below 30 kg/m2", []goalTargetDef{{loincBMI, "Body mass index (BMI) [Ratio]", Dec{30, 0}, "kg/m2"}}},
}

// goals writes the goal of each chronic condition that has one, set at the first visit with a target a
// year later. The patient is not there yet: the generator keeps their values in the condition's range.
func (r *record) goals(p *person, first *visit) {
	pcp := r.g.pool.practitioners[first.prac]
	for i, c := range p.chronic {
		def, ok := conditionGoals[c.Key]
		if !ok {
			continue
		}
		id := r.nextID()
		due := fhirDate(first.start.AddDate(1, 0, 0))
		g := goal{
			header:            hdr("Goal", id, ProfileGoal),
			LifecycleStatus:   "active",
			AchievementStatus: ccsPtr(SystemGoalAchievement, "not-achieving", "Not Achieving"),
			Description:       CodeableConcept{Text: def.Text},
			Subject:           &Reference{Reference: "Patient/" + p.key},
			StartDate:         fhirDate(first.start),
			ExpressedBy:       &Reference{Reference: "Practitioner/" + pcp.ID, Display: pcp.Name},
			Addresses:         []Reference{{Reference: "Condition/" + r.chronicIDs[i], Display: c.Display}},
		}
		for _, t := range def.Targets {
			g.Target = append(g.Target, goalTarget{
				Measure:        &CodeableConcept{Coding: []Coding{{System: SystemLOINC, Code: t.Code, Display: t.Display}}, Text: t.Display},
				DetailQuantity: &Quantity{Value: t.Value, Comparator: "<", Unit: t.Unit, System: SystemUCUM, Code: t.Unit},
				DueDate:        due,
			})
		}
		if !p.death.IsZero() {
			g.LifecycleStatus = "cancelled"
			g.AchievementStatus = nil
		}
		r.add("Goal", id, g)
	}
}

// planReferral picks the specialist of the patient's first co-managed condition and moves their first
// follow-up visit after the first visit to that specialist's clinic (a consultation). It draws nothing,
// so planning stays as it was for everyone else.
func (r *record) planReferral(p *person, visits []*visit) (prac, cond int) {
	pool := r.g.pool
	for i, c := range p.chronic {
		s, ok := specialistFor[c.Key]
		if !ok {
			continue
		}
		j := -1
		for k, pr := range pool.practitioners {
			if pr.Specialty == s {
				j = k
				break
			}
		}
		if j < 0 {
			continue
		}
		for _, v := range visits[1:] {
			if v.kind == encFollowUp {
				v.consult, v.prac, v.loc = true, j, pool.clinic(pool.practitioners[j].Org)
				break
			}
		}
		return j, i
	}
	return -1, -1
}

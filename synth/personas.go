package synth

import (
	"time"
)

// Edge-case personas QA asks for. Each is one record (one emitted batch) whose ids start with
// "<tag>-<name>", so a persona has the same ids whether it is generated alone or with a population.

type personaDef struct {
	Name        string
	Description string
	build       func(r *record) []Resource
}

var personaCatalog = []personaDef{
	{"newborn", "Born three days before the reference date: birth admission, well-child visits, newborn vital signs (head circumference, weight-for-length), hepatitis B dose.", buildNewborn},
	{"centenarian", "101 years old with several chronic conditions and Medicare coverage.", buildCentenarian},
	{"deceased", "Died 200 days before the reference date (deceasedDateTime); nothing in the record happens after death.", buildDeceased},
	{"no-clinical-data", "A Patient resource and nothing else.", buildNoClinicalData},
	{"many-observations", "Type 2 diabetes with twice-daily home glucose readings: more than 5,000 Observations, for paging.", buildManyObservations},
	{"diacritics-name", "Names and address with diacritics (Zoë Anaïs Ångström-Núñez).", buildDiacritics},
	{"non-latin-name", "Official name in Han script (王秀英) with a Latin-script usual name.", buildNonLatin},
	{"long-name", "A name of more than 60 characters.", buildLongName},
	{"same-name-birthdate", "Two different patients with the same name and birth date (different MRN, address and record).", buildSameName},
	{"merged-identity", "Several identifiers (MRN, old MRN, SSN, driver's license, passport) and a replaced duplicate Patient linked with replaces/replaced-by.", buildMerged},
	{"coverage-only", "A Patient with a Coverage and no clinical data.", buildCoverageOnly},
	{"allergy-conflict", "A penicillin allergy and a conflicting \"no known allergy\" assertion.", buildAllergyConflict},
	{"non-binary", "Administrative gender other, gender identity non-binary, birth sex female.", buildNonBinary},
	{"restricted-data", "HIV infection and alcoholism recorded with security labels (R, HIV, ETH); a portal user.", buildRestricted},
}

func (g *generator) persona(i int) built {
	def := personaCatalog[i]
	r := g.newRecord(g.tag + "-" + def.Name)
	r.persona = def.Name
	out := def.build(r)
	return built{out, r.members}
}

// personWith builds a person of a given gender and age, then draws the rest like a random patient.
func (r *record) personWith(gender string, birth time.Time) *person {
	p := &person{key: r.key, gender: gender, birthSex: "M", birth: birth}
	if gender == "female" {
		p.birthSex = "F"
	}
	r.demographics(p)
	r.clinicalProfile(p)
	return p
}

func (r *record) ago(y, d int) time.Time {
	return r.now().AddDate(-y, 0, -d).Add(-time.Duration(between(r.rng, 1, 20)) * time.Hour)
}

func chronicOf(keys ...string) []*ConditionDef {
	out := make([]*ConditionDef, len(keys))
	for i, k := range keys {
		out[i] = conditionByKey[k]
	}
	return out
}

func buildNewborn(r *record) []Resource {
	p := r.personWith("female", r.now().Add(-70*time.Hour))
	p.chronic, p.allergies = nil, nil
	p.encounters, p.noAcute = 3, true
	return r.build(p)
}

func buildCentenarian(r *record) []Resource {
	p := r.personWith("female", r.ago(101, 40))
	p.chronic = chronicOf(condHypertension, "osteoarthritis", "osteoporosis", "alzheimers", "atrial-fibrillation")
	p.smoking = smokingStatuses[0]
	r.body(p)
	return r.build(p)
}

func buildDeceased(r *record) []Resource {
	p := r.personWith("male", r.ago(78, 120))
	p.death = r.now().AddDate(0, 0, -200).Add(-5 * time.Hour)
	p.chronic = chronicOf(condHeartFailure, condHypertension, condDiabetes)
	r.body(p)
	return r.build(p)
}

func buildNoClinicalData(r *record) []Resource {
	p := r.personWith("male", r.ago(42, 10))
	p.content = contentPatientOnly
	return r.build(p)
}

func buildManyObservations(r *record) []Resource {
	p := r.personWith("male", r.ago(58, 200))
	p.chronic = chronicOf(condDiabetes, condHypertension)
	p.glucometerDays = 2600
	r.body(p)
	return r.build(p)
}

func buildDiacritics(r *record) []Resource {
	p := r.personWith("female", r.ago(36, 77))
	p.names = []HumanName{{Use: "official", Text: "Zoë Anaïs Ångström-Núñez", Family: "Ångström-Núñez", Given: []string{"Zoë", "Anaïs"}, Prefix: []string{"Ms."}}}
	p.address = []Address{{Use: "home", Line: []string{"12 Calle Señora Peña"}, City: "Española", State: "NM", PostalCode: "87532", Country: "US"}}
	return r.build(p)
}

func buildNonLatin(r *record) []Resource {
	p := r.personWith("female", r.ago(64, 5))
	p.names = []HumanName{
		{Use: "official", Text: "王秀英", Family: "王", Given: []string{"秀英"}},
		{Use: "usual", Text: "Xiuying Wang", Family: "Wang", Given: []string{"Xiuying"}},
	}
	p.language = Coding{SystemBCP47, "", "zh", "Chinese"}
	p.race = raceCategories[2].Coding
	return r.build(p)
}

func buildLongName(r *record) []Resource {
	p := r.personWith("female", r.ago(29, 300))
	given := []string{"Maria", "Guadalupe", "Alejandra", "Esperanza"}
	family := "Fernández de Córdoba y Montenegro-Villalobos"
	p.names = []HumanName{{Use: "official", Text: "Maria Guadalupe Alejandra Esperanza " + family, Family: family, Given: given}}
	return r.build(p)
}

func buildSameName(r *record) []Resource {
	birth := r.ago(45, 133)
	a := r.personWith("male", birth)
	a.names = []HumanName{{Use: "official", Text: "John Smith", Family: "Smith", Given: []string{"John"}, Prefix: []string{"Mr."}}}
	out := r.build(a)

	// The second patient's id continues the record's sequence, so both stay in one batch.
	b := &person{key: r.nextID(), gender: "male", birthSex: "M", birth: birth}
	r.demographics(b)
	r.clinicalProfile(b)
	b.names = a.names
	r.out = nil
	r.targets = nil
	r.chronicIDs = nil
	r.base = map[string]int64{}
	return append(out, r.build(b)...)
}

func buildMerged(r *record) []Resource {
	oldID := r.nextID()
	p := r.personWith("female", r.ago(51, 18))
	oldMRN := p.mrn + "-OLD"
	if p.ssn == "" {
		p.ssn = "999-" + digits(r, 2) + "-" + digits(r, 4)
	}
	p.extraIdentifiers = []Identifier{
		{Use: "old", Type: ccsPtr(SystemV2IdentifierType, "MR", "Medical Record Number"), System: SystemMRN, Value: oldMRN, Period: &Period{End: fhirDate(r.now().AddDate(-2, 0, 0))}},
		{Use: "secondary", Type: ccsPtr(SystemV2IdentifierType, "DL", "Driver's license number"), System: "urn:oid:2.16.840.1.113883.4.3.25", Value: "S" + digits(r, 8)},
		{Use: "secondary", Type: ccsPtr(SystemV2IdentifierType, "PPN", "Passport number"), System: "http://hl7.org/fhir/sid/passport-USA", Value: digits(r, 9)},
	}
	p.links = []patientLink{{Other: Reference{Reference: "Patient/" + oldID}, Type: "replaces"}}
	out := r.build(p)

	old := *p
	old.key, old.mrn, old.ssn, old.inactive, old.portal = oldID, oldMRN, "", true, false
	old.extraIdentifiers = nil
	old.links = []patientLink{{Other: Reference{Reference: "Patient/" + p.key}, Type: "replaced-by"}}
	r.out = nil
	r.patientResource(&old)
	return append(out, r.out...)
}

func buildCoverageOnly(r *record) []Resource {
	p := r.personWith("female", r.ago(27, 60))
	p.content = contentCoverageOnly
	return r.build(p)
}

func buildAllergyConflict(r *record) []Resource {
	p := r.personWith("male", r.ago(33, 90))
	p.allergies = []*AllergyDef{&allergyCatalog[0]}
	p.nka = true
	return r.build(p)
}

func buildNonBinary(r *record) []Resource {
	p := r.personWith("other", r.ago(24, 150))
	p.birthSex = "F"
	p.identity = &genderIdentityNonBinary
	return r.build(p)
}

func buildRestricted(r *record) []Resource {
	p := r.personWith("male", r.ago(34, 222))
	p.chronic = chronicOf(condHIV, "alcoholism", "allergic-rhinitis")
	p.portal = true
	return r.build(p)
}

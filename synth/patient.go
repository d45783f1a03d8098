package synth

import (
	"strconv"
	"strings"
	"time"
)

// person is every decision about one patient taken before any resource is written; personas are persons
// with some decisions overridden.
type person struct {
	key, mrn string
	gender   string // administrative gender
	birthSex string // US Core birth sex: M, F
	identity *Coding
	birth    time.Time
	death    time.Time // zero while alive
	names    []HumanName
	telecom  []ContactPoint
	address  []Address
	race     Coding
	hispanic bool
	language Coding
	marital  *Coding
	ssn      string

	extraIdentifiers []Identifier
	links            []patientLink
	inactive         bool
	portal           bool

	chronic   []*ConditionDef
	allergies []*AllergyDef
	nka       bool // asserts "no known allergy" (with or without real allergies)
	smoking   Coding
	pcp       int // index into pool.practitioners
	payer     int // index into pool.payers

	// body: permille deviations from median growth, and the adult BMI in tenths
	heightF, weightF, headF int
	bmi                     int64

	content        content
	encounters     int  // fixed encounter count; 0 draws 3..8
	noAcute        bool // no encounter for symptom (newborn)
	glucometerDays int  // home glucose readings twice a day for this many days (paging persona)
}

type content int

const (
	contentFull content = iota
	contentPatientOnly
	contentCoverageOnly
)

// ageBands spread random patients over all ages, newborns to 104.
var ageBands = []struct{ lo, hi, weight int }{
	{0, 2, 8}, {2, 18, 17}, {18, 45, 30}, {45, 65, 25}, {65, 85, 15}, {85, 105, 5},
}

func (r *record) newPerson() *person {
	p := &person{key: r.key}
	p.gender = "male"
	p.birthSex = "M"
	if r.rng.IntN(2) == 0 {
		p.gender, p.birthSex = "female", "F"
	}
	w := r.rng.IntN(100)
	band := ageBands[len(ageBands)-1]
	for _, b := range ageBands {
		if w < b.weight {
			band = b
			break
		}
		w -= b.weight
	}
	days := between(r.rng, int64(max(band.lo*365, 30)), int64(band.hi*365))
	p.birth = r.now().AddDate(0, 0, -int(days)).Add(-time.Duration(between(r.rng, 1, 23)) * time.Hour)

	age := years(p.birth, r.now())
	if age >= 50 && chance(r.rng, 60) {
		// died within the record window, at least a month before the reference date
		span := int64(r.g.opt.Years) * 365 / 2
		p.death = r.now().AddDate(0, 0, -int(between(r.rng, 30, max(31, span)))).Add(-time.Duration(between(r.rng, 0, 600)) * time.Minute)
	}
	r.demographics(p)
	r.clinicalProfile(p)
	return p
}

// demographics fills names, contacts and the US Core extensions.
func (r *record) demographics(p *person) {
	adult := years(p.birth, r.now()) >= 18
	given := maleNames[r.rng.IntN(len(maleNames))]
	if p.gender == "female" {
		given = femaleNames[r.rng.IntN(len(femaleNames))]
	}
	family := r.fake.LastName()
	official := HumanName{Use: "official", Family: family, Given: []string{given}}
	if chance(r.rng, 400) {
		official.Given = append(official.Given, r.fake.MiddleName())
	}
	if adult {
		official.Prefix = []string{map[string]string{"male": "Mr.", "female": "Ms."}[p.gender]}
		if official.Prefix[0] == "" {
			official.Prefix[0] = "Mx."
		}
	}
	official.Text = strings.Join(official.Given, " ") + " " + family
	p.names = []HumanName{official}
	if nick, ok := nicknames[given]; ok && chance(r.rng, 500) {
		p.names = append(p.names, HumanName{Use: "nickname", Given: []string{nick}, Family: family, Text: nick + " " + family})
	}
	p.telecom = []ContactPoint{{System: "phone", Value: r.phone(), Use: "home"}}
	if years(p.birth, r.now()) >= 13 {
		p.telecom = append(p.telecom, ContactPoint{System: "phone", Value: r.phone(), Use: "mobile"},
			ContactPoint{System: "email", Value: emailFor(given, family, r.rng.IntN(100)), Use: "home"})
	}
	p.address = []Address{r.address()}
	p.race = pickWeighted(r.rng, raceCategories)
	p.language = pickWeighted(r.rng, languages)
	p.hispanic = chance(r.rng, 160) || (p.language.Code == "es" && chance(r.rng, 900))
	if adult {
		m := pickWeighted(r.rng, maritalStatuses)
		p.marital = &m
		if chance(r.rng, 600) {
			p.ssn = "999-" + digits(r, 2) + "-" + digits(r, 4) // area 999 is never issued
		}
	}
	p.mrn = strings.ToUpper(p.key)
}

func emailFor(given, family string, n int) string {
	local := strings.ToLower(given + "." + family + strconv.Itoa(n))
	local = strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' {
			return c
		}
		return -1
	}, local)
	return local + "@example.com"
}

func digits(r *record, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.rng.IntN(10))
	}
	return string(b)
}

// phone is a North American number in the 555-01xx range reserved for fiction.
func (r *record) phone() string {
	return "(" + strconv.Itoa(200+r.rng.IntN(800)) + ") 555-01" + digits(r, 2)
}

// address composes the street itself: gofakeit's Address draws the unit twice (see performance notes).
func (r *record) address() Address {
	return Address{
		Use:        "home",
		Line:       []string{r.fake.StreetNumber() + " " + capitalize(r.fake.StreetName()) + " " + capitalize(r.fake.StreetSuffix())},
		City:       r.fake.City(),
		State:      r.fake.StateAbr(),
		PostalCode: r.fake.Zip(),
		Country:    "US",
	}
}

// patientResource writes the Patient with every US Core Must Support element the person has.
func (r *record) patientResource(p *person) {
	pt := patient{header: hdr("Patient", p.key, ProfilePatient)}
	if p.portal {
		pt.Meta.Tag = []Coding{PortalUserTag}
	}
	if r.persona != "" {
		pt.Meta.Tag = append(pt.Meta.Tag, PersonaTag(r.persona))
	}
	pt.Extension = []Extension{
		{URL: extRace, Extension: []Extension{{URL: "ombCategory", ValueCoding: &p.race}, {URL: "text", ValueString: p.race.Display}}},
		ethnicityExtension(p.hispanic),
		{URL: extBirthSex, ValueCode: p.birthSex},
	}
	if p.identity != nil {
		pt.Extension = append(pt.Extension, Extension{URL: extGenderIdentity, ValueCodeableConcept: &CodeableConcept{Coding: []Coding{*p.identity}, Text: p.identity.Display}})
	}
	pt.Identifier = []Identifier{{Use: "usual", Type: ccsPtr(SystemV2IdentifierType, "MR", "Medical Record Number"), System: SystemMRN, Value: p.mrn}}
	if p.ssn != "" {
		pt.Identifier = append(pt.Identifier, Identifier{Use: "official", Type: ccsPtr(SystemV2IdentifierType, "SS", "Social Security number"), System: SystemSSN, Value: p.ssn})
	}
	pt.Identifier = append(pt.Identifier, p.extraIdentifiers...)
	active := !p.inactive
	pt.Active = &active
	pt.Name = p.names
	pt.Telecom = p.telecom
	pt.Gender = p.gender
	pt.BirthDate = fhirDate(p.birth)
	if !p.death.IsZero() {
		pt.DeceasedDateTime = fhirDateTime(p.death)
	} else {
		f := false
		pt.DeceasedBoolean = &f
	}
	pt.Address = p.address
	if p.marital != nil {
		m := cc(p.marital.System, p.marital.Code, p.marital.Display)
		pt.MaritalStatus = &m
	}
	pt.Communication = []patientCommunication{{Language: cc(p.language.System, p.language.Code, p.language.Display), Preferred: true}}
	pcp := r.g.pool.practitioners[p.pcp]
	pt.GeneralPractitioner = []Reference{{Reference: "Practitioner/" + pcp.ID, Display: pcp.Name}}
	pt.ManagingOrganization = &Reference{Reference: "Organization/" + r.g.pool.providers[pcp.Org].ID, Display: r.g.pool.providers[pcp.Org].Name}
	pt.Link = p.links
	r.add("Patient", p.key, pt)
	if !p.inactive {
		r.members = append(r.members, member{id: p.key, pediatric: p.death.IsZero() && years(p.birth, r.now()) < 18, diabetic: p.has(condDiabetes)})
	}
}

// PersonaTag marks the Patients of an edge-case persona (code "persona-<name>"), so QA can find them by
// searching _tag=https://valet.dev/fhir/tags|persona-newborn and the control panel can badge them.
func PersonaTag(name string) Coding {
	return Coding{System: SystemTags, Code: "persona-" + name, Display: "Valet persona: " + name}
}

// PortalUserTag marks Patients who can sign in to the sandbox as themselves (patient-facing apps).
var PortalUserTag = Coding{System: SystemTags, Code: "portal-user", Display: "Patient portal user"}

func ethnicityExtension(hispanic bool) Extension {
	c := ethnicityNotHispanic
	if hispanic {
		c = ethnicityHispanic
	}
	return Extension{URL: extEthnicity, Extension: []Extension{{URL: "ombCategory", ValueCoding: &c}, {URL: "text", ValueString: c.Display}}}
}

// coverageResource writes the patient's one Coverage.
func (r *record) coverageResource(p *person, start time.Time) {
	payer := r.g.pool.payers[p.payer]
	id := r.nextID()
	member := "M" + digits(r, 9)
	cv := coverage{
		header:       hdr("Coverage", id, ProfileCoverage),
		Identifier:   []Identifier{{Type: ccsPtr(SystemV2IdentifierType, "MB", "Member Number"), System: SystemMember, Value: member}},
		Status:       "active",
		Type:         &CodeableConcept{Coding: []Coding{payer.Payer}, Text: payer.Payer.Display},
		SubscriberID: member,
		Beneficiary:  Reference{Reference: "Patient/" + p.key},
		Relationship: ccsPtr(SystemSubscriberRel, "self", "Self"),
		Period:       &Period{Start: fhirDate(start)},
		Payor:        []Reference{{Reference: "Organization/" + payer.ID, Display: payer.Name}},
		Class: []coverageClass{
			{Type: ccs(SystemCoverageClass, "group", "Group"), Value: "G" + digits(r, 5), Name: payer.Name + " group"},
			{Type: ccs(SystemCoverageClass, "plan", "Plan"), Value: "P" + digits(r, 3), Name: payer.Name + " standard plan"},
		},
	}
	if !p.death.IsZero() {
		cv.Status = "cancelled"
		cv.Period.End = fhirDate(p.death)
	}
	r.add("Coverage", id, cv)
}

// years is the age in whole years at t.
func years(birth, t time.Time) int {
	y := t.Year() - birth.Year()
	if t.Month() < birth.Month() || (t.Month() == birth.Month() && t.Day() < birth.Day()) {
		y--
	}
	return y
}

// months is the age in whole months at t.
func months(birth, t time.Time) int {
	m := (t.Year()-birth.Year())*12 + int(t.Month()) - int(birth.Month())
	if t.Day() < birth.Day() {
		m--
	}
	return m
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

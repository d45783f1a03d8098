package synth

import (
	"strconv"
	"strings"
)

// The shared pool: provider and payer Organizations, Locations, Practitioners (with NPIs) and their
// PractitionerRoles. Encounters, reports and coverages of every record point into it; the practitioners
// are the sandbox's clinician login users. It depends only on the seed.

type poolOrg struct {
	ID, Name string
	Payer    Coding // SOPT payer type, for payers
}

type poolLocation struct {
	ID, Name string
	Org      int
	ER       bool
}

type poolPractitioner struct {
	ID, RoleID, Name string
	Specialty        Coding
	Org, Location    int
}

type pool struct {
	resources     []Resource
	providers     []poolOrg
	payers        []poolOrg
	locations     []poolLocation
	practitioners []poolPractitioner
}

var (
	nuccFamily     = Coding{SystemNUCC, "", "207Q00000X", "Family Medicine Physician"}
	nuccInternal   = Coding{SystemNUCC, "", "207R00000X", "Internal Medicine Physician"}
	nuccPediatrics = Coding{SystemNUCC, "", "208000000X", "Pediatrics Physician"}
	nuccEmergency  = Coding{SystemNUCC, "", "207P00000X", "Emergency Medicine Physician"}
	nuccFamilyNP   = Coding{SystemNUCC, "", "363LF0000X", "Family Nurse Practitioner"}
	nuccCardiology = Coding{SystemNUCC, "", "207RC0000X", "Cardiovascular Disease Physician"}
	nuccEndocrine  = Coding{SystemNUCC, "", "207RE0101X", "Endocrinology, Diabetes & Metabolism Physician"}
	nuccNephrology = Coding{SystemNUCC, "", "207RN0300X", "Nephrology Physician"}
)

// practitionerPlan fixes each practitioner's specialty and organization (index into providers).
var practitionerPlan = []struct {
	Specialty Coding
	Org       int
}{
	{nuccFamily, 0}, {nuccFamily, 0}, {nuccFamilyNP, 0}, {nuccPediatrics, 0},
	{nuccInternal, 1}, {nuccInternal, 1}, {nuccCardiology, 1}, {nuccEndocrine, 1},
	{nuccPediatrics, 2}, {nuccPediatrics, 2}, {nuccFamilyNP, 2},
	{nuccEmergency, 3}, {nuccEmergency, 3}, {nuccNephrology, 3}, {nuccInternal, 3},
	{nuccFamily, 4}, {nuccFamily, 4}, {nuccInternal, 4}, {nuccPediatrics, 4}, {nuccFamilyNP, 4},
}

// hospitalOrg runs the emergency department.
const hospitalOrg = 3

func buildPool(g *generator) *pool {
	r := g.newRecord(g.tag + "-pool")
	p := &pool{}
	counts := map[string]int{}
	id := func(kind string) string {
		counts[kind]++
		s := strconv.Itoa(counts[kind])
		if len(s) < 2 {
			s = "0" + s
		}
		return g.tag + "-" + kind + "-" + s
	}

	suffixes := []string{"Family Health Center", "Internal Medicine Associates", "Children's Clinic", "General Hospital", "Community Health"}
	for _, suffix := range suffixes {
		city := r.fake.City()
		o := poolOrg{ID: id("org"), Name: city + " " + suffix}
		p.providers = append(p.providers, o)
		addr := r.address()
		r.add("Organization", o.ID, organization{
			header:     hdr("Organization", o.ID, ProfileOrganization),
			Identifier: []Identifier{{System: SystemNPI, Value: npi(r.rng)}},
			Active:     true,
			Type:       []CodeableConcept{ccs(SystemOrgType, "prov", "Healthcare Provider")},
			Name:       o.Name,
			Telecom:    []ContactPoint{{System: "phone", Value: r.phone(), Use: "work"}},
			Address:    []Address{addr},
		})
		loc := poolLocation{ID: id("loc"), Name: o.Name, Org: len(p.providers) - 1}
		p.locations = append(p.locations, loc)
		r.addLocation(loc, addr, o.ID, "Clinic")
		if len(p.providers)-1 == hospitalOrg {
			er := poolLocation{ID: id("loc"), Name: o.Name + " Emergency Department", Org: hospitalOrg, ER: true}
			p.locations = append(p.locations, er)
			r.addLocation(er, addr, o.ID, "Emergency department")
		}
	}

	payers := []poolOrg{
		{Name: "Medicare", Payer: Coding{SystemSOPT, "", "1", "Medicare"}},
		{Name: "Medicaid", Payer: Coding{SystemSOPT, "", "2", "Medicaid"}},
		{Name: r.fake.LastName() + " Mutual Health Plan", Payer: Coding{SystemSOPT, "", "5", "Private Health Insurance"}},
		{Name: r.fake.LastName() + " Blue Health Insurance", Payer: Coding{SystemSOPT, "", "5", "Private Health Insurance"}},
	}
	for i := range payers {
		payers[i].ID = id("org")
		o := payers[i]
		r.add("Organization", o.ID, organization{
			header:     hdr("Organization", o.ID, ProfileOrganization),
			Identifier: []Identifier{{System: "https://valet.dev/fhir/sid/payer", Value: "PAYER-" + strconv.Itoa(i+1)}},
			Active:     true,
			Type:       []CodeableConcept{ccs(SystemOrgType, "pay", "Payer")},
			Name:       o.Name,
			Telecom:    []ContactPoint{{System: "phone", Value: r.phone(), Use: "work"}},
			Address:    []Address{r.address()},
		})
	}
	p.payers = payers

	for _, plan := range practitionerPlan {
		female := r.rng.IntN(2) == 0
		given := maleNames[r.rng.IntN(len(maleNames))]
		if female {
			given = femaleNames[r.rng.IntN(len(femaleNames))]
		}
		family := r.fake.LastName()
		loc := 0
		for i, l := range p.locations {
			if l.Org == plan.Org && (l.ER == (plan.Specialty == nuccEmergency)) {
				loc = i
			}
		}
		pr := poolPractitioner{ID: id("prac"), Name: given + " " + family, Specialty: plan.Specialty, Org: plan.Org, Location: loc}
		pr.RoleID = strings.Replace(pr.ID, "-prac-", "-role-", 1)
		p.practitioners = append(p.practitioners, pr)
		prefix := []string{"Dr."}
		if plan.Specialty == nuccFamilyNP {
			prefix = nil
		}
		gender := "male"
		if female {
			gender = "female"
		}
		email := strings.ToLower(given+"."+family) + "@" + strings.ToLower(strings.ReplaceAll(p.providers[plan.Org].Name, " ", "")) + ".example.org"
		email = strings.ReplaceAll(email, "'", "")
		r.add("Practitioner", pr.ID, practitioner{
			header:     hdr("Practitioner", pr.ID, ProfilePractitioner),
			Identifier: []Identifier{{System: SystemNPI, Value: npi(r.rng)}},
			Active:     true,
			Name:       []HumanName{{Use: "official", Text: strings.TrimSpace(strings.Join(prefix, " ") + " " + pr.Name), Family: family, Given: []string{given}, Prefix: prefix}},
			Telecom:    []ContactPoint{{System: "phone", Value: r.phone(), Use: "work"}, {System: "email", Value: email, Use: "work"}},
			Address:    []Address{r.address()},
			Gender:     gender,
		})
	}
	for _, pr := range p.practitioners {
		r.add("PractitionerRole", pr.RoleID, practitionerRole{
			header:       hdr("PractitionerRole", pr.RoleID, ProfilePractitionerRole),
			Active:       true,
			Practitioner: ref("Practitioner", pr.ID),
			Organization: ref("Organization", p.providers[pr.Org].ID),
			Code:         []CodeableConcept{cc(pr.Specialty.System, pr.Specialty.Code, pr.Specialty.Display)},
			Specialty:    []CodeableConcept{cc(pr.Specialty.System, pr.Specialty.Code, pr.Specialty.Display)},
			Location:     []Reference{*ref("Location", p.locations[pr.Location].ID)},
			Telecom:      []ContactPoint{{System: "phone", Value: r.phone(), Use: "work"}},
		})
	}
	// Formulary Medications, referenced by the MedicationRequests of ongoing treatments.
	for _, m := range medicationCatalog {
		id := medicationID(g.tag, m.Code)
		r.add("Medication", id, medication{
			header: hdr("Medication", id, ProfileMedication),
			Code:   cc(SystemRxNorm, m.Code, m.Display),
			Status: "active",
		})
	}
	p.resources = r.out
	return p
}

func (r *record) addLocation(l poolLocation, addr Address, orgID, kind string) {
	r.add("Location", l.ID, location{
		header:               hdr("Location", l.ID, ProfileLocation),
		Status:               "active",
		Name:                 l.Name,
		Type:                 []CodeableConcept{locationType(l.ER)},
		Telecom:              []ContactPoint{{System: "phone", Value: r.phone(), Use: "work"}},
		Address:              &addr,
		PhysicalType:         ccsPtr(SystemLocationPhysType, "bu", "Building"),
		ManagingOrganization: ref("Organization", orgID),
		Description:          kind,
	})
}

func locationType(er bool) CodeableConcept {
	if er {
		return cc(tho+"v3-RoleCode", "ER", "Emergency room")
	}
	return cc(tho+"v3-RoleCode", "OF", "Outpatient facility")
}

func ccsPtr(system, code, display string) *CodeableConcept {
	c := ccs(system, code, display)
	return &c
}

// primaryCare returns the practitioners who can be a patient's primary care provider.
func (p *pool) primaryCare(child bool) []int {
	var out []int
	for i, pr := range p.practitioners {
		switch {
		case child && pr.Specialty == nuccPediatrics:
			out = append(out, i)
		case !child && (pr.Specialty == nuccFamily || pr.Specialty == nuccInternal):
			out = append(out, i)
		}
	}
	return out
}

func (p *pool) byOrgAndSpecialty(org int, s Coding) int {
	for i, pr := range p.practitioners {
		if pr.Org == org && pr.Specialty == s {
			return i
		}
	}
	return -1
}

func (p *pool) erLocation() int {
	for i, l := range p.locations {
		if l.ER {
			return i
		}
	}
	return 0
}

func (p *pool) clinic(org int) int {
	for i, l := range p.locations {
		if l.Org == org && !l.ER {
			return i
		}
	}
	return 0
}

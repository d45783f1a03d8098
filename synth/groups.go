package synth

// The population's Groups (type person, actual): every patient, the patients with type 2 diabetes and
// the living patients under 18, each listing its members, for Bulk Data's Group/[id]/$export. They are
// emitted last, as one batch, once every record is known. A member costs about 50 bytes of JSON, so the
// all-patients Group of 10,000 patients is one resource of about 0.5 MB.

// Group ids are the population tag and a name, so a population regenerated with the same seed
// replaces its Groups and two seeds keep theirs apart.
func groupID(tag, name string) string { return tag + "-group-" + name }

// PopulationGroupTag marks the generated Groups (US Core has no Group profile to declare), so a client
// finds them with Group?_tag=https://valet.dev/fhir/tags|population-group.
var PopulationGroupTag = Coding{System: SystemTags, Code: "population-group", Display: "Valet population group"}

func (g *generator) groups(members []member) []Resource {
	r := g.newRecord(g.tag + "-groups")
	type def struct {
		name, title string
		in          func(member) bool
		trait       *groupCharacteristic
	}
	diabetes := cc(SystemSNOMED, "44054006", "Diabetes mellitus type 2 (disorder)")
	defs := []def{
		{"all", "All patients", func(member) bool { return true }, nil},
		{"diabetes", "Patients with type 2 diabetes", func(m member) bool { return m.diabetic },
			&groupCharacteristic{Code: cc(SystemSNOMED, "439401001", "Diagnosis (observable entity)"), ValueCodeableConcept: &diabetes}},
		{"pediatric", "Pediatric patients (under 18)", func(m member) bool { return m.pediatric },
			&groupCharacteristic{Code: cc(SystemSNOMED, "424144002", "Current chronological age (observable entity)"),
				ValueRange: &Range{High: &Quantity{Value: Dec{17, 0}, Unit: "a", System: SystemUCUM, Code: "a"}}}},
	}
	for _, d := range defs {
		id := groupID(g.tag, d.name)
		grp := group{
			header:     header{ResourceType: "Group", ID: id, Meta: &Meta{Tag: []Coding{PopulationGroupTag}}},
			Identifier: []Identifier{{System: "https://valet.dev/fhir/sid/group", Value: id}},
			Active:     true,
			Type:       "person",
			Actual:     true,
			Name:       d.title,
			Member:     make([]groupMember, 0, len(members)),
		}
		if d.trait != nil {
			grp.Characteristic = []groupCharacteristic{*d.trait}
		}
		for _, m := range members {
			if d.in(m) {
				grp.Member = append(grp.Member, groupMember{Entity: Reference{Reference: "Patient/" + m.id}})
			}
		}
		grp.Quantity = len(grp.Member)
		r.add("Group", id, grp)
	}
	return r.out
}

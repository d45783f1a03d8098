package synth

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"
)

// The US Core types beyond the original sixteen hold together with the rest of each record: notes say
// what the record says, reports answer their orders, dispenses fill prescriptions, goals and care teams
// fit the conditions, and the Groups list the right patients.

func decode(t *testing.T, b64 string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatalf("attachment is not base64: %v", err)
	}
	return string(b)
}

func TestNotesRepeatTheRecord(t *testing.T) {
	pop := generate(t, Options{Patients: 80, Seed: 12, Personas: true})
	types := map[string]int{}
	for _, g := range records(t, pop) {
		c := chartOf(t, g)
		id := g.batch[0].ID
		if len(c.byType["Encounter"]) == 0 || strings.HasSuffix(id, "-same-name-birthdate") {
			continue // a chart is one patient; that persona's batch holds two
		}
		name := str(c.patient, "name", "text")
		var problems []string
		for _, cond := range c.byType["Condition"] {
			if str(cond, "category", "coding", "code") == "problem-list-item" {
				problems = append(problems, str(cond, "code", "coding", "display"))
			}
		}
		bp := map[string]string{} // encounter → "sys/dia"
		for _, o := range c.byType["Observation"] {
			if hasCode(o, loincBP, "code") {
				vals := get(o, "component", "valueQuantity", "value")
				bp[str(o, "encounter", "reference")] = Dec{int64(vals[0].(float64)), 0}.String() + "/" + Dec{int64(vals[1].(float64)), 0}.String()
			}
		}
		notesPerEncounter := map[string]int{}
		for _, d := range c.byType["DocumentReference"] {
			typ := str(d, "type", "coding", "code")
			types[typ]++
			enc := str(d, "context", "encounter", "reference")
			if _, ok := c.encStart[enc]; !ok {
				t.Errorf("Patient/%s: note %s names encounter %q not in the record", id, typ, enc)
			}
			if str(d, "content", "attachment", "contentType") != "text/plain" {
				t.Errorf("Patient/%s: note content type %q", id, str(d, "content", "attachment", "contentType"))
			}
			text := decode(t, str(d, "content", "attachment", "data"))
			if !strings.Contains(text, name) {
				t.Errorf("Patient/%s: note %s does not name the patient %q", id, typ, name)
			}
			if typ == noteLab.Code || typ == noteImaging.Code {
				continue
			}
			notesPerEncounter[enc]++
			for _, pr := range problems {
				if !strings.Contains(text, pr) {
					t.Errorf("Patient/%s: note %s at %s omits the problem %q", id, typ, enc, pr)
				}
			}
			if want := bp[enc]; want != "" && !strings.Contains(text, "Blood pressure: "+want+" mm[Hg]") {
				t.Errorf("Patient/%s: note at %s omits the blood pressure %s measured there", id, enc, want)
			}
			for _, m := range c.byType["MedicationRequest"] {
				if str(m, "encounter", "reference") == enc {
					drug := str(m, "medicationCodeableConcept", "text") + str(m, "medicationReference", "display")
					if !strings.Contains(text, drug+": ") {
						t.Errorf("Patient/%s: note at %s omits %q prescribed there", id, enc, drug)
					}
				}
			}
		}
		for enc := range c.encStart {
			if notesPerEncounter[enc] != 1 {
				t.Errorf("Patient/%s: %d encounter notes for %s, want 1", id, notesPerEncounter[enc], enc)
			}
		}
		for _, r := range c.byType["DiagnosticReport"] {
			if profileOf(r) == ProfileDiagnosticReportNote && !strings.Contains(decode(t, str(r, "presentedForm", "data")), name) {
				t.Errorf("Patient/%s: report note does not name the patient", id)
			}
		}
	}
	for _, typ := range []Coding{noteHP, noteProgress, noteConsult, noteDischarge, noteLab, noteImaging} {
		if types[typ.Code] == 0 {
			t.Errorf("no %s note in the population", typ.Display)
		}
	}
	t.Logf("notes by type: %v", types)
}

func TestOrdersDispensesGoalsTeams(t *testing.T) {
	pop := generate(t, Options{Patients: 120, Seed: 13, Personas: true})
	seen := map[string]int{}
	for _, g := range records(t, pop) {
		c := chartOf(t, g)
		id := g.batch[0].ID
		if strings.HasSuffix(id, "-same-name-birthdate") {
			continue // a chart is one patient; that persona's batch holds two
		}
		byRef := map[string]map[string]any{}
		for i, m := range g.res {
			byRef[g.batch[i].Type+"/"+g.batch[i].ID] = m
		}
		fail := func(format string, args ...any) { t.Errorf("Patient/"+id+": "+format, args...) }
		for _, r := range c.byType["DiagnosticReport"] {
			sr := byRef[str(r, "basedOn", "reference")]
			if sr == nil {
				fail("DiagnosticReport %s answers no ServiceRequest of the record", str(r, "code", "text"))
				continue
			}
			if profileOf(r) == ProfileDiagnosticReportLab {
				if str(sr, "code", "coding", "code") != str(r, "code", "coding", "code") || str(sr, "category", "coding", "code") != "108252007" {
					fail("lab report %s based on order %s", str(r, "code", "coding", "code"), str(sr, "code", "coding", "code"))
				}
				sp := byRef[str(r, "specimen", "reference")]
				if sp == nil || str(sp, "request", "reference") != str(r, "basedOn", "reference") {
					fail("lab report without the specimen of its order")
				}
			}
		}
		for _, d := range c.byType["MedicationDispense"] {
			seen["dispense"]++
			mr := byRef[str(d, "authorizingPrescription", "reference")]
			if mr == nil {
				fail("dispense of no prescription of the record")
				continue
			}
			if str(mr, "medicationReference", "reference")+str(mr, "medicationCodeableConcept", "coding", "code") !=
				str(d, "medicationReference", "reference")+str(d, "medicationCodeableConcept", "coding", "code") {
				fail("dispense of another drug than its prescription")
			}
			if str(d, "whenHandedOver") < str(mr, "authoredOn") {
				fail("dispensed %s before prescribed %s", str(d, "whenHandedOver"), str(mr, "authoredOn"))
			}
		}
		for _, m := range c.byType["MedicationRequest"] {
			if str(m, "medicationReference", "reference") != "" {
				seen["medication-reference"]++
			} else {
				seen["medication-inline"]++
			}
		}
		goals := map[string]string{} // addressed condition → target codes
		for _, gl := range c.byType["Goal"] {
			var codes []string
			for _, tc := range get(gl, "target", "measure", "coding", "code") {
				codes = append(codes, tc.(string))
			}
			goals[str(gl, "addresses", "reference")] = strings.Join(codes, ",")
		}
		if ref, ok := c.condByKey["44054006"]; ok {
			seen["diabetes-goal"]++
			if goals[ref] != "4548-4" {
				fail("diabetes goal targets %q, want HbA1c", goals[ref])
			}
		}
		if ref, ok := c.condByKey["59621000"]; ok && goals[ref] != loincSystolic+","+loincDiastolic {
			fail("hypertension goal targets %q, want systolic and diastolic", goals[ref])
		}
		for _, ct := range c.byType["CareTeam"] {
			seen["careteam-"+str(ct, "status")]++
			if !slices.Contains(references(ct), "Patient/"+id) {
				fail("care team without the patient")
			}
		}
		for _, d := range c.byType["Device"] {
			seen["device"]++
			ref := "Device/" + str(d, "id")
			found := false
			for _, p := range c.byType["Procedure"] {
				found = found || str(p, "focalDevice", "manipulated", "reference") == ref
			}
			if !found {
				fail("%s implanted by no procedure", ref)
			}
			if hrf := str(d, "udiCarrier", "carrierHRF"); !strings.HasPrefix(hrf, "(01)"+str(d, "udiCarrier", "deviceIdentifier")) {
				fail("UDI %q does not carry the device identifier", hrf)
			}
		}
		age := years(c.birth, DefaultReference)
		for _, rp := range c.byType["RelatedPerson"] {
			rel := str(rp, "relationship", "coding", "code")
			if age < 18 && rel != "MTH" && rel != "FTH" {
				fail("a minor's contact is %s, not a parent", rel)
			}
		}
		if len(c.byType["Encounter"]) > 0 && len(c.byType["RelatedPerson"]) != 1 {
			fail("%d related persons", len(c.byType["RelatedPerson"]))
		}
		for _, qr := range c.byType["QuestionnaireResponse"] {
			seen["screening"]++
			answers := map[string]string{}
			for _, it := range get(qr, "item", "item") {
				answers[str(it, "linkId")] = str(it, "answer", "valueCoding", "code")
			}
			derived := 0
			for _, o := range c.byType["Observation"] {
				if str(o, "derivedFrom", "reference") == "QuestionnaireResponse/"+str(qr, "id") {
					derived++
					if answers[str(o, "code", "coding", "code")] != str(o, "valueCodeableConcept", "coding", "code") {
						fail("screening observation %s differs from its answer", str(o, "code", "coding", "code"))
					}
				}
			}
			if derived != len(hrsnQuestions) {
				fail("%d observations derived from the screening, want %d", derived, len(hrsnQuestions))
			}
		}
		for _, o := range c.byType["Observation"] {
			if hasCode(o, loincSpO2, "code") && num(o, "valueQuantity", "value") < 95 {
				seen["oxygen"]++
				if !hasCode(o, "3151-8", "component", "code") {
					fail("SpO2 below 95 without the inhaled oxygen flow rate")
				}
			}
			switch profileOf(o) {
			case ProfilePregnancyStatus, ProfilePregnancyIntent:
				if !strings.Contains(string(g.batch[0].JSON), `"url":"`+extBirthSex+`","valueCode":"F"`) {
					fail("pregnancy observation for a patient whose birth sex is not female")
				}
				at, _ := time.Parse(time.RFC3339, str(o, "effectiveDateTime"))
				if a := years(c.birth, at); a < 15 || a >= 50 {
					fail("pregnancy observation at age %d", a)
				}
			}
		}
	}
	for _, k := range []string{"dispense", "medication-reference", "medication-inline", "diabetes-goal", "careteam-active", "careteam-inactive", "device", "screening", "oxygen"} {
		if seen[k] == 0 {
			t.Errorf("no %s in 120 patients", k)
		}
	}
	t.Logf("seen: %v", seen)
}

func TestGroupsListTheirPatients(t *testing.T) {
	pop := generate(t, Options{Patients: 60, Seed: 14, Personas: true})
	want := map[string][]string{}
	for _, g := range records(t, pop) {
		for i, r := range g.batch {
			if r.Type != "Patient" || get(g.res[i], "active")[0] == false {
				continue
			}
			want["all"] = append(want["all"], "Patient/"+r.ID)
			birth, _ := time.Parse("2006-01-02", str(g.res[i], "birthDate"))
			if str(g.res[i], "deceasedDateTime") == "" && years(birth, DefaultReference) < 18 {
				want["pediatric"] = append(want["pediatric"], "Patient/"+r.ID)
			}
		}
		c := chartOf(t, g)
		if _, ok := c.condByKey["44054006"]; ok {
			want["diabetes"] = append(want["diabetes"], "Patient/"+g.batch[0].ID)
		}
	}
	last := pop[len(pop)-1]
	if len(last.batch) != 3 {
		t.Fatalf("%d groups, want 3", len(last.batch))
	}
	tag := populationTag(14)
	for i, r := range last.batch {
		name := strings.TrimPrefix(r.ID, tag+"-group-")
		m := last.res[i]
		var got []string
		for _, e := range get(m, "member", "entity", "reference") {
			got = append(got, e.(string))
		}
		if !slices.Equal(got, want[name]) || int(num(m, "quantity")) != len(got) || str(m, "type") != "person" || get(m, "actual")[0] != true {
			t.Errorf("Group %s: %d members (quantity %v), want %d", r.ID, len(got), num(m, "quantity"), len(want[name]))
		}
		if len(got) == 0 {
			t.Errorf("Group %s is empty", r.ID)
		}
	}
}

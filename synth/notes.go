package synth

import (
	"encoding/base64"
	"strings"
	"time"
)

// Clinical notes: every encounter gets a US Core DocumentReference whose inline text/plain note repeats
// the record (reason for visit, problems, medications, allergies, vital signs, assessment and plan); a
// visit with labs gets a laboratory narrative; imaging, endoscopy and ECG procedures get a US Core
// DiagnosticReport note with the report as presentedForm (and imaging a narrative DocumentReference too).

// Note types (LOINC) as US Core's clinical-notes guidance names them.
var (
	noteHP        = Coding{System: SystemLOINC, Code: "34117-2", Display: "History and physical note"}
	noteProgress  = Coding{System: SystemLOINC, Code: "11506-3", Display: "Progress note"}
	noteConsult   = Coding{System: SystemLOINC, Code: "11488-4", Display: "Consult note"}
	noteDischarge = Coding{System: SystemLOINC, Code: "18842-5", Display: "Discharge summary"}
	noteLab       = Coding{System: SystemLOINC, Code: "11502-2", Display: "Laboratory report"}
	noteImaging   = Coding{System: SystemLOINC, Code: "18748-4", Display: "Diagnostic imaging study"}

	clinicalNote   = ccs(SystemDocCategory, "clinical-note", "Clinical Note")
	mimeSufficient = &Coding{System: SystemFormatCode, Code: "urn:ihe:iti:xds:2017:mimeTypeSufficient", Display: "mimeType Sufficient"}
)

// noteType is the kind of note written for a visit.
func noteType(v *visit, first bool) Coding {
	switch {
	case v.kind == encBirth || v.kind == encEmergency:
		return noteDischarge
	case v.consult:
		return noteConsult
	case first && v.wellness:
		return noteHP
	}
	return noteProgress
}

// document writes a clinical-note DocumentReference with text as its inline attachment.
func (r *record) document(p *person, v *visit, typ Coding, when time.Time, author int, text string) {
	id := r.nextID()
	pr := r.g.pool.practitioners[author]
	org := r.g.pool.providers[r.g.pool.locations[v.loc].Org]
	dr := documentReference{
		header:     hdr("DocumentReference", id, ProfileDocumentReference),
		Identifier: []Identifier{{System: SystemDocument, Value: "DOC-" + id}},
		Status:     "current",
		DocStatus:  "final",
		Type:       cc(typ.System, typ.Code, typ.Display),
		Category:   []CodeableConcept{clinicalNote},
		Subject:    &Reference{Reference: "Patient/" + p.key},
		Date:       fhirInstant(when),
		Author:     []Reference{{Reference: "Practitioner/" + pr.ID, Display: pr.Name}},
		Custodian:  &Reference{Reference: "Organization/" + org.ID, Display: org.Name},
		Content: []docContent{{
			Attachment: Attachment{ContentType: "text/plain", Language: "en-US", Data: base64.StdEncoding.EncodeToString([]byte(text)),
				Title: typ.Display, Creation: fhirDateTime(when)},
			Format: mimeSufficient,
		}},
		Context: &docContext{
			Encounter: []Reference{{Reference: "Encounter/" + v.id}},
			Period:    &Period{Start: fhirDateTime(v.start), End: fhirDateTime(v.end)},
		},
	}
	dr.Meta.Security = r.recordLabels(p)
	r.add("DocumentReference", id, dr)
}

// recordLabels are the security labels of notes that mention everything in the record: those of its
// first sensitive condition.
func (r *record) recordLabels(p *person) []Coding {
	for _, c := range p.chronic {
		if c.Label != "" {
			return securityLabels(c)
		}
	}
	return nil
}

// encounterNote writes the note of a visit from what the record holds at that visit.
func (r *record) encounterNote(p *person, v *visit, first bool, meds []*medPlan) {
	typ := noteType(v, first)
	pr := r.g.pool.practitioners[v.prac]
	var b strings.Builder
	b.Grow(1024)
	line := func(parts ...string) {
		for _, s := range parts {
			b.WriteString(s)
		}
		b.WriteByte('\n')
	}
	line(strings.ToUpper(typ.Display))
	line("Patient: ", p.names[0].Text, " (MRN ", p.mrn, "), ", p.gender, ", born ", fhirDate(p.birth))
	line("Date of service: ", fhirDateTime(v.start), " at ", r.g.pool.locations[v.loc].Name)
	line("Clinician: ", pr.Name, " (", pr.Specialty.Display, ")")
	line()
	line("Reason for visit: ", visitReason(r, p, v))
	line()
	line("Problems:")
	for _, c := range p.chronic {
		line("- ", c.Display)
	}
	if v.acute != nil {
		line("- ", v.acute.Display, " (new)")
	}
	if len(p.chronic) == 0 && v.acute == nil {
		line("- none")
	}
	line("Medications:")
	n := 0
	for _, m := range meds {
		if m.visit.start.After(v.start) || (!m.chronic && v.start.After(m.visit.start.AddDate(0, 0, max(m.def.Days, 1)))) {
			continue
		}
		n++
		suffix := ""
		if m.visit == v {
			suffix = " (prescribed today)"
		}
		line("- ", m.def.Display, ": ", m.def.Text, suffix)
	}
	if n == 0 {
		line("- none")
	}
	line("Allergies:")
	for _, a := range p.allergies {
		line("- ", a.Display)
	}
	if len(p.allergies) == 0 {
		line("- no known allergies")
	}
	line("Vital signs:")
	for _, s := range v.vitals {
		line("- ", s)
	}
	line()
	line("Assessment and plan:")
	if v.acute != nil {
		plan := "Supportive care; return if not improving."
		if len(v.acute.Meds) > 0 {
			plan = "Treat with " + medicationByCode[v.acute.Meds[0]].Display + "; return if not improving."
		}
		line("- ", v.acute.Display, ": ", plan)
	}
	for _, c := range p.chronic {
		plan := c.Plan
		if plan == "" {
			plan = "Monitor and review at each visit."
		}
		line("- ", c.Display, ": ", plan)
	}
	if v.wellness {
		line("- Routine health maintenance reviewed; immunizations brought up to date.")
	}
	line()
	line("Electronically signed by ", pr.Name, " on ", fhirDateTime(v.end))
	r.document(p, v, typ, v.end, v.prac, b.String())
}

// visitReason says why the visit happened, in the words of the Encounter's reason.
func visitReason(r *record, p *person, v *visit) string {
	switch {
	case v.acute != nil:
		return v.acute.Display
	case v.kind == encBirth:
		return "Newborn examination after birth"
	case v.kind == encFollowUp && len(p.chronic) > 0:
		return "Follow-up of " + p.chronic[followUpOf(r, v)].Display
	}
	return checkUpReason.Display
}

// labNote writes the laboratory narrative of a visit's results.
func (r *record) labNote(p *person, v *visit) {
	var b strings.Builder
	b.WriteString("LABORATORY REPORT\nPatient: " + p.names[0].Text + " (MRN " + p.mrn + ")\nCollected: " + fhirDateTime(v.start) + "\n\n")
	for _, s := range v.labs {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	r.document(p, v, noteLab, v.start.Add(3*time.Hour), v.prac, b.String())
}

// studyDef is a procedure whose result is a narrative report.
type studyDef struct {
	Category Coding // LOINC diagnostic service section
	Code     Coding // LOINC report code
	Text     string // findings and impression
	Imaging  bool
	Result   Coding // LOINC code of the impression, a US Core clinical result Observation
}

var (
	catRadiology  = Coding{System: SystemLOINC, Code: "LP29684-5", Display: "Radiology"}
	catPathology  = Coding{System: SystemLOINC, Code: "LP7839-6", Display: "Pathology"}
	catCardiology = Coding{System: SystemLOINC, Code: "LP29708-2", Display: "Cardiology"}
)

// studies maps procedure codes (procedureCatalog) to the report they produce.
var studies = map[string]studyDef{
	"399208008": {catRadiology, Coding{System: SystemLOINC, Code: "18748-4", Display: "Diagnostic imaging study"},
		"XR CHEST 2 VIEWS\nFindings: Patchy airspace consolidation in the right lower lobe. No pleural effusion. Heart size normal.\nImpression: Right lower lobe pneumonia.", true, Coding{System: SystemLOINC, Code: "18782-3", Display: "Radiology Study observation (narrative)"}},
	"71651007": {catRadiology, Coding{System: SystemLOINC, Code: "24606-6", Display: "MG Breast Screening"},
		"SCREENING MAMMOGRAM, BILATERAL\nFindings: Scattered fibroglandular densities. No suspicious mass, calcification or architectural distortion.\nImpression: BI-RADS 1, negative. Routine screening in one year.", true, Coding{System: SystemLOINC, Code: "18782-3", Display: "Radiology Study observation (narrative)"}},
	"73761001": {catPathology, Coding{System: SystemLOINC, Code: "11526-1", Display: "Pathology study"},
		"SURGICAL PATHOLOGY\nSpecimen: Colon, random biopsies (colonoscopy).\nDiagnosis: Colonic mucosa without significant pathologic abnormality. No dysplasia or malignancy identified.", false, Coding{System: SystemLOINC, Code: "22637-3", Display: "Pathology report final diagnosis Narrative"}},
	"29303009": {catCardiology, Coding{System: SystemLOINC, Code: "11524-6", Display: "EKG study"},
		"12-LEAD ELECTROCARDIOGRAM\nRhythm: Atrial fibrillation with controlled ventricular response, rate 78/min. QRS 92 ms. No acute ST changes.\nImpression: Atrial fibrillation, rate controlled.", false, Coding{System: SystemLOINC, Code: "8601-7", Display: "EKG impression"}},
}

// studyReport writes the DiagnosticReport note of a study (and, for imaging, the narrative
// DocumentReference), based on the order that asked for it.
func (r *record) studyReport(p *person, v *visit, s studyDef, orderID string, at time.Time) {
	pr := r.g.pool.practitioners[v.prac]
	text := s.Text + "\n\nPatient: " + p.names[0].Text + " (MRN " + p.mrn + "), ordered by " + pr.Name + "."
	issued := at.Add(2 * time.Hour)
	org := r.g.pool.providers[r.g.pool.locations[v.loc].Org]
	conclusion := s.Text[strings.LastIndex(s.Text, "\n")+1:]
	// The impression is also a US Core clinical result Observation (category imaging or procedure).
	resultID := r.nextID()
	cat := ccs(SystemObsCategory, "procedure", "Procedure")
	if s.Imaging {
		cat = ccs(SystemObsCategory, "imaging", "Imaging")
	}
	r.add("Observation", resultID, observation{
		header:            hdr("Observation", resultID, ProfileClinicalResult),
		BasedOn:           []Reference{{Reference: "ServiceRequest/" + orderID}},
		Status:            "final",
		Category:          []CodeableConcept{cat},
		Code:              cc(s.Result.System, s.Result.Code, s.Result.Display),
		Subject:           &Reference{Reference: "Patient/" + p.key},
		Encounter:         &Reference{Reference: "Encounter/" + v.id},
		EffectiveDateTime: fhirDateTime(at),
		Issued:            fhirInstant(issued),
		Performer:         []Reference{{Reference: "Practitioner/" + pr.ID, Display: pr.Name}},
		ValueString:       conclusion,
	})
	id := r.nextID()
	r.add("DiagnosticReport", id, diagnosticReport{
		header:            hdr("DiagnosticReport", id, ProfileDiagnosticReportNote),
		BasedOn:           []Reference{{Reference: "ServiceRequest/" + orderID}},
		Status:            "final",
		Category:          []CodeableConcept{ccs(s.Category.System, s.Category.Code, s.Category.Display)},
		Code:              cc(s.Code.System, s.Code.Code, s.Code.Display),
		Subject:           &Reference{Reference: "Patient/" + p.key},
		Encounter:         &Reference{Reference: "Encounter/" + v.id},
		EffectiveDateTime: fhirDateTime(at),
		Issued:            fhirInstant(issued),
		Performer:         []Reference{{Reference: "Organization/" + org.ID, Display: org.Name}},
		ResultsInterp:     []Reference{{Reference: "Practitioner/" + pr.ID, Display: pr.Name}},
		Result:            []Reference{{Reference: "Observation/" + resultID}},
		Conclusion:        conclusion,
		PresentedForm: []Attachment{{ContentType: "text/plain", Language: "en-US", Data: base64.StdEncoding.EncodeToString([]byte(text)),
			Title: s.Code.Display, Creation: fhirDateTime(issued)}},
	})
	if s.Imaging {
		r.document(p, v, noteImaging, issued, v.prac, text)
	}
}

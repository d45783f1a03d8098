package synth

import (
	"time"
)

// Orders and specimens: every lab report answers a ServiceRequest (its basedOn) and was measured on a
// Specimen collected at the visit; imaging and referrals are ordered the same way.

// US Core ServiceRequest category codes (SNOMED CT).
var (
	srCategoryLab      = ccs(SystemSNOMED, "108252007", "Laboratory procedure")
	srCategoryImaging  = ccs(SystemSNOMED, "363679005", "Imaging")
	srCategoryReferral = ccs(SystemSNOMED, "3457005", "Patient referral")
)

// specimenKind is what a panel is measured on.
type specimenKind struct {
	Type   Coding
	Method *Coding
}

var (
	venipuncture   = &Coding{System: SystemSNOMED, Code: "28520004", Display: "Venipuncture for blood test (procedure)"}
	specimenBlood  = specimenKind{Coding{System: SystemSNOMED, Code: "119297000", Display: "Blood specimen (specimen)"}, venipuncture}
	specimenSerum  = specimenKind{Coding{System: SystemSNOMED, Code: "119364003", Display: "Serum specimen (specimen)"}, venipuncture}
	specimenUrine  = specimenKind{Coding{System: SystemSNOMED, Code: "122575003", Display: "Urine specimen (specimen)"}, nil}
	specimenByPane = map[string]specimenKind{"cbc": specimenBlood, "bmp": specimenBlood, "hba1c": specimenBlood, "uacr": specimenUrine}
	armVein        = ccs(SystemSNOMED, "368208006", "Left upper arm structure (body structure)")
)

// newOrder is a routine ServiceRequest placed and done at the visit, with a fresh id.
func (r *record) newOrder(p *person, v *visit, category, code CodeableConcept, reasons []Reference) serviceRequest {
	id := r.nextID()
	pr := r.g.pool.practitioners[v.prac]
	return serviceRequest{
		header:          hdr("ServiceRequest", id, ProfileServiceRequest),
		Identifier:      []Identifier{{System: SystemOrder, Value: "ORD-" + id[len(id)-5:] + "-" + p.mrn}},
		Status:          "completed",
		Intent:          "order",
		Category:        []CodeableConcept{category},
		Priority:        "routine",
		Code:            code,
		Subject:         &Reference{Reference: "Patient/" + p.key},
		Encounter:       &Reference{Reference: "Encounter/" + v.id},
		OccurrenceDate:  fhirDateTime(v.start),
		AuthoredOn:      fhirDateTime(v.start),
		Requester:       &Reference{Reference: "Practitioner/" + pr.ID, Display: pr.Name},
		ReasonReference: reasons,
	}
}

// order writes a ServiceRequest placed at the visit and returns its id.
func (r *record) order(p *person, v *visit, category, code CodeableConcept, reasons []Reference, labels []Coding) string {
	sr := r.newOrder(p, v, category, code, reasons)
	sr.Meta.Security = labels
	r.add("ServiceRequest", sr.ID, sr)
	return sr.ID
}

// labOrder orders a panel, for the conditions it monitors when it monitors any.
func (r *record) labOrder(p *person, v *visit, panel *PanelDef, labels []Coding) string {
	var reasons []Reference
	for i, c := range p.chronic {
		for _, k := range conditionPanels[c.Key] {
			if k == panel.Key {
				reasons = append(reasons, Reference{Reference: "Condition/" + r.chronicIDs[i], Display: c.Display})
			}
		}
	}
	return r.order(p, v, srCategoryLab, cc(SystemLOINC, panel.Code, panel.Display), reasons, labels)
}

// specimen writes the specimen a panel was measured on, collected at the visit's start.
func (r *record) specimen(p *person, v *visit, panel *PanelDef, orderID string, labels []Coding) string {
	id := r.nextID()
	kind, ok := specimenByPane[panel.Key]
	if !ok {
		kind = specimenSerum
	}
	coll := &specimenCollection{
		Collector:         &Reference{Reference: "Practitioner/" + r.g.pool.practitioners[v.prac].ID},
		CollectedDateTime: fhirDateTime(v.start),
	}
	if kind.Method != nil {
		coll.Method = &CodeableConcept{Coding: []Coding{*kind.Method}}
		coll.BodySite = &armVein
	}
	sp := specimen{
		header:              hdr("Specimen", id, ProfileSpecimen),
		Identifier:          []Identifier{{System: SystemSpecimenID, Value: "SPM-" + id}},
		AccessionIdentifier: &Identifier{System: SystemAccession, Value: "ACC-" + p.mrn + "-" + id[len(id)-5:]},
		Status:              "available",
		Type:                cc(kind.Type.System, kind.Type.Code, kind.Type.Display),
		Subject:             &Reference{Reference: "Patient/" + p.key},
		ReceivedTime:        fhirDateTime(v.start.Add(time.Hour)),
		Request:             []Reference{{Reference: "ServiceRequest/" + orderID}},
		Collection:          coll,
	}
	sp.Meta.Security = labels
	r.add("Specimen", id, sp)
	return id
}

// specialistFor names the specialty that co-manages a chronic condition (a referral and a
// condition-focused care team), if any.
var specialistFor = map[string]Coding{
	condDiabetes:          nuccEndocrine,
	condCKD:               nuccNephrology,
	condHeartFailure:      nuccCardiology,
	"atrial-fibrillation": nuccCardiology,
	"coronary-disease":    nuccCardiology,
}

// referral writes, at the first visit, the referral to the specialist planReferral chose (prac, for
// the condition p.chronic[cond]).
func (r *record) referral(p *person, v *visit, prac, cond int) {
	c := p.chronic[cond]
	pr := r.g.pool.practitioners[prac]
	s := pr.Specialty
	code := CodeableConcept{Coding: []Coding{{System: SystemSNOMED, Code: "3457005", Display: "Patient referral (procedure)"}}, Text: "Referral to " + s.Display + " for " + c.Display}
	sr := r.newOrder(p, v, srCategoryReferral, code, []Reference{{Reference: "Condition/" + r.chronicIDs[cond], Display: c.Display}})
	sr.OccurrenceDate = ""
	sr.AuthoredOn = fhirDateTime(v.start.Add(time.Duration(v.kind.Minutes-2) * time.Minute))
	sr.PerformerType = &CodeableConcept{Coding: []Coding{s}, Text: s.Display}
	sr.Performer = []Reference{{Reference: "Practitioner/" + pr.ID, Display: pr.Name}}
	sr.Meta.Security = securityLabels(c)
	r.add("ServiceRequest", sr.ID, sr)
}

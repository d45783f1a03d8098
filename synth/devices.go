package synth

import (
	"strconv"
	"time"
)

// Implantable devices (US Core Implantable Device) with a GS1 UDI, implanted by a Procedure that names
// the device as its focal device, for patients whose conditions call for one.

type implantDef struct {
	Condition string
	PerMil    int // chance for a patient with the condition
	MinAge    int // from this age the implant is certain
	Device    Coding
	Procedure Coding
	Name      string
	Maker     string
	Years     int // shelf life written as the expiration date
}

var implantCatalog = []implantDef{
	{"coronary-disease", 600, 200, Coding{System: SystemSNOMED, Code: "705643001", Display: "Coronary artery stent (physical object)"},
		Coding{System: SystemSNOMED, Code: "415070008", Display: "Percutaneous coronary intervention (procedure)"}, "Drug-eluting coronary stent 3.0 x 18 mm", "Northfield Cardiac Systems", 2},
	{"atrial-fibrillation", 250, 80, Coding{System: SystemSNOMED, Code: "14106009", Display: "Cardiac pacemaker, device (physical object)"},
		Coding{System: SystemSNOMED, Code: "307280005", Display: "Implantation of cardiac pacemaker (procedure)"}, "Dual-chamber pacemaker", "Northfield Cardiac Systems", 3},
}

// implants writes, at the first visit, the implant procedure and Device of each condition that gets one.
func (r *record) implants(p *person, v *visit) {
	for i, c := range p.chronic {
		for _, def := range implantCatalog {
			if def.Condition != c.Key || !(years(p.birth, v.start) >= def.MinAge || chance(r.rng, def.PerMil)) {
				continue
			}
			devID := r.nextID()
			made := v.start.AddDate(0, -int(between(r.rng, 2, 14)), 0)
			exp := made.AddDate(def.Years, 0, 0)
			gtin := gtin14(r)
			lot := "L" + digits(r, 6)
			serial := "SN" + digits(r, 8)
			hrf := "(01)" + gtin + "(11)" + made.Format("060102") + "(17)" + exp.Format("060102") + "(10)" + lot + "(21)" + serial
			r.add("Device", devID, device{
				header: hdr("Device", devID, ProfileImplantableDevice),
				UDICarrier: []udiCarrier{{DeviceIdentifier: gtin, Issuer: "http://hl7.org/fhir/NamingSystem/gs1-di",
					Jurisdiction: "http://hl7.org/fhir/NamingSystem/fda-udi", CarrierHRF: hrf, EntryType: "barcode"}},
				Status:             "active",
				DistinctIdentifier: lot + "-" + serial,
				Manufacturer:       def.Maker,
				ManufactureDate:    fhirDate(made),
				ExpirationDate:     fhirDate(exp),
				LotNumber:          lot,
				SerialNumber:       serial,
				DeviceName:         []deviceName{{Name: def.Name, Type: "user-friendly-name"}},
				Type:               cc(def.Device.System, def.Device.Code, def.Device.Display),
				Patient:            &Reference{Reference: "Patient/" + p.key},
			})
			id := r.nextID()
			pr := r.g.pool.practitioners[v.prac]
			start := v.start.Add(5 * time.Minute)
			r.add("Procedure", id, procedure{
				header:          hdr("Procedure", id, ProfileProcedure),
				Status:          "completed",
				Code:            cc(def.Procedure.System, def.Procedure.Code, def.Procedure.Display),
				Subject:         &Reference{Reference: "Patient/" + p.key},
				Encounter:       &Reference{Reference: "Encounter/" + v.id},
				PerformedPeriod: &Period{Start: fhirDateTime(start), End: fhirDateTime(start.Add(20 * time.Minute))},
				Performer:       []procedurePerformer{{Actor: Reference{Reference: "Practitioner/" + pr.ID, Display: pr.Name}}},
				Location:        &Reference{Reference: "Location/" + r.g.pool.locations[v.loc].ID},
				ReasonReference: []Reference{{Reference: "Condition/" + r.chronicIDs[i]}},
				FocalDevice:     []procedureDevice{{Action: ccsPtr(SystemSNOMED, "129338005", "Surgical implantation - action"), Manipulated: Reference{Reference: "Device/" + devID}}},
			})
		}
	}
}

// gtin14 is a GS1 GTIN-14 device identifier with its check digit (weights 3 and 1 from the right).
func gtin14(r *record) string {
	body := "0" + digits(r, 12)
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return body + strconv.Itoa((10-sum%10)%10)
}

// Package directory finds the people in the sandbox — patients and the practitioners who can sign in —
// through the FHIR search indexes, with the sandbox's own authority (no token). Two parts use it: the
// control panel's patient and practitioner lists, patient record and encounter views (control.Directory),
// and the login page and standalone patient and encounter pickers (auth.Directory). A search box's text
// becomes FHIR search criteria (search.Criterion), so the people a page lists are the ones a FHIR search
// would find, however many the sandbox holds.
package directory

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/valet-sandbox/valet/server/fhir/search"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/wire"
)

// Directory answers people searches from the FHIR search indexes.
type Directory struct {
	store *store.DB
	opt   func() search.Options
}

// New is a Directory on db; opt gives the search options (FHIR base, sandbox clock) of each search.
func New(db *store.DB, opt func() search.Options) *Directory {
	return &Directory{store: db, opt: opt}
}

var partialDate = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)

// maxWords bounds the name words of a search box: each is a condition of the query SQLite runs.
const maxWords = 20

// criteria turns the search box into FHIR search criteria: a (partial) date searches birthdate; other
// text must match every word against name, or the whole text against an identifier.
func (d *Directory) criteria(typ, q string) ([]store.Cond, error) {
	if q == "" {
		return nil, nil
	}
	opt := d.opt()
	if typ == "Patient" && partialDate.MatchString(q) {
		c, _, err := search.Criterion(typ, "birthdate", q, opt)
		return []store.Cond{c}, err
	}
	words := strings.Fields(q)
	if len(words) > maxWords {
		return nil, fmt.Errorf("the search text has %d words; give at most %d (a name, an identifier or a birth date)", len(words), maxWords)
	}
	var names []store.Cond
	for _, word := range words {
		c, _, err := search.Criterion(typ, "name", strings.ReplaceAll(word, ",", `\,`), opt)
		if err != nil {
			return nil, err
		}
		names = append(names, c)
	}
	ident, err := identifierCond(typ, q, opt)
	if err != nil {
		return nil, err
	}
	return []store.Cond{store.Or(store.And(names...), ident)}, nil
}

// FindPatients pages through Patients matching the search box: a (partial) birth date, name words or an
// identifier such as the MRN; empty for all.
func (d *Directory) FindPatients(ctx context.Context, q string, count, offset int) ([][]byte, int, error) {
	return d.find(ctx, "Patient", q, count, offset)
}

// FindPractitioners pages through Practitioners matching the search box: name words or an identifier
// such as the NPI; empty for all.
func (d *Directory) FindPractitioners(ctx context.Context, q string, count, offset int) ([][]byte, int, error) {
	return d.find(ctx, "Practitioner", q, count, offset)
}

// find pages through people of typ (Patient or Practitioner) matching the search box, by family name.
func (d *Directory) find(ctx context.Context, typ, q string, count, offset int) ([][]byte, int, error) {
	where, err := d.criteria(typ, q)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %w", wire.ErrBadSearchText, err)
	}
	return d.page(ctx, typ, where, count, offset)
}

// page runs one page of a people search sorted by family name, with the total.
func (d *Directory) page(ctx context.Context, typ string, where []store.Cond, count, offset int) ([][]byte, int, error) {
	page, err := d.store.Search(ctx, store.Query{
		Types: []string{typ}, Where: where,
		Sort:  []store.SortKey{{Kind: store.KindString, Param: "family"}, {Param: "_id"}},
		Limit: count, Offset: offset, Count: true,
	})
	if err != nil {
		return nil, 0, err
	}
	out := make([][]byte, len(page.Resources))
	for i, r := range page.Resources {
		out[i] = r.JSON
	}
	return out, page.Total, nil
}

// PatientRecord returns the Patient, how many resources of each type its compartment holds, and its
// vital-sign Observations (at most about 20,000); store.ErrNotFound when there is no such patient.
func (d *Directory) PatientRecord(ctx context.Context, id string) ([]byte, map[string]int, [][]byte, error) {
	p, err := d.store.ReadResource(ctx, "Patient", id)
	if err != nil {
		return nil, nil, nil, err
	}
	if p.Deleted {
		return nil, nil, nil, store.ErrNotFound
	}
	counts, err := d.store.CompartmentCounts(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	// Medications are outside the Patient compartment; the record's are those its orders and dispenses
	// reference (MedicationRequest.medicationReference, MedicationDispense.medicationReference).
	if meds, err := d.referencedMedications(ctx, id); err != nil {
		return nil, nil, nil, err
	} else if meds > 0 {
		counts["Medication"] = meds
	}
	vitalSigns, _, err := search.Criterion("Observation", "category", "http://terminology.hl7.org/CodeSystem/observation-category|vital-signs", d.opt())
	if err != nil {
		return nil, nil, nil, err
	}
	var vitals [][]byte
	q := store.Query{Types: []string{"Observation"}, Where: []store.Cond{store.InCompartment(id), vitalSigns}, Limit: 1000}
	for {
		page, err := d.store.Search(ctx, q)
		if err != nil {
			return nil, nil, nil, err
		}
		for _, r := range page.Resources {
			vitals = append(vitals, r.JSON)
		}
		if !page.More || len(page.Resources) == 0 || len(vitals) >= 20_000 {
			break
		}
		q.After = page.Resources[len(page.Resources)-1].RowID
	}
	return p.JSON, counts, vitals, nil
}

// referencedMedications counts the Medications the patient's MedicationRequests or MedicationDispenses
// reference.
func (d *Directory) referencedMedications(ctx context.Context, patient string) (int, error) {
	ids := map[string]bool{}
	for _, has := range []string{"_has:MedicationRequest:medication:patient", "_has:MedicationDispense:medication:patient"} {
		c, _, err := search.Criterion("Medication", has, "Patient/"+patient, d.opt())
		if err != nil {
			return 0, err
		}
		page, err := d.store.Search(ctx, store.Query{Types: []string{"Medication"}, Where: []store.Cond{c}, Limit: 1000})
		if err != nil {
			return 0, err
		}
		for _, r := range page.Resources {
			ids[r.ID] = true
		}
	}
	return len(ids), nil
}

// ProfileCounts counts the resources of a patient's record by type and the profiles they claim (meta.profile).
func (d *Directory) ProfileCounts(ctx context.Context, patient string) ([]store.ProfileCount, error) {
	return d.store.CompartmentProfileCounts(ctx, patient)
}

// noteCategories are the DiagnosticReport categories of US Core's report-and-note profile (radiology,
// cardiology, pathology): the reports that carry a narrative (presentedForm) rather than results.
const noteCategories = "http://loinc.org|LP29684-5,http://loinc.org|LP29708-2,http://loinc.org|LP7839-6"

// Notes returns up to count of a patient's DocumentReferences and up to count of its report-and-note
// DiagnosticReports, each list most recent first.
func (d *Directory) Notes(ctx context.Context, patient string, count int) (docs, reports [][]byte, err error) {
	q := store.Query{Types: []string{"DocumentReference"}, Where: []store.Cond{store.InCompartment(patient)},
		Sort: []store.SortKey{{Kind: store.KindDate, Param: "date", Desc: true}, {Param: "_id"}}, Limit: count}
	if docs, err = d.resources(ctx, q); err != nil {
		return nil, nil, err
	}
	c, _, err := search.Criterion("DiagnosticReport", "category", noteCategories, d.opt())
	if err != nil {
		return nil, nil, err
	}
	q.Types, q.Where = []string{"DiagnosticReport"}, []store.Cond{store.InCompartment(patient), c}
	reports, err = d.resources(ctx, q)
	return docs, reports, err
}

func (d *Directory) resources(ctx context.Context, q store.Query) ([][]byte, error) {
	page, err := d.store.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(page.Resources))
	for i, r := range page.Resources {
		out[i] = r.JSON
	}
	return out, nil
}

// Encounters lists a patient's encounters, most recent first.
func (d *Directory) Encounters(ctx context.Context, patient string, count int) ([][]byte, error) {
	return d.resources(ctx, store.Query{
		Types: []string{"Encounter"}, Where: []store.Cond{store.InCompartment(patient)},
		Sort:  []store.SortKey{{Kind: store.KindDate, Param: "date", Desc: true}, {Param: "_id"}},
		Limit: count,
	})
}

// SearchPatients pages through Patients matching every given field: each word of name, the birth date
// (partial dates allowed), the identifier (value or system|value). The standalone patient picker uses it.
func (d *Directory) SearchPatients(ctx context.Context, name, birthDate, identifier string, count, offset int) ([][]byte, int, error) {
	opt := d.opt()
	var where []store.Cond
	add := func(param, value string) error {
		c, _, err := search.Criterion("Patient", param, strings.ReplaceAll(value, ",", `\,`), opt)
		if err == nil {
			where = append(where, c)
		}
		return err
	}
	words := strings.Fields(name)
	if len(words) > maxWords {
		return nil, 0, fmt.Errorf("%w: the name has %d words; give at most %d", wire.ErrBadSearchText, len(words), maxWords)
	}
	for _, word := range words {
		if err := add("name", word); err != nil {
			return nil, 0, fmt.Errorf("%w: %w", wire.ErrBadSearchText, err)
		}
	}
	if v := strings.TrimSpace(birthDate); v != "" {
		if err := add("birthdate", v); err != nil {
			return nil, 0, fmt.Errorf("%w: %w", wire.ErrBadSearchText, err)
		}
	}
	if v := strings.TrimSpace(identifier); v != "" {
		c, err := identifierCond("Patient", v, opt)
		if err != nil {
			return nil, 0, fmt.Errorf("%w: %w", wire.ErrBadSearchText, err)
		}
		where = append(where, c)
	}
	return d.page(ctx, "Patient", where, count, offset)
}

// identifierCond matches an identifier typed into a search box. FHIR token search is exact, but people
// type MRNs in whatever case, so the value as typed, upper-cased and lower-cased are all tried.
func identifierCond(typ, value string, opt search.Options) (store.Cond, error) {
	var or []store.Cond
	for _, v := range []string{value, strings.ToUpper(value), strings.ToLower(value)} {
		c, _, err := search.Criterion(typ, "identifier", strings.ReplaceAll(v, ",", `\,`), opt)
		if err != nil {
			return store.Cond{}, err
		}
		or = append(or, c)
	}
	return store.Or(or...), nil
}

package control

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/wire"
)

// Directory finds patients, their records and the practitioners who can sign in, for the control panel,
// with the sandbox's own authority (no token). The server implements it on the FHIR search indexes.
type Directory interface {
	// FindPatients returns one page of Patient resources matching q (a name, identifier or birth date;
	// empty for all) and the total number of matches.
	FindPatients(ctx context.Context, q string, count, offset int) (patients [][]byte, total int, err error)
	// PatientRecord returns the Patient, the number of resources of each type in its compartment, and its
	// vital-sign Observations. ErrNotFound when there is no such patient.
	PatientRecord(ctx context.Context, id string) (patient []byte, counts map[string]int, vitals [][]byte, err error)
	// ProfileCounts counts the patient's record by type and the profiles its resources claim in meta.profile.
	ProfileCounts(ctx context.Context, patient string) ([]store.ProfileCount, error)
	// Notes returns up to count of the patient's DocumentReferences and of its report-and-note
	// DiagnosticReports (radiology, cardiology, pathology), each most recent first.
	Notes(ctx context.Context, patient string, count int) (docs, reports [][]byte, err error)
	// Encounters returns up to count of the patient's Encounters, most recent first.
	Encounters(ctx context.Context, patient string, count int) ([][]byte, error)
	// FindPractitioners pages through Practitioners matching q (a name or identifier such as the NPI).
	FindPractitioners(ctx context.Context, q string, count, offset int) (practitioners [][]byte, total int, err error)
}

// PatientSummary is one row of the control panel's patient list.
type PatientSummary struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Family       string   `json:"family"`
	Given        []string `json:"given"`
	Gender       string   `json:"gender"`
	BirthDate    string   `json:"birth_date"`
	Deceased     bool     `json:"deceased"`
	DeceasedDate string   `json:"deceased_date"`
	MRN          string   `json:"mrn"`
	PortalUser   bool     `json:"portal_user"`
	Tags         []string `json:"tags"`
}

// VitalSeries is one vital sign over time.
type VitalSeries struct {
	Code    string       `json:"code"`
	Display string       `json:"display"`
	Unit    string       `json:"unit"`
	Points  []VitalPoint `json:"points"`
}

// VitalPoint is one measurement.
type VitalPoint struct {
	T     time.Time `json:"t"`
	Value float64   `json:"value"`
}

func (a *API) mountPatients(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/patients", a.listPatients)
	mux.HandleFunc("GET /api/patients/{id}", a.patientRecord)
	mux.HandleFunc("GET /api/patients/{id}/encounters", a.patientEncounters)
	mux.HandleFunc("GET /api/patients/{id}/notes", a.patientNotes)
	mux.HandleFunc("GET /api/practitioners", a.listPractitioners)
}

func (a *API) listPatients(w http.ResponseWriter, r *http.Request) {
	listPeople(w, r, a.Patients, "patients", a.Patients.FindPatients, SummarizePatient)
}

func (a *API) listPractitioners(w http.ResponseWriter, r *http.Request) {
	listPeople(w, r, a.Patients, "practitioners", a.Patients.FindPractitioners, SummarizePractitioner)
}

// listPeople answers a paged, searchable list: {"total": n, "<key>": [summary…]}.
func listPeople[S any](w http.ResponseWriter, r *http.Request, dir Directory, key string,
	find func(ctx context.Context, q string, count, offset int) ([][]byte, int, error), summarize func([]byte) S) {
	if dir == nil {
		writeError(w, http.StatusNotImplemented, "this server has no directory")
		return
	}
	q := r.URL.Query()
	count, err1 := intParam(q.Get("count"), 20, 1, 200)
	offset, err2 := intParam(q.Get("offset"), 0, 0, 1<<30)
	if err := errors.Join(err1, err2); err != nil {
		writeError(w, http.StatusBadRequest, "count must be 1–200 and offset ≥ 0: "+err.Error())
		return
	}
	raw, total, err := find(r.Context(), strings.TrimSpace(q.Get("q")), count, offset)
	if errors.Is(err, wire.ErrBadSearchText) {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	} else if err != nil {
		internalError(w, r, err)
		return
	}
	out := make([]S, 0, len(raw))
	for _, p := range raw {
		out = append(out, summarize(p))
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": total, key: out})
}

func (a *API) patientEncounters(w http.ResponseWriter, r *http.Request) {
	if a.Patients == nil {
		writeError(w, http.StatusNotImplemented, "this server has no directory")
		return
	}
	count, err := intParam(r.URL.Query().Get("count"), 50, 1, 500)
	if err != nil {
		writeError(w, http.StatusBadRequest, "count must be 1–500: "+err.Error())
		return
	}
	raw, err := a.Patients.Encounters(r.Context(), r.PathValue("id"), count)
	if err != nil {
		internalError(w, r, err)
		return
	}
	out := make([]EncounterSummary, 0, len(raw))
	for _, e := range raw {
		out = append(out, SummarizeEncounter(e))
	}
	writeJSON(w, http.StatusOK, map[string]any{"encounters": out})
}

func (a *API) patientRecord(w http.ResponseWriter, r *http.Request) {
	if a.Patients == nil {
		writeError(w, http.StatusNotImplemented, "this server has no patient directory")
		return
	}
	p, counts, vitals, err := a.Patients.PatientRecord(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "no patient "+r.PathValue("id"))
		return
	}
	if err != nil {
		internalError(w, r, err)
		return
	}
	profiles, err := a.Patients.ProfileCounts(r.Context(), r.PathValue("id"))
	if err != nil {
		internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"patient": SummarizePatient(p), "counts": counts,
		"profiles": ProfileRows(profiles), "vitals": VitalSeriesOf(vitals)})
}

func intParam(s string, def, lo, hi int) (int, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, errors.New(strconv.Quote(s))
	}
	return n, nil
}

// tagSystem is the code system of Valet's own meta.tag codes (portal-user, persona-…).
const tagSystem = "https://valet.dev/fhir/tags"

// SummarizePatient reads the fields the patient list shows from a Patient resource.
func SummarizePatient(raw []byte) PatientSummary {
	var p struct {
		ID   string `json:"id"`
		Meta struct {
			Tag []struct{ System, Code string } `json:"tag"`
		} `json:"meta"`
		Name []struct {
			Use    string   `json:"use"`
			Text   string   `json:"text"`
			Family string   `json:"family"`
			Given  []string `json:"given"`
		} `json:"name"`
		Gender           string `json:"gender"`
		BirthDate        string `json:"birthDate"`
		DeceasedBoolean  *bool  `json:"deceasedBoolean"`
		DeceasedDateTime string `json:"deceasedDateTime"`
		Identifier       []struct {
			System string `json:"system"`
			Value  string `json:"value"`
			Type   struct {
				Coding []struct{ Code string } `json:"coding"`
			} `json:"type"`
		} `json:"identifier"`
	}
	_ = json.Unmarshal(raw, &p) // a stored resource is valid JSON; a broken one still gets a row
	s := PatientSummary{ID: p.ID, Gender: p.Gender, BirthDate: p.BirthDate, Given: []string{}, Tags: []string{}}
	// Prefer the official name, then the usual one, then the first.
	best := -1
	for i, n := range p.Name {
		if best < 0 || (n.Use == "official" && p.Name[best].Use != "official") {
			best = i
		}
	}
	if best >= 0 {
		n := p.Name[best]
		s.Family, s.Given = n.Family, append(s.Given, n.Given...)
		s.Name = n.Text
		if s.Name == "" {
			s.Name = strings.TrimSpace(strings.Join(append(slices.Clone(n.Given), n.Family), " "))
		}
	}
	s.Deceased = p.DeceasedDateTime != "" || (p.DeceasedBoolean != nil && *p.DeceasedBoolean)
	s.DeceasedDate = p.DeceasedDateTime
	for _, id := range p.Identifier {
		for _, c := range id.Type.Coding {
			if c.Code == "MR" && s.MRN == "" {
				s.MRN = id.Value
			}
		}
	}
	for _, t := range p.Meta.Tag {
		if t.System != tagSystem {
			continue
		}
		if t.Code == "portal-user" {
			s.PortalUser = true
		}
		s.Tags = append(s.Tags, t.Code)
	}
	return s
}

// vitalCodes are the LOINC codes charted, in display order.
var vitalCodes = []string{"8480-6", "8462-4", "8867-4", "29463-7", "39156-5", "8302-2", "8310-5", "9279-1", "59408-5", "2708-6"}

// VitalSeriesOf turns vital-sign Observations into one time series per LOINC code (blood pressure panels
// contribute their systolic and diastolic components), points in time order.
func VitalSeriesOf(observations [][]byte) []VitalSeries {
	type quantity struct {
		Value *float64 `json:"value"`
		Unit  string   `json:"unit"`
		Code  string   `json:"code"`
	}
	type coded struct {
		Coding []struct{ System, Code, Display string } `json:"coding"`
		Text   string                                   `json:"text"`
	}
	var obs struct {
		Status            string    `json:"status"`
		Code              coded     `json:"code"`
		EffectiveDateTime string    `json:"effectiveDateTime"`
		ValueQuantity     *quantity `json:"valueQuantity"`
		Component         []struct {
			Code          coded     `json:"code"`
			ValueQuantity *quantity `json:"valueQuantity"`
		} `json:"component"`
	}
	series := map[string]*VitalSeries{}
	add := func(c coded, q *quantity, t time.Time) {
		if q == nil || q.Value == nil {
			return
		}
		for _, cd := range c.Coding {
			if cd.System != "http://loinc.org" || !slices.Contains(vitalCodes, cd.Code) {
				continue
			}
			s := series[cd.Code]
			if s == nil {
				unit := q.Code
				if unit == "" {
					unit = q.Unit
				}
				s = &VitalSeries{Code: cd.Code, Display: cd.Display, Unit: unit}
				series[cd.Code] = s
			}
			s.Points = append(s.Points, VitalPoint{T: t, Value: *q.Value})
			return
		}
	}
	for _, raw := range observations {
		obs.Code, obs.ValueQuantity, obs.Component, obs.Status = coded{}, nil, nil, ""
		if json.Unmarshal(raw, &obs) != nil || obs.Status == "entered-in-error" {
			continue
		}
		t, err := time.Parse(time.RFC3339, obs.EffectiveDateTime)
		if err != nil {
			continue
		}
		add(obs.Code, obs.ValueQuantity, t)
		for _, c := range obs.Component {
			add(c.Code, c.ValueQuantity, t)
		}
	}
	out := []VitalSeries{}
	for _, code := range vitalCodes {
		if s := series[code]; s != nil {
			slices.SortStableFunc(s.Points, func(a, b VitalPoint) int { return a.T.Compare(b.T) })
			out = append(out, *s)
		}
	}
	return out
}

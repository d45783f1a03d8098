package control

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/valet-sandbox/valet/synth"
)

// generated returns the resources of the first generated record (a real patient from the generator).
func generated(t *testing.T, opt synth.Options) []synth.Resource {
	t.Helper()
	var record []synth.Resource
	batches := 0
	err := synth.Generate(context.Background(), opt, func(b []synth.Resource) error {
		batches++
		if batches == 2 { // batch 1 is the shared pool
			record = slices.Clone(b)
		}
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return record
}

func TestSummarizeGeneratedPatient(t *testing.T) {
	rec := generated(t, synth.Options{Patients: 1, Seed: 3})
	var patient []byte
	var vitals [][]byte
	for _, r := range rec {
		if r.Type == "Patient" {
			patient = r.JSON
		}
		if r.Type == "Observation" {
			var o struct {
				Category []struct{ Coding []struct{ Code string } } `json:"category"`
			}
			json.Unmarshal(r.JSON, &o)
			if len(o.Category) > 0 && o.Category[0].Coding[0].Code == "vital-signs" {
				vitals = append(vitals, r.JSON)
			}
		}
	}
	s := SummarizePatient(patient)
	if s.ID == "" || s.Family == "" || len(s.Given) == 0 || s.Name == "" || s.BirthDate == "" || s.Gender == "" || s.MRN == "" {
		t.Errorf("summary misses fields: %+v", s)
	}
	if !s.PortalUser || !slices.Contains(s.Tags, "portal-user") {
		t.Errorf("the first generated patient is a portal user: %+v", s)
	}
	series := VitalSeriesOf(vitals)
	byCode := map[string]VitalSeries{}
	for _, v := range series {
		byCode[v.Code] = v
		if !slices.IsSortedFunc(v.Points, func(a, b VitalPoint) int { return a.T.Compare(b.T) }) {
			t.Errorf("%s points not in time order", v.Code)
		}
	}
	sys, dia := byCode["8480-6"], byCode["8462-4"]
	if len(sys.Points) == 0 || len(sys.Points) != len(dia.Points) || sys.Unit != "mm[Hg]" {
		t.Errorf("blood pressure components: systolic %d points (%s), diastolic %d", len(sys.Points), sys.Unit, len(dia.Points))
	}
	for i := range sys.Points {
		if sys.Points[i].Value <= dia.Points[i].Value {
			t.Errorf("systolic %v not above diastolic %v", sys.Points[i].Value, dia.Points[i].Value)
		}
	}
	if hr := byCode["8867-4"]; len(hr.Points) == 0 || hr.Unit != "/min" {
		t.Errorf("heart rate series %+v", hr)
	}
}

func TestSummarizeHandlesSparsePatients(t *testing.T) {
	s := SummarizePatient([]byte(`{"resourceType":"Patient","id":"x","name":[{"use":"nickname","given":["Bo"]},{"use":"official","family":"Li","given":["Bao"]}],"deceasedDateTime":"2020-01-01"}`))
	if s.Name != "Bao Li" || s.Family != "Li" || !s.Deceased || s.DeceasedDate != "2020-01-01" || s.PortalUser {
		t.Errorf("got %+v", s)
	}
	if e := SummarizePatient([]byte(`{"resourceType":"Patient","id":"y"}`)); e.ID != "y" || e.Given == nil || e.Tags == nil {
		t.Errorf("empty patient: %+v (lists must be [] not null for the panel)", e)
	}
	if got := VitalSeriesOf([][]byte{[]byte(`{"status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"effectiveDateTime":"not a date","valueQuantity":{"value":70}}`)}); len(got) != 0 {
		t.Errorf("an undated observation was charted: %+v", got)
	}
}

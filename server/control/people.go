package control

import (
	"encoding/json"
	"strings"
)

// PractitionerSummary is one row of the practitioner list (who can sign in as a provider).
type PractitionerSummary struct {
	ID        string `json:"id"`
	Reference string `json:"reference"` // the fhirUser value: Practitioner/{id}
	Name      string `json:"name"`
	NPI       string `json:"npi"`
}

// EncounterSummary is one row of a patient's encounter list (the launch context picker).
type EncounterSummary struct {
	ID        string `json:"id"`
	Reference string `json:"reference"`
	Status    string `json:"status"`
	Class     string `json:"class"`
	Type      string `json:"type"`
	Start     string `json:"start"`
	End       string `json:"end"`
}

const npiSystem = "http://hl7.org/fhir/sid/us-npi"

// SummarizePractitioner reads the fields the practitioner list shows.
func SummarizePractitioner(raw []byte) PractitionerSummary {
	var p struct {
		ID   string `json:"id"`
		Name []struct {
			Text   string   `json:"text"`
			Prefix []string `json:"prefix"`
			Given  []string `json:"given"`
			Family string   `json:"family"`
		} `json:"name"`
		Identifier []struct{ System, Value string } `json:"identifier"`
	}
	_ = json.Unmarshal(raw, &p)
	s := PractitionerSummary{ID: p.ID, Reference: "Practitioner/" + p.ID}
	if len(p.Name) > 0 {
		n := p.Name[0]
		s.Name = n.Text
		if s.Name == "" {
			s.Name = strings.TrimSpace(strings.Join(append(append(append([]string{}, n.Prefix...), n.Given...), n.Family), " "))
		}
	}
	for _, id := range p.Identifier {
		if id.System == npiSystem {
			s.NPI = id.Value
		}
	}
	return s
}

// SummarizeEncounter reads the fields the encounter picker shows.
func SummarizeEncounter(raw []byte) EncounterSummary {
	type coded struct {
		Coding []struct{ Code, Display string } `json:"coding"`
		Text   string                           `json:"text"`
	}
	var e struct {
		ID     string                         `json:"id"`
		Status string                         `json:"status"`
		Class  struct{ Code, Display string } `json:"class"`
		Type   []coded                        `json:"type"`
		Period struct{ Start, End string }    `json:"period"`
	}
	_ = json.Unmarshal(raw, &e)
	s := EncounterSummary{ID: e.ID, Reference: "Encounter/" + e.ID, Status: e.Status, Start: e.Period.Start, End: e.Period.End}
	s.Class = e.Class.Display
	if s.Class == "" {
		s.Class = e.Class.Code
	}
	if len(e.Type) > 0 {
		s.Type = e.Type[0].Text
		if s.Type == "" && len(e.Type[0].Coding) > 0 {
			s.Type = e.Type[0].Coding[0].Display
		}
	}
	return s
}

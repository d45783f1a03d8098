// Package population is what filling the sandbox with patients takes and gives back: what a generation
// asks for and its limits, the progress long work reports, and what a generation, a reset or an import
// stored. The control API, the CLI and the code that does the work (population/load) all speak it.
//
// It imports nothing of Valet's, so that the control API can use these types without depending on the
// FHIR service or the generator.
package population

import (
	"fmt"
	"time"
)

// GenerateRequest is what a generation asks for: the body of POST /api/generate and the flags of
// `valet generate`.
type GenerateRequest struct {
	Patients int   `json:"patients"`
	Seed     int64 `json:"seed"`
	Personas bool  `json:"personas"`
	Years    int   `json:"years"`
	// AsOf is the data's "now" as YYYY-MM-DD: every record ends before it. Empty means the generator's
	// fixed default date, so the same request gives the same data on any day.
	AsOf string `json:"as_of,omitempty"`
}

// AsOfLayout is how AsOf is written.
const AsOfLayout = "2006-01-02"

// Reference is AsOf as an instant (midnight UTC), or the zero time when AsOf is empty. Call it on a
// validated request.
func (g GenerateRequest) Reference() time.Time {
	t, _ := time.Parse(AsOfLayout, g.AsOf)
	return t
}

// Limits on one generation request: enough for load tests, small enough that a typo does not fill the disk.
const (
	MaxPatients = 100_000
	MaxYears    = 100
)

// Validate says what is wrong with the request, in words a user can act on.
func (g GenerateRequest) Validate() error {
	if g.Patients < 0 || g.Patients > MaxPatients {
		return fmt.Errorf("patients must be between 0 and %d (got %d)", MaxPatients, g.Patients)
	}
	if g.Years < 0 || g.Years > MaxYears {
		return fmt.Errorf("years must be between 1 and %d, or 0 for the default (got %d)", MaxYears, g.Years)
	}
	if g.AsOf != "" {
		t, err := time.Parse(AsOfLayout, g.AsOf)
		if err != nil || t.Year() < 1900 || t.Year() > 2200 {
			return fmt.Errorf("as_of must be a date YYYY-MM-DD between 1900 and 2200, such as 2025-06-30 (got %q)", g.AsOf)
		}
	}
	if g.Patients == 0 && !g.Personas {
		return fmt.Errorf("nothing to generate: ask for patients (1–%d) or personas", MaxPatients)
	}
	return nil
}

// GenerateResult is what a generation, a reset or the first start's default population stored.
type GenerateResult struct {
	Patients  int            `json:"patients"`
	Resources int            `json:"resources"`
	ByType    map[string]int `json:"by_type"`
	Seconds   float64        `json:"seconds"`
}

// Progress is how far long work (a generation, a reset, the default population's load) has come: Done of
// Total patient records stored (Total is 0 when unknown) and the resources stored so far. Message names a
// stage that counts nothing, such as building search indexes.
type Progress struct {
	Done      int    `json:"done"`
	Total     int    `json:"total"`
	Resources int    `json:"resources"`
	Message   string `json:"message,omitempty"`
}

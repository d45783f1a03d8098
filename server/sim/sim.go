// Package sim makes the rare failure happen on purpose: simulations attached to a client, to one EHR
// launch, or to every request, that the authorization server and the FHIR API act out on the wire (an
// error redirect, a 401 with WWW-Authenticate, a 429 with Retry-After, a slow answer, a token response
// without its refresh token, …) and mark as simulated in the flow events.
//
// A simulation fires once, on every matching request, or only on the Nth. The engine costs one atomic
// load per request and point while no simulation is set. It imports nothing of Valet's: the store is an
// interface and the grant behind an access token is resolved by a function the wiring supplies.
package sim

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// When says on which matching requests a simulation fires.
type When string

// The schedules.
const (
	Once   When = "once"   // the next matching request, then the simulation is spent
	Always When = "always" // every matching request until it is cleared
	Nth    When = "nth"    // only the Nth matching request counted from when it was set, then spent
)

// Simulation is one simulated behaviour with its scope and schedule, as the control API takes and answers
// it (and scenario files write it).
type Simulation struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	// Scope: ClientID for every request of that client, Launch for the requests of one EHR launch (its
	// authorization, its tokens, the FHIR requests made with them), neither for every request.
	ClientID string `json:"client_id,omitempty"`
	Launch   string `json:"launch,omitempty"`
	When     When   `json:"when"`
	N        int    `json:"n,omitempty"` // for nth

	DelayMS    int    `json:"delay_ms,omitempty"`
	RetryAfter int    `json:"retry_after,omitempty"`
	Scope      string `json:"scope,omitempty"`
	Patient    string `json:"patient,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	// Seen counts the matching requests so far, Fired those it acted on (not stored: they start at zero
	// when Valet starts).
	Seen  int `json:"seen"`
	Fired int `json:"fired"`
}

// Global says whether the simulation applies to every client.
func (s Simulation) Global() bool { return s.ClientID == "" && s.Launch == "" }

// Label is how events and logs name it: "fhir.rate_limited (sim 3fA9…)".
func (s Simulation) Label() string { return s.Kind + " (simulation " + s.ID + ")" }

// Mark is what a flow event carries of the simulation that shaped it.
type Mark struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
}

// Mark is the simulation as a flow event names it.
func (s Simulation) Mark() *Mark { return &Mark{ID: s.ID, Kind: s.Kind} }

// InvalidError is bad input, about one member of the simulation (its JSON name).
type InvalidError struct{ Field, Message string }

func (e *InvalidError) Error() string { return e.Message }

func invalid(field, format string, args ...any) *InvalidError {
	return &InvalidError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Limits of the parameters.
const (
	MaxDelayMS    = 60_000
	MaxRetryAfter = 86_400
	MaxN          = 1_000_000
	MaxActive     = 200
)

// Validate checks a simulation as given and fills the defaults (When once, RetryAfter 1 where it applies).
func (s *Simulation) Validate() error {
	k, ok := KindOf(s.Kind)
	if !ok {
		names := make([]string, len(Kinds))
		for i, k := range Kinds {
			names[i] = k.Name
		}
		return invalid("kind", "unknown simulation kind %q; the kinds are %s", s.Kind, strings.Join(names, ", "))
	}
	if s.ClientID != "" && s.Launch != "" {
		return invalid("launch", "give client_id or launch, not both (a launch belongs to its client already)")
	}
	switch s.When {
	case "":
		s.When = Once
	case Once, Always:
		if s.N != 0 {
			return invalid("n", "n is for when: nth")
		}
	case Nth:
		if s.N < 1 || s.N > MaxN {
			return invalid("n", "n must be between 1 and %d (the Nth matching request fires)", MaxN)
		}
	default:
		return invalid("when", "when must be once, always or nth (got %q)", s.When)
	}
	has := func(p Param) bool {
		for _, q := range k.Params {
			if q == p {
				return true
			}
		}
		return false
	}
	for _, p := range []struct {
		param Param
		set   bool
	}{{DelayMS, s.DelayMS != 0}, {RetryAfter, s.RetryAfter != 0}, {Scopes, s.Scope != ""}, {Patient, s.Patient != ""}} {
		if p.set && !has(p.param) {
			return invalid(string(p.param), "%s does not take %s", s.Kind, p.param)
		}
	}
	for _, p := range k.Required {
		if (p == DelayMS && s.DelayMS == 0) || (p == Scopes && strings.TrimSpace(s.Scope) == "") {
			return invalid(string(p), "%s needs %s", s.Kind, p)
		}
	}
	if s.DelayMS < 0 || s.DelayMS > MaxDelayMS {
		return invalid("delay_ms", "delay_ms must be between 1 and %d", MaxDelayMS)
	}
	if s.RetryAfter < 0 || s.RetryAfter > MaxRetryAfter {
		return invalid("retry_after", "retry_after must be between 0 and %d seconds", MaxRetryAfter)
	}
	if has(RetryAfter) && s.RetryAfter == 0 {
		s.RetryAfter = 1
	}
	s.Scope = strings.Join(strings.Fields(s.Scope), " ")
	if strings.Contains(s.Patient, "/") {
		return invalid("patient", "patient is an id, without Patient/")
	}
	return nil
}

func newID() string {
	var b [9]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

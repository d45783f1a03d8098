package scenario

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/valet-sandbox/valet/server/sim"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/wire"
)

// Snapshot is what the sandbox holds about one EHR launch, to be saved as a scenario: the launch, its
// client, the simulations that apply to it (global, its client's and its own) and the clock offset.
type Snapshot struct {
	Launch             store.Launch
	Client             store.Client
	GrantTypes         []string
	Simulations        []sim.Simulation
	ClockOffsetSeconds int64
}

// Snapshot reads through the control API what FromLaunch needs about launch l.
func (api API) Snapshot(ctx context.Context, l store.Launch) (Snapshot, error) {
	snap := Snapshot{Launch: l}
	var c wire.Client
	if err := api.call(ctx, "GET", "/api/clients/"+url.PathEscape(l.ClientID), nil, &c); err != nil {
		return snap, err
	}
	snap.Client, snap.GrantTypes = c.Client, c.GrantTypes
	var sims struct {
		Simulations []sim.Simulation `json:"simulations"`
	}
	if err := api.call(ctx, "GET", "/api/simulations", nil, &sims); err != nil {
		return snap, err
	}
	for _, x := range sims.Simulations {
		if x.Global() || x.ClientID == l.ClientID || x.Launch == l.ID {
			snap.Simulations = append(snap.Simulations, x)
		}
	}
	var clock struct {
		OffsetSeconds int64 `json:"offset_seconds"`
	}
	if err := api.call(ctx, "GET", "/api/clock", nil, &clock); err != nil {
		return snap, err
	}
	snap.ClockOffsetSeconds = clock.OffsetSeconds
	return snap, nil
}

// FromLaunch is the scenario that reproduces a launch: its client's registration, the simulations, the
// clock offset and the launch's context, lifetimes and consent shortcut. What the sandbox keeps only
// hashed (the client secret, user passwords) is left out: running the file sets the derived secret. The
// data is the sandbox's current one (no data:), so the file reproduces the launch on a sandbox holding
// the same population.
func FromLaunch(snap Snapshot) *Scenario {
	c := snap.Client
	s := &Scenario{
		Name:        exportName(c.ID),
		Description: fmt.Sprintf("Saved from launch %s of %s.", snap.Launch.ID, c.ID),
	}
	sc := Client{ClientID: c.ID, Name: c.Name, Type: c.Type, TokenEndpointAuthMethod: c.AuthMethod, GrantTypes: snap.GrantTypes,
		RedirectURIs: c.RedirectURIs, LaunchURI: c.LaunchURI, Scope: c.Scope, JWKSURI: c.JWKSURI,
		AccessTokenLifetime: c.AccessTokenLifetime, RefreshTokenLifetime: c.RefreshTokenLifetime, NoRefreshRotation: c.NoRefreshRotation,
		AnySecretMethod: c.AnySecretMethod, Patient: c.Patient, AutoApprove: c.AutoApprove, AppStateCodes: c.AppStateCodes,
		AppStateGlobal: c.AppStateGlobal, HTTPRedirects: c.HTTPRedirects}
	if !c.User.IsZero() {
		sc.User = c.User.String()
	}
	if len(c.JWKS) > 0 {
		_ = json.Unmarshal(c.JWKS, &sc.JWKS)
	}
	s.Clients = []Client{sc}
	if snap.ClockOffsetSeconds != 0 {
		s.Clock = &Clock{OffsetSeconds: snap.ClockOffsetSeconds}
	}
	l := snap.Launch
	s.Launch = &Launch{Client: c.ID, Patient: l.Patient, Encounter: l.Encounter, Intent: l.Intent,
		AccessTokenLifetime: l.AccessTokenLifetime, RefreshTokenLifetime: l.RefreshTokenLifetime}
	if !l.User.IsZero() {
		s.Launch.User = l.User.String()
	}
	for _, x := range snap.Simulations {
		out := Simulation{Kind: x.Kind, When: string(x.When), N: x.N, DelayMS: x.DelayMS, RetryAfter: x.RetryAfter, Scope: x.Scope,
			Patient: x.Patient}
		if out.When == string(sim.Once) {
			out.When = "" // the default
		}
		switch {
		case x.Launch == l.ID:
			s.Launch.Simulations = append(s.Launch.Simulations, out)
		case x.Launch != "":
			// another launch's: not part of this one
		default:
			out.Client = x.ClientID
			s.Simulations = append(s.Simulations, out)
		}
	}
	if l.AutoApprove {
		s.Consent = &Consent{Decision: ConsentApprove}
	}
	return s
}

// Marshal is the scenario as a file: YAML with the keys it sets (empty ones left out), which Parse reads
// back to the same scenario.
func (s *Scenario) Marshal() ([]byte, error) {
	return yaml.MarshalWithOptions(s, yaml.OmitEmpty(), yaml.IndentSequence(true))
}

var notNameChar = regexp.MustCompile(`[^a-z0-9._-]+`)

// exportName is a scenario name for a launch of clientID: "launch-" and the id made a valid name.
func exportName(clientID string) string {
	n := "launch-" + strings.Trim(notNameChar.ReplaceAllString(strings.ToLower(clientID), "-"), "-")
	if len(n) > 64 {
		n = n[:64]
	}
	return strings.TrimRight(n, "-.")
}

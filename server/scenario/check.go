package scenario

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/valet-sandbox/valet/server/population"
	"github.com/valet-sandbox/valet/server/ref"
	"github.com/valet-sandbox/valet/server/sim"
	"github.com/valet-sandbox/valet/server/store"
)

// The values some keys allow, as errors list them.
var (
	authMethods = []string{"none", "client_secret_basic", "client_secret_post", "private_key_jwt"}
	clientTypes = []string{store.ClientPublic, store.ClientConfidentialSymmetric, store.ClientConfidentialAsymmetric, store.ClientBackendService}
	grantTypes  = []string{"authorization_code", "refresh_token", "client_credentials"}
	launchTypes = []string{LaunchEHR, LaunchStandalone}
	decisions   = []string{ConsentAsk, ConsentApprove, ConsentDeny}
	whens       = []string{string(sim.Once), string(sim.Always), string(sim.Nth)}
)

// namePattern is what a scenario name and a client_id given in a scenario look like: ids that read well
// in a URL and a shell.
var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// maxClockOffset is the sandbox clock's bound, ten years either way (PUT /api/clock).
const maxClockOffset = 10 * 365 * 24 * 3600

// DefaultSeed is the seed of data without one, as `valet generate` takes it.
const DefaultSeed = 42

// check validates what the file alone can tell, filling defaults (client ids, the seed).
func (s *Scenario) check() Errors {
	var errs Errors
	add := func(path, format string, args ...any) { errs = append(errs, s.errorAt(path, format, args...)) }
	oneOf := func(path, key, v string, allowed []string) {
		if v != "" && !slices.Contains(allowed, v) {
			add(path, "%s %q is not one of %s", key, v, strings.Join(allowed, ", "))
		}
	}
	switch {
	case s.Name == "":
		add("name", "name is required: a short id such as token-expires-mid-session (client ids and secrets derive from it)")
	case !namePattern.MatchString(s.Name):
		add("name", "name %q must be lower-case letters, digits, '.', '_' or '-' (at most 64), such as token-expires-mid-session", s.Name)
	}
	if d := s.Data; d != nil {
		if d.Seed == nil {
			seed := int64(DefaultSeed)
			d.Seed = &seed
		}
		if err := d.Request().Validate(); err != nil {
			add("data", "data: %v", err)
		}
	}
	if c := s.Clock; c != nil && (c.OffsetSeconds > maxClockOffset || c.OffsetSeconds < -maxClockOffset) {
		add("clock.offset_seconds", "offset_seconds must be within ±%d (ten years); positive is ahead, negative behind", maxClockOffset)
	}
	for i, u := range s.Users {
		p := fmt.Sprintf("users[%d]", i)
		if _, err := ref.ParseUser(u.User); err != nil || u.User == "" {
			add(p+".user", "user must be Practitioner/{id} or Patient/{id} (got %q)", u.User)
		}
		if u.Password == "" {
			add(p+".password", "password is required (the login page asks for it)")
		}
	}
	ids := map[string]bool{}
	for i := range s.Clients {
		c := &s.Clients[i]
		p := fmt.Sprintf("clients[%d]", i)
		if c.ClientID == "" {
			if len(s.Clients) > 1 {
				add(p, "client_id is required when a scenario has more than one client")
			}
			c.ClientID = s.Name
		} else if !namePattern.MatchString(c.ClientID) {
			add(p+".client_id", "client_id %q must be lower-case letters, digits, '.', '_' or '-' (at most 64)", c.ClientID)
		}
		if ids[c.ClientID] {
			add(p+".client_id", "client_id %q is given twice", c.ClientID)
		}
		ids[c.ClientID] = true
		oneOf(p+".token_endpoint_auth_method", "token_endpoint_auth_method", c.TokenEndpointAuthMethod, authMethods)
		oneOf(p+".type", "type", c.Type, clientTypes)
		for j, g := range c.GrantTypes {
			oneOf(fmt.Sprintf("%s.grant_types[%d]", p, j), "grant type", g, grantTypes)
		}
		if c.Secret != "" && !c.symmetric() {
			add(p+".client_secret", "client_secret is for token_endpoint_auth_method client_secret_basic or client_secret_post")
		} else if c.Secret != "" && len(c.Secret) < 16 {
			add(p+".client_secret", "client_secret must be at least 16 characters")
		}
	}
	checkSims := func(list []Simulation, path string, topLevel bool) {
		for i, x := range list {
			p := fmt.Sprintf("%s[%d]", path, i)
			if x.Client != "" && !topLevel {
				add(p+".client", "a launch's simulations belong to its launch; client is for those under simulations:")
			} else if x.Client != "" && !ids[x.Client] {
				add(p+".client", "client %q is not one of the scenario's clients (%s)", x.Client, strings.Join(s.clientIDs(), ", "))
			}
			v := x.sim()
			if err := v.Validate(); err != nil {
				var ie *sim.InvalidError
				if errors.As(err, &ie) {
					if ie.Field == "when" {
						add(p+".when", "when %q is not one of %s", x.When, strings.Join(whens, ", "))
						continue
					}
					add(p+"."+ie.Field, "%s", ie.Message)
					continue
				}
				add(p, "%v", err)
			}
		}
	}
	checkSims(s.Simulations, "simulations", true)
	if l := s.Launch; l != nil {
		oneOf("launch.type", "type", l.Type, launchTypes)
		switch {
		case len(s.Clients) == 0 && l.Client == "":
			add("launch", "a launch needs an app: add it under clients:")
		case l.Client == "" && len(s.Clients) > 1:
			add("launch", "launch.client is required when a scenario has more than one client (%s)", strings.Join(s.clientIDs(), ", "))
		case l.Client != "" && !ids[l.Client]:
			add("launch.client", "client %q is not one of the scenario's clients (%s)", l.Client, strings.Join(s.clientIDs(), ", "))
		}
		if s.LaunchType() == LaunchStandalone {
			for _, f := range []struct{ key, v string }{{"patient", l.Patient}, {"encounter", l.Encounter}, {"user", l.User}, {"intent", l.Intent}} {
				if f.v != "" {
					add("launch."+f.key, "a standalone launch has no %s: the user picks it after signing in (use type: ehr, or the client's valet_patient / valet_user)", f.key)
				}
			}
			if len(l.Simulations) > 0 {
				add("launch.simulations", "a standalone launch has no launch id to attach simulations to: put them under simulations: with client: %s", s.LaunchClient())
			}
		}
		if _, err := ref.ParseUser(l.User); err != nil {
			add("launch.user", "user must be Practitioner/{id} or Patient/{id} (got %q)", l.User)
		}
		for _, f := range []struct {
			key string
			v   int
		}{{"access_token_lifetime", l.AccessTokenLifetime}, {"refresh_token_lifetime", l.RefreshTokenLifetime}} {
			if f.v < 0 {
				add("launch."+f.key, "%s must be at least 1 second (leave it out to keep the client's)", f.key)
			}
		}
		checkSims(l.Simulations, "launch.simulations", false)
	}
	if c := s.Consent; c != nil {
		oneOf("consent.decision", "decision", c.Decision, decisions)
		if s.Launch == nil {
			add("consent", "consent needs a launch: add launch:")
		}
		if c.Grant != "" && c.Decision == ConsentDeny {
			add("consent.grant", "grant narrows an approval; a denial grants nothing")
		}
		if c.Remember {
			switch {
			case c.Decision == ConsentDeny:
				add("consent.remember", "remember keeps an approval; a denial is not remembered")
			case s.Launch != nil && s.Launch.User == "":
				add("consent.remember", "remember needs the launch's user (launch.user: Practitioner/{id} or Patient/{id}), whose decision it is")
			case s.Launch != nil && c.Grant == "" && s.Launch.Scope == "":
				add("consent.remember", "remember needs the scopes approved: give consent.grant or launch.scope")
			}
		}
	}
	for i, st := range s.Expect {
		p := fmt.Sprintf("expect[%d]", i)
		switch {
		case st.Do == "":
			add(p, "do is required: one of %s", strings.Join(steps, ", "))
		case !slices.Contains(steps, st.Do):
			add(p+".do", "do %q is not one of %s", st.Do, strings.Join(steps, ", "))
		case st.Do == "wait" && (st.Seconds < 1 || st.Seconds > 10):
			add(p+".seconds", "a wait is 1 to 10 seconds (use the clock offset or lifetimes for more)")
		case st.Do == "fhir" && st.Path == "":
			add(p+".path", "a fhir step needs a path, such as Patient/{patient}")
		}
	}
	return errs
}

// clientIDs are the scenario's client ids, for messages.
func (s *Scenario) clientIDs() []string {
	out := make([]string, len(s.Clients))
	for i, c := range s.Clients {
		out[i] = c.ClientID
	}
	return out
}

// symmetric says whether the client authenticates with a client secret.
func (c Client) symmetric() bool {
	return c.TokenEndpointAuthMethod == "client_secret_basic" || c.TokenEndpointAuthMethod == "client_secret_post" ||
		(c.TokenEndpointAuthMethod == "" && c.Type == store.ClientConfidentialSymmetric)
}

// Request is the data as a generation request.
func (d Data) Request() population.GenerateRequest {
	var seed int64 = DefaultSeed
	if d.Seed != nil {
		seed = *d.Seed
	}
	return population.GenerateRequest{Patients: d.Patients, Seed: seed, Personas: d.Personas, Years: d.Years, AsOf: d.AsOf}
}

// sim is the simulation as the control API takes it (without its scope, which Apply sets).
func (x Simulation) sim() sim.Simulation {
	return sim.Simulation{Kind: x.Kind, When: sim.When(x.When), N: x.N, DelayMS: x.DelayMS, RetryAfter: x.RetryAfter,
		Scope: x.Scope, Patient: x.Patient}
}

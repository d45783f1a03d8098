package scenario

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/valet-sandbox/valet/server/sim"
	"github.com/valet-sandbox/valet/server/wire"
)

// API is a sandbox's control API: a running Valet over HTTP, or the handler of one opened on a data
// directory, called in-process. Either way a scenario goes through the same endpoints, so it does what
// the panel and curl would do.
type API struct {
	Base string       // the sandbox's origin, http://127.0.0.1:8765
	HTTP *http.Client // sends the requests (its Transport may be a handler called in-process)
	// Key is an API key of a shared sandbox (valet_ak_…, made in Settings › Shared access), sent as a
	// bearer token; "" for a local sandbox, whose control API needs none.
	Key string
	// Poll is how often a generation job is asked about; 0 means 100 ms.
	Poll time.Duration
}

// Result is what applying a scenario made: what an app needs to start.
type Result struct {
	Scenario string `json:"scenario"`
	BaseURL  string `json:"base_url"`
	FHIRBase string `json:"fhir_base"`
	// Clients are the apps with the credentials they authenticate with.
	Clients []AppliedClient `json:"clients"`
	// Launch is the EHR launch made (its URL opens the app); nil for a standalone launch or none.
	Launch *wire.Launch `json:"launch,omitempty"`
	// LaunchType, LaunchClient and Scope say how the app starts and what it asks for.
	LaunchType   string `json:"launch_type,omitempty"`
	LaunchClient string `json:"launch_client,omitempty"`
	Scope        string `json:"scope,omitempty"`
	// Simulations set (the launch's included), with their ids.
	Simulations []sim.Simulation `json:"simulations"`
	// ClockOffsetSeconds is the sandbox clock offset set.
	ClockOffsetSeconds int64 `json:"clock_offset_seconds"`
	// Generated is the population generated (nil without data:).
	Generated json.RawMessage `json:"generated,omitempty"`
}

// AppliedClient is a client as registered, with its secret for client_secret_* apps.
type AppliedClient struct {
	ClientID     string   `json:"client_id"`
	Type         string   `json:"type"`
	AuthMethod   string   `json:"token_endpoint_auth_method"`
	Secret       string   `json:"client_secret,omitempty"`
	RedirectURIs []string `json:"redirect_uris"`
	LaunchURI    string   `json:"launch_uri,omitempty"`
	Created      bool     `json:"created"` // false: it existed and was updated to the scenario's metadata
}

// Apply makes the sandbox behind api what the scenario says, in this order: the data, the clock, user
// passwords, the clients (created, or updated to the file's metadata), the simulations (the global ones
// and those of the scenario's clients are replaced by the file's), then the launch. Running it twice
// gives the same ids and secrets; only the launch id is new each time (a launch is used once).
// Errors about a value of the file are *Error at its line and column.
func (s *Scenario) Apply(ctx context.Context, api API) (*Result, error) {
	res := &Result{Scenario: s.Name, Simulations: []sim.Simulation{}}
	var st struct {
		BaseURL  string `json:"base_url"`
		FHIRBase string `json:"fhir_base_url"`
	}
	if err := api.call(ctx, "GET", "/api/status", nil, &st); err != nil {
		return nil, err
	}
	res.BaseURL, res.FHIRBase = st.BaseURL, st.FHIRBase
	if s.Data != nil {
		gen, err := api.generate(ctx, s.Data)
		if err != nil {
			return nil, s.apiError(err, "data", nil)
		}
		res.Generated = gen
	}
	var offset int64
	if s.Clock != nil {
		offset = s.Clock.OffsetSeconds
	}
	if err := api.call(ctx, "PUT", "/api/clock", wire.ClockInput{OffsetSeconds: &offset}, nil); err != nil {
		return nil, s.apiError(err, "clock", nil)
	}
	res.ClockOffsetSeconds = offset
	for i, u := range s.Users {
		if err := api.call(ctx, "PUT", "/api/users/"+u.User+"/password", wire.PasswordInput{Password: u.Password}, nil); err != nil {
			return nil, s.apiError(err, fmt.Sprintf("users[%d]", i), map[string]string{"password": "password"})
		}
	}
	for i, c := range s.Clients {
		out, err := api.putClient(ctx, s.clientInput(c))
		if err != nil {
			return nil, s.apiError(err, fmt.Sprintf("clients[%d]", i), map[string]string{"valet_client_secret": "client_secret"})
		}
		res.Clients = append(res.Clients, out)
	}
	if err := api.call(ctx, "DELETE", "/api/simulations?global=true", nil, nil); err != nil {
		return nil, err
	}
	for _, c := range s.Clients {
		if err := api.call(ctx, "DELETE", "/api/simulations?client_id="+url.QueryEscape(c.ClientID), nil, nil); err != nil {
			return nil, err
		}
	}
	for i, x := range s.Simulations {
		in := x.sim()
		in.ClientID = x.Client
		var out sim.Simulation
		if err := api.call(ctx, "POST", "/api/simulations", in, &out); err != nil {
			return nil, s.apiError(err, fmt.Sprintf("simulations[%d]", i), map[string]string{"client_id": "client"})
		}
		res.Simulations = append(res.Simulations, out)
	}
	if s.Launch != nil {
		if err := s.launch(ctx, api, res); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// launch makes the EHR launch, or for a standalone launch sets the consent simulations on its client.
func (s *Scenario) launch(ctx context.Context, api API, res *Result) error {
	l := s.Launch
	res.LaunchType, res.LaunchClient, res.Scope = s.LaunchType(), s.LaunchClient(), l.Scope
	consent := s.consentSimulations()
	if c := s.Consent; c != nil && c.Remember {
		in := wire.ConsentInput{ClientID: res.LaunchClient, User: l.User, Scope: c.Grant}
		if in.Scope == "" {
			in.Scope = l.Scope
		}
		at := map[string]string{"scope": "grant", "user": "remember", "client_id": "remember"}
		if c.Grant == "" {
			at["scope"] = "remember" // the launch's scope, which the launch itself accepts
		}
		if err := api.call(ctx, "PUT", "/api/consents", in, nil); err != nil {
			return s.apiError(err, "consent", at)
		}
	}
	if s.LaunchType() == LaunchStandalone {
		for _, in := range consent {
			in.ClientID = res.LaunchClient
			var out sim.Simulation
			if err := api.call(ctx, "POST", "/api/simulations", in, &out); err != nil {
				return s.apiError(err, "consent", nil)
			}
			res.Simulations = append(res.Simulations, out)
		}
		return nil
	}
	in := wire.LaunchInput{ClientID: res.LaunchClient, Patient: l.Patient, Encounter: l.Encounter, User: l.User, Intent: l.Intent,
		AutoApprove: s.ConsentDecision() == ConsentApprove, AccessTokenLifetime: l.AccessTokenLifetime,
		RefreshTokenLifetime: l.RefreshTokenLifetime}
	for _, x := range l.Simulations {
		in.Simulations = append(in.Simulations, x.sim())
	}
	in.Simulations = append(in.Simulations, consent...)
	var out wire.Launch
	if err := api.call(ctx, "POST", "/api/launches", in, &out); err != nil {
		return s.apiError(err, "launch", map[string]string{"client_id": "client"})
	}
	res.Launch = &out
	res.Simulations = append(res.Simulations, out.Simulations...)
	return nil
}

// consentSimulations are the consent decisions the consent page cannot be told beforehand: a denial is
// access_denied, a narrowed grant consent_subset (server/sim), both on every authorization of the launch.
func (s *Scenario) consentSimulations() []sim.Simulation {
	var out []sim.Simulation
	if s.ConsentDecision() == ConsentDeny {
		out = append(out, sim.Simulation{Kind: sim.AuthorizeAccessDenied, When: sim.Always})
	}
	if s.Consent != nil && s.Consent.Grant != "" {
		out = append(out, sim.Simulation{Kind: sim.AuthorizeConsentSubset, When: sim.Always, Scope: s.Consent.Grant})
	}
	return out
}

// clientInput is the client as the control API takes it, with its secret fixed.
func (s *Scenario) clientInput(c Client) wire.ClientInput {
	in := wire.ClientInput{ClientID: c.ClientID, Name: c.Name, Type: c.Type, TokenEndpointAuthMethod: c.TokenEndpointAuthMethod,
		GrantTypes: c.GrantTypes, RedirectURIs: c.RedirectURIs, LaunchURI: c.LaunchURI, Scope: c.Scope, JWKSURI: c.JWKSURI,
		AccessTokenLifetime: c.AccessTokenLifetime, RefreshTokenLifetime: c.RefreshTokenLifetime, NoRefreshRotation: c.NoRefreshRotation,
		AnySecretMethod: c.AnySecretMethod, User: c.User, Patient: c.Patient, AutoApprove: c.AutoApprove, AppStateCodes: c.AppStateCodes,
		AppStateGlobal: c.AppStateGlobal, HTTPRedirects: c.HTTPRedirects, Secret: c.Secret}
	if in.Name == "" {
		in.Name = c.ClientID
	}
	if c.JWKS != nil {
		in.JWKS, _ = json.Marshal(c.JWKS)
	}
	if c.symmetric() && in.Secret == "" {
		in.Secret = DerivedSecret(s.Name, c.ClientID)
	}
	return in
}

// DerivedSecret is the client_secret of a scenario's client that the file gives none: derived from the
// scenario's name and the client_id, so it is the same on every machine. It guards nothing — anyone with
// the file knows it — which is what a reproduction wants.
func DerivedSecret(scenario, clientID string) string {
	sum := sha256.Sum256([]byte("valet scenario\x00" + scenario + "\x00" + clientID))
	return hex.EncodeToString(sum[:16])
}

// putClient creates the client, or updates it to the file's metadata when its id is taken.
func (api API) putClient(ctx context.Context, in wire.ClientInput) (AppliedClient, error) {
	var out wire.Client
	created := true
	err := api.call(ctx, "GET", "/api/clients/"+url.PathEscape(in.ClientID), nil, nil)
	var ae *apiError
	switch {
	case errors.As(err, &ae) && ae.status == http.StatusNotFound:
		err = api.call(ctx, "POST", "/api/clients", in, &out)
	case err == nil:
		created = false
		err = api.call(ctx, "PUT", "/api/clients/"+url.PathEscape(in.ClientID), in, &out)
	}
	if err != nil {
		return AppliedClient{}, err
	}
	return AppliedClient{ClientID: out.ID, Type: out.Type, AuthMethod: out.AuthMethod, Secret: in.Secret, RedirectURIs: out.RedirectURIs,
		LaunchURI: out.LaunchURI, Created: created}, nil
}

// generate runs a generation job to its end (waiting first for a job that runs, such as the default
// population a new sandbox loads) and returns its result.
func (api API) generate(ctx context.Context, d *Data) (json.RawMessage, error) {
	type job struct {
		ID     string          `json:"id"`
		State  string          `json:"state"`
		Error  string          `json:"error"`
		Result json.RawMessage `json:"result"`
	}
	poll := api.Poll
	if poll == 0 {
		poll = 100 * time.Millisecond
	}
	wait := func(id string) (job, error) {
		for {
			var j job
			if err := api.call(ctx, "GET", "/api/jobs/"+id, nil, &j); err != nil {
				return j, err
			}
			if j.State != "running" {
				return j, nil
			}
			select {
			case <-ctx.Done():
				return j, ctx.Err()
			case <-time.After(poll):
			}
		}
	}
	for {
		var j job
		err := api.call(ctx, "POST", "/api/generate", d.Request(), &j)
		var ae *apiError
		if errors.As(err, &ae) && ae.status == http.StatusConflict {
			var busy struct{ Job job }
			if json.Unmarshal(ae.body, &busy) == nil && busy.Job.ID != "" {
				if _, err := wait(busy.Job.ID); err != nil {
					return nil, err
				}
				continue
			}
		}
		if err != nil {
			return nil, err
		}
		if j, err = wait(j.ID); err != nil {
			return nil, err
		}
		if j.State != "done" {
			return nil, fmt.Errorf("the generation %s: %s", j.State, j.Error)
		}
		return j.Result, nil
	}
}

// apiError is a control API answer other than success.
type apiError struct {
	method, path string
	status       int
	msg, field   string
	body         []byte
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s %s: %d %s", e.method, e.path, e.status, e.msg)
}

// apiError places a refusal of the control API at the value of the file it is about: under path, the
// member its field names (renamed where the file calls it otherwise), else path itself.
func (s *Scenario) apiError(err error, path string, rename map[string]string) error {
	var ae *apiError
	if !errors.As(err, &ae) || ae.status >= 500 || ae.status == http.StatusConflict {
		return err
	}
	at := path
	if ae.field != "" {
		f := ae.field
		if r, ok := rename[f]; ok {
			f = r
		}
		at = join(path, f)
	}
	return Errors{s.errorAt(at, "the sandbox refused %s: %s", describe(path), ae.msg)}
}

// call sends one control API request (JSON in, JSON out) and decodes a success into out.
func (api API) call(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, api.Base+path, rd)
	if err != nil {
		return err
	}
	if method != "GET" {
		// The control API takes state changes only as JSON (server/control/firstparty.go).
		req.Header.Set("Content-Type", "application/json")
	}
	if api.Key != "" {
		req.Header.Set("Authorization", "Bearer "+api.Key)
	}
	resp, err := api.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("the sandbox at %s does not answer: %w", api.Base, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var e wire.Error
		_ = json.Unmarshal(b, &e)
		if e.Error == "" {
			e.Error = strings.TrimSpace(string(b))
		}
		if resp.StatusCode == http.StatusUnauthorized {
			if api.Key == "" {
				e.Error += " (a shared sandbox: make an API key in Settings › Shared access and set VALET_API_KEY to it)"
			} else {
				e.Error += " (VALET_API_KEY is not a live API key of this sandbox)"
			}
		}
		return &apiError{method: method, path: path, status: resp.StatusCode, msg: e.Error, field: e.Field, body: b}
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: the answer is not the JSON expected (is %s a Valet?): %w", method, path, api.Base, err)
		}
	}
	return nil
}

// InProcess is the control API served by h, called without a listener (base names the sandbox in
// what it answers): a data directory's sandbox for the CLI, or the sandbox's own /api for
// POST /api/scenarios. Either way the scenario meets the checks the panel and curl meet.
func InProcess(base string, h http.Handler) API {
	return API{Base: base, HTTP: &http.Client{Transport: handlerTransport{h}}}
}

type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

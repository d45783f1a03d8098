package scenario

import (
	"errors"
	"strings"
	"testing"
)

// Each bad file is refused with the line and column of the bad value, and what is allowed there.
func TestParseErrorsNamePlaceAndAllowedValues(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string // each error's "line:col: message" start, in order
	}{
		{"unknown top-level key", "name: x\nlaunh:\n  type: ehr\n",
			[]string{`2:1: unknown key "launh" in the scenario; the keys are clients, clock, consent, data, description, expect, launch, name, simulations, users`}},
		{"unknown keys everywhere, all reported", "name: x\nclients:\n  - client_id: a\n    colour: red\nlaunch:\n  patinet: p1\n",
			[]string{`4:5: unknown key "colour" in clients[0]; the keys are access_token_lifetime, any_secret_method, client_id,`,
				`6:3: unknown key "patinet" in launch; the keys are access_token_lifetime, client, encounter, intent, patient,`}},
		{"launch type", "name: x\nclients: [{client_id: a}]\nlaunch:\n  type: emr\n",
			[]string{`4:9: type "emr" is not one of ehr, standalone`}},
		{"consent decision", "name: x\nclients: [{client_id: a}]\nlaunch: {}\nconsent:\n  decision: maybe\n",
			[]string{`5:13: decision "maybe" is not one of ask, approve, deny`}},
		{"remember without the user", "name: x\nclients: [{client_id: a}]\nlaunch: {scope: launch openid}\nconsent:\n  remember: true\n",
			[]string{`5:13: remember needs the launch's user`}},
		{"remember without scopes", "name: x\nclients: [{client_id: a}]\nlaunch: {user: Practitioner/d}\nconsent:\n  remember: true\n",
			[]string{`5:13: remember needs the scopes approved`}},
		{"remember a denial", "name: x\nclients: [{client_id: a}]\nlaunch: {user: Practitioner/d, scope: openid}\nconsent:\n  decision: deny\n  remember: true\n",
			[]string{`6:13: remember keeps an approval`}},
		{"auth method", "name: x\nclients:\n  - token_endpoint_auth_method: secret\n",
			[]string{`3:33: token_endpoint_auth_method "secret" is not one of none, client_secret_basic, client_secret_post, private_key_jwt`}},
		{"grant type", "name: x\nclients:\n  - grant_types: [authorization_code, implicit]\n",
			[]string{`3:39: grant type "implicit" is not one of authorization_code, refresh_token, client_credentials`}},
		{"simulation kind lists the kinds", "name: x\nsimulations:\n  - kind: fhir.rate_limit\n",
			[]string{`3:11: unknown simulation kind "fhir.rate_limit"; the kinds are authorize.invalid_client,`}},
		{"simulation when", "name: x\nsimulations:\n  - kind: fhir.server_error\n    when: sometimes\n",
			[]string{`4:11: when "sometimes" is not one of once, always, nth`}},
		{"simulation missing its parameter", "name: x\nsimulations:\n  - kind: fhir.slow\n",
			[]string{`3:5: fhir.slow needs delay_ms`}},
		{"simulation of a client the file lacks", "name: x\nclients: [{client_id: a}]\nsimulations:\n  - kind: fhir.server_error\n    client: b\n",
			[]string{`5:13: client "b" is not one of the scenario's clients (a)`}},
		{"wrong type", "name: x\nclients:\n  - client_id: a\n    access_token_lifetime: lots\n",
			[]string{`4:28: clients[0].access_token_lifetime must be a whole number (got "lots")`}},
		{"a string for a list", "name: x\nclients:\n  - redirect_uris: http://127.0.0.1/cb\n",
			[]string{`3:20: clients[0].redirect_uris: `}},
		{"missing name", "clients: []\n", []string{`1:1: name is required`}},
		{"bad name", "name: My Scenario\n", []string{`1:7: name "My Scenario" must be lower-case letters`}},
		{"data out of range", "name: x\ndata:\n  patients: -1\n", []string{`3:3: data: patients must be between 0 and 100000`}},
		{"as_of", "name: x\ndata:\n  patients: 1\n  as_of: yesterday\n", []string{`3:3: data: as_of must be a date YYYY-MM-DD`}},
		{"clock bound", "name: x\nclock:\n  offset_seconds: 999999999\n", []string{`3:19: offset_seconds must be within ±315360000`}},
		{"user reference", "name: x\nusers:\n  - user: Organization/o1\n    password: pw\n",
			[]string{`3:11: user must be Practitioner/{id} or Patient/{id} (got "Organization/o1")`}},
		{"standalone takes no patient", "name: x\nclients: [{client_id: a}]\nlaunch:\n  type: standalone\n  patient: p1\n",
			[]string{`5:12: a standalone launch has no patient`}},
		{"launch of an unknown client", "name: x\nclients: [{client_id: a}]\nlaunch:\n  client: b\n",
			[]string{`4:11: client "b" is not one of the scenario's clients (a)`}},
		{"two clients need ids", "name: x\nclients:\n  - client_id: a\n  - client_name: B\n",
			[]string{`4:5: client_id is required when a scenario has more than one client`}},
		{"secret of a public client", "name: x\nclients:\n  - token_endpoint_auth_method: none\n    client_secret: 0123456789abcdef\n",
			[]string{`4:20: client_secret is for token_endpoint_auth_method client_secret_basic or client_secret_post`}},
		{"syntax", "name: x\n  bad: [\n", []string{`1:7: `}},
		{"two documents", "name: x\n---\nname: y\n", []string{`3:1: a scenario file holds one YAML document`}},
		{"empty", "# nothing\n", []string{`1:1: the file is empty`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("s.yaml", []byte(tc.src))
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("err = %v, want Errors", err)
			}
			if len(es) != len(tc.want) {
				t.Fatalf("%d errors, want %d:\n%v", len(es), len(tc.want), es)
			}
			for i, w := range tc.want {
				if got := es[i].Error(); !strings.HasPrefix(got, "s.yaml:"+w) {
					t.Errorf("error %d = %q\nwant prefix %q", i, got, "s.yaml:"+w)
				}
			}
		})
	}
}

// A complete file parses into its values, with the defaults filled in.
func TestParseFillsDefaults(t *testing.T) {
	s, err := Parse("s.yaml", []byte(`
name: demo
data:
  patients: 2
clients:
  - redirect_uris: [http://127.0.0.1:9000/cb]
    token_endpoint_auth_method: client_secret_post
launch:
  patient: p1
  simulations:
    - kind: fhir.rate_limited
      when: nth
      n: 3
  user: Practitioner/d1
consent:
  grant: launch openid
  remember: true
`))
	if err != nil {
		t.Fatal(err)
	}
	if s.Clients[0].ClientID != "demo" || s.LaunchClient() != "demo" || s.LaunchType() != LaunchEHR || s.ConsentDecision() != ConsentAsk {
		t.Errorf("defaults: client %q, launch client %q, type %q, decision %q", s.Clients[0].ClientID, s.LaunchClient(), s.LaunchType(), s.ConsentDecision())
	}
	if *s.Data.Seed != DefaultSeed {
		t.Errorf("seed = %d, want %d", *s.Data.Seed, DefaultSeed)
	}
	in := s.clientInput(s.Clients[0])
	if in.Secret != DerivedSecret("demo", "demo") || len(in.Secret) != 32 {
		t.Errorf("derived secret = %q", in.Secret)
	}
	if DerivedSecret("demo", "demo") == DerivedSecret("demo2", "demo") {
		t.Error("the derived secret does not depend on the scenario name")
	}
	if !s.Consent.Remember || s.ConsentDecision() != ConsentAsk {
		t.Errorf("consent = %+v", *s.Consent)
	}
	subs := s.consentSimulations()
	if len(subs) != 1 || subs[0].Kind != "authorize.consent_subset" || subs[0].Scope != "launch openid" {
		t.Errorf("consent simulations = %+v", subs)
	}
}

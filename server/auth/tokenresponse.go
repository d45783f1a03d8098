package auth

import (
	"encoding/json"
	"strconv"

	"github.com/valet-sandbox/valet/internal/jsonstr"
	"github.com/valet-sandbox/valet/server/events"
)

// tokenResponse is the token endpoint's answer (RFC 6749 §5.1; SMART App Launch 2.2 §Response).
type tokenResponse struct {
	AccessToken  string
	TokenType    string
	ExpiresIn    int
	Scope        string
	RefreshToken string
	IDToken      string
	Patient      string
	Encounter    string
	launchContext
}

// launchContext is the rest of the launch context a token response carries (SMART App Launch 2.2
// §Launch context). It is stored with the grant (store.Grant.Context) as this JSON, so that refreshed
// tokens carry it too.
type launchContext struct {
	FHIRContext       json.RawMessage `json:"fhirContext,omitempty"` // an array of objects (2.2)
	Intent            string          `json:"intent,omitempty"`
	NeedPatientBanner *bool           `json:"need_patient_banner,omitempty"`
	SmartStyleURL     string          `json:"smart_style_url,omitempty"`
	Tenant            string          `json:"tenant,omitempty"`
}

// members yields the response's members in alphabetical order (the order encoding/json gives a map's
// keys), leaving out optional members that are empty. Values are string, int, bool or json.RawMessage.
func (t *tokenResponse) members(yield func(key string, value any)) {
	str := func(k, v string) {
		if v != "" {
			yield(k, v)
		}
	}
	str("access_token", t.AccessToken)
	str("encounter", t.Encounter)
	yield("expires_in", t.ExpiresIn)
	if len(t.FHIRContext) > 0 {
		yield("fhirContext", t.FHIRContext)
	}
	str("id_token", t.IDToken)
	str("intent", t.Intent)
	if t.NeedPatientBanner != nil {
		yield("need_patient_banner", *t.NeedPatientBanner)
	}
	str("patient", t.Patient)
	str("refresh_token", t.RefreshToken)
	yield("scope", t.Scope)
	str("smart_style_url", t.SmartStyleURL)
	str("tenant", t.Tenant)
	yield("token_type", t.TokenType)
}

// appendJSON appends the response as JSON: the bytes encoding/json writes for the same members as a
// map (strings HTML-escaped), without its reflection on every token response.
func (t *tokenResponse) appendJSON(b []byte) []byte {
	b = append(b, '{')
	first := true
	t.members(func(k string, v any) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(jsonstr.Append(b, k, true), ':')
		switch v := v.(type) {
		case string:
			b = jsonstr.Append(b, v, true)
		case int:
			b = strconv.AppendInt(b, int64(v), 10)
		case bool:
			b = strconv.AppendBool(b, v)
		case json.RawMessage:
			b = append(b, v...)
		}
	})
	return append(b, '}')
}

// eventFields is the response as the flow event shows it, credentials redacted.
func (t *tokenResponse) eventFields() map[string]any {
	m := make(map[string]any, 12)
	t.members(func(k string, v any) { m[k] = v })
	return events.Fields(m)
}

package events

import (
	"net/url"
	"strings"
)

// secretParams are request and response parameters whose values are credentials.
var secretParams = map[string]bool{
	"client_secret": true, "code": true, "code_verifier": true, "refresh_token": true, "access_token": true,
	"id_token": true, "token": true, "client_assertion": true, "password": true, "csrf": true,
}

// Redact hides a credential: a JWT keeps its header and claims (which the inspector decodes) and loses its
// signature, so it can no longer be presented; anything else keeps a short prefix to tell values apart.
func Redact(v string) string {
	if strings.Count(v, ".") == 2 {
		return v[:strings.LastIndexByte(v, '.')] + ".REDACTED"
	}
	if len(v) > 6 {
		return v[:4] + "…REDACTED"
	}
	return "REDACTED"
}

// Form turns request parameters into event fields with credentials redacted.
func Form(v url.Values) map[string]any {
	out := make(map[string]any, len(v))
	for k, vals := range v {
		val := strings.Join(vals, " ")
		if secretParams[k] && val != "" {
			val = Redact(val)
		}
		out[k] = val
	}
	return out
}

// Fields redacts the credential-valued entries of a response body.
func Fields(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if s, ok := v.(string); ok && secretParams[k] && s != "" {
			v = Redact(s)
		}
		out[k] = v
	}
	return out
}

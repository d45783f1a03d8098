package bulk

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/valet-sandbox/valet/server/fhir"
)

// maxParametersBody bounds a POST kick-off's Parameters resource.
const maxParametersBody = 1 << 20

// The _outputFormat values that mean NDJSON (the IG's required format and its abbreviations).
var ndjsonFormats = map[string]bool{"application/fhir+ndjson": true, "application/ndjson": true, "ndjson": true}

// params are a kick-off's parameters as sent, each with its values in order (a GET's query, a POST's
// Parameters resource), and the request's Prefer handling.
type params struct {
	values  url.Values
	lenient bool
}

// kickOffParams reads the parameters of a kick-off request and checks its headers
// (http://hl7.org/fhir/uv/bulkdata/export.html#headers).
func kickOffParams(r *http.Request) (*params, *fhir.Outcome) {
	prefer := preferences(r.Header)
	if !prefer["respond-async"] {
		return nil, invalid("", "a Bulk Data kick-off needs the header Prefer: respond-async (the export runs asynchronously)")
	}
	if a := r.Header.Get("Accept"); a != "" && !acceptsFHIRJSON(a) {
		return nil, invalid("", "Accept %q is not supported: a kick-off answers application/fhir+json", a)
	}
	p := &params{lenient: prefer["handling=lenient"]}
	if r.Method == http.MethodGet {
		v, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return nil, invalid("", "cannot read the query: %v", err)
		}
		p.values = v
		return p, nil
	}
	if r.URL.RawQuery != "" {
		return nil, invalid("", "a POST kick-off carries its parameters in a Parameters resource in the body, not in the URL")
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/fhir+json" && mt != "application/json" {
		return nil, &fhir.Outcome{Status: http.StatusUnsupportedMediaType, Issues: []fhir.Issue{{Severity: "error", Code: "not-supported",
			Diagnostics: fmt.Sprintf("Content-Type %q is not supported: send a Parameters resource as application/fhir+json", r.Header.Get("Content-Type"))}}}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxParametersBody+1))
	if err != nil {
		return nil, invalid("", "cannot read the body: %v", err)
	}
	if len(body) > maxParametersBody {
		return nil, &fhir.Outcome{Status: http.StatusRequestEntityTooLarge, Issues: []fhir.Issue{{Severity: "error", Code: "too-costly",
			Diagnostics: fmt.Sprintf("the Parameters resource is larger than %d bytes", maxParametersBody)}}}
	}
	v, o := parametersValues(body)
	if o != nil {
		return nil, o
	}
	p.values = v
	return p, nil
}

// parametersValues reads a Parameters resource (http://hl7.org/fhir/R4/parameters.html) into named
// values: a valueReference as its reference, every other value[x] as its text.
func parametersValues(body []byte) (url.Values, *fhir.Outcome) {
	var ps struct {
		ResourceType string `json:"resourceType"`
		Parameter    []map[string]json.RawMessage
	}
	if err := json.Unmarshal(body, &ps); err != nil || ps.ResourceType != "Parameters" {
		return nil, invalid("", "the body of a POST kick-off must be a FHIR Parameters resource")
	}
	v := url.Values{}
	for i, p := range ps.Parameter {
		var name string
		_ = json.Unmarshal(p["name"], &name)
		if name == "" {
			return nil, invalid(fmt.Sprintf("Parameters.parameter[%d]", i), "a parameter without a name")
		}
		var val string
		for k, raw := range p {
			if !strings.HasPrefix(k, "value") {
				continue
			}
			if k == "valueReference" {
				var ref struct{ Reference string }
				_ = json.Unmarshal(raw, &ref)
				val = ref.Reference
			} else if err := json.Unmarshal(raw, &val); err != nil {
				return nil, invalid(fmt.Sprintf("Parameters.parameter[%d]", i), "parameter %s: %s is not a string", name, k)
			}
		}
		if val == "" {
			return nil, invalid(fmt.Sprintf("Parameters.parameter[%d]", i), "parameter %s has no value", name)
		}
		v.Add(name, val)
	}
	return v, nil
}

// preferences are the Prefer header's tokens (RFC 7240), lower-cased: "respond-async", "handling=lenient".
func preferences(h http.Header) map[string]bool {
	out := map[string]bool{}
	for _, line := range h.Values("Prefer") {
		for _, tok := range strings.Split(line, ",") {
			tok = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(tok), " ", ""))
			if tok != "" {
				out[tok] = true
			}
		}
	}
	return out
}

func acceptsFHIRJSON(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := mime.ParseMediaType(strings.TrimSpace(part))
		switch mt {
		case "application/fhir+json", "application/json", "*/*", "application/*":
			return true
		}
	}
	return false
}

// list splits a parameter's values at commas and drops empty items: _type=Patient,Observation and
// _type=Patient&_type=Observation mean the same (IG 2.0, "Query Parameters").
func (p *params) list(name string) []string {
	var out []string
	for _, v := range p.values[name] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// typeFilterStart finds where the next query of a comma-separated _typeFilter starts: a comma followed
// by a resource type and "?". A comma elsewhere belongs to a search value (code=a,b).
var typeFilterStart = regexp.MustCompile(`,([A-Z][A-Za-z]+\?)`)

// typeFilters splits the _typeFilter values into queries.
func (p *params) typeFilters() []string {
	var out []string
	for _, v := range p.values["_typeFilter"] {
		last := 0
		for _, m := range typeFilterStart.FindAllStringSubmatchIndex(v, -1) {
			out = append(out, v[last:m[0]])
			last = m[2]
		}
		out = append(out, v[last:])
	}
	return out
}

// since parses _since, a FHIR instant (http://hl7.org/fhir/R4/datatypes.html#instant): a date and a time
// with its zone.
func (p *params) since() (time.Time, *fhir.Outcome) {
	vs := p.values["_since"]
	if len(vs) == 0 {
		return time.Time{}, nil
	}
	if len(vs) > 1 {
		return time.Time{}, invalid("_since", "_since is given %d times; give it once", len(vs))
	}
	t, err := time.Parse(time.RFC3339Nano, vs[0])
	if err != nil {
		return time.Time{}, invalid("_since", "_since %q is not a FHIR instant: give a date, time and zone, e.g. 2025-01-31T09:30:00Z", vs[0])
	}
	return t, nil
}

func invalid(param, format string, args ...any) *fhir.Outcome {
	is := fhir.Issue{Severity: "error", Code: "invalid", Diagnostics: fmt.Sprintf(format, args...)}
	if param != "" {
		is.Expression = []string{param}
	}
	return &fhir.Outcome{Status: http.StatusBadRequest, Issues: []fhir.Issue{is}}
}

func notSupported(param, format string, args ...any) *fhir.Outcome {
	o := invalid(param, format, args...)
	o.Issues[0].Code = "not-supported"
	return o
}

func warning(param, format string, args ...any) fhir.Issue {
	is := fhir.Issue{Severity: "warning", Code: "not-supported", Diagnostics: fmt.Sprintf(format, args...)}
	if param != "" {
		is.Expression = []string{param}
	}
	return is
}

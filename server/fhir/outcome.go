package fhir

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/valet-sandbox/valet/server/incident"
)

// Issue is one OperationOutcome.issue (http://hl7.org/fhir/R4/operationoutcome.html).
type Issue struct {
	Severity    string   `json:"severity"`
	Code        string   `json:"code"`
	Diagnostics string   `json:"diagnostics,omitempty"`
	Expression  []string `json:"expression,omitempty"`
}

// Outcome is an error answered as an OperationOutcome with an HTTP status. Handlers return it as a
// value and one place writes it.
type Outcome struct {
	Status int
	Issues []Issue
	Header http.Header // extra headers (WWW-Authenticate)
}

func (o *Outcome) Error() string {
	if len(o.Issues) == 0 {
		return http.StatusText(o.Status)
	}
	return o.Issues[0].Diagnostics
}

func outcome(status int, code, format string, args ...any) *Outcome {
	return &Outcome{Status: status, Issues: []Issue{{Severity: "error", Code: code, Diagnostics: fmt.Sprintf(format, args...)}}}
}

func badRequest(format string, args ...any) *Outcome {
	return outcome(http.StatusBadRequest, "invalid", format, args...)
}

func notFound(typ, id string) *Outcome {
	return outcome(http.StatusNotFound, "not-found", "%s/%s is not known", typ, id)
}

func forbidden(format string, args ...any) *Outcome {
	return outcome(http.StatusForbidden, "forbidden", format, args...)
}

// internal answers an unexpected error (the database's, mostly) with a 500 that carries only an id: the
// error goes to the log under that id (incident.Report), and SQL, file paths and driver text never reach
// a client. serve logs the request's method and path with the id.
func internal(err error) *Outcome {
	return &Outcome{Status: http.StatusInternalServerError,
		Issues: []Issue{{Severity: "error", Code: "exception", Diagnostics: incident.Report(nil, err)}}}
}

// operationOutcome is the wire form.
type operationOutcome struct {
	ResourceType string  `json:"resourceType"`
	Issue        []Issue `json:"issue"`
}

func (o *Outcome) resource() []byte {
	b, _ := json.Marshal(operationOutcome{ResourceType: "OperationOutcome", Issue: o.Issues})
	return b
}

func writeOutcome(w http.ResponseWriter, o *Outcome) {
	for k, vs := range o.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	writeBody(w, o.Status, o.resource())
}

// fhirJSON is the Content-Type of every body, shared by all responses (net/http copies header values
// when it writes them; nothing appends to them).
var fhirJSON = []string{"application/fhir+json; charset=utf-8"}

// writeBody writes the whole body at once with its Content-Length, so net/http neither buffers it nor
// chunks a body longer than its 2 KB buffer (a search page usually is).
func writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = fhirJSON
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// informational is an OperationOutcome that reports without failing (ignored search parameters).
func informational(diag string) Issue {
	return Issue{Severity: "warning", Code: "not-supported", Diagnostics: diag}
}

// WriteOutcome writes o as an OperationOutcome with its status, for the Bulk Data endpoints (server/bulk).
func WriteOutcome(w http.ResponseWriter, o *Outcome) { writeOutcome(w, o) }

// Internal is the 500 of an unexpected error, its text kept in the log (see internal).
func Internal(err error) *Outcome { return internal(err) }

// Resource is o as an OperationOutcome resource (compact JSON).
func (o *Outcome) Resource() []byte { return o.resource() }

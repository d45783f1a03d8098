package fhir

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/valet-sandbox/valet/server/fhir/spec"
)

// batchGet answers a GET entry of a batch Bundle (read, vread, history, search, $everything) with the
// same handler, token and checks as the plain request, and returns the entry of the batch-response.
func (s *Service) batchGet(r *request, e *entry) []byte {
	rel := strings.TrimPrefix(strings.TrimPrefix(e.url, s.base), "/")
	path, _, _ := strings.Cut(rel, "?")
	parts := strings.Split(path, "/")
	hr, err := http.NewRequestWithContext(r.ctx(), http.MethodGet, "/fhir/"+rel, nil)
	if err != nil || path == "" {
		return entryOutcome(badRequest("request.url %q is not a FHIR request", e.url))
	}
	hr.Header = http.Header{"Prefer": r.Header.Values("Prefer")}
	var h handler
	switch {
	case len(parts) == 1:
		h = s.searchType
	case len(parts) == 2 && parts[1] == "_history":
		h = s.typeHistory
	case len(parts) == 2:
		h = s.read
		hr.SetPathValue("id", parts[1])
	case len(parts) == 3 && parts[0] == "Patient" && parts[2] == "$everything":
		h = s.everything
		hr.SetPathValue("id", parts[1])
	case len(parts) == 3 && parts[2] == "_history":
		h = s.instanceHistory
		hr.SetPathValue("id", parts[1])
	case len(parts) == 4 && parts[2] == "_history":
		h = s.vread
		hr.SetPathValue("id", parts[1])
		hr.SetPathValue("vid", parts[3])
	default:
		return entryOutcome(badRequest("request.url %q is not a read, search, history or $everything", e.url))
	}
	if !spec.IsResourceType(parts[0]) {
		return entryOutcome(outcome(http.StatusNotFound, "not-supported", "%q is not a FHIR R4 resource type", parts[0]))
	}
	hr.SetPathValue("type", parts[0])
	resp, o := h(&request{Request: hr, acc: r.acc, interaction: "read"})
	if o != nil {
		return entryOutcome(o)
	}
	out := `{"resource":` + string(resp.body) + `,"response":{"status":"` + strconv.Itoa(resp.status) + " " + http.StatusText(resp.status) + `"`
	if resp.etag != "" {
		out += `,"etag":` + strconv.Quote(resp.etag)
	}
	return []byte(out + `}}`)
}

func entryOutcome(o *Outcome) []byte {
	return []byte(`{"response":{"status":"` + strconv.Itoa(o.Status) + " " + http.StatusText(o.Status) + `","outcome":` + string(o.resource()) + `}}`)
}

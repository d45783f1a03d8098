package fhir

import (
	"net/http"
	"net/url"

	"github.com/valet-sandbox/valet/server/fhir/search"
)

// ccd is the LOINC code of a Continuity of Care Document, the type $docref answers without one given.
const ccd = "http://loinc.org|34133-9"

// docref answers US Core's $docref (http://hl7.org/fhir/us/core/STU6.1/OperationDefinition-docref.html):
// the patient's DocumentReferences of a type (the CCD when none is given) whose period of service falls
// in [start, end]; without start and end, the most recent one. It is the DocumentReference search it
// translates to, so the token's scopes, paging and errors are the search's. Valet generates no document on
// demand: on-demand is accepted and the stored documents are what it answers.
func (s *Service) docref(r *request) (*response, *Outcome) {
	in, o := searchQuery(r)
	if o != nil {
		return nil, o
	}
	for name := range in {
		switch name {
		case "patient", "start", "end", "type", "on-demand", "_count":
		default:
			return nil, badRequest("$docref takes patient, start, end, type and on-demand, not %q", name)
		}
	}
	if len(in["patient"]) != 1 || in.Get("patient") == "" {
		return nil, badRequest("$docref needs one patient (patient=id)")
	}
	if od := in.Get("on-demand"); od != "" && od != "true" && od != "false" {
		return nil, badRequest("on-demand must be true or false, not %q", od)
	}
	q := url.Values{"patient": {in.Get("patient")}, "type": {ccd}}
	if t := in.Get("type"); t != "" {
		q.Set("type", t)
	}
	// The bounds are the period of service (DocumentReference.context.period).
	if v := in.Get("start"); v != "" {
		q.Add("period", "ge"+v)
	}
	if v := in.Get("end"); v != "" {
		q.Add("period", "le"+v)
	}
	if len(q["period"]) == 0 {
		q.Set("_sort", "-date")
		q.Set("_count", "1")
	} else if c := in.Get("_count"); c != "" {
		q.Set("_count", c)
	}
	if _, err := search.Parse("DocumentReference", q, search.Options{Base: s.base, Now: s.now()}); err != nil {
		return nil, searchOutcome(err, http.StatusBadRequest)
	}
	u := *r.URL
	u.RawQuery = q.Encode()
	r.URL = &u
	r.SetPathValue("type", "DocumentReference")
	return s.searchType(r)
}

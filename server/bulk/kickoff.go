package bulk

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/valet-sandbox/valet/server/fhir"
	"github.com/valet-sandbox/valet/server/fhir/search"
	"github.com/valet-sandbox/valet/server/fhir/spec"
	"github.com/valet-sandbox/valet/server/scope"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/token"
)

// exportPerms is what a token needs on a type to export it: reading and searching, as a search of every
// resource of the type would (SMART v2 system/Observation.rs, v1 system/Observation.read).
const exportPerms = scope.Read | scope.Search

// The parameters of the IG that Valet does not support; without Prefer: handling=lenient they are a 400.
var unsupportedParams = map[string]string{
	"includeAssociatedData": "associated data (provenance, ...)",
	"_until":                "an upper bound on lastUpdated",
	"organizeOutputBy":      "organizing the output by instance",
	"allowPartialManifests": "partial manifests",
}

// plan is a kick-off turned into a job: what to scan, and the warnings its error file reports.
type plan struct {
	job      store.ExportJob
	scan     store.ExportScan
	warnings []fhir.Issue
	// elements are the _elements each type keeps (none: the whole resource).
	elements map[string][]string
}

// kickOff answers GET or POST [base]/$export, [base]/Patient/$export and [base]/Group/[id]/$export
// (http://hl7.org/fhir/uv/bulkdata/export.html#bulk-data-kick-off-request): 202 with the status URL in
// Content-Location, or an OperationOutcome.
func (e *Exporter) kickOff(w http.ResponseWriter, r *http.Request) {
	acc, o := e.cfg.FHIR.Authenticate(r)
	if o != nil {
		fhir.WriteOutcome(w, o)
		return
	}
	p, o := e.plan(r, acc)
	if o != nil {
		fhir.WriteOutcome(w, o)
		return
	}
	if o := e.start(r.Context(), p); o != nil {
		fhir.WriteOutcome(w, o)
		return
	}
	w.Header().Set("Content-Location", e.StatusURL(p.job.ID))
	issues := append([]fhir.Issue{{Severity: "information", Code: "informational",
		Diagnostics: "the export started: poll the URL in Content-Location for its progress and, once complete, its manifest"}}, p.warnings...)
	body, _ := json.Marshal(map[string]any{"resourceType": "OperationOutcome", "issue": issues})
	w.Header().Set("Content-Type", "application/fhir+json; charset=utf-8")
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write(body)
}

// plan checks a kick-off's parameters against the IG and the token, and says what the job exports.
func (e *Exporter) plan(r *http.Request, acc *token.Access) (*plan, *fhir.Outcome) {
	ps, o := kickOffParams(r)
	if o != nil {
		return nil, o
	}
	pl := &plan{}
	groupID := r.PathValue("id")
	patientLevel := strings.HasPrefix(r.URL.Path, "/fhir/Patient/") || groupID != ""
	for name := range ps.values {
		known := name == "_outputFormat" || name == "_since" || name == "_type" || name == "_typeFilter" || name == "patient" || name == "_elements"
		if known {
			continue
		}
		what, ok := unsupportedParams[name]
		if !ok {
			what = "not a Bulk Data kick-off parameter"
		}
		if !ps.lenient {
			return nil, notSupported(name, "parameter %s is not supported by this server (%s); send Prefer: handling=lenient to have it ignored", name, what)
		}
		pl.warnings = append(pl.warnings, warning(name, "parameter %s is not supported by this server (%s) and was ignored", name, what))
	}
	for _, f := range ps.list("_outputFormat") {
		if !ndjsonFormats[f] {
			return nil, notSupported("_outputFormat", "_outputFormat %q is not supported: this server writes application/fhir+ndjson", f)
		}
	}
	since, o := ps.since()
	if o != nil {
		return nil, o
	}
	pl.scan.Since = since
	if patientLevel {
		pl.scan.Compartment = true
		if o := e.cohort(r, acc, ps, groupID, &pl.scan); o != nil {
			return nil, o
		}
	} else if len(ps.values["patient"]) > 0 {
		return nil, invalid("patient", "patient applies to Patient and Group level exports ([base]/Patient/$export, [base]/Group/[id]/$export)")
	}
	if o := e.parts(r, acc, ps, patientLevel, pl); o != nil {
		return nil, o
	}
	if o := elements(ps, pl); o != nil {
		return nil, o
	}
	pl.job = store.ExportJob{ID: newID(), ClientID: acc.ClientID, Request: e.origin() + r.URL.RequestURI(), Created: e.cfg.Now()}
	return pl, nil
}

// parts picks the exported types and their conditions: the types asked for (_type) or, without it, every
// type the sandbox holds, each within the token's permit and its _typeFilter searches.
func (e *Exporter) parts(r *http.Request, acc *token.Access, ps *params, patientLevel bool, pl *plan) *fhir.Outcome {
	requested := ps.list("_type")
	types := requested
	if len(requested) == 0 {
		counts, err := e.cfg.Store.CountByType(r.Context())
		if err != nil {
			return fhir.Internal(err)
		}
		for t, n := range counts {
			if n > 0 && (!patientLevel || spec.InPatientCompartment(t)) {
				types = append(types, t)
			}
		}
	}
	slices.Sort(types)
	types = slices.Compact(types)
	// drop answers a type that cannot be exported: an error, or under handling=lenient a warning.
	drop := func(o *fhir.Outcome) *fhir.Outcome {
		if !ps.lenient {
			return o
		}
		is := o.Issues[0]
		is.Severity = "warning"
		is.Diagnostics += " (left out: Prefer: handling=lenient)"
		pl.warnings = append(pl.warnings, is)
		return nil
	}
	permits := map[string]*store.Cond{}
	var kept []string
	for _, t := range types {
		if !spec.IsStorableType(t) {
			if o := drop(invalid("_type", "_type %q is not a FHIR R4 resource type this server stores", t)); o != nil {
				return o
			}
			continue
		}
		if patientLevel && !spec.InPatientCompartment(t) {
			if o := drop(invalid("_type", "_type %q has no resources in a patient's compartment, so a Patient or Group level export has none", t)); o != nil {
				return o
			}
			continue
		}
		c, o := e.cfg.FHIR.Permit(acc, t, exportPerms)
		if o == nil && !patientLevel && len(acc.Scopes.Permits(scope.System, t, exportPerms)) == 0 {
			// A system-level export is of every record: backend services with system/ scopes (IG 2.0,
			// Authorization). A user's or a patient's app exports at Patient or Group level.
			o = &fhir.Outcome{Status: http.StatusForbidden, Issues: []fhir.Issue{{Severity: "error", Code: "forbidden",
				Diagnostics: fmt.Sprintf("a system-level export needs system/%s.%s; with user/ or patient/ scopes, export at Patient or Group level ([base]/Patient/$export)", t, exportPerms)}}}
		}
		if o != nil {
			if len(requested) == 0 {
				continue // without _type, the export is of what the token may read
			}
			if o := drop(o); o != nil {
				return o
			}
			continue
		}
		permits[t] = c
		kept = append(kept, t)
	}
	filters := map[string][]store.Cond{}
	for _, f := range ps.typeFilters() {
		typ, query, ok := strings.Cut(f, "?")
		if !ok || !spec.IsResourceType(typ) {
			return invalid("_typeFilter", "_typeFilter %q is not a search of the form Type?param=value", f)
		}
		if _, exported := permits[typ]; !exported {
			if o := drop(invalid("_typeFilter", "_typeFilter %q is for %s, which this export leaves out", f, typ)); o != nil {
				return o
			}
			continue
		}
		c, o := e.typeFilter(typ, query)
		if o != nil {
			return o
		}
		filters[typ] = append(filters[typ], c)
	}
	for _, t := range kept {
		var conds []store.Cond
		if c := permits[t]; c != nil {
			conds = append(conds, *c)
		}
		if fs := filters[t]; len(fs) > 0 {
			conds = append(conds, store.Or(fs...)) // a type's filters are alternatives (IG 2.0, _typeFilter)
		}
		part := store.ExportPart{Type: t}
		if len(conds) > 0 {
			c := store.And(conds...)
			part.Where = &c
		}
		pl.scan.Parts = append(pl.scan.Parts, part)
	}
	return nil
}

// typeFilter parses one _typeFilter search with the FHIR API's search code: only criteria, which it
// must know all of (a filter the server cannot apply would widen the export).
func (e *Exporter) typeFilter(typ, query string) (store.Cond, *fhir.Outcome) {
	q, err := search.ParseQuery(query)
	if err != nil {
		return store.Cond{}, invalid("_typeFilter", "_typeFilter %s?%s: %v", typ, query, err)
	}
	for k := range q {
		switch k {
		case "_count", "_sort", "_include", "_revinclude", "_summary", "_elements", "_total", "_format", "_pretty", "_after", "_before", "_contained", "_containedType":
			return store.Cond{}, invalid("_typeFilter", "_typeFilter %s?%s: %s is not a search criterion; a filter selects resources", typ, query, k)
		}
	}
	req, err := search.Parse(typ, q, search.Options{Base: e.base, Now: e.cfg.Now()})
	if err != nil {
		return store.Cond{}, invalid("_typeFilter", "_typeFilter %s?%s: %v", typ, query, err)
	}
	if len(req.Unknown) > 0 {
		return store.Cond{}, notSupported("_typeFilter", "_typeFilter %s?%s: this server does not support the search parameter %s for %s (docs/fhir.md lists them)",
			typ, query, strings.Join(req.Unknown, ", "), typ)
	}
	return store.And(req.Where...), nil
}

// cohort narrows a Patient or Group level export to its patients: a Group's active Patient members, and
// the patient parameter's (POST only).
func (e *Exporter) cohort(r *http.Request, acc *token.Access, ps *params, groupID string, scan *store.ExportScan) *fhir.Outcome {
	var asked []string
	for _, ref := range ps.values["patient"] {
		id, ok := e.patientID(ref)
		if !ok {
			return invalid("patient", "patient %q is not a reference to a Patient (Patient/[id])", ref)
		}
		asked = append(asked, id)
	}
	if groupID == "" {
		if asked != nil {
			scan.Patients = asked
		}
		return nil
	}
	members, o := e.groupMembers(r, acc, groupID)
	if o != nil {
		return o
	}
	if asked != nil {
		members = slices.DeleteFunc(members, func(id string) bool { return !slices.Contains(asked, id) })
	}
	scan.Patients = append([]string{}, members...) // not nil: a Group without members exports nothing
	return nil
}

// groupMembers reads Group/id, which the token must be allowed to read, and returns its active Patient
// members' ids.
func (e *Exporter) groupMembers(r *http.Request, acc *token.Access, id string) ([]string, *fhir.Outcome) {
	notFound := &fhir.Outcome{Status: http.StatusNotFound, Issues: []fhir.Issue{{Severity: "error", Code: "not-found",
		Diagnostics: fmt.Sprintf("Group/%s is not known", id)}}}
	g, err := e.cfg.Store.ReadResource(r.Context(), "Group", id)
	if err == store.ErrNotFound || err == nil && g.Deleted {
		return nil, notFound
	}
	if err != nil {
		return nil, fhir.Internal(err)
	}
	c, o := e.cfg.FHIR.Permit(acc, "Group", scope.Read)
	if o != nil {
		return nil, o
	}
	if c != nil {
		ok, err := e.cfg.Store.Matches(r.Context(), g.RowID, *c)
		if err != nil {
			return nil, fhir.Internal(err)
		}
		if !ok {
			return nil, notFound // as a read would answer: the token may not see it
		}
	}
	var group struct {
		Member []struct {
			Entity   struct{ Reference string }
			Inactive bool
		}
	}
	if err := json.Unmarshal(g.JSON, &group); err != nil {
		return nil, fhir.Internal(err)
	}
	var out []string
	for _, m := range group.Member {
		if id, ok := e.patientID(m.Entity.Reference); ok && !m.Inactive {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// patientID is the id of a reference to a Patient, relative (Patient/x) or absolute on this server.
func (e *Exporter) patientID(ref string) (string, bool) {
	ref = strings.TrimPrefix(ref, e.base+"/")
	id, ok := strings.CutPrefix(ref, "Patient/")
	if !ok || id == "" || strings.ContainsAny(id, "/?#") {
		return "", false
	}
	if _, err := url.PathUnescape(id); err != nil {
		return "", false
	}
	return id, true
}

// elementName is a top-level element of a resource (_elements names no deeper ones, as in a search).
var elementName = regexp.MustCompile(`^[a-z][A-Za-z0-9]*$`)

// elements reads _elements (IG 2.0): "name" keeps that element in every exported type, "Type.name" in
// that type's resources only.
func elements(ps *params, pl *plan) *fhir.Outcome {
	var all []string
	per := map[string][]string{}
	for _, el := range ps.list("_elements") {
		typ, name, typed := strings.Cut(el, ".")
		if !typed {
			typ, name = "", el
		}
		if typed && !spec.IsResourceType(typ) || !elementName.MatchString(name) {
			return invalid("_elements", "_elements %q is not an element (name) or a type's element (Type.name)", el)
		}
		if typed {
			per[typ] = append(per[typ], name)
		} else {
			all = append(all, name)
		}
	}
	if len(all) == 0 && len(per) == 0 {
		return nil
	}
	pl.elements = map[string][]string{}
	for _, p := range pl.scan.Parts {
		if els := append(append([]string{}, all...), per[p.Type]...); len(els) > 0 {
			pl.elements[p.Type] = els
		}
	}
	return nil
}

package scope

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/valet-sandbox/valet/server/ref"
)

// Scopes derived from scopes: what the consent page offers and grants. Each returns a typed Scope with
// its Raw written the way a client would write it, so the granted scope string and the Scope agree
// without a second parse.

// InContext is the resource scope sc with its context replaced (user/Observation.rs → patient/Observation.rs),
// in the form sc was written (v1 or v2, same restriction).
func (sc Scope) InContext(c Context) Scope {
	out := sc
	out.Context = c
	out.Raw = string(c) + strings.TrimPrefix(sc.Raw, string(sc.Context))
	return out
}

// Narrow is the resource scope sc restricted further by query ("param=value[&…]", SMART App Launch 2.2
// §Finer-grained resource constraints): written in the v2 form, its restriction the union of sc's and
// query's parameters.
func (sc Scope) Narrow(query string) (Scope, error) {
	if sc.Kind != Resource {
		return sc, fmt.Errorf("scope %q: only resource scopes take a restriction", sc.Raw)
	}
	q, err := url.ParseQuery(query)
	if err != nil || len(q) == 0 {
		return sc, fmt.Errorf("restriction %q must be param=value pairs", query)
	}
	out := sc
	out.V1 = false
	out.Query = url.Values{}
	for k, vs := range sc.Query {
		out.Query[k] = slices.Clone(vs)
	}
	base := string(sc.Context) + "/" + sc.Type + "." + sc.Perms.String()
	raw := query
	if i := strings.IndexByte(sc.Raw, '?'); i >= 0 {
		raw = sc.Raw[i+1:] + "&" + query
	}
	for k, vs := range q {
		if k == "" || len(vs) == 0 || vs[0] == "" {
			return sc, fmt.Errorf("restriction parameter %q has no value", k)
		}
		out.Query[k] = append(out.Query[k], vs...)
	}
	out.Raw = base + "?" + raw
	return out, nil
}

// Compartment is the one rule of whose records a resource scope reaches among those in a patient's
// compartment, for the user who signed in and the patient in context (an id). The consent page and the
// FHIR server both call it (DESIGN.md, least privilege):
//
//   - patient/ reaches the patient in context; with none in context it reaches nothing (ok false).
//   - user/ reaches what the user may see; for a patient who signed in, that is their own compartment.
//   - system/ reaches every record (id "").
//
// id "" with ok true means no confinement.
func (sc Scope) Compartment(user ref.Reference, patient string) (id string, ok bool) {
	switch {
	case sc.Context == Patient:
		return patient, patient != ""
	case sc.Context == User && user.IsPatient():
		return user.ID, true
	}
	return "", true
}

package auth

import (
	"errors"
	"github.com/valet-sandbox/valet/server/ref"
	"net/http"
	"slices"
	"strings"

	"github.com/valet-sandbox/valet/server/events"
	"github.com/valet-sandbox/valet/server/scope"
	"github.com/valet-sandbox/valet/server/store"
)

// narrowings are the v2 query restrictions the consent page offers per resource type (SMART App Launch
// 2.2 §Finer-grained resource constraints using search parameters).
var narrowings = map[string][]struct{ Label, Query string }{
	"Observation": {
		{"laboratory results only", "category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory"},
		{"vital signs only", "category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs"},
		{"social history only", "category=http://terminology.hl7.org/CodeSystem/observation-category|social-history"},
		{"surveys only", "category=http://terminology.hl7.org/CodeSystem/observation-category|survey"},
	},
	"Condition": {
		{"problem list only", "category=http://terminology.hl7.org/CodeSystem/condition-category|problem-list-item"},
		{"encounter diagnoses only", "category=http://terminology.hl7.org/CodeSystem/condition-category|encounter-diagnosis"},
		{"health concerns only", "category=http://hl7.org/fhir/us/core/CodeSystem/condition-category|health-concern"},
	},
}

// leastPrivilege is what a user may grant of the requested scopes (DESIGN.md, least privilege): system/
// scopes never come from a user; a patient who signs in has no authority over other patients' records, so
// their user/ scopes become patient/ scopes for themself; and a scope that reaches no one's records in
// this context (scope.Compartment, the rule the FHIR server enforces too) is not offered.
func leastPrivilege(set scope.Set, user ref.Reference, patient string) scope.Set {
	out := make(scope.Set, 0, len(set))
	for _, sc := range set {
		if sc.Kind == scope.Resource {
			if sc.Context == scope.System {
				continue
			}
			if sc.Context == scope.User && user.IsPatient() {
				if sc = sc.InContext(scope.Patient); out.Has(sc.Raw) {
					continue
				}
			}
			if _, ok := sc.Compartment(user, patient); !ok {
				continue
			}
		}
		out = append(out, sc)
	}
	return out
}

// explain says in plain words what a scope allows.
func explain(sc scope.Scope) string {
	switch sc.Kind {
	case scope.OpenID:
		return "confirm who you are (OpenID Connect)"
	case scope.FHIRUser:
		return "know which FHIR user you are"
	case scope.Profile:
		return "read your profile"
	case scope.OfflineAccess:
		return "keep access after you close the app (until you revoke it)"
	case scope.OnlineAccess:
		return "keep access while you stay signed in"
	case scope.Launch:
		if sc.LaunchType == "" {
			return "receive the context of the EHR launch"
		}
		return "know which " + sc.LaunchType + " you choose"
	case scope.Resource:
		var verbs []string
		for _, v := range []struct {
			p scope.Perms
			w string
		}{{scope.Create, "create"}, {scope.Read, "read"}, {scope.Update, "update"}, {scope.Delete, "delete"}, {scope.Search, "search"}} {
			if sc.Perms&v.p != 0 {
				verbs = append(verbs, v.w)
			}
		}
		what := sc.Type + " records"
		switch sc.Type {
		case "*":
			what = "all kinds of records"
		case "Basic":
			// SMART App Launch 2.2 §App State: Basic is where apps keep their own state, and the IG asks
			// EHRs to say so in plain language rather than show a resource type people do not know.
			what = "the settings this app saves in the record (SMART app state)"
		}
		whose := map[scope.Context]string{scope.Patient: "of the patient in context", scope.User: "you can access", scope.System: "of any patient"}[sc.Context]
		t := strings.Join(verbs, ", ") + " " + what + " " + whose
		if sc.Query != nil {
			t += " limited to " + sc.Query.Encode()
		}
		return t
	}
	return "an app-specific permission"
}

type consentItem struct {
	Raw, Explanation, Note string
	Narrow                 []struct{ Label, Query string }
}

var consentTmpl = page(`<p><strong>{{.Client.Name}}</strong> ({{.Client.ID}}) asks for access.
Signed in as <strong>{{.Req.User}}</strong>{{if .Req.Patient}}; patient <strong>Patient/{{.Req.Patient}}</strong>{{end}}{{if .Req.Encounter}}; encounter Encounter/{{.Req.Encounter}}{{end}}.</p>
<form method="post" action="/auth/consent">
<input type="hidden" name="req" value="{{.Req.ID}}"><input type="hidden" name="csrf" value="{{.Req.CSRF}}">
<fieldset><legend>Permissions (uncheck what you do not want to grant)</legend>
{{range .Data}}<label><input type="checkbox" name="scope" value="{{.Raw}}" checked> <span class="scope">{{.Raw}}</span></label>
<div class="note">{{.Explanation}}{{if .Note}} — {{.Note}}{{end}}</div>
{{if .Narrow}}<label class="note">Limit to <select name="narrow:{{.Raw}}"><option value="">all</option>
{{range .Narrow}}<option value="{{.Query}}">{{.Label}}</option>{{end}}</select></label>{{end}}
{{end}}</fieldset>
{{if .Req.Dropped}}<p class="note">Not available to this app and not requested further: {{range .Req.Dropped}}<span class="scope">{{.}}</span> {{end}}</p>{{end}}
<label><input type="checkbox" name="remember" value="yes"> Remember my decision for this app (it will not ask again for these permissions or fewer; revoke it in Valet's control panel)</label>
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`)

func (s *Server) renderConsent(w http.ResponseWriter, r *http.Request, ar *authRequest, client store.Client) {
	requested := ar.scopes()
	granted := leastPrivilege(requested, ar.User, ar.Patient)
	var items []consentItem
	for _, sc := range granted {
		it := consentItem{Raw: sc.Raw, Explanation: explain(sc)}
		if !requested.Has(sc.Raw) {
			it.Note = "narrowed from user/ because you signed in as a patient"
		}
		if sc.Kind == scope.Resource && sc.Query == nil && sc.Perms&^(scope.Read|scope.Search) == 0 {
			it.Narrow = narrowings[sc.Type]
		}
		items = append(items, it)
	}
	for _, sc := range requested {
		if sc.Kind == scope.Resource && !granted.Has(sc.Raw) && !strings.HasPrefix(sc.Raw, "user/") {
			ar.Dropped = append(ar.Dropped, sc.Raw)
		}
	}
	s.render(w, http.StatusOK, consentTmpl, pageData{Title: "Authorize " + client.Name, Req: ar, Client: client, Data: items})
}

// consent applies the user's decision. Only scopes that were offered can be approved (a forged form
// cannot widen the grant), and a narrowing must be one the page offered.
func (s *Server) consent(w http.ResponseWriter, r *http.Request) {
	ar, client, ok := s.loadRequest(w, r)
	if !ok {
		return
	}
	if !s.signedInStill(w, r, ar, client) {
		return
	}
	if r.Form.Get("decision") != "approve" {
		s.forgetRequest(w, r, ar)
		s.record(events.Event{Kind: "consent.denied", FlowID: ar.ID, ClientID: ar.ClientID, LaunchID: ar.launchID(), Decision: "user denied"})
		s.redirectErr(w, r, ar.ID, client.ID, ar.RedirectURI, ar.State, errAccessDenied("the user denied the request"))
		return
	}
	offered := leastPrivilege(ar.scopes(), ar.User, ar.Patient)
	var granted scope.Set
	for _, raw := range r.Form["scope"] {
		i := slices.IndexFunc(offered, func(o scope.Scope) bool { return o.Raw == raw })
		if i < 0 {
			continue
		}
		sc := offered[i]
		if q := r.Form.Get("narrow:" + raw); q != "" && sc.Kind == scope.Resource {
			if slices.ContainsFunc(narrowings[sc.Type], func(n struct{ Label, Query string }) bool { return n.Query == q }) {
				if n, err := sc.Narrow(q); err == nil {
					sc = n
				}
			}
		}
		granted = append(granted, sc)
	}
	decision := "approved " + granted.String()
	if r.Form.Get("remember") == "yes" && len(granted) > 0 {
		if err := s.store.RememberConsent(r.Context(), store.RememberedConsent{ClientID: client.ID, User: ar.User.String(),
			Scope: granted.String(), CreatedAt: s.now()}); err != nil {
			s.internalErrorPage(w, r, err)
			return
		}
		decision += " (remembered for this app)"
	}
	s.record(events.Event{Kind: "consent.approved", FlowID: ar.ID, ClientID: ar.ClientID, LaunchID: ar.launchID(), Decision: decision})
	s.finish(w, r, ar, client, granted)
}

// rememberedApproval is the user's remembered decision for the client when it covers everything this
// request would be offered (the same or narrower scopes): the consent page is then skipped. A decision
// that covers less asks again.
func (s *Server) rememberedApproval(r *http.Request, ar *authRequest) (scope.Set, bool, error) {
	rc, err := s.store.RememberedConsent(r.Context(), ar.ClientID, ar.User.String())
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, err
	}
	remembered, err := scope.ParseList(rc.Scope)
	if err != nil {
		return nil, false, nil // stored by an older grammar: ask again
	}
	offered := leastPrivilege(ar.scopes(), ar.User, ar.Patient)
	for _, sc := range offered {
		if !remembered.Has(sc.Raw) && !sc.WithinAny(remembered) {
			return nil, false, nil
		}
	}
	return offered, len(offered) > 0, nil
}

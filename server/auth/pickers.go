package auth

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/valet-sandbox/valet/server/wire"
	"net/http"
	"strconv"
	"strings"

	"github.com/valet-sandbox/valet/server/events"
	"github.com/valet-sandbox/valet/server/store"
)

// pickerQuery is the patient picker's search: by name, birth date and identifier, paged by id.
type pickerQuery struct {
	Name, BirthDate, Identifier, After string
}

type pickerData struct {
	Q        pickerQuery
	Patients []user
	Next     string
}

const pickerPageSize = 20

var patientPickerTmpl = page(`<p><strong>{{.Client.Name}}</strong> needs a patient. Signed in as {{.Req.User}}.</p>
<form method="get" action="/auth/pick-patient">
<input type="hidden" name="req" value="{{.Req.ID}}">
<label>Name <input name="name" value="{{.Data.Q.Name}}"></label>
<label>Birth date <input name="birthdate" value="{{.Data.Q.BirthDate}}" placeholder="YYYY-MM-DD"></label>
<label>Identifier <input name="identifier" value="{{.Data.Q.Identifier}}"></label>
<button type="submit">Search</button></form>
<form method="post" action="/auth/select-patient">
<input type="hidden" name="req" value="{{.Req.ID}}"><input type="hidden" name="csrf" value="{{.Req.CSRF}}">
<fieldset><legend>Patients</legend>
{{range .Data.Patients}}<label><input type="radio" name="patient" value="{{.Ref}}"> {{.Name}} <span class="note">{{.Ref}} {{.Detail}}</span></label>
{{else}}<p class="note">No matching patients.</p>{{end}}</fieldset>
<button type="submit">Select patient</button>
<button type="submit" name="decision" value="cancel">Cancel</button></form>
{{if .Data.Next}}<p><a href="/auth/pick-patient?req={{.Req.ID}}&amp;name={{.Data.Q.Name}}&amp;birthdate={{.Data.Q.BirthDate}}&amp;identifier={{.Data.Q.Identifier}}&amp;after={{.Data.Next}}">Next page</a></p>{{end}}`)

// searchPatients lists one page of Patients matching q and the cursor of the next page ("" at the end).
// With a directory it searches the FHIR indexes (the cursor is an offset); without one it filters a scan
// of the resource table in id order (the cursor is the last id).
func (s *Server) searchPatients(ctx context.Context, q pickerQuery) ([]user, string, error) {
	if s.directory != nil {
		offset, _ := strconv.Atoi(q.After)
		raws, total, err := s.directory.SearchPatients(ctx, q.Name, q.BirthDate, q.Identifier, pickerPageSize, max(offset, 0))
		if err != nil {
			return nil, "", err
		}
		out := make([]user, len(raws))
		for i, raw := range raws {
			out[i] = describe(rawResource("Patient", raw))
		}
		next := ""
		if offset+len(raws) < total {
			next = strconv.Itoa(offset + len(raws))
		}
		return out, next, nil
	}
	var out []user
	after := q.After
	for len(out) <= pickerPageSize {
		batch, err := s.store.ListResources(ctx, "Patient", after, 500)
		if err != nil {
			return nil, "", err
		}
		for _, res := range batch {
			u := describe(res)
			text := strings.ToLower(u.Name + " " + string(res.JSON))
			if q.Name != "" && !strings.Contains(strings.ToLower(u.Name), strings.ToLower(q.Name)) ||
				q.BirthDate != "" && !strings.Contains(text, `"birthdate":"`+strings.ToLower(q.BirthDate)) ||
				q.Identifier != "" && !strings.Contains(strings.ToLower(u.Detail), strings.ToLower(q.Identifier)) {
				continue
			}
			out = append(out, u)
			if len(out) > pickerPageSize {
				break
			}
		}
		if len(batch) < 500 {
			break
		}
		after = batch[len(batch)-1].ID
	}
	if len(out) > pickerPageSize {
		out = out[:pickerPageSize]
		return out, strings.TrimPrefix(out[len(out)-1].Ref, "Patient/"), nil
	}
	return out, "", nil
}

func (s *Server) renderPatientPicker(w http.ResponseWriter, r *http.Request, ar *authRequest, client store.Client, q pickerQuery) {
	list, next, err := s.searchPatients(r.Context(), q)
	msg := ""
	if errors.Is(err, wire.ErrBadSearchText) {
		msg = searchRefusal(err)
	} else if err != nil {
		s.internalErrorPage(w, r, err)
		return
	}
	s.render(w, http.StatusOK, patientPickerTmpl, pageData{Title: "Choose a patient", Error: msg, Req: ar, Client: client,
		Data: pickerData{Q: q, Patients: list, Next: next}})
}

// patientPicker serves searches and pages of the picker (GET, so only the request id is needed; the
// selection itself is a CSRF-checked POST).
func (s *Server) patientPicker(w http.ResponseWriter, r *http.Request) {
	ar, client, ok := s.pageRequest(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	s.renderPatientPicker(w, r, ar, client, pickerQuery{Name: q.Get("name"), BirthDate: q.Get("birthdate"),
		Identifier: q.Get("identifier"), After: q.Get("after")})
}

func (s *Server) selectPatient(w http.ResponseWriter, r *http.Request) {
	ar, client, ok := s.loadRequest(w, r)
	if !ok {
		return
	}
	if !s.signedInStill(w, r, ar, client) {
		return
	}
	if r.Form.Get("decision") == "cancel" {
		// The user walked away from the picker: the app hears access_denied with its state (RFC 6749
		// §4.1.2.1), as from a denied consent.
		s.forgetRequest(w, r, ar)
		s.record(events.Event{Kind: "patient.cancelled", FlowID: ar.ID, ClientID: ar.ClientID, LaunchID: ar.launchID(), Decision: "user cancelled the patient picker"})
		s.redirectErr(w, r, ar.ID, client.ID, ar.RedirectURI, ar.State, errAccessDenied("the user cancelled the patient picker"))
		return
	}
	id := strings.TrimPrefix(r.Form.Get("patient"), "Patient/")
	if res, err := s.store.ReadResource(r.Context(), "Patient", id); err != nil || res.Deleted || ar.User.IsPatient() {
		s.renderPatientPicker(w, r, ar, client, pickerQuery{})
		return
	}
	ar.Patient = id
	s.record(events.Event{Kind: "patient.selected", FlowID: ar.ID, ClientID: ar.ClientID, Decision: "Patient/" + id})
	s.advance(w, r, ar, client)
}

var encounterPickerTmpl = page(`<p><strong>{{.Client.Name}}</strong> asks for an encounter of Patient/{{.Req.Patient}}.</p>
<form method="post" action="/auth/select-encounter">
<input type="hidden" name="req" value="{{.Req.ID}}"><input type="hidden" name="csrf" value="{{.Req.CSRF}}">
<fieldset><legend>Encounters</legend>
<label><input type="radio" name="encounter" value="" checked> No encounter</label>
{{range .Data}}<label><input type="radio" name="encounter" value="{{.Ref}}"> {{.Ref}} <span class="note">{{.Detail}}</span></label>
{{end}}</fieldset>
<button type="submit">Select encounter</button></form>`)

// encountersOf lists (up to 100) Encounters whose subject is the patient, through the directory when there
// is one (most recent first), else by scanning the store.
func (s *Server) encountersOf(ctx context.Context, patient string) ([]user, error) {
	if s.directory != nil {
		raws, err := s.directory.Encounters(ctx, patient, 100)
		if err != nil {
			return nil, err
		}
		out := make([]user, 0, len(raws))
		for _, raw := range raws {
			if u, ok := describeEncounter(rawResource("Encounter", raw), patient); ok {
				out = append(out, u)
			}
		}
		return out, nil
	}
	var out []user
	after := ""
	for len(out) < 100 {
		batch, err := s.store.ListResources(ctx, "Encounter", after, 500)
		if err != nil {
			return nil, err
		}
		for _, res := range batch {
			if u, ok := describeEncounter(res, patient); ok {
				out = append(out, u)
			}
		}
		if len(batch) < 500 {
			break
		}
		after = batch[len(batch)-1].ID
	}
	return out, nil
}

func (s *Server) renderEncounterPicker(w http.ResponseWriter, r *http.Request, ar *authRequest, client store.Client) {
	list, err := s.encountersOf(r.Context(), ar.Patient)
	if err != nil {
		s.internalErrorPage(w, r, err)
		return
	}
	s.render(w, http.StatusOK, encounterPickerTmpl, pageData{Title: "Choose an encounter", Req: ar, Client: client, Data: list})
}

func (s *Server) selectEncounter(w http.ResponseWriter, r *http.Request) {
	ar, client, ok := s.loadRequest(w, r)
	if !ok {
		return
	}
	if !s.signedInStill(w, r, ar, client) {
		return
	}
	if ref := r.Form.Get("encounter"); ref != "" {
		list, _ := s.encountersOf(r.Context(), ar.Patient)
		found := false
		for _, e := range list {
			found = found || e.Ref == ref
		}
		if !found {
			s.renderEncounterPicker(w, r, ar, client)
			return
		}
		ar.Encounter = strings.TrimPrefix(ref, "Encounter/")
	}
	ar.EncounterDone = true
	s.record(events.Event{Kind: "encounter.selected", FlowID: ar.ID, ClientID: ar.ClientID, Decision: "encounter " + quote(ar.Encounter)})
	s.advance(w, r, ar, client)
}

// describeEncounter is the picker's line for an Encounter of the patient (ok is false for another patient's).
func describeEncounter(res store.Resource, patient string) (user, bool) {
	var e struct {
		Subject struct{ Reference string } `json:"subject"`
		Period  struct{ Start string }     `json:"period"`
		Type    []struct{ Text string }    `json:"type"`
	}
	if json.Unmarshal(res.JSON, &e) != nil || e.Subject.Reference != "Patient/"+patient {
		return user{}, false
	}
	d := e.Period.Start
	if len(e.Type) > 0 {
		d += " " + e.Type[0].Text
	}
	return user{Ref: "Encounter/" + res.ID, Detail: d}, true
}

// rawResource wraps the JSON a directory returns as a store resource of typ, with its id.
func rawResource(typ string, raw []byte) store.Resource {
	var head struct{ ID string }
	_ = json.Unmarshal(raw, &head)
	return store.Resource{Type: typ, ID: head.ID, JSON: raw}
}

package fhir

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/valet-sandbox/valet/server/fhir/search"
	"github.com/valet-sandbox/valet/server/ref"
	"github.com/valet-sandbox/valet/server/scope"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/token"
)

// SMART App Launch 2.2 §Persisting App State (smart-app-state,
// http://hl7.org/fhir/smart-app-launch/app-state.html). Valet's App State endpoint is its FHIR base, so
// every Basic resource here is app state (profile smart-app-state-basic) and obeys these rules on top of
// the ordinary scope checks in access.go:
//
//   - a Basic's code is one of the state codes the app's registration associates with it;
//   - its subject is, for patient/ scopes, the patient in context; for user/ scopes, the signed-in user,
//     the patient in context, or none (global state: only for apps registered with valet_app_state_global,
//     never for a signed-in patient); system/ scopes may see
//     any subject;
//   - create carries no id or versionId, exactly one code.coding, an absolute subject reference to a
//     Patient, Practitioner, PractitionerRole, RelatedPerson or Person on this server, valueString
//     extensions only, and at most 256 KB;
//   - update and delete need If-Match; code and subject never change; a deleted state is a failed
//     precondition from then on.
const (
	appStateType     = "Basic"
	maxAppStateBytes = 256 << 10
)

var appStateSubjectTypes = []string{"Patient", "Practitioner", "PractitionerRole", "RelatedPerson", "Person"}

// appStateConds confines one scope's grant on Basic to the app's state codes and to the subjects that
// scope's context may touch. ok is false when the scope grants no app state at all.
func (s *Service) appStateConds(acc *token.Access, ctx scope.Context) (conds []store.Cond, ok bool) {
	opt := search.Options{Base: s.base, Now: s.now()}
	var codes []store.Cond
	for _, sc := range acc.StateCodes {
		c, known, err := search.Criterion(appStateType, "code", sc, opt)
		if err != nil || !known {
			return nil, false
		}
		codes = append(codes, c)
	}
	if len(codes) == 0 {
		return nil, false
	}
	conds = append(conds, store.Or(codes...))
	var refs []string
	global := false
	switch ctx {
	case scope.Patient:
		refs = []string{ref.Patient(acc.Patient).String()}
	case scope.User:
		if acc.User.IsZero() {
			return nil, false
		}
		refs = []string{acc.User.String()}
		if acc.Patient != "" && !acc.User.IsPatient() {
			refs = append(refs, ref.Patient(acc.Patient).String())
		}
		// Global state is the hospital's, not a patient's: a signed-in patient has no say over it, and only
		// an app whose registration grants it (valet_app_state_global) may keep it.
		global = acc.StateGlobal && !acc.User.IsPatient()
	default: // system: a backend service acts for the organisation, on any subject
		return conds, true
	}
	var subj []store.Cond
	for _, ref := range refs {
		c, known, err := search.Criterion(appStateType, "subject", ref, opt)
		if err != nil || !known {
			return nil, false
		}
		subj = append(subj, c)
	}
	if global {
		c, known, err := search.Criterion(appStateType, "subject:missing", "true", opt)
		if err != nil || !known {
			return nil, false
		}
		subj = append(subj, c)
	}
	return append(conds, store.Or(subj...)), true
}

// checkAppStateQuery enforces §Querying app state: an app queries by state code, and only by its own.
func checkAppStateQuery(acc *token.Access, q url.Values) *Outcome {
	codes := q["code"]
	if len(codes) == 0 {
		return &Outcome{Status: http.StatusBadRequest, Issues: []Issue{{Severity: "error", Code: "required",
			Diagnostics: "app state is queried by state code: Basic?code=system|code[&subject=…]", Expression: []string{"code"}}}}
	}
	for _, v := range codes {
		for c := range strings.SplitSeq(v, ",") {
			if !slices.Contains(acc.StateCodes, c) {
				return forbidden("the state code %q is not associated with this app (registered: %s)", c, strings.Join(acc.StateCodes, ", "))
			}
		}
	}
	return nil
}

func unprocessable(expr, format string, args ...any) *Outcome {
	o := outcome(http.StatusUnprocessableEntity, "business-rule", format, args...)
	o.Issues[0].Expression = []string{expr}
	return o
}

// checkAppStateWrite enforces §Create and §Updates on a Basic about to be stored.
func (s *Service) checkAppStateWrite(ctx context.Context, tx *store.Tx, w *write, m object) error {
	size := len(w.body)
	if w.body == nil {
		size = len(encode(m))
	}
	if size > maxAppStateBytes {
		return outcome(http.StatusRequestEntityTooLarge, "too-costly", "app state is limited to %d bytes; this Basic has %d", maxAppStateBytes, size)
	}
	code, o := appStateCode(m)
	if o != nil {
		return o
	}
	if !slices.Contains(w.permit.stateCodes, code) {
		return forbidden("the state code %q is not associated with this app (registered: %s)", code, strings.Join(w.permit.stateCodes, ", "))
	}
	subject, o := s.appStateSubject(ctx, tx, m)
	if o != nil {
		return o
	}
	if o := appStateExtensions(m); o != nil {
		return o
	}
	switch w.method {
	case http.MethodPost:
		if _, ok := m["id"]; ok && w.obj == nil {
			return unprocessable("Basic.id", "app state is created without an id: the server assigns it")
		}
		if meta, _ := m["meta"].(map[string]any); meta != nil && meta["versionId"] != nil {
			return unprocessable("Basic.meta.versionId", "app state is created without meta.versionId: the server assigns it")
		}
	case http.MethodPut:
		cur, err := s.currentAppState(ctx, tx, w)
		if err != nil {
			return err
		}
		prev, o := decode(cur.JSON)
		if o != nil {
			return o
		}
		prevCode, _ := appStateCode(prev)
		prevSubject := reference(prev["subject"])
		if prevCode != code || prevSubject != subject {
			return outcome(http.StatusPreconditionFailed, "conflict",
				"app state keeps its code and subject: %s/%s has code %q and subject %q", w.typ, w.id, prevCode, prevSubject)
		}
	}
	return nil
}

// checkAppStateDelete enforces §Deletes.
func (s *Service) checkAppStateDelete(ctx context.Context, tx *store.Tx, w *write) error {
	_, err := s.currentAppState(ctx, tx, w)
	return err
}

// currentAppState is the stored state an update or delete names, after the version check that app state
// requires: no If-Match is 428, a stale one or a deleted state 412 (§Deletes: "Servers SHALL process any
// subsequent requests about this Basic.id as a failed precondition"). An update cannot create: the
// server assigns app state ids.
func (s *Service) currentAppState(ctx context.Context, tx *store.Tx, w *write) (store.Resource, error) {
	if w.ifMatch == "" {
		return store.Resource{}, outcome(http.StatusPreconditionRequired, "required",
			"app state is changed with If-Match: W/\"<versionId>\" to prevent lost updates (SMART App State)")
	}
	cur, err := tx.Current(ctx, w.typ, w.id)
	if errors.Is(err, store.ErrNotFound) {
		return cur, notFound(w.typ, w.id)
	} else if err != nil {
		return cur, err
	}
	if cur.Deleted {
		return cur, outcome(http.StatusPreconditionFailed, "deleted", "%s/%s was deleted", w.typ, w.id)
	}
	if ok, err := w.permit.visibleTx(ctx, tx, cur.RowID); err != nil || !ok {
		return cur, orErr(err, notFound(w.typ, w.id))
	}
	if w.ifMatch != etag(cur.Version) {
		return cur, outcome(http.StatusPreconditionFailed, "conflict",
			"If-Match %s does not match the current version %s", w.ifMatch, etag(cur.Version))
	}
	return cur, nil
}

// appStateCode is "system|code" of the one app-specified Coding.
func appStateCode(m object) (string, *Outcome) {
	cc, _ := m["code"].(map[string]any)
	codings, _ := cc["coding"].([]any)
	if len(codings) != 1 {
		return "", unprocessable("Basic.code.coding", "app state has exactly one Basic.code.coding (the app's state code); found %d", len(codings))
	}
	c, _ := codings[0].(map[string]any)
	system, _ := c["system"].(string)
	code, _ := c["code"].(string)
	if system == "" || code == "" {
		return "", unprocessable("Basic.code.coding[0]", "the state code needs both system and code")
	}
	return system + "|" + code, nil
}

func reference(v any) string {
	ref, _ := v.(map[string]any)
	s, _ := ref["reference"].(string)
	return s
}

// appStateSubject checks Basic.subject: absent (global state) or an absolute reference to a person-like
// resource that exists on this server.
func (s *Service) appStateSubject(ctx context.Context, tx *store.Tx, m object) (string, *Outcome) {
	v, ok := m["subject"]
	if !ok {
		return "", nil
	}
	ref := reference(v)
	rel, abs := strings.CutPrefix(ref, s.base+"/")
	typ, id, _ := strings.Cut(rel, "/")
	switch {
	case !abs:
		return "", unprocessable("Basic.subject.reference", "the subject of app state is an absolute reference on this server (%s/Practitioner/…); got %q", s.base, ref)
	case !slices.Contains(appStateSubjectTypes, typ) || id == "" || strings.Contains(id, "/"):
		return "", unprocessable("Basic.subject.reference", "the subject of app state is a %s; got %q", strings.Join(appStateSubjectTypes, ", "), ref)
	}
	cur, err := tx.Current(ctx, typ, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && cur.Deleted) {
		return "", unprocessable("Basic.subject.reference", "the subject %s does not exist", ref)
	} else if err != nil {
		return "", internal(err)
	}
	return ref, nil
}

// appStateExtensions: state travels in top-level valueString extensions only; modifier extensions would
// ask the server to understand the state, which it never does.
func appStateExtensions(m object) *Outcome {
	if _, ok := m["modifierExtension"]; ok {
		return unprocessable("Basic.modifierExtension", "app state carries no modifier extensions")
	}
	exts, _ := m["extension"].([]any)
	for i, e := range exts {
		ext, _ := e.(map[string]any)
		for k := range ext {
			if k != "url" && k != "valueString" && k != "id" {
				return unprocessable("Basic.extension["+strconv.Itoa(i)+"]", "app state extensions carry a valueString only; found %s", k)
			}
		}
		if _, ok := ext["valueString"].(string); !ok {
			return unprocessable("Basic.extension["+strconv.Itoa(i)+"]", "app state extensions carry a valueString")
		}
	}
	return nil
}

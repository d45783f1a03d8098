package fhir

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestCRUDLifecycle(t *testing.T) {
	e := newEnv(t)
	pat := map[string]any{"resourceType": "Patient", "name": []any{map[string]any{"family": "Zoë"}}, "gender": "female"}
	c := e.do("POST", "/Patient", "admin", pat)
	if c.status != 201 || c.header.Get("Location") == "" || c.header.Get("ETag") != `W/"1"` {
		t.Fatalf("create: %d %v %s", c.status, c.header, c.raw)
	}
	id := c.body["id"].(string)
	r := e.do("GET", "/Patient/"+id, "admin", nil)
	if r.status != 200 || string(r.raw) != string(c.raw) || r.header.Get("Last-Modified") == "" {
		t.Fatalf("read: %d %s", r.status, r.raw)
	}
	upd := map[string]any{"resourceType": "Patient", "id": id, "gender": "male"}
	if r := e.do("PUT", "/Patient/"+id, "admin", upd, "If-Match", `W/"7"`); r.status != 412 {
		t.Errorf("stale If-Match: %d", r.status)
	}
	if r := e.do("PUT", "/Patient/"+id, "admin", upd, "If-Match", `W/"1"`, "Prefer", "return=minimal"); r.status != 200 || len(r.raw) != 0 || r.header.Get("ETag") != `W/"2"` {
		t.Errorf("update: %d %s", r.status, r.raw)
	}
	if r := e.do("GET", "/Patient/"+id+"/_history/1", "admin", nil); r.status != 200 || r.body["gender"] != "female" {
		t.Errorf("vread 1: %d %s", r.status, r.raw)
	}
	if r := e.do("PUT", "/Patient/new-1", "admin", map[string]any{"resourceType": "Patient", "id": "new-1"}); r.status != 201 {
		t.Errorf("create on update: %d %s", r.status, r.raw)
	}
	if r := e.do("DELETE", "/Patient/"+id, "admin", nil); r.status != 204 {
		t.Errorf("delete: %d", r.status)
	}
	if r := e.do("GET", "/Patient/"+id, "admin", nil); r.status != 410 {
		t.Errorf("read after delete: %d", r.status)
	}
	h := e.do("GET", "/Patient/"+id+"/_history", "admin", nil)
	if es, _ := h.body["entry"].([]any); h.status != 200 || len(es) != 3 {
		t.Errorf("history: %d %s", h.status, h.raw)
	}
	// Conditional create finds the existing resource instead of making another.
	ob := map[string]any{"resourceType": "Patient", "identifier": []any{map[string]any{"system": "urn:x", "value": "42"}}}
	a := e.do("POST", "/Patient", "admin", ob, "If-None-Exist", "identifier=urn:x|42")
	b := e.do("POST", "/Patient", "admin", ob, "If-None-Exist", "identifier=urn:x|42")
	if a.status != 201 || b.status != 200 || a.body["id"] != b.body["id"] {
		t.Errorf("conditional create: %d %d", a.status, b.status)
	}
}

func TestBadInput(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name, method, path, body string
		hdr                      []string
		status                   int
		expr                     string
	}{
		{"malformed json", "POST", "/Patient", `{"resourceType": "Patient",`, nil, 400, ""},
		{"type mismatch", "POST", "/Patient", `{"resourceType":"Observation"}`, nil, 400, "Patient.resourceType"},
		{"bad id", "PUT", "/Patient/a_b", `{"resourceType":"Patient","id":"a_b"}`, nil, 422, "Patient.id"},
		{"bad date", "POST", "/Patient", `{"resourceType":"Patient","birthDate":"1990-13-45"}`, nil, 422, "Patient.birthDate"},
		{"missing required", "POST", "/Observation", `{"resourceType":"Observation","status":"final"}`, nil, 422, "Observation.code"},
		{"null", "POST", "/Patient", `{"resourceType":"Patient","gender":null}`, nil, 422, "Patient.gender"},
		{"media type", "POST", "/Patient", `<Patient/>`, []string{"Content-Type", "application/fhir+xml"}, 415, ""},
		{"xml wanted", "GET", "/Patient", ``, []string{"Accept", "application/fhir+xml"}, 406, ""},
		{"bad date param", "GET", "/Observation?date=gt2020-99", ``, nil, 400, "date"},
		{"unknown type", "GET", "/Banana/1", ``, nil, 404, ""},
		{"strict unknown param", "GET", "/Patient?foo=1", ``, []string{"Prefer", "handling=strict"}, 400, "foo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if tc.body != "" {
				body = tc.body
			}
			r := e.do(tc.method, tc.path, "admin", body, tc.hdr...)
			if r.status != tc.status || r.body["resourceType"] != "OperationOutcome" {
				t.Fatalf("got %d %s", r.status, r.raw)
			}
			if tc.expr != "" && !strings.Contains(string(r.raw), `"`+tc.expr+`"`) {
				t.Errorf("no expression %q in %s", tc.expr, r.raw)
			}
		})
	}
	big := `{"resourceType":"Patient","text":{"div":"` + strings.Repeat("x", 17<<20) + `"}}`
	if r := e.do("POST", "/Patient", "admin", big); r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("big body: %d", r.status)
	}
	if r := e.do("GET", "/Patient?foo=1", "admin", nil); r.status != 200 || !strings.Contains(string(r.raw), "foo") {
		t.Errorf("lenient unknown param: %d %s", r.status, r.raw)
	}
}

func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	if r := e.do("GET", "/metadata", "", nil); r.status != 200 || r.body["resourceType"] != "CapabilityStatement" {
		t.Errorf("metadata must be public: %d", r.status)
	}
	for _, bearer := range []string{"", "forged"} {
		r := e.do("GET", "/Patient", bearer, nil)
		if r.status != 401 || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") || r.body["resourceType"] != "OperationOutcome" {
			t.Errorf("bearer %q: %d %v", bearer, r.status, r.header)
		}
	}
}

// Every body goes out whole with its Content-Length, a search page longer than net/http's 2 KB buffer
// included (net/http would send it chunked), and an error too.
func TestBodiesCarryContentLength(t *testing.T) {
	e := loaded(t, 1)
	for _, path := range []string{"/Observation?patient=p1", "/Patient/p1", "/Patient/nope"} {
		r := e.do("GET", path, "admin", nil)
		if r.header.Get("Content-Length") != strconv.Itoa(len(r.raw)) || len(r.raw) == 0 {
			t.Errorf("%s: Content-Length %q for %d bytes", path, r.header.Get("Content-Length"), len(r.raw))
		}
		if path == "/Observation?patient=p1" && len(r.raw) <= 2048 {
			t.Errorf("%s: %d bytes, want a page beyond 2 KB", path, len(r.raw))
		}
	}
}

// Server-assigned ids are the microsecond clock in 13 hex digits and the process suffix, as %013x wrote them.
func TestIDsFormat(t *testing.T) {
	g := &ids{suffix: "a1b2c3"}
	for _, at := range []time.Time{time.UnixMicro(0), time.UnixMicro(0xabc), t0, time.Date(2400, 1, 1, 0, 0, 0, 0, time.UTC)} {
		g.last = at.UnixMicro() - 1
		if got, want := g.next(at), fmt.Sprintf("%013x%s", at.UnixMicro(), g.suffix); got != want {
			t.Errorf("id at %v: %s, want %s", at, got, want)
		}
	}
	if a, b := g.next(t0), g.next(t0); a >= b {
		t.Errorf("ids at one instant do not increase: %s, %s", a, b)
	}
}

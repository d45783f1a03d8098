package server_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/valet-sandbox/valet/server"
	"github.com/valet-sandbox/valet/server/store"
)

// backendClient is a registered backend-services client (SMART Backend Services: private_key_jwt).
type backendClient struct {
	base, id string
	key      *rsa.PrivateKey
}

// registerBackend registers a backend-services client allowed scopes.
func registerBackend(t *testing.T, base, scopes string) backendClient {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "k1", Algorithm: "RS384", Use: "sig"}}})
	var c struct {
		ID string `json:"client_id"`
	}
	apiJSON(t, base, "POST", "/api/clients", map[string]any{"client_name": "analytics", "grant_types": []string{"client_credentials"},
		"token_endpoint_auth_method": "private_key_jwt", "jwks": json.RawMessage(jwks), "scope": scopes}, 201, &c)
	return backendClient{base: base, id: c.ID, key: key}
}

// client gets an access token for scopes with golang.org/x/oauth2's client-credentials flow, the client
// authenticating with a signed JWT assertion, and returns an HTTP client that sends it.
func (b backendClient) client(t *testing.T, scopes ...string) *http.Client {
	t.Helper()
	tok, err := b.token(t, scopes...)
	if err != nil {
		t.Fatalf("backend token for %v: %v", scopes, err)
	}
	// The assertion is single-use (its jti), so the client keeps this token rather than asking again.
	return oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(tok))
}

// token asks for an access token with a new client assertion.
func (b backendClient) token(t *testing.T, scopes ...string) (*oauth2.Token, error) {
	t.Helper()
	signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS384, Key: b.key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	jti := make([]byte, 12)
	_, _ = rand.Read(jti)
	claims, _ := json.Marshal(map[string]any{"iss": b.id, "sub": b.id, "aud": b.base + "/auth/token",
		"exp": time.Now().Add(4 * time.Minute).Unix(), "jti": hex.EncodeToString(jti)})
	jws, err := signer.Sign(claims)
	if err != nil {
		t.Fatal(err)
	}
	assertion, _ := jws.CompactSerialize()
	cfg := clientcredentials.Config{ClientID: b.id, TokenURL: b.base + "/auth/token", Scopes: scopes,
		EndpointParams: map[string][]string{"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion": {assertion}}}
	return cfg.Token(context.Background())
}

// kickOff sends a kick-off request as the IG's clients do and returns the response and its body.
func kickOff(t *testing.T, c *http.Client, method, url string, body string, prefer ...string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Accept", "application/fhir+json")
	req.Header.Set("Prefer", strings.Join(append([]string{"respond-async"}, prefer...), ", "))
	if body != "" {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

type bulkManifest struct {
	TransactionTime     string
	Request             string
	RequiresAccessToken bool
	Output, Error       []struct {
		Type, URL string
		Count     int
	}
}

// awaitManifest polls a status URL, honouring Retry-After's presence but not its length (a test does not
// wait seconds), until the export completes.
func awaitManifest(t *testing.T, c *http.Client, status string) bulkManifest {
	t.Helper()
	for range 400 {
		resp, err := c.Get(status)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusAccepted:
			if resp.Header.Get("X-Progress") == "" || resp.Header.Get("Retry-After") == "" {
				t.Fatalf("in-progress status without X-Progress or Retry-After: %v", resp.Header)
			}
			time.Sleep(25 * time.Millisecond)
			continue
		case http.StatusOK:
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("manifest Content-Type %q", ct)
			}
			var m bulkManifest
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			return m
		default:
			t.Fatalf("status %s: %d %s", status, resp.StatusCode, b)
		}
	}
	t.Fatal("the export did not complete")
	return bulkManifest{}
}

// exportNow kicks off url and waits for its manifest.
func exportNow(t *testing.T, c *http.Client, method, url, body string, prefer ...string) (bulkManifest, string) {
	t.Helper()
	resp, b := kickOff(t, c, method, url, body, prefer...)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("kick-off %s: %d %s", url, resp.StatusCode, b)
	}
	loc := resp.Header.Get("Content-Location")
	if loc == "" {
		t.Fatal("202 without Content-Location")
	}
	return awaitManifest(t, c, loc), loc
}

// download fetches a manifest's file and checks that it is NDJSON of its type; it returns the ids.
func download(t *testing.T, c *http.Client, typ, url string) []string {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/fhir+ndjson" {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s %s", url, resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	var ids []string
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var r struct{ ResourceType, ID string }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s: a line that is not JSON: %q", url, sc.Text())
		}
		if r.ResourceType != typ {
			t.Fatalf("%s: a %s in the %s file", url, r.ResourceType, typ)
		}
		ids = append(ids, r.ID)
	}
	sort.Strings(ids)
	return ids
}

// exported downloads every output file of m: type → sorted ids.
func exported(t *testing.T, c *http.Client, m bulkManifest) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, o := range m.Output {
		ids := download(t, c, o.Type, o.URL)
		if len(ids) != o.Count {
			t.Errorf("%s: %d lines, manifest count %d", o.URL, len(ids), o.Count)
		}
		out[o.Type] = strings.Join(ids, ",")
	}
	return out
}

func getStatus(t *testing.T, c *http.Client, url string) int {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestBulkExport runs the Bulk Data protocol end to end with real backend-services clients: private_key_jwt
// assertion → token → kick-off → poll → manifest → download, at system, Patient and Group level, with
// the parameters Valet supports.
func TestBulkExport(t *testing.T) {
	base, _, _ := startSandbox(t, func(db *store.DB, base string) { seed(t, db, base) })
	analytics := registerBackend(t, base, "system/*.rs system/Group.c")
	c := analytics.client(t, "system/*.rs", "system/Group.c")

	m, status := exportNow(t, c, "GET", base+"/fhir/$export", "")
	if m.Request != base+"/fhir/$export" || !m.RequiresAccessToken || m.Error == nil || len(m.Error) != 0 {
		t.Errorf("manifest: %+v", m)
	}
	if tt, err := time.Parse(time.RFC3339Nano, m.TransactionTime); err != nil || time.Since(tt) > time.Minute {
		t.Errorf("transactionTime %q", m.TransactionTime)
	}
	want := map[string]string{"Encounter": "e1,e2", "Observation": "lab1,lab2,lab3,vital1", "Patient": "p1,p2", "Practitioner": "dr1"}
	if got := exported(t, c, m); !equalMaps(got, want) {
		t.Errorf("system export: %v, want %v", got, want)
	}
	// The files go to the client that asked, with a token: without one 401, with another client's 404.
	resp, err := http.Get(m.Output[0].URL)
	if err != nil || resp.StatusCode != 401 {
		t.Errorf("file without a token: %v %v", err, resp.StatusCode)
	}
	other := registerBackend(t, base, "system/*.rs").client(t, "system/*.rs")
	if got := getStatus(t, other, m.Output[0].URL); got != 404 {
		t.Errorf("another client's file: %d, want 404", got)
	}
	if got := getStatus(t, other, status); got != 404 {
		t.Errorf("another client's status: %d, want 404", got)
	}
	if got := getStatus(t, c, status+"x"); got != 404 {
		t.Errorf("unknown job: %d", got)
	}

	cases := []struct {
		name, method, path, body string
		prefer                   []string
		want                     map[string]string
	}{
		{"_type", "GET", "/fhir/$export?_type=Patient,Observation&_outputFormat=application%2Ffhir%2Bndjson", "", nil,
			map[string]string{"Observation": "lab1,lab2,lab3,vital1", "Patient": "p1,p2"}},
		{"_type repeated, ndjson", "GET", "/fhir/$export?_type=Patient&_type=Encounter&_outputFormat=ndjson", "", nil,
			map[string]string{"Encounter": "e1,e2", "Patient": "p1,p2"}},
		{"_typeFilter", "GET", "/fhir/$export?_type=Observation&_typeFilter=" + urlq("Observation?category="+labCategory), "", nil,
			map[string]string{"Observation": "lab1,lab2,lab3"}},
		{"_typeFilter alternatives", "GET", "/fhir/$export?_type=Observation&_typeFilter=" + urlq("Observation?code=718-7,Observation?code=8480-6"), "", nil,
			map[string]string{"Observation": "lab3,vital1"}},
		{"_since in the future", "GET", "/fhir/$export?_since=" + urlq(time.Now().Add(time.Hour).UTC().Format(time.RFC3339)), "", nil,
			map[string]string{}},
		{"_since in the past", "GET", "/fhir/$export?_type=Patient&_since=" + urlq(time.Now().Add(-time.Hour).Format(time.RFC3339)), "", nil,
			map[string]string{"Patient": "p1,p2"}},
		{"Patient level leaves out shared types", "GET", "/fhir/Patient/$export", "", nil,
			map[string]string{"Encounter": "e1,e2", "Observation": "lab1,lab2,lab3,vital1", "Patient": "p1,p2"}},
		{"Patient level, POST patient", "POST", "/fhir/Patient/$export",
			`{"resourceType":"Parameters","parameter":[{"name":"patient","valueReference":{"reference":"Patient/p2"}},{"name":"_type","valueString":"Patient,Observation"}]}`, nil,
			map[string]string{"Observation": "lab2", "Patient": "p2"}},
		{"unsupported parameter, lenient", "GET", "/fhir/$export?_type=Patient&includeAssociatedData=LatestProvenanceResources", "", []string{"handling=lenient"},
			map[string]string{"Patient": "p1,p2"}},
	}
	for _, tc := range cases {
		m, _ := exportNow(t, c, tc.method, base+tc.path, tc.body, tc.prefer...)
		if got := exported(t, c, m); !equalMaps(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}

	// _elements keeps the elements named (and id, meta), tags the resource SUBSETTED, and "Type.name"
	// applies to that type only.
	m, _ = exportNow(t, c, "GET", base+"/fhir/$export?_type=Patient,Encounter&_elements=name,Encounter.status", "")
	for _, o := range m.Output {
		resp, err := c.Get(o.URL)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			var r map[string]json.RawMessage
			_ = json.Unmarshal(sc.Bytes(), &r)
			want := map[string]bool{"resourceType": true, "id": true, "meta": true, "name": o.Type == "Patient", "status": o.Type == "Encounter"}
			for k := range r {
				if !want[k] {
					t.Errorf("_elements: %s kept %s: %s", o.Type, k, sc.Bytes())
				}
			}
			if !bytes.Contains(r["meta"], []byte("SUBSETTED")) {
				t.Errorf("_elements: %s not tagged SUBSETTED: %s", o.Type, r["meta"])
			}
		}
		resp.Body.Close()
	}

	// Group level: a Group created through the FHIR API, with p1 an active member and p2 an inactive one.
	req, _ := http.NewRequest("POST", base+"/fhir/Group", strings.NewReader(`{"resourceType":"Group","type":"person","actual":true,`+
		`"member":[{"entity":{"reference":"Patient/p1"}},{"entity":{"reference":"Patient/p2"},"inactive":true}]}`))
	req.Header.Set("Content-Type", "application/fhir+json")
	resp, err = c.Do(req)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("create Group: %v %v", err, resp.StatusCode)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	gid := strings.Split(strings.TrimPrefix(loc, base+"/fhir/Group/"), "/")[0]
	m, _ = exportNow(t, c, "GET", base+"/fhir/Group/"+gid+"/$export?_type=Patient,Observation,Encounter", "")
	if got, want := exported(t, c, m), map[string]string{"Encounter": "e1", "Observation": "lab1,lab3,vital1", "Patient": "p1"}; !equalMaps(got, want) {
		t.Errorf("Group export: %v, want %v", got, want)
	}
	if r, b := kickOff(t, c, "GET", base+"/fhir/Group/nope/$export", ""); r.StatusCode != 404 || !bytes.Contains(b, []byte("OperationOutcome")) {
		t.Errorf("unknown Group: %d %s", r.StatusCode, b)
	}
}

// TestBulkExportAuthorization checks that each file holds only what the token's scopes allow, and the
// errors of a token without the scope for a requested type.
func TestBulkExportAuthorization(t *testing.T) {
	base, _, _ := startSandbox(t, func(db *store.DB, base string) { seed(t, db, base) })
	narrow := registerBackend(t, base, "system/Patient.rs system/Observation.rs?category="+labCategory)
	c := narrow.client(t, "system/Patient.rs", "system/Observation.rs?category="+labCategory)

	// Without _type, the export is of what the token may read; a query-restricted scope restricts the file.
	m, _ := exportNow(t, c, "GET", base+"/fhir/$export", "")
	if got, want := exported(t, c, m), map[string]string{"Observation": "lab1,lab2,lab3", "Patient": "p1,p2"}; !equalMaps(got, want) {
		t.Errorf("narrow token: %v, want %v", got, want)
	}
	// Asking for a type the token has no scope for is a 403 that names the scope, unless lenient.
	resp, b := kickOff(t, c, "GET", base+"/fhir/$export?_type=Patient,Encounter", "")
	if resp.StatusCode != 403 || !bytes.Contains(b, []byte("Encounter")) {
		t.Errorf("_type without a scope: %d %s", resp.StatusCode, b)
	}
	m, _ = exportNow(t, c, "GET", base+"/fhir/$export?_type=Patient,Encounter", "", "handling=lenient")
	if got, want := exported(t, c, m), map[string]string{"Patient": "p1,p2"}; !equalMaps(got, want) || len(m.Error) != 1 {
		t.Errorf("lenient: %v %+v", got, m.Error)
	} else {
		resp, err := c.Get(m.Error[0].URL)
		if err != nil {
			t.Fatal(err)
		}
		eb, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !bytes.Contains(eb, []byte(`"resourceType":"OperationOutcome"`)) || !bytes.Contains(eb, []byte("Encounter")) {
			t.Errorf("error file: %s", eb)
		}
	}
	// A token without any system/ scope to export gets nothing of what it asks for.
	none := registerBackend(t, base, "system/Practitioner.rs").client(t, "system/Practitioner.rs")
	if resp, _ := kickOff(t, none, "GET", base+"/fhir/$export?_type=Patient", ""); resp.StatusCode != 403 {
		t.Errorf("no scope: %d", resp.StatusCode)
	}
	if resp, _ := kickOff(t, http.DefaultClient, "GET", base+"/fhir/$export", ""); resp.StatusCode != 401 {
		t.Errorf("no token: %d", resp.StatusCode)
	}
}

// TestBulkExportErrors checks the kick-off errors the IG asks for: each is an OperationOutcome.
func TestBulkExportErrors(t *testing.T) {
	base, _, _ := startSandbox(t, func(db *store.DB, base string) { seed(t, db, base) })
	c := registerBackend(t, base, "system/*.rs").client(t, "system/*.rs")
	for _, tc := range []struct {
		name, method, path, body string
		noPrefer                 bool
		want                     int
		says                     string
	}{
		{"no Prefer: respond-async", "GET", "/fhir/$export", "", true, 400, "respond-async"},
		{"bad _type", "GET", "/fhir/$export?_type=Patient,Bogus", "", false, 400, "Bogus"},
		{"bad _since", "GET", "/fhir/$export?_since=yesterday", "", false, 400, "_since"},
		{"_since without a zone", "GET", "/fhir/$export?_since=2025-01-01T00:00:00", "", false, 400, "_since"},
		{"unknown _outputFormat", "GET", "/fhir/$export?_outputFormat=text/csv", "", false, 400, "_outputFormat"},
		{"unsupported parameter", "GET", "/fhir/$export?includeAssociatedData=LatestProvenanceResources", "", false, 400, "handling=lenient"},
		{"bad _elements", "GET", "/fhir/$export?_elements=Bogus.name", "", false, 400, "_elements"},
		{"patient at system level", "GET", "/fhir/$export?patient=Patient/p1", "", false, 400, "patient"},
		{"shared type at Patient level", "GET", "/fhir/Patient/$export?_type=Practitioner", "", false, 400, "compartment"},
		{"unknown _typeFilter parameter", "GET", "/fhir/$export?_type=Observation&_typeFilter=" + urlq("Observation?bogus=1"), "", false, 400, "bogus"},
		{"_typeFilter result parameter", "GET", "/fhir/$export?_type=Observation&_typeFilter=" + urlq("Observation?_sort=date"), "", false, 400, "_sort"},
		{"bad patient reference", "POST", "/fhir/Patient/$export",
			`{"resourceType":"Parameters","parameter":[{"name":"patient","valueReference":{"reference":"Practitioner/dr1"}}]}`, false, 400, "Patient"},
		{"POST body not Parameters", "POST", "/fhir/$export", `{"resourceType":"Patient"}`, false, 400, "Parameters"},
	} {
		req, _ := http.NewRequest(tc.method, base+tc.path, strings.NewReader(tc.body))
		req.Header.Set("Accept", "application/fhir+json")
		if !tc.noPrefer {
			req.Header.Set("Prefer", "respond-async")
		}
		if tc.body != "" {
			req.Header.Set("Content-Type", "application/fhir+json")
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want || !bytes.Contains(b, []byte(`"resourceType":"OperationOutcome"`)) || !bytes.Contains(b, []byte(tc.says)) {
			t.Errorf("%s: %d %s, want %d mentioning %q", tc.name, resp.StatusCode, b, tc.want, tc.says)
		}
	}
}

// TestBulkExportCancel cancels an export with DELETE on its status URL: 202, then 404, and its files gone.
func TestBulkExportCancel(t *testing.T) {
	base, srv, db := startSandbox(t, func(db *store.DB, base string) { seed(t, db, base) })
	_ = srv
	c := registerBackend(t, base, "system/*.rs").client(t, "system/*.rs")
	m, status := exportNow(t, c, "GET", base+"/fhir/$export", "")
	job := status[strings.LastIndex(status, "/")+1:]
	dir := filepath.Join(server.ExportsDir(db.Path()), job)
	if _, err := os.Stat(filepath.Join(dir, "Patient.ndjson")); err != nil {
		t.Fatalf("the files are not where docs/fhir.md says: %v", err)
	}
	other := registerBackend(t, base, "system/*.rs").client(t, "system/*.rs")
	del := func(h *http.Client) int {
		req, _ := http.NewRequest("DELETE", status, nil)
		resp, err := h.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := del(other); got != 404 {
		t.Errorf("another client's DELETE: %d", got)
	}
	if got := del(c); got != 202 {
		t.Errorf("DELETE: %d, want 202", got)
	}
	if got := getStatus(t, c, status); got != 404 {
		t.Errorf("status after DELETE: %d, want 404", got)
	}
	if got := getStatus(t, c, m.Output[0].URL); got != 404 {
		t.Errorf("file after DELETE: %d, want 404", got)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("files left after DELETE: %v", err)
	}
	// A DELETE right after the kick-off stops the job wherever it is.
	resp, _ := kickOff(t, c, "GET", base+"/fhir/$export", "")
	status = resp.Header.Get("Content-Location")
	if got := del(c); got != 202 {
		t.Errorf("DELETE of a fresh job: %d", got)
	}
	if got := getStatus(t, c, status); got != 404 {
		t.Errorf("status after cancelling: %d", got)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func urlq(s string) string { return url.QueryEscape(s) }

// TestBulkExportsInControlAPI: the panel lists exports with their files, downloads them without a token
// (it is the sandbox's own UI), deletes them, and lists the Groups with their member counts.
func TestBulkExportsInControlAPI(t *testing.T) {
	base, _, _ := startSandbox(t, func(db *store.DB, base string) { seed(t, db, base) })
	c := registerBackend(t, base, "system/*.rs system/Group.c").client(t, "system/*.rs", "system/Group.c")
	m, status := exportNow(t, c, "GET", base+"/fhir/$export?_type=Patient", "")
	job := status[strings.LastIndex(status, "/")+1:]
	var list struct {
		Exports []struct {
			ID, Status string
			Progress   float64
			Exported   int
			Files      []struct {
				Type, Download string
				Count          int
			}
		}
	}
	apiJSON(t, base, "GET", "/api/exports", nil, 200, &list)
	if len(list.Exports) != 1 || list.Exports[0].ID != job || list.Exports[0].Status != "complete" || list.Exports[0].Progress != 1 ||
		list.Exports[0].Exported != 2 || len(list.Exports[0].Files) != 1 || list.Exports[0].Files[0].Count != 2 {
		t.Fatalf("GET /api/exports: %+v", list)
	}
	resp, err := http.Get(base + list.Exports[0].Files[0].Download)
	if err != nil {
		t.Fatal(err)
	}
	panel, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp, err = c.Get(m.Output[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	api, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if len(panel) == 0 || !bytes.Equal(panel, api) {
		t.Errorf("the panel's download differs from the file: %q vs %q", panel, api)
	}
	req, _ := http.NewRequest("DELETE", base+"/api/exports/"+job, nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 204 {
		t.Fatalf("DELETE /api/exports: %v %v", err, resp.StatusCode)
	}
	if got := getStatus(t, c, status); got != 404 {
		t.Errorf("status after the panel deleted it: %d", got)
	}
	if resp, _ := http.Get(base + list.Exports[0].Files[0].Download); resp.StatusCode != 404 {
		t.Errorf("download after delete: %d", resp.StatusCode)
	}

	req, _ = http.NewRequest("POST", base+"/fhir/Group", strings.NewReader(`{"resourceType":"Group","type":"person","actual":true,"name":"Cohort",`+
		`"member":[{"entity":{"reference":"Patient/p1"}},{"entity":{"reference":"Patient/p2"},"inactive":true}]}`))
	req.Header.Set("Content-Type", "application/fhir+json")
	if resp, err := c.Do(req); err != nil || resp.StatusCode != 201 {
		t.Fatalf("create Group: %v %v", err, resp.StatusCode)
	}
	var groups struct {
		Groups []struct {
			Name           string
			Members, Total int
		}
	}
	apiJSON(t, base, "GET", "/api/groups", nil, 200, &groups)
	if len(groups.Groups) != 1 || groups.Groups[0].Name != "Cohort" || groups.Groups[0].Members != 1 || groups.Groups[0].Total != 2 {
		t.Errorf("GET /api/groups: %+v", groups)
	}
	// Group is searchable by member.
	resp, err = c.Get(base + "/fhir/Group?member=Patient/p1")
	if err != nil {
		t.Fatal(err)
	}
	var bundle struct{ Entry []any }
	json.NewDecoder(resp.Body).Decode(&bundle)
	resp.Body.Close()
	if len(bundle.Entry) != 1 {
		t.Errorf("Group?member=Patient/p1: %d entries", len(bundle.Entry))
	}
}

// TestBulkExportByUserApps: an app a practitioner launched exports at Patient level with user/ scopes,
// a patient's app only that patient's compartment, and neither exports at system level.
func TestBulkExportByUserApps(t *testing.T) {
	base, _, _ := startSandbox(t, func(db *store.DB, base string) { seed(t, db, base) })
	var c struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	apiJSON(t, base, "POST", "/api/clients", map[string]any{"client_name": "population app", "redirect_uris": []string{e2eRedirect},
		"launch_uri": "https://app.example/launch"}, 201, &c)
	_, user := launch(t, base, c.ID, c.Secret, "p1", "Practitioner/dr1", "launch", "openid", "fhirUser", "user/Patient.rs", "user/Observation.rs")
	if r, b := kickOff(t, user, "GET", base+"/fhir/$export?_type=Patient", ""); r.StatusCode != 403 || !bytes.Contains(b, []byte("system/Patient")) {
		t.Errorf("system level with user/ scopes: %d %s", r.StatusCode, b)
	}
	m, _ := exportNow(t, user, "GET", base+"/fhir/Patient/$export", "")
	if got, want := exported(t, user, m), map[string]string{"Observation": "lab1,lab2,lab3,vital1", "Patient": "p1,p2"}; !equalMaps(got, want) {
		t.Errorf("user app, Patient level: %v, want %v", got, want)
	}
	_, patient := launch(t, base, c.ID, c.Secret, "p1", "Practitioner/dr1", "launch", "openid", "fhirUser", "patient/Patient.rs", "patient/Observation.rs")
	m, _ = exportNow(t, patient, "GET", base+"/fhir/Patient/$export", "")
	if got, want := exported(t, patient, m), map[string]string{"Observation": "lab1,lab3,vital1", "Patient": "p1"}; !equalMaps(got, want) {
		t.Errorf("patient app, Patient level: %v, want %v", got, want)
	}
}

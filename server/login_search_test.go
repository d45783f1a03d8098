package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/valet-sandbox/valet/server/control"
	"github.com/valet-sandbox/valet/server/population"
	"github.com/valet-sandbox/valet/server/store"
)

// TestLoginPageFindsEveryUser: the login page lists the first users of each kind and says how many there
// are; its search (through the FHIR indexes) finds any patient, however many the sandbox holds.
func TestLoginPageFindsEveryUser(t *testing.T) {
	ctx := context.Background()
	base, srv, _ := startSandbox(t, nil)
	if _, err := srv.Population().Generate(ctx, population.GenerateRequest{Patients: 60, Seed: 5, Years: 1}, nil); err != nil {
		t.Fatal(err)
	}
	var c struct {
		ID string `json:"client_id"`
	}
	apiJSON(t, base, "POST", "/api/clients", map[string]any{"client_name": "login test", "redirect_uris": []string{e2eRedirect}}, 201, &c)
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	q := url.Values{"response_type": {"code"}, "client_id": {c.ID}, "redirect_uri": {e2eRedirect}, "state": {"s"},
		"scope": {"openid fhirUser launch/patient patient/*.rs"}, "aud": {base + "/fhir"},
		"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"}}
	page := get(t, browser, base+"/auth/authorize?"+q.Encode())
	if !strings.Contains(page, "Showing 50 of 60") {
		t.Fatalf("login page does not say it shows 50 of 60 patients:\n%s", page)
	}
	req := regexp.MustCompile(`name="req" value="([^"]+)"`).FindStringSubmatch(page)
	if req == nil {
		t.Fatal("no request id on the login page")
	}
	// The 60th patient by family name is not on the first page; searching its MRN finds it.
	var last struct {
		Patients []control.PatientSummary `json:"patients"`
	}
	apiJSON(t, base, "GET", "/api/patients?count=1&offset=59", nil, 200, &last)
	target := last.Patients[0]
	if strings.Contains(page, "Patient/"+target.ID+" ") {
		t.Fatalf("patient %s was expected beyond the first 50", target.ID)
	}
	found := get(t, browser, base+"/auth/login?"+url.Values{"req": {req[1]}, "q": {target.MRN}}.Encode())
	if !strings.Contains(found, `value="Patient/`+target.ID+`"`) || strings.Count(found, `name="user"`) != 1 {
		t.Errorf("search for %s did not list exactly that patient:\n%s", target.MRN, found)
	}
	none := get(t, browser, base+"/auth/login?"+url.Values{"req": {req[1]}, "q": {"Zzyzx"}}.Encode())
	if !strings.Contains(none, "No match.") {
		t.Errorf("a search with no match does not say so")
	}
}

func get(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d\n%s", u, resp.StatusCode, body)
	}
	return string(body)
}

// TestStandalonePickersUseTheIndexes: the standalone patient picker searches by name, birth date and
// identifier together and pages through every patient; the encounter picker lists that patient's encounters.
func TestStandalonePickersUseTheIndexes(t *testing.T) {
	ctx := context.Background()
	base, srv, _ := startSandbox(t, nil)
	if _, err := srv.Population().Generate(ctx, population.GenerateRequest{Patients: 45, Seed: 8, Years: 2}, nil); err != nil {
		t.Fatal(err)
	}
	var docs struct {
		Practitioners []control.PractitionerSummary `json:"practitioners"`
	}
	apiJSON(t, base, "GET", "/api/practitioners?count=1", nil, 200, &docs)
	var c struct {
		ID string `json:"client_id"`
	}
	apiJSON(t, base, "POST", "/api/clients", map[string]any{"client_name": "picker test", "redirect_uris": []string{e2eRedirect},
		"valet_user": docs.Practitioners[0].Reference}, 201, &c)
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	q := url.Values{"response_type": {"code"}, "client_id": {c.ID}, "redirect_uri": {e2eRedirect}, "state": {"s"},
		"scope": {"openid fhirUser launch/patient launch/encounter patient/*.rs"}, "aud": {base + "/fhir"},
		"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"}}
	page := get(t, browser, base+"/auth/authorize?"+q.Encode())
	req := regexp.MustCompile(`name="req" value="([^"]+)"`).FindStringSubmatch(page)
	if req == nil || !strings.Contains(page, "Next page") || strings.Count(page, `name="patient"`) != 20 {
		t.Fatalf("the picker's first page should list 20 patients and link the next:\n%s", page)
	}
	var all struct {
		Patients []control.PatientSummary `json:"patients"`
	}
	apiJSON(t, base, "GET", "/api/patients?count=200", nil, 200, &all)
	seen := map[string]bool{}
	for cursor := ""; ; {
		p := get(t, browser, base+"/auth/pick-patient?"+url.Values{"req": {req[1]}, "after": {cursor}}.Encode())
		for _, m := range regexp.MustCompile(`name="patient" value="Patient/([^"]+)"`).FindAllStringSubmatch(p, -1) {
			if seen[m[1]] {
				t.Errorf("patient %s listed twice while paging", m[1])
			}
			seen[m[1]] = true
		}
		next := regexp.MustCompile(`after=(\d+)"`).FindStringSubmatch(p)
		if next == nil {
			break
		}
		cursor = next[1]
	}
	if len(seen) != len(all.Patients) {
		t.Errorf("paging the picker saw %d patients, the sandbox has %d", len(seen), len(all.Patients))
	}
	target := all.Patients[len(all.Patients)/2]
	found := get(t, browser, base+"/auth/pick-patient?"+url.Values{"req": {req[1]}, "name": {target.Family},
		"birthdate": {target.BirthDate}, "identifier": {target.MRN}}.Encode())
	if !strings.Contains(found, `value="Patient/`+target.ID+`"`) || strings.Count(found, `name="patient"`) != 1 {
		t.Errorf("name+birth date+MRN search did not find exactly %s:\n%s", target.ID, found)
	}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(found)
	resp, err := browser.PostForm(base+"/auth/select-patient", url.Values{"req": {req[1]}, "csrf": {csrf[1]}, "patient": {"Patient/" + target.ID}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var rec struct {
		Counts map[string]int `json:"counts"`
	}
	apiJSON(t, base, "GET", "/api/patients/"+target.ID, nil, 200, &rec)
	if n := strings.Count(string(body), `name="encounter" value="Encounter/`); n != rec.Counts["Encounter"] || n == 0 {
		t.Errorf("encounter picker lists %d encounters, the patient has %d:\n%s", n, rec.Counts["Encounter"], body)
	}
}

// Search text the directory refuses (here: too many words) is said on the page or answered 400, never a
// server error.
func TestRefusedSearchTextIsShownNotFailed(t *testing.T) {
	base, _, _ := startSandbox(t, func(db *store.DB, base string) { seed(t, db, base) })
	long := strings.Repeat("word ", 21)
	code, _, body := call(t, "GET", base+"/api/patients?q="+url.QueryEscape(long), "", nil)
	if code != 400 || !strings.Contains(body, "at most 20") {
		t.Errorf("/api/patients with 21 words: %d %s", code, body)
	}
	var c struct {
		ID string `json:"client_id"`
	}
	apiJSON(t, base, "POST", "/api/clients", map[string]any{"client_name": "s", "redirect_uris": []string{e2eRedirect}}, 201, &c)
	cfg := &oauth2.Config{ClientID: c.ID, RedirectURL: e2eRedirect, Scopes: []string{"launch/patient", "patient/*.rs"},
		Endpoint: oauth2.Endpoint{AuthURL: base + "/auth/authorize"}}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	page := get(t, browser, cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("aud", base+"/fhir")))
	req := regexp.MustCompile(`name="req" value="([^"]+)"`).FindStringSubmatch(page)
	if req == nil {
		t.Fatalf("no sign-in page: %s", page)
	}
	resp, err := browser.Get(base + "/auth/login?req=" + req[1] + "&q=" + url.QueryEscape(long))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "That search could not be run") {
		t.Errorf("sign-in search with 21 words: %d %s", resp.StatusCode, b)
	}
}

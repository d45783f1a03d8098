package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/valet-sandbox/valet/server/fhir/search"
)

// The search table of docs/performance.md (issue #17): every search of search.Catalog, first page, on the
// default sandbox (41 patients) and on a generated population, with a backend service's system/ token and
// a practitioner's user/ token, through a real `valet serve` on 127.0.0.1; and for the population, the
// next page (its link's cursor) and _total=accurate. Each population is generated once into a cache
// directory and reused by later runs (the server is started with --empty, so nothing is added to it).
//
//	go build -o /tmp/valet . && go run ./tools/loadtest -valet /tmp/valet -searches

// searchSandbox is a running `valet serve` on a cached population, with tokens and the values its
// searches are filled with.
type searchSandbox struct {
	base   string
	c      *http.Client
	tokens map[string]string // "system", "user"
	vars   map[string]string // search.Catalog's {names}
	stop   func()
	// The tokens are renewed before they expire (access tokens last minutes; a slow search's medians
	// take longer): flowClient signs the practitioner in again, at issued.
	flowClient string
	issued     time.Time
}

// openSearchSandbox serves the population of the given size from cache, generating it first when the
// cache has none (personas: the default sandbox's edge-case patients as well).
func openSearchSandbox(ctx context.Context, valet, cache string, patients int, personas bool) (*searchSandbox, error) {
	data := filepath.Join(cache, fmt.Sprintf("patients-%d", patients))
	if personas {
		data += "-personas"
	}
	if _, err := os.Stat(filepath.Join(data, "valet.db")); err != nil {
		args := []string{"generate", "--data", data, "--patients", fmt.Sprint(patients)}
		if personas {
			args = append(args, "--personas")
		}
		fmt.Printf("generating %d patients into %s (once; later runs reuse it)\n", patients, data)
		cmd := exec.CommandContext(ctx, valet, args...)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			os.RemoveAll(data) // a half-written population is not a cache
			return nil, fmt.Errorf("valet generate: %w", err)
		}
	}
	base, stop, err := serveData(ctx, valet, data, false, nil, "--empty")
	if err != nil {
		return nil, err
	}
	// Redirects are not followed: the authorization code is read from the authorize response's Location.
	c := &http.Client{Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	s := &searchSandbox{base: base, c: c, tokens: map[string]string{}, stop: stop}
	if err := s.prepare(); err != nil {
		stop()
		return nil, err
	}
	return s, nil
}

// prepare gets the tokens and reads the values to search for from the data: the first patient's, its
// first encounter and immunization, the first practitioner, organization and location.
func (s *searchSandbox) prepare() error {
	var err error
	if s.tokens["system"], err = token(s.c, s.base); err != nil {
		return err
	}
	first := func(query string) (map[string]any, error) {
		var b struct {
			Entry []struct{ Resource map[string]any }
		}
		body, err := s.get(s.base+"/fhir/"+query, s.tokens["system"])
		if err == nil {
			err = json.Unmarshal(body, &b)
		}
		if err == nil && len(b.Entry) == 0 {
			err = fmt.Errorf("%s: nothing found", query)
		}
		if err != nil {
			return nil, err
		}
		return b.Entry[0].Resource, nil
	}
	v := map[string]string{}
	p, err := first("Patient?_count=1")
	if err != nil {
		return err
	}
	v["patient"], v["gender"], v["birthdate"] = str(p, "id"), str(p, "gender"), str(p, "birthDate")
	v["family"], v["given"] = str(p, "name", 0, "family"), str(p, "name", 0, "given", 0)
	v["mrn"] = identifier(p, "https://valet.dev/fhir/sid/mrn")
	for query, read := range map[string]func(r map[string]any){
		"Encounter?_count=1&patient=" + v["patient"]: func(r map[string]any) { v["encounter"] = str(r, "id") },
		"Immunization?_count=1&patient=" + v["patient"]: func(r map[string]any) {
			v["immunization-month"] = str(r, "occurrenceDateTime")[:min(7, len(str(r, "occurrenceDateTime")))]
		},
		"Practitioner?_count=1": func(r map[string]any) {
			v["practitioner"], v["practitioner-family"] = str(r, "id"), str(r, "name", 0, "family")
			v["npi"] = identifier(r, "http://hl7.org/fhir/sid/us-npi")
		},
		"Organization?_count=1": func(r map[string]any) { v["organization-name"] = str(r, "name") },
		"Location?_count=1": func(r map[string]any) {
			v["location-name"], v["location-city"] = str(r, "name"), str(r, "address", "city")
		},
	} {
		r, err := first(query)
		if err != nil {
			return err
		}
		read(r)
	}
	s.vars = v
	// A practitioner's user/ token: the authorization-code flow, signed in as that practitioner.
	if s.flowClient, err = registerFlowClient(s.c, s.base, "Practitioner/"+v["practitioner"]); err != nil {
		return err
	}
	return s.renew()
}

// renew gets new tokens: a system/ token by client_credentials, a user/ token by the authorization code
// flow of flowClient.
func (s *searchSandbox) renew() error {
	var err error
	if s.tokens["system"], err = token(s.c, s.base); err != nil {
		return err
	}
	tok, err := authCode(s.c, s.base, s.flowClient, "openid fhirUser user/*.rs")
	s.tokens["user"], s.issued = tok.Access, time.Now()
	return err
}

// str reads a string down a path of keys and indexes in decoded JSON ("" when absent).
func str(v any, path ...any) string {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return ""
			}
			v = a[k]
		}
	}
	s, _ := v.(string)
	return s
}

// identifier is r's identifier of system as a token search value, system|value.
func identifier(r map[string]any, system string) string {
	ids, _ := r["identifier"].([]any)
	for i := range ids {
		if str(ids[i], "system") == system {
			return system + "|" + str(ids[i], "value")
		}
	}
	return ""
}

// url is the search query (Type?params) filled with the sandbox's values, as a URL.
func (s *searchSandbox) url(query string) string {
	typ, raw, _ := strings.Cut(search.Fill(query, s.vars), "?")
	q, _ := url.ParseQuery(raw)
	return s.base + "/fhir/" + typ + "?" + q.Encode()
}

// get is one GET with bearer; anything but 200 is an error.
func (s *searchSandbox) get(u, bearer string) ([]byte, error) {
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Authorization", "Bearer "+bearer)
	resp, err := s.c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %d %.300s", u, resp.StatusCode, b)
	}
	return b, err
}

// median times n GETs of u with the token tok one after another (after two not timed), or as many as
// fit in searchBudget (at least 3), and returns their median.
func (s *searchSandbox) median(u, tok string, n int) (time.Duration, error) {
	if time.Since(s.issued) > 2*time.Minute {
		if err := s.renew(); err != nil {
			return 0, err
		}
	}
	ds := make([]time.Duration, 0, n)
	start := time.Now()
	for i := -2; i < n && (i < 3 || time.Since(start) < searchBudget); i++ {
		t := time.Now()
		if _, err := s.get(u, s.tokens[tok]); err != nil {
			if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() {
				return timedOut, nil // the client's timeout: reported, not fatal (an old binary's worst searches)
			}
			return 0, err
		}
		if i >= 0 {
			ds = append(ds, time.Since(t))
		}
	}
	slices.Sort(ds)
	return ds[len(ds)/2], nil
}

// timedOut stands for a search that did not answer within the client's timeout.
const timedOut = time.Duration(-1)

// searchBudget bounds the time one median takes: a search of seconds is timed fewer times.
const searchBudget = 10 * time.Second

// nextLink is the URL of a searchset's next page ("" for none).
func nextLink(body []byte) string {
	var b struct {
		Link []struct{ Relation, URL string }
	}
	_ = json.Unmarshal(body, &b)
	for _, l := range b.Link {
		if l.Relation == "next" {
			return l.URL
		}
	}
	return ""
}

// searchRow is one search's medians: first pages by population and token, and the large population's
// next page and _total=accurate (0 when the search has a single page).
type searchRow struct {
	query       string
	first       map[string]time.Duration // "small system", "small user", "large system", "large user"
	next, total time.Duration
}

// searchRun prints the search table: each search of search.Catalog matching only, n requests per median.
func searchRun(ctx context.Context, valet, cache string, patients, n int, only *regexp.Regexp) error {
	var rows []*searchRow
	for _, q := range search.Catalog {
		if only.MatchString(q) {
			rows = append(rows, &searchRow{query: q, first: map[string]time.Duration{}})
		}
	}
	for _, size := range []struct {
		name     string
		patients int
		personas bool
	}{{"small", 25, true}, {"large", patients, false}} {
		s, err := openSearchSandbox(ctx, valet, cache, size.patients, size.personas)
		if err != nil {
			return err
		}
		err = s.measure(rows, size.name, n)
		s.stop()
		if err != nil {
			return err
		}
	}
	fmt.Printf("\nfirst page (median of %d sequential requests, or of those in %v, at least 3), default sandbox (41 patients) "+
		"and %d patients; the next page and _total=accurate at %d patients, system token\n\n", n, searchBudget, patients, patients)
	fmt.Printf("| search | 41, system | 41, user | %[1]d, system | %[1]d, user | %[1]d ÷ 41 | next page | `_total=accurate` |\n", patients)
	fmt.Println("|---|---|---|---|---|---|---|---|")
	ms := func(d time.Duration) string {
		switch d {
		case 0:
			return "—"
		case timedOut:
			return "> 60,000"
		}
		return fmt.Sprintf("%.2f", float64(d.Microseconds())/1000)
	}
	var worst time.Duration
	var worstRatio float64
	for _, r := range rows {
		ratio := float64(max(r.first["large system"], r.first["large user"])) / float64(max(r.first["small system"], r.first["small user"]))
		worst, worstRatio = max(worst, r.first["large system"], r.first["large user"]), max(worstRatio, ratio)
		fmt.Printf("| `%s` | %s | %s | %s | %s | %.1f | %s | %s |\n", strings.ReplaceAll(r.query, "|", `\|`),
			ms(r.first["small system"]), ms(r.first["small user"]), ms(r.first["large system"]), ms(r.first["large user"]),
			ratio, ms(r.next), ms(r.total))
	}
	fmt.Printf("\nslowest first page at %d patients: %s ms; largest ratio to the default sandbox: %.1f\n", patients, ms(worst), worstRatio)
	return nil
}

// measure fills the size's columns of rows.
func (s *searchSandbox) measure(rows []*searchRow, size string, n int) error {
	for _, r := range rows {
		u := s.url(r.query)
		for _, tok := range []string{"system", "user"} {
			d, err := s.median(u, tok, n)
			if err != nil {
				return err
			}
			r.first[size+" "+tok] = d
		}
		if size != "large" {
			continue
		}
		body, err := s.get(u, s.tokens["system"])
		if err != nil {
			return err
		}
		if next := nextLink(body); next != "" {
			if r.next, err = s.median(next, "system", n); err != nil {
				return err
			}
		}
		if r.total, err = s.median(u+"&_total=accurate", "system", max(3, n/5)); err != nil {
			return err
		}
	}
	return nil
}

// Command loadtest drives a real `valet serve` process on 127.0.0.1 with real access tokens and reports
// requests per second at concurrency 1 and 16: the loopback load run of docs/performance.md.
//
//	go build -o /tmp/valet . && go run ./tools/loadtest -valet /tmp/valet
//
// It starts the binary on a fresh data directory (127.0.0.1:0), registers a backend-services client,
// gets a token by client_credentials with a signed assertion (so every FHIR request goes through the
// authorization server's verifier), loads synthetic patients through transaction Bundles, runs each
// workload for -duration (and at most -max requests), then stops the server with SIGINT. Then it runs
// authorization-code flows against a second server limited to one core (auth.go). A deadline
// (-timeout) kills everything if anything hangs. With -retention-ops N it runs only the retention load
// run (retention.go): N token operations while the server prunes; with -tls only the TLS cost run (tls.go);
// with -searches only the table of every supported search at two population sizes (searches.go).
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

func main() {
	valet := flag.String("valet", "", "path to the valet binary (go build -o /tmp/valet .)")
	patients := flag.Int("patients", 1000, "synthetic patients to load (~100 resources each)")
	duration := flag.Duration("duration", 3*time.Second, "how long each workload runs")
	maxReq := flag.Int("max", 200_000, "at most this many requests per workload")
	timeout := flag.Duration("timeout", 10*time.Minute, "kill everything after this long")
	retentionOps := flag.Int("retention-ops", 0, "instead of the other runs: this many token operations with retention pruning (retention.go)")
	keepEvents := flag.Int("keep-events", 0, "with -retention-ops: start valet with --keep-events N (0: its defaults)")
	tlsCost := flag.Bool("tls", false, "instead of the other runs: the same read and token request over http and over https (tls.go)")
	searches := flag.Bool("searches", false, "instead of the other runs: the table of every supported search at 41 and -search-patients patients (searches.go)")
	searchPatients := flag.Int("search-patients", 10000, "with -searches: the population to compare with the default sandbox")
	searchCache := flag.String("search-cache", filepath.Join(os.TempDir(), "valet-searchbench"), "with -searches: where the populations are generated once and kept")
	searchN := flag.Int("search-n", 30, "with -searches: requests per median")
	searchOnly := flag.String("search-only", "", "with -searches: only the searches matching this regular expression")
	flag.Parse()
	if *valet == "" {
		fmt.Fprintln(os.Stderr, "loadtest: -valet is required")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if *searches {
		if *timeout == 10*time.Minute {
			*timeout = time.Hour // generating 10,000 patients takes minutes on a busy machine
		}
		ctx, cancel := context.WithTimeout(context.Background(), *timeout)
		defer cancel()
		only, err := regexp.Compile(*searchOnly)
		if err == nil {
			err = searchRun(ctx, *valet, *searchCache, *searchPatients, *searchN, only)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
		return
	}
	if *tlsCost {
		if err := tlsRun(ctx, *valet, *duration, *maxReq); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
		return
	}
	if *retentionOps > 0 {
		if err := retentionRun(ctx, *valet, *retentionOps, *keepEvents); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
		return
	}
	err := run(ctx, *valet, *patients, *duration, *maxReq)
	if err == nil {
		err = authFlows(ctx, *valet, *duration, *maxReq)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

var banner = regexp.MustCompile(`Control panel:\s+(https?://127\.0\.0\.1:\d+)`)

func run(ctx context.Context, valet string, patients int, d time.Duration, maxReq int) error {
	base, stop, err := startValet(ctx, valet, nil)
	if err != nil {
		return err
	}
	defer stop()
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second}
	bearer, err := token(c, base)
	if err != nil {
		return err
	}
	fmt.Printf("valet at %s, token by client_credentials (ES256 access token, checked by the server's verifier)\n", base)

	// Load: one transaction Bundle per patient, 4 at a time.
	start := time.Now()
	var next, loaded atomic.Int64
	var wg sync.WaitGroup
	var loadErr error
	var once sync.Once
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1))
				if i > patients || ctx.Err() != nil {
					return
				}
				body, n := patientBundle(i)
				if err := do(c, "POST", base+"/fhir", bearer, body); err != nil {
					once.Do(func() { loadErr = err })
					return
				}
				loaded.Add(int64(n))
			}
		}()
	}
	wg.Wait()
	if loadErr != nil {
		return loadErr
	}
	el := time.Since(start)
	fmt.Printf("loaded %d resources (%d patients) through transaction Bundles in %v: %.0f resources/s (4 concurrent)\n",
		loaded.Load(), patients, el.Round(time.Millisecond), float64(loaded.Load())/el.Seconds())

	n := int64(patients)
	workloads := []struct {
		name string
		path func(i int64) string
		auth bool
	}{
		{"ceiling: SMART configuration (no token)", func(int64) string { return "/fhir/.well-known/smart-configuration" }, false},
		{"read by id", func(i int64) string { return fmt.Sprintf("/fhir/Observation/lt%d-o%d", 1+i%n, i%99) }, true},
		{"Observation?patient&category, first page", func(i int64) string {
			return fmt.Sprintf("/fhir/Observation?patient=lt%d&category=laboratory", 1+i%n)
		}, true},
		{"Patient/$everything", func(i int64) string { return fmt.Sprintf("/fhir/Patient/lt%d/$everything", 1+i%n) }, true},
	}
	fmt.Printf("%-45s %12s %12s\n", "workload", "c=1 req/s", "c=16 req/s")
	for _, w := range workloads {
		var rates []float64
		for _, conc := range []int{1, 16} {
			b := ""
			if w.auth {
				b = bearer
			}
			r, err := drive(ctx, c, base, b, w.path, conc, d, maxReq)
			if err != nil {
				return fmt.Errorf("%s: %w", w.name, err)
			}
			rates = append(rates, r)
		}
		fmt.Printf("%-45s %12.0f %12.0f\n", w.name, rates[0], rates[1])
	}
	return nil
}

// startValet runs `valet serve` on 127.0.0.1:0 with a fresh data directory (and env added to this
// process's environment, and extra flags), waits for its banner and returns its base URL; stop
// interrupts it, waits for it and removes the directory.
func startValet(ctx context.Context, valet string, env []string, flags ...string) (base string, stop func(), err error) {
	data, err := os.MkdirTemp("", "valet-loadtest")
	if err != nil {
		return "", nil, err
	}
	return startValetIn(ctx, valet, data, env, flags...)
}

// startValetIn is startValet on the data directory data, which stop removes.
func startValetIn(ctx context.Context, valet, data string, env []string, flags ...string) (base string, stop func(), err error) {
	return serveData(ctx, valet, data, true, env, flags...)
}

// serveData runs `valet serve` on the data directory data, and removes it when stopped if remove.
func serveData(ctx context.Context, valet, data string, remove bool, env []string, flags ...string) (base string, stop func(), err error) {
	cmd := exec.CommandContext(ctx, valet, append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data}, flags...)...)
	cmd.Env = append(os.Environ(), env...)
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	clean := func() {
		if remove {
			os.RemoveAll(data)
		}
	}
	if err := cmd.Start(); err != nil {
		clean()
		return "", nil, err
	}
	stop = func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait(); clean() }
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if m := banner.FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
			break
		}
	}
	if base == "" {
		stop()
		return "", nil, fmt.Errorf("no banner from %s", valet)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return base, stop, nil
}

// drive runs GETs from conc goroutines for d (or maxReq requests) and returns requests per second.
func drive(ctx context.Context, c *http.Client, base, bearer string, path func(int64) string, conc int, d time.Duration, maxReq int) (float64, error) {
	return repeat(ctx, func(i int64) error { return do(c, "GET", base+path(i), bearer, nil) }, conc, d, maxReq)
}

// repeat calls fn(1), fn(2), … from conc goroutines for d (or maxReq calls) and returns calls per second.
func repeat(ctx context.Context, fn func(i int64) error, conc int, d time.Duration, maxReq int) (float64, error) {
	var n atomic.Int64
	var firstErr error
	var once sync.Once
	stop := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for time.Now().Before(stop) && ctx.Err() == nil {
				i := n.Add(1)
				if i > int64(maxReq) {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		})
	}
	wg.Wait()
	return float64(min(n.Load(), int64(maxReq))) / time.Since(start).Seconds(), firstErr
}

func do(c *http.Client, method, u, bearer string, body []byte) error {
	req, _ := http.NewRequest(method, u, bytes.NewReader(body))
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %.300s", method, u, resp.StatusCode, b)
	}
	return nil
}

// token registers a backend-services client and gets a system/*.cruds access token for it (SMART Backend
// Services: client_credentials with a private_key_jwt assertion).
func token(c *http.Client, base string) (string, error) {
	b, err := registerBackend(c, base)
	if err != nil {
		return "", err
	}
	return b.token(c, base)
}

// backend is a registered backend-services client and the key it signs its assertions with.
type backend struct {
	id     string
	signer jose.Signer
}

func registerBackend(c *http.Client, base string) (backend, error) {
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return backend{}, err
	}
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "lt", Algorithm: "ES384", Use: "sig"}}})
	reg, _ := json.Marshal(map[string]any{"client_name": "loadtest", "grant_types": []string{"client_credentials"},
		"jwks": json.RawMessage(jwks), "scope": "system/*.cruds"})
	resp, err := c.Post(base+"/api/clients", "application/json", bytes.NewReader(reg))
	if err != nil {
		return backend{}, err
	}
	var cl struct {
		ID string `json:"client_id"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&cl)
	resp.Body.Close()
	if resp.StatusCode != 201 {
		return backend{}, fmt.Errorf("register client: %d", resp.StatusCode)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES384, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "lt"))
	return backend{id: cl.ID, signer: signer}, err
}

// token is one client_credentials request with a new signed assertion (each jti is used once).
func (b backend) token(c *http.Client, base string) (string, error) {
	aud := base + "/auth/token"
	claims, _ := json.Marshal(map[string]any{"iss": b.id, "sub": b.id, "aud": aud,
		"exp": time.Now().Add(4 * time.Minute).Unix(), "jti": rand.Text()})
	jws, err := b.signer.Sign(claims)
	if err != nil {
		return "", err
	}
	assertion, _ := jws.CompactSerialize()
	resp, err := c.PostForm(aud, url.Values{"grant_type": {"client_credentials"}, "scope": {"system/*.cruds"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion}})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error_description"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	if tok.AccessToken == "" {
		return "", fmt.Errorf("token: %d %s", resp.StatusCode, tok.Error)
	}
	return tok.AccessToken, nil
}

// patientBundle is a transaction Bundle with one patient and 99 Observations (a third laboratory).
func patientBundle(i int) ([]byte, int) {
	p := fmt.Sprintf("lt%d", i)
	var entries []any
	put := func(typ, id string, res map[string]any) {
		res["resourceType"], res["id"] = typ, id
		entries = append(entries, map[string]any{"resource": res, "request": map[string]any{"method": "PUT", "url": typ + "/" + id}})
	}
	put("Patient", p, map[string]any{"name": []any{map[string]any{"family": "Load", "given": []any{p}}}, "gender": "female",
		"birthDate": fmt.Sprintf("19%02d-01-01", i%100)})
	for k := 0; k < 99; k++ {
		cat, code, disp := "vital-signs", "8867-4", "Heart rate"
		if k%3 == 0 {
			cat, code, disp = "laboratory", "2345-7", "Glucose"
		}
		put("Observation", fmt.Sprintf("%s-o%d", p, k), map[string]any{"status": "final",
			"category": []any{map[string]any{"coding": []any{map[string]any{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": cat}}}},
			"code":     map[string]any{"coding": []any{map[string]any{"system": "http://loinc.org", "code": code, "display": disp}}},
			"subject":  map[string]any{"reference": "Patient/" + p}, "effectiveDateTime": fmt.Sprintf("2020-%02d-%02dT10:00:00Z", 1+k%12, 1+k%28),
			"valueQuantity": map[string]any{"value": 60 + k%40, "unit": "/min", "system": "http://unitsofmeasure.org", "code": "/min"}})
	}
	b, _ := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": entries})
	return b, len(entries)
}

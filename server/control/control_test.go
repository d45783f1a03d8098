package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server/population"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/wire"
)

// fakePopulation is a unit-test stand-in for the generator: it reports steps and can be held or failed.
type fakePopulation struct {
	steps   int
	release chan struct{} // when set, Generate waits for it before finishing
	fail    error
	mu      sync.Mutex
	got     []population.GenerateRequest
}

func (f *fakePopulation) Generate(ctx context.Context, req population.GenerateRequest, report func(population.Progress)) (population.GenerateResult, error) {
	f.mu.Lock()
	f.got = append(f.got, req)
	f.mu.Unlock()
	for i := 1; i <= f.steps; i++ {
		report(population.Progress{Done: i, Total: f.steps, Resources: i * 10})
	}
	if f.release != nil {
		select {
		case <-f.release:
		case <-ctx.Done():
			return population.GenerateResult{}, ctx.Err()
		}
	}
	if f.fail != nil {
		return population.GenerateResult{}, f.fail
	}
	return population.GenerateResult{Patients: req.Patients, Resources: f.steps * 10}, nil
}

func (f *fakePopulation) Reset(ctx context.Context, report func(population.Progress)) (population.GenerateResult, error) {
	return f.Generate(ctx, population.GenerateRequest{Patients: 25, Personas: true}, report)
}

func newTestAPI(t *testing.T, pop Population) *httptest.Server {
	t.Helper()
	db, err := store.Open(context.Background(), store.Memory, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	api := &API{Store: db, Jobs: &Jobs{}, Population: pop, Info: func() Info {
		return Info{Version: "1.2.3", StartedAt: now.Add(-90 * time.Second), Now: now, BaseURL: "http://127.0.0.1:1", FHIRBase: "http://127.0.0.1:1/fhir", DataFile: db.Path()}
	}}
	mux := http.NewServeMux()
	api.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { srv.Close(); api.Jobs.Wait() })
	return srv
}

func TestStatus(t *testing.T) {
	srv := newTestAPI(t, nil)
	resp, err := http.Get(srv.URL + "/api/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st Status
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	if st.Version != "1.2.3" || st.UptimeSeconds != 90 || st.FHIRBaseURL != "http://127.0.0.1:1/fhir" ||
		st.SMARTConfigurationURL != "http://127.0.0.1:1/fhir/.well-known/smart-configuration" || st.ControlPanelURL != "http://127.0.0.1:1/" {
		t.Errorf("status = %+v", st)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Error("status must not be cached")
	}
}

func TestUnknownEndpointIsJSON404(t *testing.T) {
	srv := newTestAPI(t, nil)
	resp, _ := http.Get(srv.URL + "/api/nope")
	var e wire.Error
	json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	if resp.StatusCode != 404 || !strings.Contains(e.Error, "/api/nope") {
		t.Errorf("got %d %+v", resp.StatusCode, e)
	}
}

func post(t *testing.T, url, body string) (*http.Response, map[string]any) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp, m
}

func TestGenerateRejectsBadRequests(t *testing.T) {
	srv := newTestAPI(t, &fakePopulation{})
	for body, want := range map[string]string{
		`nonsense`:                               "body must be JSON",
		`{"patients": 5, "colour": "red"}`:       "unknown field",
		`{"patients": -1}`:                       "between 0 and 100000",
		`{"patients": 100001}`:                   "between 0 and 100000",
		`{"patients": 5, "years": 101}`:          "years must be between 1 and 100",
		`{"patients": 5, "as_of": "2025-02-30"}`: "as_of must be a date YYYY-MM-DD",
		`{"patients": 5, "as_of": "1850-01-01"}`: "as_of must be a date YYYY-MM-DD",
		`{"patients": 5, "as_of": 20250630}`:     "body must be JSON",
		`{}`:                                     "nothing to generate",
	} {
		resp, m := post(t, srv.URL+"/api/generate", body)
		if resp.StatusCode != 400 || !strings.Contains(m["error"].(string), want) {
			t.Errorf("%s → %d %v, want 400 containing %q", body, resp.StatusCode, m, want)
		}
	}
}

func TestGenerateRunsAsJobWithProgressEvents(t *testing.T) {
	pop := &fakePopulation{steps: 3, release: make(chan struct{})}
	srv := newTestAPI(t, pop)
	resp, job := post(t, srv.URL+"/api/generate", `{"patients": 7, "seed": 42, "years": 5}`)
	if resp.StatusCode != http.StatusAccepted || job["state"] != JobRunning {
		t.Fatalf("start → %d %v", resp.StatusCode, job)
	}
	id := job["id"].(string)
	if loc := resp.Header.Get("Location"); loc != "/api/jobs/"+id {
		t.Errorf("Location %q", loc)
	}
	// A second job while the first runs is refused, naming the running one.
	resp2, m := post(t, srv.URL+"/api/reset", ``)
	if resp2.StatusCode != http.StatusConflict || !strings.Contains(m["error"].(string), id) {
		t.Errorf("second job → %d %v", resp2.StatusCode, m)
	}

	events, err := http.Get(srv.URL + "/api/jobs/" + id + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer events.Body.Close()
	if ct := events.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	close(pop.release)
	var names []string
	var last Job
	sc := bufio.NewScanner(events.Body)
	for sc.Scan() {
		line := sc.Text()
		if name, ok := strings.CutPrefix(line, "event: "); ok {
			names = append(names, name)
		}
		if data, ok := strings.CutPrefix(line, "data: "); ok {
			last = Job{}
			json.Unmarshal([]byte(data), &last)
		}
	}
	if len(names) == 0 || names[len(names)-1] != "end" {
		t.Fatalf("events %v, want progress… then end", names)
	}
	if last.State != JobDone || last.Progress.Done != 3 || last.Progress.Total != 3 || last.FinishedAt == nil {
		t.Errorf("final event %+v", last)
	}
	if pop.got[0] != (population.GenerateRequest{Patients: 7, Seed: 42, Years: 5}) {
		t.Errorf("generator got %+v", pop.got[0])
	}
	// After the end, the job is still inspectable, and its stream ends at once.
	r, _ := http.Get(srv.URL + "/api/jobs/" + id)
	var j Job
	json.NewDecoder(r.Body).Decode(&j)
	r.Body.Close()
	if j.State != JobDone {
		t.Errorf("GET job → %+v", j)
	}
}

func TestJobFailureAndCancel(t *testing.T) {
	js := &Jobs{}
	job, err := js.Start("generate", func(ctx context.Context, report func(population.Progress)) (any, error) {
		return nil, errors.New("disk full")
	})
	if err != nil {
		t.Fatal(err)
	}
	js.Wait()
	if got, _ := js.Get(job.ID); got.State != JobFailed || got.Error != "disk full" {
		t.Errorf("failed job = %+v", got)
	}
	started := make(chan struct{})
	job, _ = js.Start("import", func(ctx context.Context, report func(population.Progress)) (any, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	})
	<-started
	js.Cancel(job.ID)
	js.Wait()
	if got, _ := js.Get(job.ID); got.State != JobCanceled {
		t.Errorf("canceled job = %+v", got)
	}
	if list := js.List(); len(list) != 2 || list[0].ID != job.ID {
		t.Errorf("list = %+v, want newest first", list)
	}
}

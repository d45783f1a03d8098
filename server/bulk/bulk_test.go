package bulk_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server/bulk"
	"github.com/valet-sandbox/valet/server/fhir"
	"github.com/valet-sandbox/valet/server/scope"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/token"
)

// clients is a token verifier for unit tests: the bearer is the client id, with system/*.rs.
type clients struct{}

func (clients) Verify(_ context.Context, bearer string) (*token.Access, error) {
	s, _ := scope.ParseList("system/*.rs")
	return &token.Access{ClientID: bearer, Scopes: s}, nil
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type sandbox struct {
	db    *store.DB
	fhir  *fhir.Service
	dir   string
	clock *clock
}

func newSandbox(t *testing.T) *sandbox {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(dir, "valet.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := &clock{t: time.Now()}
	s := fhir.New(fhir.Config{BaseURL: "http://127.0.0.1:1", Store: db, Verifier: clients{}, Now: clk.now})
	t.Cleanup(func() { s.Close() })
	var rs []fhir.Resource
	for i := range 3 {
		id := fmt.Sprintf("p%d", i)
		rs = append(rs, fhir.Resource{Type: "Patient", ID: id, JSON: []byte(`{"resourceType":"Patient","id":"` + id + `"}`)})
	}
	if err := s.Ingest(context.Background(), rs); err != nil {
		t.Fatal(err)
	}
	return &sandbox{db: db, fhir: s, dir: filepath.Join(dir, "exports"), clock: clk}
}

func (sb *sandbox) exporter(t *testing.T) (*bulk.Exporter, string) {
	t.Helper()
	e, err := bulk.New(context.Background(), bulk.Config{Store: sb.db, FHIR: sb.fhir, Dir: sb.dir, Now: sb.clock.now, Keep: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	e.Mount(mux)
	ts := httptest.NewServer(mux)
	t.Cleanup(func() { ts.Close(); e.Close() })
	return e, ts.URL
}

func call(t testing.TB, method, url, client string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	req.Header.Set("Authorization", "Bearer "+client)
	req.Header.Set("Prefer", "respond-async")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// The status URL is the test server's, not the FHIR base's: rewrite it.
func statusPath(e *bulk.Exporter, loc string) string {
	return loc[len(e.StatusURL("")):]
}

func complete(t *testing.T, e *bulk.Exporter, url, status string) {
	t.Helper()
	for range 400 {
		resp, body := call(t, "GET", url+"/bulk/status/"+status, "a")
		if resp.StatusCode == 200 {
			return
		}
		if resp.StatusCode != 202 {
			t.Fatalf("status: %d %s", resp.StatusCode, body)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("not complete")
}

// An expired job answers 404 at once, and a sweep removes its row and its files.
func TestExpiry(t *testing.T) {
	sb := newSandbox(t)
	e, url := sb.exporter(t)
	resp, body := call(t, "GET", url+"/fhir/$export", "a")
	if resp.StatusCode != 202 {
		t.Fatalf("kick-off: %d %s", resp.StatusCode, body)
	}
	job := statusPath(e, resp.Header.Get("Content-Location"))
	complete(t, e, url, job)
	if _, err := os.Stat(filepath.Join(sb.dir, job, "Patient.ndjson")); err != nil {
		t.Fatal(err)
	}
	if err := e.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if resp, _ := call(t, "GET", url+"/bulk/status/"+job, "a"); resp.StatusCode != 200 {
		t.Errorf("swept before it expired: %d", resp.StatusCode)
	}
	sb.clock.add(time.Hour)
	if resp, body := call(t, "GET", url+"/bulk/status/"+job, "a"); resp.StatusCode != 404 {
		t.Errorf("expired job: %d %s", resp.StatusCode, body)
	}
	if resp, _ := call(t, "GET", url+"/bulk/files/"+job+"/Patient.ndjson", "a"); resp.StatusCode != 404 {
		t.Errorf("expired file: %d", resp.StatusCode)
	}
	if err := e.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(sb.dir, job)); !os.IsNotExist(err) {
		t.Errorf("files of an expired job: %v", err)
	}
	if _, err := sb.db.Export(context.Background(), job); err != store.ErrNotFound {
		t.Errorf("row of an expired job: %v", err)
	}
}

// A job the previous process left running is failed at the next start (500 with an OperationOutcome
// that says to kick it off again), and directories no job owns are removed.
func TestRestart(t *testing.T) {
	sb := newSandbox(t)
	ctx := context.Background()
	if err := sb.db.CreateExport(ctx, store.ExportJob{ID: "left", ClientID: "a", Request: "x", Created: sb.clock.now()}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"left", "orphan"} {
		if err := os.MkdirAll(filepath.Join(sb.dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	_, url := sb.exporter(t)
	resp, body := call(t, "GET", url+"/bulk/status/left", "a")
	if resp.StatusCode != 500 || !strings.Contains(body, "kick it off again") {
		t.Errorf("a job the last process ran: %d %s", resp.StatusCode, body)
	}
	if _, err := os.Stat(filepath.Join(sb.dir, "orphan")); !os.IsNotExist(err) {
		t.Errorf("orphan directory: %v", err)
	}
}

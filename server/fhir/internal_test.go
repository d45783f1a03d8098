package fhir

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/token"
)

const sqliteText = `SQL logic error: near ":0": syntax error (1)`

// failingSearch is a store whose searches fail as SQLite did in issue #13.
type failingSearch struct{ *store.DB }

func (failingSearch) Search(context.Context, store.Query) (store.Page, error) {
	return store.Page{}, errors.New(sqliteText)
}

// failingVerifier fails as a verifier does when its store does.
type failingVerifier struct{}

func (failingVerifier) Verify(context.Context, string) (*token.Access, error) {
	return nil, errors.New("disk I/O error (10)")
}

// syncBuffer is a log destination the server's goroutines and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// captureLog sends the default logger to a buffer for the test.
func captureLog(t *testing.T) *syncBuffer {
	buf := &syncBuffer{}
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(buf, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return buf
}

var errorID = regexp.MustCompile(`^internal error; Valet's log has the details under error id ([0-9a-f]{8})$`)

// TestInternalErrorsKeepTheirTextInTheLog: a store failure answers a 500 OperationOutcome whose
// diagnostics name only an error id; the log has the error's text, the request and the same id.
func TestInternalErrorsKeepTheirTextInTheLog(t *testing.T) {
	log := captureLog(t)
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "valet.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := mapVerifier{"admin": access(t, "system/*.cruds", "", "")}
	s := New(Config{BaseURL: "http://valet.test", Store: failingSearch{db}, Verifier: v, Now: func() time.Time { return t0 }})
	mux := http.NewServeMux()
	s.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { srv.Close(); s.Close(); db.Close() })
	e := &env{t: t, s: s, db: db, srv: srv, v: v}

	r := e.do("GET", "/Observation?code=1", "admin", nil)
	is := r.issue(t, 500)
	m := errorID.FindStringSubmatch(is["diagnostics"].(string))
	if m == nil || is["code"] != "exception" || strings.Contains(string(r.raw), "SQL") {
		t.Fatalf("answer: %s", r.raw)
	}
	for _, want := range []string{"error_id=" + m[1], "SQL logic error", "method=GET", "path=/fhir/Observation"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("the log does not say %q:\n%s", want, log)
		}
	}

	// The same in a batch entry.
	b := map[string]any{"resourceType": "Bundle", "type": "batch", "entry": []any{
		map[string]any{"request": map[string]any{"method": "GET", "url": "Observation?code=1"}}}}
	if r := e.do("POST", "", "admin", b); r.status != 200 || !strings.Contains(string(r.raw), "error id") || strings.Contains(string(r.raw), "SQL") {
		t.Errorf("batch: %d %s", r.status, r.raw)
	}
}

// TestVerifierFailureIsNotA401: a verifier that cannot tell whether a token is good (its store failed)
// answers a 500 with an error id, not a 401 carrying the store's text.
func TestVerifierFailureIsNotA401(t *testing.T) {
	log := captureLog(t)
	e := newEnv(t)
	e.s.cfg.Verifier = failingVerifier{}
	r := e.do("GET", "/Patient", "any", nil)
	is := r.issue(t, 500)
	if errorID.FindString(is["diagnostics"].(string)) == "" || strings.Contains(string(r.raw), "disk") || r.header.Get("WWW-Authenticate") != "" {
		t.Errorf("%s %v", r.raw, r.header)
	}
	if !strings.Contains(log.String(), "disk I/O error") {
		t.Errorf("log: %s", log)
	}
}

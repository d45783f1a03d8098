package bulk

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/valet-sandbox/valet/server/fhir"
	"github.com/valet-sandbox/valet/server/scope"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/token"
)

type systemTokens struct{}

func (systemTokens) Verify(_ context.Context, bearer string) (*token.Access, error) {
	s, _ := scope.ParseList("system/*.rs")
	return &token.Access{ClientID: bearer, Scopes: s}, nil
}

// A client with MaxActive exports running gets 429 with Retry-After; another client does not.
func TestTooManyExports(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(dir, "valet.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f := fhir.New(fhir.Config{BaseURL: "http://127.0.0.1:1", Store: db, Verifier: systemTokens{}})
	defer f.Close()
	e, err := New(context.Background(), Config{Store: db, FHIR: f, Dir: filepath.Join(dir, "exports"), MaxActive: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	e.running["held"] = &active{clientID: "a", cancel: func() {}, done: make(chan struct{})}
	mux := http.NewServeMux()
	e.Mount(mux)
	kick := func(client string) *http.Response {
		req := httptest.NewRequest("GET", "/fhir/$export", nil)
		req.Header.Set("Authorization", "Bearer "+client)
		req.Header.Set("Prefer", "respond-async")
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		return w.Result()
	}
	if r := kick("a"); r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("over the limit: %d %v", r.StatusCode, r.Header)
	}
	if r := kick("b"); r.StatusCode != http.StatusAccepted {
		t.Errorf("another client: %d", r.StatusCode)
	}
	e.mu.Lock()
	delete(e.running, "held")
	e.mu.Unlock()
}

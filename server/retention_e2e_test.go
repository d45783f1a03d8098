package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server"
	"github.com/valet-sandbox/valet/server/retention"
	"github.com/valet-sandbox/valet/server/store"
)

// Retention through the whole sandbox: the control API's settings and views, a pass that keeps the event
// log to its bound, and a revoked token whose grant was pruned still refused by the FHIR API.
func TestRetentionThroughTheSandbox(t *testing.T) {
	ctx := context.Background()
	keep := 12
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	db, err := store.Open(ctx, t.TempDir()+"/valet.db", store.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	seed(t, db, base)
	srv, err := server.New(server.Config{BaseURL: base, Store: db, Now: clock, Retention: retention.Override{EventsMax: &keep}})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(func() { ts.Close(); srv.Close(); db.Close() })

	get := func(path string, out any) {
		t.Helper()
		code, _, body := call(t, "GET", base+path, "", nil)
		if code != 200 || json.Unmarshal([]byte(body), out) != nil {
			t.Fatalf("GET %s: %d %s", path, code, body)
		}
	}
	var r map[string]int
	get("/api/retention", &r)
	if r["events_max"] != keep || r["events_days"] != retention.DefaultEventsDays || r["audit_days"] != retention.DefaultAuditDays {
		t.Errorf("retention after --keep-events %d: %v", keep, r)
	}
	// Bad settings name their field and change nothing.
	code, _, body := call(t, "PUT", base+"/api/retention", `{"events_days":7,"events_max":-1,"audit_days":30}`, map[string]string{"Content-Type": "application/json"})
	if code != 400 || !strings.Contains(body, `"field":"events_max"`) {
		t.Errorf("negative events_max: %d %s", code, body)
	}

	var c struct {
		ID string `json:"client_id"`
	}
	apiJSON(t, base, "POST", "/api/clients", map[string]any{"client_name": "r", "redirect_uris": []string{e2eRedirect},
		"launch_uri": "http://app.example/launch", "token_endpoint_auth_method": "none"}, 201, &c)
	var tok, refresh string
	for range 6 { // about five events a flow
		tk, _ := launch(t, base, c.ID, "", "p1", "Practitioner/dr1", "launch", "offline_access", "patient/*.rs")
		tok, refresh = tk.AccessToken, tk.RefreshToken
	}
	srv.Close() // flush the queued events, as shutdown does (the pruner counts what is stored)
	var st struct {
		DatabaseBytes int64 `json:"database_bytes"`
		Events        int64 `json:"events"`
	}
	get("/api/storage", &st)
	if st.Events <= int64(keep) || st.DatabaseBytes == 0 {
		t.Fatalf("before pruning: %+v, want more than %d events and a size", st, keep)
	}
	pass := srv.Pruner().Pass(ctx)
	get("/api/storage", &st)
	if pass.Error != "" || st.Events > int64(keep) || st.Events < int64(keep)-8 {
		t.Errorf("after a pass (%+v): %d events, want at most %d, and no more than a flow fewer", pass, st.Events, keep)
	}
	var status map[string]any
	get("/api/status", &status)
	if status["events"] != float64(st.Events) || status["database_bytes"].(float64) <= 0 {
		t.Errorf("/api/status: events %v, database_bytes %v", status["events"], status["database_bytes"])
	}

	// A token whose grant was revoked (with its refresh token, RFC 7009 §2.1) and then pruned is still
	// refused.
	form := url.Values{"token": {refresh}, "client_id": {c.ID}}
	if code, _, raw := call(t, "POST", base+"/auth/revoke", form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}); code != 200 {
		t.Fatalf("revoke: %d %s", code, raw)
	}
	readPatient := func() int {
		req, _ := http.NewRequest("GET", base+"/fhir/Patient/p1", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := readPatient(); code != 401 {
		t.Fatalf("token of a revoked grant: %d, want 401", code)
	}
	// The refresh token names its grant and is kept in the grant's row (server/auth, mint.go).
	grantID, _, _ := strings.Cut(refresh, ".")
	sum := sha256.Sum256([]byte(refresh))
	lookup := func() error {
		_, _, err := db.LookupRefreshToken(ctx, store.GrantRefreshHash(grantID, hex.EncodeToString(sum[:])))
		return err
	}
	if err := lookup(); !errors.Is(err, store.ErrRevoked) {
		t.Fatalf("the revoked grant's refresh token: %v, want ErrRevoked", err)
	}
	mu.Lock()
	now = now.Add(time.Minute) // past the clock-skew allowance
	mu.Unlock()
	srv.Pruner().Pass(ctx)
	if err := lookup(); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the revoked grant after a pass: %v, want it pruned (ErrNotFound)", err)
	}
	if code := readPatient(); code != 401 {
		t.Errorf("token of a pruned grant: %d, want 401", code)
	}

	// Clear flow history.
	code, _, body = call(t, "DELETE", base+"/api/events", "", nil)
	get("/api/storage", &st)
	if code != 200 || st.Events != 0 {
		t.Errorf("clear flow history: %d %s, %d events left", code, body, st.Events)
	}
}

package auth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"github.com/valet-sandbox/valet/server/ref"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server/events"
	"github.com/valet-sandbox/valet/server/keys"
	"github.com/valet-sandbox/valet/server/store"
)

// codeRig is an authorization server over an in-memory store, driven through its handler, with a clock
// the test moves.
type codeRig struct {
	t      *testing.T
	s      *Server
	db     *store.DB
	mux    *http.ServeMux
	mu     sync.Mutex
	now    time.Time
	client store.Client
}

const rigRedirect = "https://app.example/cb"

func newCodeRig(t *testing.T, maxCodes int) *codeRig {
	ctx := context.Background()
	rig := &codeRig{t: t, now: time.Now()}
	db, err := store.Open(ctx, store.Memory, store.Options{Now: rig.clock})
	if err != nil {
		t.Fatal(err)
	}
	kr, err := keys.Open(ctx, db, rig.clock)
	if err != nil {
		t.Fatal(err)
	}
	evs := events.New(db, rig.clock)
	t.Cleanup(func() { evs.Close(); db.Close() })
	rig.client = store.Client{ID: "app", Name: "App", Type: store.ClientPublic, AuthMethod: "none", RedirectURIs: []string{rigRedirect},
		Scope: "launch launch/patient openid fhirUser offline_access patient/*.rs", User: ref.Reference{Type: "Practitioner", ID: "dr1"}, Patient: "p1",
		AutoApprove: true, CreatedAt: rig.now}
	if err := db.CreateClient(ctx, rig.client); err != nil {
		t.Fatal(err)
	}
	rig.s, err = New(Config{BaseURL: "http://valet.test", Store: db, Keys: kr, Events: evs, Now: rig.clock, MaxOutstandingCodes: maxCodes})
	if err != nil {
		t.Fatal(err)
	}
	rig.db, rig.mux = db, http.NewServeMux()
	rig.s.Mount(rig.mux)
	return rig
}

func (r *codeRig) clock() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.now
}

func (r *codeRig) advance(d time.Duration) {
	r.mu.Lock()
	r.now = r.now.Add(d)
	r.mu.Unlock()
}

const rigVerifier = "a-code-verifier-of-the-rig-that-is-long-enough-for-pkce"

// authorize runs an auto-approved authorization request and returns the redirect's query.
func (r *codeRig) authorize(extra url.Values) url.Values {
	r.t.Helper()
	sum := sha256.Sum256([]byte(rigVerifier))
	q := url.Values{"response_type": {"code"}, "client_id": {r.client.ID}, "redirect_uri": {rigRedirect}, "state": {"st"},
		"scope": {"launch/patient openid fhirUser offline_access patient/*.rs"}, "aud": {"http://valet.test/fhir"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	for k, v := range extra {
		q[k] = v
	}
	w := httptest.NewRecorder()
	r.mux.ServeHTTP(w, httptest.NewRequest("GET", "/auth/authorize?"+q.Encode(), nil))
	if w.Code != http.StatusFound {
		r.t.Fatalf("authorize: %d %s", w.Code, w.Body)
	}
	loc, err := url.Parse(w.Header().Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), rigRedirect) {
		r.t.Fatalf("authorize redirected to %q", w.Header().Get("Location"))
	}
	return loc.Query()
}

func (r *codeRig) code() string {
	r.t.Helper()
	q := r.authorize(nil)
	if q.Get("code") == "" {
		r.t.Fatalf("no code: %v", q)
	}
	return q.Get("code")
}

// exchange posts a code to the token endpoint.
func (r *codeRig) exchange(code string) (int, map[string]any) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rigRedirect},
		"client_id": {r.client.ID}, "code_verifier": {rigVerifier}}
	return r.post("/auth/token", form)
}

func (r *codeRig) post(path string, form url.Values) (int, map[string]any) {
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	r.mux.ServeHTTP(w, req)
	var m map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &m)
	return w.Code, m
}

func (r *codeRig) count(table string) int {
	r.t.Helper()
	var n int
	err := r.db.Tx(context.Background(), func(tx *store.Tx) error {
		return tx.SQL().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n)
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return n
}

func TestOutstandingCodesAreCapped(t *testing.T) {
	rig := newCodeRig(t, 2)
	first, _ := rig.code(), rig.code()
	q := rig.authorize(nil)
	if q.Get("error") != "temporarily_unavailable" || q.Get("code") != "" || q.Get("state") != "st" ||
		!strings.Contains(q.Get("error_description"), "2 authorization codes are waiting to be exchanged") {
		t.Errorf("authorize with the code book full: %v", q)
	}
	// A full code book does not use up an EHR launch: it works once there is room.
	ctx := context.Background()
	if err := rig.db.CreateLaunch(ctx, store.Launch{ID: "L1", ClientID: rig.client.ID, Patient: "p1", User: ref.Reference{Type: "Practitioner", ID: "dr1"},
		AutoApprove: true, CreatedAt: rig.clock(), ExpiresAt: rig.clock().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	ehr := url.Values{"launch": {"L1"}, "scope": {"launch openid fhirUser patient/*.rs"}}
	if q := rig.authorize(ehr); q.Get("error") != "temporarily_unavailable" {
		t.Errorf("EHR launch with the code book full: %v", q)
	}
	// An exchanged code makes room.
	if st, m := rig.exchange(first); st != 200 {
		t.Fatalf("exchange: %d %v", st, m)
	}
	if q := rig.authorize(ehr); q.Get("code") == "" {
		t.Errorf("EHR launch after a code was exchanged: %v", q)
	}
	// So do expired codes, once swept: the book then holds only new codes.
	rig.advance(CodeLifetime)
	rig.code()
	rig.code()
	if out, used := rig.s.codes.size(); out != 2 || used != 0 {
		t.Errorf("after expiry and two new codes: %d outstanding, %d used; want 2, 0", out, used)
	}
}

func TestCodeBookForgetsCodesPastTheirLifetime(t *testing.T) {
	b := newCodeBook(10)
	t0 := time.Now()
	for i, c := range []string{"a", "b", "c"} {
		if err := b.issue(t0.Add(time.Duration(i)*time.Second), keyOf(c), &authCode{ExpiresAt: t0.Add(CodeLifetime), Grant: store.Grant{ID: "g" + c}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := b.redeem(t0, keyOf("a")); err != nil {
		t.Fatal(err)
	}
	after := t0.Add(CodeLifetime)
	if _, _, err := b.redeem(after, keyOf("b")); !errors.Is(err, errCodeExpired) {
		t.Errorf("expired code: %v, want errCodeExpired", err)
	}
	if _, g, err := b.redeem(after, keyOf("a")); !errors.Is(err, errCodeReplayed) || g != "ga" {
		t.Errorf("replay before the sweep: %q %v, want errCodeReplayed of ga", g, err)
	}
	if err := b.issue(after, keyOf("d"), &authCode{ExpiresAt: after.Add(CodeLifetime)}); err != nil {
		t.Fatal(err)
	}
	if out, used := b.size(); out != 1 || used != 0 {
		t.Errorf("after the sweep: %d outstanding, %d used; want 1, 0", out, used)
	}
	if _, _, err := b.redeem(after, keyOf("b")); !errors.Is(err, errCodeUnknown) {
		t.Errorf("swept code: %v, want errCodeUnknown", err)
	}
}

// sawReplay reads the replay mark without the codeBook.replayed logic under test.
func (b *codeBook) sawReplay(k codeKey) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	u := b.used[k]
	return u != nil && u.replayed
}

// replayingStore presents the code again while the first redemption is storing its grant.
type replayingStore struct {
	Store
	replay func(inTx bool)
}

func (r replayingStore) CreateGrant(ctx context.Context, g store.Grant, issue func() (store.Issuance, error)) error {
	r.replay(false)
	return r.Store.CreateGrant(ctx, g, func() (store.Issuance, error) {
		in, err := issue()
		r.replay(true)
		return in, err
	})
}

// TestReplayDuringRedemption: a replay that arrives while the first exchange is storing its grant either
// stops the grant from being stored, or revokes it right after; never does the first exchange keep live
// tokens.
func TestReplayDuringRedemption(t *testing.T) {
	for _, tc := range []struct {
		name      string
		inTx      bool // replay after the first exchange's last check, inside its transaction
		wantFirst int
	}{
		{"before the grant is stored", false, 400},
		{"inside the storing transaction", true, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rig := newCodeRig(t, 0)
			code := rig.code()
			var replayed sync.WaitGroup
			var replayStatus int
			var replayBody map[string]any
			var once sync.Once
			rig.s.store = replayingStore{Store: rig.s.store, replay: func(inTx bool) {
				if inTx != tc.inTx {
					return
				}
				once.Do(func() {
					replayed.Add(1)
					go func() {
						defer replayed.Done()
						replayStatus, replayBody = rig.exchange(code)
					}()
					// Wait until the replay has been seen (its revocation then waits for the writer).
					for !rig.s.codes.sawReplay(keyOf(code)) {
						runtime.Gosched()
					}
				})
			}}
			st, first := rig.exchange(code)
			replayed.Wait()
			if st != tc.wantFirst {
				t.Fatalf("first exchange: %d %v, want %d", st, first, tc.wantFirst)
			}
			if replayStatus != 400 || replayBody["error"] != "invalid_grant" {
				t.Errorf("replay: %d %v", replayStatus, replayBody)
			}
			if st == 200 {
				for _, token := range []string{first["access_token"].(string), first["refresh_token"].(string)} {
					if _, in := rig.post("/auth/introspect", url.Values{"token": {token}, "client_id": {rig.client.ID}}); in["active"] != false {
						t.Errorf("a token of the replayed code is active: %v", in)
					}
				}
			} else if n := rig.count("grants") + rig.count("refresh_tokens"); n != 0 {
				t.Errorf("first exchange: %v; %d grant and token rows stored, want none", first, n)
			}
		})
	}
}

func TestCodePastItsLifetime(t *testing.T) {
	rig := newCodeRig(t, 0)
	code := rig.code()
	rig.advance(CodeLifetime)
	if st, m := rig.exchange(code); st != 400 || m["error"] != "invalid_grant" || !strings.Contains(m["error_description"].(string), "expired") {
		t.Errorf("expired code: %d %v", st, m)
	}
}

// size is the number of outstanding and used codes the book remembers (what the tests observe).
func (b *codeBook) size() (outstanding, used int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.outstanding), len(b.used)
}

package auth_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
)

// TestReplayedCodeRevokesWhatItIssued: RFC 6749 §4.1.2 — a code presented twice is refused and the
// access and refresh tokens already issued from it stop working.
func TestReplayedCodeRevokesWhatItIssued(t *testing.T) {
	f := newBenchFlow(t)
	ctx := context.Background()
	code, v, err := f.code()
	if err != nil {
		t.Fatal(err)
	}
	tok, err := postForm(f.s.base+"/auth/token", f.exchangeForm(code, v))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.srv.Verifier().Verify(ctx, tok["access_token"].(string)); err != nil {
		t.Fatal(err)
	}
	st, m, _ := post(t, f.s.base+"/auth/token", f.exchangeForm(code, v))
	if st != 400 || m["error"] != "invalid_grant" || !strings.Contains(m["error_description"].(string), "already used") {
		t.Errorf("replayed code: %d %v", st, m)
	}
	if _, err := f.s.srv.Verifier().Verify(ctx, tok["access_token"].(string)); err == nil {
		t.Error("the access token of a replayed code still verifies")
	}
	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}, "client_id": {f.client.ID}}
	if st, m, _ := post(t, f.s.base+"/auth/token", refresh); st != 400 || m["error"] != "invalid_grant" {
		t.Errorf("refresh with the refresh token of a replayed code: %d %v", st, m)
	}
	// A code refused once (wrong verifier) is used up: presented again, with the right one, it is a replay.
	code, v, err = f.code()
	if err != nil {
		t.Fatal(err)
	}
	if st, m, _ := post(t, f.s.base+"/auth/token", f.exchangeForm(code, v+"x")); st != 400 || m["error"] != "invalid_grant" {
		t.Errorf("wrong verifier: %d %v", st, m)
	}
	if st, m, _ := post(t, f.s.base+"/auth/token", f.exchangeForm(code, v)); st != 400 || m["error"] != "invalid_grant" {
		t.Errorf("the right verifier after a wrong one: %d %v", st, m)
	}
}

// TestCodesDoNotSurviveRestart: codes live in memory (docs/auth.md). One issued before a restart is
// refused after it with invalid_grant; tokens issued before it keep working.
func TestCodesDoNotSurviveRestart(t *testing.T) {
	f := newBenchFlow(t)
	before, err := f.run()
	if err != nil {
		t.Fatal(err)
	}
	code, v, err := f.code()
	if err != nil {
		t.Fatal(err)
	}
	f.s.restart()
	st, m, _ := post(t, f.s.base+"/auth/token", f.exchangeForm(code, v))
	if st != 400 || m["error"] != "invalid_grant" || !strings.Contains(m["error_description"].(string), "restarted") {
		t.Errorf("code from before the restart: %d %v", st, m)
	}
	if _, err := f.s.srv.Verifier().Verify(context.Background(), before["access_token"].(string)); err != nil {
		t.Errorf("access token from before the restart: %v", err)
	}
	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {before["refresh_token"].(string)}, "client_id": {f.client.ID}}
	if st, m, _ := post(t, f.s.base+"/auth/token", refresh); st != 200 {
		t.Errorf("refresh token from before the restart: %d %v", st, m)
	}
	if _, err := f.run(); err != nil {
		t.Errorf("a new flow after the restart: %v", err)
	}
}

package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable sandbox clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func openRetention(t *testing.T) (*DB, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	db, err := Open(context.Background(), t.TempDir()+"/valet.db", Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, c
}

// pruneAll runs Prune for kind until it has nothing left, as the pruner does.
func pruneAll(t *testing.T, db *DB, r Retention, kind PruneKind) int {
	t.Helper()
	total := 0
	for {
		n, err := db.Prune(context.Background(), r, kind, 7)
		if err != nil {
			t.Fatal(err)
		}
		total += n
		if n < 7 {
			return total
		}
	}
}

func count(t *testing.T, db *DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.r.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var policy = Retention{EventsFor: 7 * 24 * time.Hour, EventsMax: 100_000, AuditFor: 30 * 24 * time.Hour, Skew: 30 * time.Second,
	LongestAccessToken: time.Hour}

func TestPruneEventsKeepsWholeFlowsAndTheNewest(t *testing.T) {
	ctx := context.Background()
	db, c := openRetention(t)
	write := func(kind, flow, launch string) {
		if _, err := db.AppendEvents(ctx, []Event{{At: c.Now(), Kind: kind, FlowID: flow, LaunchID: launch, JSON: []byte(`{}`)}}); err != nil {
			t.Fatal(err)
		}
	}
	// Eight days ago: a finished flow, a registration (no flow), and a flow that straddles the cut.
	for _, k := range []string{"authorize.received", "code.issued", "token.issued"} {
		write(k, "old", "")
	}
	write("register", "", "")
	write("authorize.received", "straddle", "")
	// An EHR launch still waiting to be used: its event stays however old.
	if err := db.CreateLaunch(ctx, Launch{ID: "L", ClientID: "c", CreatedAt: c.Now(), ExpiresAt: c.Now().Add(10 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	write("launch.created", "", "L")
	c.Add(8 * 24 * time.Hour)
	write("token.issued", "straddle", "") // the rest of that flow, today
	for i := range 5 {
		write("authorize.received", fmt.Sprint("new", i), "")
	}
	if n := pruneAll(t, db, policy, PruneEvents); n != 6 {
		t.Errorf("removed %d events, want 6: the old flow, the registration and both events of the straddling flow", n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM events WHERE flow_id = 'straddle'`); n != 0 {
		t.Errorf("%d events of the straddling flow left: a flow goes whole", n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM events WHERE launch_id = 'L'`); n != 1 {
		t.Errorf("the waiting launch's event was removed")
	}
	// The count bound keeps the newest.
	byCount := policy
	byCount.EventsMax = 3
	pruneAll(t, db, byCount, PruneEvents)
	var left []string
	rows, _ := db.r.Query(`SELECT flow_id FROM events WHERE launch_id = '' ORDER BY id`)
	for rows.Next() {
		var f string
		rows.Scan(&f)
		left = append(left, f)
	}
	rows.Close()
	if fmt.Sprint(left) != "[new2 new3 new4]" {
		t.Errorf("kept %v, want the three newest flows (and the waiting launch's event)", left)
	}
}

func TestPruneAudit(t *testing.T) {
	ctx := context.Background()
	db, c := openRetention(t)
	rec := func(id string) AuditRecord {
		return AuditRecord{ID: id, Recorded: c.Now(), Interaction: "read", Status: 200, Request: "GET /fhir/Patient/1"}
	}
	if err := db.AppendAudit(ctx, []AuditRecord{rec("a1"), rec("a2")}); err != nil {
		t.Fatal(err)
	}
	c.Add(31 * 24 * time.Hour)
	if err := db.AppendAudit(ctx, []AuditRecord{rec("b1")}); err != nil {
		t.Fatal(err)
	}
	if n := pruneAll(t, db, policy, PruneAudit); n != 2 {
		t.Errorf("removed %d audit records, want the 2 older than 30 days", n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE id = 'b1'`); n != 1 {
		t.Error("the recent audit record was removed")
	}
	if n := pruneAll(t, db, Retention{}, PruneAudit); n != 0 {
		t.Errorf("a zero AuditFor removed %d records, want none (keep all)", n)
	}
}

func TestPruneGrantsOnlyWhenNothingCanUseThem(t *testing.T) {
	ctx := context.Background()
	db, c := openRetention(t)
	grant := func(id string, refreshFor time.Duration) {
		g := Grant{ID: fmt.Sprintf("%012x", c.Now().UnixMilli()) + id, ClientID: "c", Scope: "offline_access", CreatedAt: c.Now()}
		if err := db.CreateGrant(ctx, g, func() (Issuance, error) {
			if refreshFor == 0 {
				return Issuance{}, nil
			}
			return Issuance{Refresh: &RefreshToken{Hash: GrantRefreshHash(g.ID, "s"+id), GrantID: g.ID, ClientID: "c", Scope: g.Scope,
				ExpiresAt: c.Now().Add(refreshFor)}}, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	gid := func(id string) string {
		var full string
		if err := db.r.QueryRow(`SELECT id FROM grants WHERE id LIKE ?`, "%"+id).Scan(&full); err != nil {
			return ""
		}
		return full
	}
	grant("backend", 0)               // client_credentials: no refresh token; its token lives 5 minutes
	grant("offline", 30*24*time.Hour) // a refresh token good for 30 days
	grant("revoked", 30*24*time.Hour)
	revokedID := gid("revoked")
	if err := db.RevokeGrant(ctx, revokedID); err != nil {
		t.Fatal(err)
	}
	at := AccessToken{JTI: "j", GrantID: revokedID, ExpiresAt: c.Now().Add(time.Hour)}
	if n := pruneAll(t, db, policy, PruneGrants); n != 0 {
		t.Errorf("removed %d grants within the clock-skew allowance of their revocation", n)
	}
	c.Add(time.Minute)
	if n := pruneAll(t, db, policy, PruneGrants); n != 1 || gid("revoked") != "" {
		t.Errorf("removed %d grants a minute after one was revoked, want that one", n)
	}
	// A token of the pruned grant is still refused, as a revoked one is.
	if err := db.AccessTokenActive(ctx, at); !errors.Is(err, ErrNotFound) {
		t.Errorf("token of a pruned grant: %v, want it inactive (ErrNotFound)", err)
	}
	// The backend grant's token may live an hour (LongestAccessToken): kept until then, plus skew.
	c.Add(58 * time.Minute)
	pruneAll(t, db, policy, PruneGrants)
	if gid("backend") == "" {
		t.Error("a grant went while a token it issued could still be live")
	}
	c.Add(2 * time.Minute)
	pruneAll(t, db, policy, PruneGrants)
	if gid("backend") != "" {
		t.Error("a grant that can issue nothing and whose tokens have expired was kept")
	}
	// The offline grant lives as long as its refresh token, plus the longest access token, plus skew.
	c.Add(30*24*time.Hour - 31*time.Minute) // half an hour after its refresh token expired
	pruneAll(t, db, policy, PruneGrants)
	if gid("offline") == "" {
		t.Error("a grant went while an access token refreshed at the last moment could still be live")
	}
	c.Add(31 * time.Minute)
	pruneAll(t, db, policy, PruneGrants)
	if gid("offline") != "" {
		t.Error("a grant whose refresh token expired over an hour ago was kept")
	}
}

func TestPruneRotatedRefreshTokensAfterTheirExpiry(t *testing.T) {
	ctx := context.Background()
	db, c := openRetention(t)
	g := Grant{ID: fmt.Sprintf("%012x", c.Now().UnixMilli()) + "g", ClientID: "c", Scope: "offline_access", CreatedAt: c.Now()}
	first := GrantRefreshHash(g.ID, "s0")
	if err := db.CreateGrant(ctx, g, func() (Issuance, error) {
		return Issuance{Refresh: &RefreshToken{Hash: first, GrantID: g.ID, ClientID: "c", Scope: g.Scope, ExpiresAt: c.Now().Add(time.Hour)}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	rotate := func(from, to string, life time.Duration) {
		if _, _, err := db.UseRefreshToken(ctx, from, true, func(RefreshToken, Grant) (Issuance, error) {
			return Issuance{Refresh: &RefreshToken{Hash: to, GrantID: g.ID, ClientID: "c", Scope: g.Scope, ExpiresAt: c.Now().Add(life)}}, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	rotate(first, "r1", time.Hour)
	rotate("r1", "r2", 3*time.Hour)
	// r1 is used but unexpired: kept, so that presenting it again still revokes the family.
	if n := pruneAll(t, db, policy, PruneRefreshTokens); n != 0 {
		t.Errorf("removed %d unexpired refresh tokens", n)
	}
	c.Add(time.Hour + time.Minute)
	if n := pruneAll(t, db, policy, PruneRefreshTokens); n != 1 {
		t.Errorf("removed %d refresh tokens an hour later, want r1", n)
	}
	if _, _, err := db.LookupRefreshToken(ctx, "r2"); err != nil {
		t.Errorf("the live refresh token: %v", err)
	}
	// Its grant stays while r2 lives.
	pruneAll(t, db, policy, PruneGrants)
	if _, _, err := db.UseRefreshToken(ctx, "r2", true, func(RefreshToken, Grant) (Issuance, error) { return Issuance{}, nil }); err != nil {
		t.Errorf("refresh with the live token after pruning: %v", err)
	}
}

func TestPruneExpiredCredentialsLaunchesAndSessions(t *testing.T) {
	ctx := context.Background()
	db, c := openRetention(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.RevokeAccessToken(ctx, AccessToken{JTI: "j-old", ExpiresAt: c.Now().Add(time.Minute)}))
	must(db.RevokeAccessToken(ctx, AccessToken{JTI: "j-new", ExpiresAt: c.Now().Add(time.Hour)}))
	must(db.UseAssertionJTI(ctx, "iss", "a-old", c.Now().Add(time.Minute)))
	must(db.UseAssertionJTI(ctx, "iss", "a-new", c.Now().Add(time.Hour)))
	must(db.PutAuthRequest(ctx, AuthRequest{ID: "ar-old"}, c.Now().Add(time.Minute)))
	must(db.PutAuthRequest(ctx, AuthRequest{ID: "ar-new"}, c.Now().Add(time.Hour)))
	must(db.CreateLaunch(ctx, Launch{ID: "l-old", ClientID: "c", CreatedAt: c.Now(), ExpiresAt: c.Now().Add(time.Minute)}))
	must(db.CreateLaunch(ctx, Launch{ID: "l-new", ClientID: "c", CreatedAt: c.Now(), ExpiresAt: c.Now().Add(8 * 24 * time.Hour)}))
	must(db.CreateSession(ctx, "s-ended", "Patient/p", c.Now().Add(time.Hour)))
	must(db.CreateSession(ctx, "s-expired", "Patient/p", c.Now().Add(time.Minute)))
	must(db.CreateSession(ctx, "s-live", "Patient/p", c.Now().Add(time.Hour)))
	must(db.EndSession(ctx, "s-ended"))
	c.Add(2 * time.Minute)
	for kind, want := range map[PruneKind]int{PruneRevocations: 1, PruneAssertionJTIs: 1, PruneAuthRequests: 1, PruneEndedSessions: 2,
		PruneLaunches: 0} {
		if n := pruneAll(t, db, policy, kind); n != want {
			t.Errorf("%s: removed %d, want %d", kind, n, want)
		}
	}
	if err := db.UseAssertionJTI(ctx, "iss", "a-new", c.Now().Add(time.Hour)); !errors.Is(err, ErrReused) && err == nil {
		t.Error("a live assertion jti was forgotten: its replay is accepted")
	}
	if _, err := db.Session(ctx, "s-live"); err != nil {
		t.Errorf("the live session: %v", err)
	}
	if err := db.AccessTokenActive(ctx, AccessToken{JTI: "j-new", GrantID: "x", ExpiresAt: c.Now().Add(time.Hour)}); !errors.Is(err, ErrRevoked) {
		t.Errorf("a live revocation was forgotten: %v", err)
	}
	// A launch goes a flow-event retention after it expired: the Flows view shows it with its events.
	c.Add(7 * 24 * time.Hour)
	if n := pruneAll(t, db, policy, PruneLaunches); n != 1 {
		t.Errorf("launches removed a week after expiry: %d, want the expired one", n)
	}
	if _, err := db.Launch(ctx, "l-new"); err != nil {
		t.Errorf("the unexpired launch: %v", err)
	}
}

func TestReclaimSpaceShrinksTheFile(t *testing.T) {
	ctx := context.Background()
	db, c := openRetention(t)
	big := make([]byte, 4000)
	for i := range big {
		big[i] = 'x'
	}
	for range 20 {
		evs := make([]Event, 100)
		for i := range evs {
			evs[i] = Event{At: c.Now(), Kind: "k", JSON: big}
		}
		if _, err := db.AppendEvents(ctx, evs); err != nil {
			t.Fatal(err)
		}
	}
	pages := func() int { return count(t, db, `PRAGMA page_count`) }
	before := pages()
	if _, err := db.ClearEvents(ctx); err != nil {
		t.Fatal(err)
	}
	var total int64
	for {
		n, err := db.ReclaimSpace(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		total += n
		if n < 100 {
			break
		}
	}
	if after := pages(); total < 1000 || after > before-1000 {
		t.Errorf("reclaimed %d pages: %d pages before, %d after; want the ~2,000 pages of events back", total, before, after)
	}
}

// Mapped reads (the bounded-read pool maps the file) go on while retention frees pages and the
// checkpoint truncates the file: SQLite's WAL read locks keep the file from shrinking under a reader's
// snapshot, so no read faults and every read sees whole rows.
func TestMappedReadsWhileTheFileShrinks(t *testing.T) {
	if testing.Short() {
		t.Skip("stress test")
	}
	ctx := context.Background()
	db, c := openRetention(t)
	pad := make([]byte, 3000)
	for i := range pad {
		pad[i] = 'p'
	}
	put := func(from, to int) {
		if err := db.Tx(ctx, func(tx *Tx) error {
			for i := from; i < to; i++ {
				js := []byte(fmt.Sprintf(`{"resourceType":"Patient","id":"p%d","text":"%s"}`, i, pad))
				if _, err := tx.Put(ctx, Resource{Type: "Patient", ID: fmt.Sprint("p", i), Version: 1, LastUpdated: c.Now(), JSON: js}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	put(0, 300)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var reads, bad int64
	var mu sync.Mutex
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				r, err := db.ReadResource(ctx, "Patient", fmt.Sprint("p", (i*7+w)%300))
				mu.Lock()
				reads++
				if err != nil || len(r.JSON) < len(pad) {
					bad++
				}
				mu.Unlock()
			}
		}()
	}
	until := time.Now().Add(2 * time.Second)
	var reclaimed int64
	for round := 0; time.Now().Before(until); round++ {
		evs := make([]Event, 200)
		for i := range evs {
			evs[i] = Event{At: c.Now(), Kind: "k", JSON: pad}
		}
		if _, err := db.AppendEvents(ctx, evs); err != nil {
			t.Fatal(err)
		}
		put(300+round*20, 320+round*20) // pages at the end of the file, which the vacuum moves
		if _, err := db.ClearEvents(ctx); err != nil {
			t.Fatal(err)
		}
		for {
			n, err := db.ReclaimSpace(ctx, 64)
			if err != nil {
				t.Fatal(err)
			}
			reclaimed += n
			if n < 64 {
				break
			}
		}
		if err := db.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if reads == 0 || bad != 0 || reclaimed == 0 {
		t.Errorf("%d mapped reads, %d failed or cut short, %d pages given back", reads, bad, reclaimed)
	}
}

// A flow's events are found through events_flow, not by reading the table.
func TestFlowEventsAreDeletedThroughTheirIndex(t *testing.T) {
	db, _ := openRetention(t)
	rows, err := db.w.Query(`EXPLAIN QUERY PLAN `+delFlowEvents, "f")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan += detail + "; "
	}
	if !strings.Contains(plan, "USING INDEX events_flow") && !strings.Contains(plan, "USING COVERING INDEX events_flow") {
		t.Errorf("plan of a flow's deletion: %s, want it through events_flow", plan)
	}
}

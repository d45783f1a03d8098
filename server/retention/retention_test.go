package retention

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/wire"
)

// fakeStore is a store whose tables hold counts of removable rows.
type fakeStore struct {
	left     map[store.PruneKind]int
	free     int64
	settings map[string]string
	policies []store.Retention
	calls    int
}

func (f *fakeStore) Prune(_ context.Context, r store.Retention, kind store.PruneKind, batch int) (int, error) {
	f.calls++
	f.policies = append(f.policies, r)
	n := min(f.left[kind], batch)
	f.left[kind] -= n
	return n, nil
}

func (f *fakeStore) ReclaimSpace(_ context.Context, pages int) (int64, error) {
	n := min(f.free, int64(pages))
	f.free -= n
	return n, nil
}

func (f *fakeStore) Setting(_ context.Context, key string) (string, error) {
	v, ok := f.settings[key]
	if !ok {
		return "", store.ErrNotFound
	}
	return v, nil
}

func (f *fakeStore) PutSetting(_ context.Context, key, value string) error {
	f.settings[key] = value
	return nil
}

func newFake() *fakeStore {
	return &fakeStore{left: map[store.PruneKind]int{}, settings: map[string]string{}}
}

func TestPassRemovesEverythingInBatchesAndReclaimsSpace(t *testing.T) {
	f := newFake()
	f.left[store.PruneEvents] = 2*Batch + 7
	f.left[store.PruneGrants] = 3
	f.free = 3*reclaimPages + 1
	p := &Pruner{Store: f, Skew: 30 * time.Second,
		LongestAccessToken: func(context.Context) (time.Duration, error) { return 2 * time.Hour, nil }}
	pass := p.Pass(context.Background())
	if pass.Error != "" || pass.Removed[store.PruneEvents] != 2*Batch+7 || pass.Removed[store.PruneGrants] != 3 {
		t.Fatalf("pass = %+v", pass)
	}
	if f.free != 0 {
		t.Errorf("%d free pages left, want all given back", f.free)
	}
	// Defaults in force, with the skew and the clients' longest token.
	want := store.Retention{EventsFor: DefaultEventsDays * 24 * time.Hour, EventsMax: DefaultEventsMax,
		AuditFor: DefaultAuditDays * 24 * time.Hour, Skew: 30 * time.Second, LongestAccessToken: 2 * time.Hour}
	if f.policies[0] != want {
		t.Errorf("policy %+v, want %+v", f.policies[0], want)
	}
	if w := p.Last().Wire(); w == nil || w.Removed["events"] != 2*Batch+7 {
		t.Errorf("last pass as the API shows it: %+v", w)
	}
}

func TestSettingsFlagsAndValidation(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	p := &Pruner{Store: f}
	if r, err := p.Settings(ctx); err != nil || r != Defaults() {
		t.Fatalf("a new sandbox's settings: %+v %v", r, err)
	}
	keep := 1000
	if err := p.Apply(ctx, Override{EventsMax: &keep}); err != nil {
		t.Fatal(err)
	}
	if r, _ := p.Settings(ctx); r.EventsMax != 1000 || r.EventsDays != DefaultEventsDays || r.AuditDays != DefaultAuditDays {
		t.Errorf("after --keep-events 1000: %+v", r)
	}
	var fe *wire.FieldError
	if err := p.SetSettings(ctx, wire.Retention{EventsDays: -1}); !errors.As(err, &fe) || fe.Field != "events_days" {
		t.Errorf("a negative value: %v, want a FieldError about events_days", err)
	}
	if r, _ := p.Settings(ctx); r.EventsMax != 1000 {
		t.Errorf("a refused change was stored: %+v", r)
	}
	// Zero turns a bound off; the policy says so as a zero duration.
	if err := p.SetSettings(ctx, wire.Retention{}); err != nil {
		t.Fatal(err)
	}
	pol, err := p.policy(ctx)
	if err != nil || pol.EventsFor != 0 || pol.EventsMax != 0 || pol.AuditFor != 0 {
		t.Errorf("all bounds off: %+v %v", pol, err)
	}
}

func TestEventsWrittenNudgesAPass(t *testing.T) {
	p := &Pruner{Store: newFake()}
	p.init()
	p.EventsWritten(Batch/4 - 1)
	select {
	case <-p.nudge:
		t.Fatal("nudged before a quarter batch of events came in")
	default:
	}
	p.EventsWritten(1)
	select {
	case <-p.nudge:
	default:
		t.Fatal("no pass asked for after a quarter batch of events")
	}
}

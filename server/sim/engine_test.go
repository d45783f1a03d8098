package sim

import (
	"context"
	"testing"
)

// settingsMap is an in-memory Settings for unit tests (the real one is the store's settings table).
type settingsMap map[string]string

func (m settingsMap) Setting(_ context.Context, k string) (string, error) { return m[k], nil }
func (m settingsMap) PutSetting(_ context.Context, k, v string) error     { m[k] = v; return nil }

func TestScheduleScopeAndPersistence(t *testing.T) {
	ctx := context.Background()
	st := settingsMap{}
	e, err := New(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	if e.Active(FHIR) || e.Active(Token) {
		t.Fatal("active with nothing set")
	}
	nth, _ := e.Add(ctx, Simulation{Kind: FHIRRateLimited, ClientID: "a", When: Nth, N: 2})
	once, _ := e.Add(ctx, Simulation{Kind: TokenServerError})
	always, _ := e.Add(ctx, Simulation{Kind: FHIRServerError, Launch: "L", When: Always})
	if !e.Active(FHIR) || !e.Active(Token) || e.Active(Authorize) {
		t.Fatal("active flags do not follow the points")
	}
	fire := func(p Point, r Request) []string {
		var ks []string
		for _, s := range e.Match(ctx, p, r).Sims {
			ks = append(ks, s.ID)
		}
		return ks
	}
	// Client a's first FHIR request passes, its second fires the nth simulation; client b is never counted.
	for i, want := range []int{0, 0, 1, 0} {
		client := "a"
		if i == 1 {
			client = "b"
		}
		if got := fire(FHIR, Request{ClientID: client}); len(got) != want {
			t.Errorf("FHIR request %d of %s: fired %v, want %d", i, client, got, want)
		}
	}
	e.SetTrace(func(_ context.Context, grant string) (string, string) {
		return map[string]string{"g1": "L"}[grant], "flow-" + grant
	})
	if f := e.Match(ctx, FHIR, Request{ClientID: "c", Grant: "g1"}); len(f.Sims) != 1 || f.Sims[0].ID != always.ID || f.Flow != "flow-g1" || f.Launch != "L" {
		t.Errorf("launch scope through the grant: %+v", f)
	}
	if got := fire(FHIR, Request{ClientID: "c", Grant: "g2"}); len(got) != 0 {
		t.Errorf("another launch's grant: fired %v", got)
	}
	// The one-shot fires once and is gone, from the list and from the stored settings.
	if got := fire(Token, Request{}); len(got) != 1 || got[0] != once.ID {
		t.Errorf("once: %v", got)
	}
	if got := fire(Token, Request{}); len(got) != 0 || e.Active(Token) {
		t.Errorf("once fired again: %v (active %v)", got, e.Active(Token))
	}
	// A restart on the same settings keeps what is left (counters start again).
	again, err := New(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	left := again.List(Filter{})
	if len(left) != 1 || left[0].ID != always.ID || left[0].Seen != 0 {
		t.Errorf("after a restart: %+v (nth %s was spent)", left, nth.ID)
	}
	if n, _ := again.Clear(ctx, Filter{Launch: "L"}); n != 1 || again.Active(FHIR) {
		t.Errorf("clear by launch: %d", n)
	}
}

func TestValidateDefaults(t *testing.T) {
	s := Simulation{Kind: FHIRUnavailable}
	if err := s.Validate(); err != nil || s.When != Once || s.RetryAfter != 1 {
		t.Errorf("defaults: %+v %v", s, err)
	}
	s = Simulation{Kind: AuthorizeConsentSubset, Scope: "  openid   patient/*.rs "}
	if err := s.Validate(); err != nil || s.Scope != "openid patient/*.rs" {
		t.Errorf("scope: %q %v", s.Scope, err)
	}
	for _, bad := range []Simulation{{Kind: FHIRSlow, DelayMS: MaxDelayMS + 1}, {Kind: FHIRServerError, When: Once, N: 3},
		{Kind: FHIRPatientNotFound, Patient: "Patient/p1"}, {Kind: TokenSlow, ClientID: "a", Launch: "b", DelayMS: 1}} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%+v: accepted", bad)
		}
	}
}

// BenchmarkNoneSet is what every request pays at each point while no simulation is set, and while one is
// set at another point only.
func BenchmarkNoneSet(b *testing.B) {
	ctx := context.Background()
	e, _ := New(ctx, settingsMap{}, nil)
	b.Run("none", func(b *testing.B) {
		for b.Loop() {
			if e.Active(FHIR) {
				b.Fatal("active")
			}
		}
	})
	_, _ = e.Add(ctx, Simulation{Kind: TokenServerError, When: Always})
	b.Run("another point", func(b *testing.B) {
		for b.Loop() {
			if e.Active(FHIR) {
				b.Fatal("active")
			}
		}
	})
}

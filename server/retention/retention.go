// Package retention removes in the background what the sandbox recorded once nothing needs it
// (docs/architecture.md, "Retention"): expired and revoked credentials, and flow events and audit records
// beyond the kept window. It works in short transactions, so the single SQLite writer never keeps a flow
// waiting for long, and hands the freed pages back to the file system.
package retention

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/wire"
)

// Store is what pruning needs.
type Store interface {
	Prune(ctx context.Context, r store.Retention, kind store.PruneKind, batch int) (int, error)
	ReclaimSpace(ctx context.Context, pages int) (reclaimed int64, err error)
	Setting(ctx context.Context, key string) (string, error)
	PutSetting(ctx context.Context, key, value string) error
}

// Defaults: what a sandbox keeps unless told otherwise.
const (
	DefaultEventsDays = 7
	DefaultEventsMax  = 100_000
	DefaultAuditDays  = 30
	// Every is how often a pass runs when nothing nudges one sooner.
	Every = 30 * time.Second
	// Batch is the most rows one transaction removes.
	Batch = 500
	// reclaimPages is how many free pages one transaction gives back to the file system (2 MB of 4 KB pages).
	reclaimPages = 512
)

// Pass is what one pruning pass did.
type Pass struct {
	Started time.Time
	Seconds float64
	Removed map[store.PruneKind]int
	Error   string
}

// Wire is the pass as the control API shows it.
func (p Pass) Wire() *wire.Prune {
	if p.Started.IsZero() {
		return nil
	}
	out := &wire.Prune{Started: p.Started, Seconds: p.Seconds, Removed: map[string]int{}, Error: p.Error}
	for k, n := range p.Removed {
		out.Removed[string(k)] = n
	}
	return out
}

// Pruner runs pruning passes, with the retention settings stored in the database.
type Pruner struct {
	Store Store
	// LongestAccessToken is the longest any client's access tokens live now (clients change at run
	// time); Skew the clock-skew allowance added to every expiry.
	LongestAccessToken func(ctx context.Context) (time.Duration, error)
	Skew               time.Duration
	Now                func() time.Time
	// Pause is the wait between two transactions of a pass, which lets other writes in.
	Pause time.Duration

	nudge chan struct{}
	once  sync.Once
	mu    sync.Mutex
	last  Pass
	// sinceEvents counts events written since the last pass; EventsWritten nudges a pass when they could
	// take the events past their bound by a batch.
	sinceEvents int
}

func (p *Pruner) init() { p.once.Do(func() { p.nudge = make(chan struct{}, 1) }) }

// Nudge asks for a pass soon (a setting changed, or many events were written).
func (p *Pruner) Nudge() {
	p.init()
	select {
	case p.nudge <- struct{}{}:
	default:
	}
}

// EventsWritten tells the pruner that n flow events were stored, so that a sandbox under load never holds
// more than its bound plus about one batch of events.
func (p *Pruner) EventsWritten(n int) {
	p.mu.Lock()
	p.sinceEvents += n
	due := p.sinceEvents >= Batch/4 // a pass starts before a batch's worth has come in
	p.mu.Unlock()
	if due {
		p.Nudge()
	}
}

// Last is the most recent pass.
func (p *Pruner) Last() Pass {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last
}

// Run makes passes until ctx ends: a whole pass at start and every Every, and a pass over the flow events
// alone whenever many were written (EventsWritten) or the settings changed.
func (p *Pruner) Run(ctx context.Context) {
	p.init()
	t := time.NewTicker(Every)
	defer t.Stop()
	kinds := store.PruneKinds
	for {
		if pass := p.pass(ctx, kinds); pass.Error != "" && ctx.Err() == nil {
			slog.Warn("retention pass", "err", pass.Error)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			kinds = store.PruneKinds
		case <-p.nudge:
			kinds = []store.PruneKind{store.PruneEvents}
		}
	}
}

// Pass removes everything the retention lets go, kind by kind, each in transactions of at most Batch
// rows, and then gives the free pages back to the file system.
func (p *Pruner) Pass(ctx context.Context) Pass { return p.pass(ctx, store.PruneKinds) }

// pass is Pass over the given kinds.
func (p *Pruner) pass(ctx context.Context, kinds []store.PruneKind) Pass {
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	pass := Pass{Started: now(), Removed: map[store.PruneKind]int{}}
	p.mu.Lock()
	p.sinceEvents = 0
	p.mu.Unlock()
	err := p.prune(ctx, kinds, &pass)
	if err != nil {
		pass.Error = err.Error()
	}
	pass.Seconds = now().Sub(pass.Started).Seconds()
	p.mu.Lock()
	p.last = pass
	p.mu.Unlock()
	return pass
}

func (p *Pruner) prune(ctx context.Context, kinds []store.PruneKind, pass *Pass) error {
	policy, err := p.policy(ctx)
	if err != nil {
		return err
	}
	for _, kind := range kinds {
		for {
			n, err := p.Store.Prune(ctx, policy, kind, Batch)
			if err != nil {
				return err
			}
			if n > 0 {
				pass.Removed[kind] += n
			}
			if n < Batch {
				break
			}
			if err := p.pause(ctx); err != nil {
				return err
			}
		}
	}
	for {
		n, err := p.Store.ReclaimSpace(ctx, reclaimPages)
		if err != nil || n < reclaimPages {
			return err
		}
		if err := p.pause(ctx); err != nil {
			return err
		}
	}
}

func (p *Pruner) pause(ctx context.Context) error {
	if p.Pause <= 0 {
		return ctx.Err()
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(p.Pause):
		return nil
	}
}

// settingKey is where the settings are stored.
const settingKey = "retention"

// Defaults are the settings of a new sandbox.
func Defaults() wire.Retention {
	return wire.Retention{EventsDays: DefaultEventsDays, EventsMax: DefaultEventsMax, AuditDays: DefaultAuditDays}
}

// Settings are the retention settings in force: stored ones, else the defaults.
func (p *Pruner) Settings(ctx context.Context) (wire.Retention, error) {
	raw, err := p.Store.Setting(ctx, settingKey)
	if errors.Is(err, store.ErrNotFound) {
		return Defaults(), nil
	} else if err != nil {
		return wire.Retention{}, err
	}
	r := Defaults()
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return Defaults(), nil // unreadable settings are not a reason to keep everything
	}
	return r, nil
}

// SetSettings validates and stores new settings, and starts a pass with them.
func (p *Pruner) SetSettings(ctx context.Context, r wire.Retention) error {
	if err := r.Validate(); err != nil {
		return err
	}
	b, _ := json.Marshal(r)
	if err := p.Store.PutSetting(ctx, settingKey, string(b)); err != nil {
		return err
	}
	p.Nudge()
	return nil
}

// Override is what `valet serve` flags set; nil fields keep the stored setting.
type Override struct {
	EventsDays, EventsMax, AuditDays *int
}

// Apply stores the settings with the flags' values in place.
func (p *Pruner) Apply(ctx context.Context, o Override) error {
	if o.EventsDays == nil && o.EventsMax == nil && o.AuditDays == nil {
		return nil
	}
	r, err := p.Settings(ctx)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		dst *int
		src *int
	}{{&r.EventsDays, o.EventsDays}, {&r.EventsMax, o.EventsMax}, {&r.AuditDays, o.AuditDays}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	return p.SetSettings(ctx, r)
}

// policy is the store's view of the settings in force.
func (p *Pruner) policy(ctx context.Context) (store.Retention, error) {
	r, err := p.Settings(ctx)
	if err != nil {
		return store.Retention{}, err
	}
	longest := time.Hour
	if p.LongestAccessToken != nil {
		if longest, err = p.LongestAccessToken(ctx); err != nil {
			return store.Retention{}, err
		}
	}
	const day = 24 * time.Hour
	return store.Retention{EventsFor: time.Duration(r.EventsDays) * day, EventsMax: r.EventsMax,
		AuditFor: time.Duration(r.AuditDays) * day, Skew: p.Skew, LongestAccessToken: longest}, nil
}

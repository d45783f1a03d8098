package sim

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Settings is where the engine keeps its simulations (the store's settings table), so that they survive a
// restart and a scenario can be applied to a data directory while Valet is stopped.
type Settings interface {
	Setting(ctx context.Context, key string) (string, error)
	PutSetting(ctx context.Context, key, value string) error
}

// SettingKey is the settings row holding the simulations as a JSON array.
const SettingKey = "simulations"

// Trace resolves the grant an access token or refresh names to the launch and flow it came from ("" when
// the grant is unknown or not from an EHR launch).
type Trace func(ctx context.Context, grantID string) (launch, flow string)

// Engine holds the active simulations and decides which fire.
type Engine struct {
	settings Settings
	now      func() time.Time
	trace    atomic.Pointer[Trace]

	// active[p] is set while any simulation acts at point p: the only thing a request reads when none
	// does.
	active [len(points)]atomic.Bool

	mu   sync.Mutex
	list []*Simulation // creation order
}

// New loads the stored simulations (none when settings is nil or holds none).
func New(ctx context.Context, settings Settings, now func() time.Time) (*Engine, error) {
	if now == nil {
		now = time.Now
	}
	e := &Engine{settings: settings, now: now}
	if settings == nil {
		return e, nil
	}
	raw, err := settings.Setting(ctx, SettingKey)
	if err != nil || raw == "" {
		return e, nil // no row: no simulations
	}
	var stored []Simulation
	if err := json.Unmarshal([]byte(raw), &stored); err != nil {
		return nil, errors.New("sim: the stored simulations are not readable JSON: " + err.Error())
	}
	for i := range stored {
		s := stored[i]
		if s.Validate() == nil && s.ID != "" {
			s.Seen, s.Fired = 0, 0
			e.list = append(e.list, &s)
		}
	}
	e.refresh()
	return e, nil
}

// SetTrace sets the function that resolves a grant to its launch and flow.
func (e *Engine) SetTrace(t Trace) { e.trace.Store(&t) }

// Active says whether any simulation acts at p: one atomic load, the whole cost of simulations on a
// request while none is set.
func (e *Engine) Active(p Point) bool { return e != nil && e.active[p.index()].Load() }

// refresh recomputes the active flags; e.mu is held.
func (e *Engine) refresh() {
	var on [len(points)]bool
	for _, s := range e.list {
		k, _ := KindOf(s.Kind)
		on[k.Point.index()] = true
	}
	for i := range on {
		e.active[i].Store(on[i])
	}
}

// save stores the list; e.mu is held.
func (e *Engine) save(ctx context.Context) error {
	if e.settings == nil {
		return nil
	}
	out := make([]Simulation, len(e.list))
	for i, s := range e.list {
		out[i] = *s
		out[i].Seen, out[i].Fired = 0, 0
	}
	b, _ := json.Marshal(out)
	return e.settings.PutSetting(context.WithoutCancel(ctx), SettingKey, string(b))
}

// Add validates and stores a simulation; its ID and CreatedAt are set here.
func (e *Engine) Add(ctx context.Context, s Simulation) (Simulation, error) {
	if err := s.Validate(); err != nil {
		return Simulation{}, err
	}
	s.ID, s.CreatedAt, s.Seen, s.Fired = newID(), e.now().UTC(), 0, 0
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.list) >= MaxActive {
		return Simulation{}, invalid("", "at most %d simulations may be set at once; clear some first", MaxActive)
	}
	e.list = append(e.list, &s)
	if err := e.save(ctx); err != nil {
		e.list = e.list[:len(e.list)-1]
		return Simulation{}, err
	}
	e.refresh()
	return s, nil
}

// Filter selects simulations by scope: Client matches those of the client (not its launches'), Launch
// those of the launch; both empty match every simulation.
type Filter struct {
	ClientID, Launch string
	GlobalOnly       bool
}

func (f Filter) match(s *Simulation) bool {
	switch {
	case f.GlobalOnly:
		return s.Global()
	case f.ClientID != "" && s.ClientID != f.ClientID:
		return false
	case f.Launch != "" && s.Launch != f.Launch:
		return false
	}
	return true
}

// List returns the simulations f selects, oldest first.
func (e *Engine) List(f Filter) []Simulation {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Simulation, 0, len(e.list))
	for _, s := range e.list {
		if f.match(s) {
			out = append(out, *s)
		}
	}
	return out
}

// ErrNotFound is the answer for an id that names no active simulation.
var ErrNotFound = errors.New("no active simulation has this id (spent one-shot simulations are removed)")

// Remove clears one simulation.
func (e *Engine) Remove(ctx context.Context, id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	i := slices.IndexFunc(e.list, func(s *Simulation) bool { return s.ID == id })
	if i < 0 {
		return ErrNotFound
	}
	old := e.list
	e.list = slices.Delete(slices.Clone(e.list), i, i+1)
	if err := e.save(ctx); err != nil {
		e.list = old
		return err
	}
	e.refresh()
	return nil
}

// Clear removes the simulations f selects and says how many.
func (e *Engine) Clear(ctx context.Context, f Filter) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	old := e.list
	e.list = slices.DeleteFunc(slices.Clone(e.list), f.match)
	n := len(old) - len(e.list)
	if n == 0 {
		return 0, nil
	}
	if err := e.save(ctx); err != nil {
		e.list = old
		return 0, err
	}
	e.refresh()
	return n, nil
}

// Request is what a point knows of a request when it asks which simulations fire.
type Request struct {
	ClientID string
	Launch   string // the EHR launch, when known directly (the authorization request names it)
	Flow     string // the flow, when known directly
	Grant    string // else the grant the credential names, resolved to its launch only when needed
	// Applies says whether a simulation of this kind concerns the request at this step (a refresh kind
	// does not concern a code exchange); nil: every kind of the point.
	Applies func(s *Simulation) bool
}

// Fired is the outcome of Match: the simulations that act on the request (their delays add up; the first
// other one answers), and the launch and flow the request belongs to, for the flow event.
type Fired struct {
	Sims         []Simulation
	Launch, Flow string
}

// Delay is the sum of the slow simulations' delays.
func (f Fired) Delay() time.Duration {
	var d time.Duration
	for _, s := range f.Sims {
		if Slow(s.Kind) {
			d += time.Duration(s.DelayMS) * time.Millisecond
		}
	}
	return d
}

// First is the first fired simulation that is not a delay.
func (f Fired) First() (Simulation, bool) {
	for _, s := range f.Sims {
		if !Slow(s.Kind) {
			return s, true
		}
	}
	return Simulation{}, false
}

// Match counts the request against every simulation of point p in scope that applies to it and returns
// those that fire. Spent one-shot simulations are removed.
func (e *Engine) Match(ctx context.Context, p Point, r Request) (out Fired) {
	if !e.Active(p) {
		return out
	}
	e.mu.Lock()
	needLaunch := r.Launch == "" && r.Grant != "" && slices.ContainsFunc(e.list, func(s *Simulation) bool { return s.Launch != "" })
	e.mu.Unlock()
	out.Launch, out.Flow = r.Launch, r.Flow
	resolved := r.Flow != ""
	resolve := func() {
		// Outside the lock: it reads the store.
		if t := e.trace.Load(); t != nil && r.Grant != "" && !resolved {
			resolved = true
			l, f := (*t)(ctx, r.Grant)
			if out.Launch == "" {
				out.Launch = l
			}
			out.Flow = f
		}
	}
	if needLaunch {
		resolve()
	}
	defer func() {
		if len(out.Sims) > 0 {
			resolve() // the flow, for the event
		}
	}()
	e.mu.Lock()
	defer e.mu.Unlock()
	spent := false
	for _, s := range e.list {
		k, _ := KindOf(s.Kind)
		if k.Point != p || (s.ClientID != "" && s.ClientID != r.ClientID) || (s.Launch != "" && s.Launch != out.Launch) {
			continue
		}
		if r.Applies != nil && !r.Applies(s) {
			continue
		}
		s.Seen++
		fire := s.When == Always || s.When == Once || (s.When == Nth && s.Seen == s.N)
		if !fire {
			continue
		}
		s.Fired++
		out.Sims = append(out.Sims, *s)
		if s.When != Always {
			spent = true
		}
	}
	if spent {
		e.list = slices.DeleteFunc(slices.Clone(e.list), func(s *Simulation) bool { return s.When != Always && s.Fired > 0 })
		if err := e.save(ctx); err != nil {
			slog.Warn("sim: store the simulations after a one-shot fired", "err", err)
		}
		e.refresh()
	}
	return out
}

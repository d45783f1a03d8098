// Package events records every protocol step (request in, decision, response out) for the flow
// inspector and the audit log. Events are queued and written in batches off the request path (one
// SQLite transaction per batch instead of one per step), then fanned out to live subscribers (SSE).
package events

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valet-sandbox/valet/server/sim"
	"github.com/valet-sandbox/valet/server/store"
)

// Event is one step of a flow. Request and Response hold what crossed the wire, secrets redacted.
type Event struct {
	ID       int64          `json:"id"`
	At       time.Time      `json:"at"`
	Kind     string         `json:"kind"`
	LaunchID string         `json:"launch_id,omitempty"`
	FlowID   string         `json:"flow_id,omitempty"` // the authorization request / grant
	ClientID string         `json:"client_id,omitempty"`
	Request  map[string]any `json:"request,omitempty"`
	Decision string         `json:"decision,omitempty"`
	Response map[string]any `json:"response,omitempty"`
	// Simulated names the simulation (server/sim) that shaped this step, when one did.
	Simulated *sim.Mark `json:"simulated,omitempty"`
}

const (
	batchSize  = 256
	batchDelay = 20 * time.Millisecond
	// maxKeptBuffer bounds the JSON buffer kept between batches (a batch of large events lets it go).
	maxKeptBuffer = 1 << 20
)

// Log queues, stores and streams events.
type Log struct {
	store store.Events
	now   func() time.Time
	in    chan Event
	flush chan chan struct{}
	done  chan struct{}
	close sync.Once

	mu   sync.Mutex
	subs map[chan Event]struct{}
	// stored, when set, hears how many events each batch wrote (retention keeps their number bounded).
	stored atomic.Pointer[func(n int)]
}

// OnStored sets a function called with the number of events each written batch holds.
func (l *Log) OnStored(fn func(n int)) { l.stored.Store(&fn) }

// New starts the background writer; Close stops it after writing what is queued.
func New(st store.Events, now func() time.Time) *Log {
	if now == nil {
		now = time.Now
	}
	l := &Log{store: st, now: now, in: make(chan Event, 4096), flush: make(chan chan struct{}),
		done: make(chan struct{}), subs: map[chan Event]struct{}{}}
	go l.run()
	return l
}

// Record queues an event; the time is stamped here.
func (l *Log) Record(e Event) {
	if e.At.IsZero() {
		e.At = l.now()
	}
	select {
	case l.in <- e:
	case <-l.done:
	}
}

func (l *Log) run() {
	var batch []Event
	// The batch's rows and one buffer for their JSON, kept from batch to batch so that no batch allocates
	// them afresh: the store copies the JSON into SQLite, so they are free again once AppendEvents
	// returns.
	var rows []store.Event
	var buf []byte
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	write := func() {
		if len(batch) == 0 {
			return
		}
		rows = slices.Grow(rows[:0], len(batch))[:len(batch)]
		if cap(buf) > maxKeptBuffer {
			buf = nil
		}
		buf = buf[:0]
		for i := range batch {
			e := &batch[i]
			start := len(buf)
			var err error
			if buf, err = e.appendJSON(buf); err != nil {
				// A value JSON cannot hold: keep the step, without what it carried.
				slog.Warn("encode event", "err", err, "kind", e.Kind)
				e.Request, e.Response = nil, nil
				buf, _ = e.appendJSON(buf[:start])
			}
			rows[i] = store.Event{At: e.At, Kind: e.Kind, LaunchID: e.LaunchID, FlowID: e.FlowID, ClientID: e.ClientID, JSON: buf[start:len(buf):len(buf)]}
		}
		stored, err := l.store.AppendEvents(context.Background(), rows)
		if err != nil {
			slog.Warn("write events", "err", err, "count", len(rows))
		} else if fn := l.stored.Load(); fn != nil {
			(*fn)(len(rows))
		}
		for i := range batch {
			batch[i].ID = stored[i].ID
			l.publish(batch[i])
		}
		clear(rows) // drop the references into buf and the events' strings
		batch = batch[:0]
	}
	for {
		select {
		case e := <-l.in:
			if len(batch) == 0 {
				timer.Reset(batchDelay)
			}
			batch = append(batch, e)
			if len(batch) >= batchSize {
				write()
			}
		case <-timer.C:
			write()
		case ack := <-l.flush:
			l.drain(&batch)
			write()
			close(ack)
		case <-l.done:
			l.drain(&batch)
			write()
			return
		}
	}
}

func (l *Log) drain(batch *[]Event) {
	for {
		select {
		case e := <-l.in:
			*batch = append(*batch, e)
		default:
			return
		}
	}
}

// Flush waits until every event recorded so far is stored.
func (l *Log) Flush() {
	ack := make(chan struct{})
	select {
	case l.flush <- ack:
		<-ack
	case <-l.done:
	}
}

// Close writes what is queued and stops the writer.
func (l *Log) Close() { l.close.Do(func() { l.Flush(); close(l.done) }) }

func (l *Log) publish(e Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for ch := range l.subs {
		select {
		case ch <- e:
		default: // a slow subscriber misses live events; it can catch up from the store by id
		}
	}
}

// Subscribe streams events as they are stored; call cancel to stop.
func (l *Log) Subscribe() (ch <-chan Event, cancel func()) {
	c := make(chan Event, 256)
	l.mu.Lock()
	l.subs[c] = struct{}{}
	l.mu.Unlock()
	return c, func() {
		l.mu.Lock()
		delete(l.subs, c)
		l.mu.Unlock()
	}
}

// List returns stored events matching f (after flushing the queue, so a caller sees its own steps).
func (l *Log) List(ctx context.Context, f store.EventFilter) ([]Event, error) {
	l.Flush()
	rows, err := l.store.ListEvents(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]Event, 0, len(rows))
	for _, r := range rows {
		var e Event
		if err := json.Unmarshal(r.JSON, &e); err != nil {
			return nil, err
		}
		e.ID = r.ID
		out = append(out, e)
	}
	return out, nil
}

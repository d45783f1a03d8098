package control

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	"github.com/valet-sandbox/valet/server/population"
)

// Long work (generating or importing patients, resetting the sandbox) runs as a job: the request that starts
// it returns at once with the job's URL, and the control panel follows its progress as server-sent events.
// One job runs at a time, since each is a long write transaction stream against the same database.

// Job states.
const (
	JobRunning  = "running"
	JobDone     = "done"
	JobFailed   = "failed"
	JobCanceled = "canceled"
)

// Job is a snapshot of one job.
type Job struct {
	ID         string              `json:"id"`
	Kind       string              `json:"kind"`
	State      string              `json:"state"`
	Progress   population.Progress `json:"progress"`
	StartedAt  time.Time           `json:"started_at"`
	FinishedAt *time.Time          `json:"finished_at,omitempty"`
	Error      string              `json:"error,omitempty"`
	Result     any                 `json:"result,omitempty"`
}

// JobFunc does the work, reporting progress as it goes; it must stop when ctx is cancelled.
type JobFunc func(ctx context.Context, report func(population.Progress)) (result any, err error)

// ErrJobRunning is returned when a job is started while another runs.
var ErrJobRunning = errors.New("another job is running")

const keepFinished = 20

// Jobs runs jobs one at a time and keeps the most recent ones for inspection.
type Jobs struct {
	Now func() time.Time

	mu      sync.Mutex
	jobs    map[string]*jobEntry
	order   []string // oldest first
	running *jobEntry
	wg      sync.WaitGroup
}

type jobEntry struct {
	job    Job
	cancel context.CancelFunc
	subs   map[chan Job]struct{}
}

// Start runs fn in the background as a job of the given kind.
func (js *Jobs) Start(kind string, fn JobFunc) (Job, error) {
	js.mu.Lock()
	defer js.mu.Unlock()
	if js.running != nil {
		return js.running.job, ErrJobRunning
	}
	if js.jobs == nil {
		js.jobs = map[string]*jobEntry{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &jobEntry{job: Job{ID: newJobID(), Kind: kind, State: JobRunning, StartedAt: js.now()}, cancel: cancel, subs: map[chan Job]struct{}{}}
	js.jobs[e.job.ID] = e
	js.order = append(js.order, e.job.ID)
	js.running = e
	js.forgetOld()
	js.wg.Add(1)
	go js.run(ctx, e, fn)
	return e.job, nil
}

func (js *Jobs) run(ctx context.Context, e *jobEntry, fn JobFunc) {
	defer js.wg.Done()
	result, err := fn(ctx, func(p population.Progress) {
		js.mu.Lock()
		e.job.Progress = p
		js.publish(e)
		js.mu.Unlock()
	})
	js.mu.Lock()
	defer js.mu.Unlock()
	now := js.now()
	e.job.FinishedAt = &now
	switch {
	case err == nil:
		e.job.State, e.job.Result = JobDone, result
	case errors.Is(err, context.Canceled):
		e.job.State, e.job.Error = JobCanceled, "canceled"
	default:
		e.job.State, e.job.Error = JobFailed, err.Error()
	}
	js.publish(e)
	for ch := range e.subs {
		close(ch)
	}
	e.subs = nil
	e.cancel()
	js.running = nil
}

// publish sends the job's snapshot to subscribers without blocking: a slow reader misses intermediate
// progress, never the final state (its channel is closed after the last snapshot it could take).
func (js *Jobs) publish(e *jobEntry) {
	for ch := range e.subs {
		select {
		case ch <- e.job:
		default:
			select { // drop the stale snapshot, keep the newest
			case <-ch:
			default:
			}
			select {
			case ch <- e.job:
			default:
			}
		}
	}
}

// Get returns a snapshot of the job.
func (js *Jobs) Get(id string) (Job, bool) {
	js.mu.Lock()
	defer js.mu.Unlock()
	e, ok := js.jobs[id]
	if !ok {
		return Job{}, false
	}
	return e.job, true
}

// List returns the kept jobs, newest first.
func (js *Jobs) List() []Job {
	js.mu.Lock()
	defer js.mu.Unlock()
	out := make([]Job, 0, len(js.order))
	for i := len(js.order) - 1; i >= 0; i-- {
		out = append(out, js.jobs[js.order[i]].job)
	}
	return out
}

// Subscribe returns the current snapshot and a channel of later ones, closed when the job ends.
// For a finished job the channel is already closed.
func (js *Jobs) Subscribe(id string) (Job, <-chan Job, func(), bool) {
	js.mu.Lock()
	defer js.mu.Unlock()
	e, ok := js.jobs[id]
	if !ok {
		return Job{}, nil, func() {}, false
	}
	ch := make(chan Job, 1)
	if e.subs == nil {
		close(ch)
		return e.job, ch, func() {}, true
	}
	e.subs[ch] = struct{}{}
	return e.job, ch, func() {
		js.mu.Lock()
		defer js.mu.Unlock()
		if e.subs != nil {
			if _, ok := e.subs[ch]; ok {
				delete(e.subs, ch)
				close(ch)
			}
		}
	}, true
}

// Cancel asks a running job to stop.
func (js *Jobs) Cancel(id string) bool {
	js.mu.Lock()
	defer js.mu.Unlock()
	e, ok := js.jobs[id]
	if ok {
		e.cancel()
	}
	return ok
}

// Wait cancels the running job, if any, and waits for it to end (for shutdown).
func (js *Jobs) Wait() {
	js.mu.Lock()
	if js.running != nil {
		js.running.cancel()
	}
	js.mu.Unlock()
	js.wg.Wait()
}

func (js *Jobs) forgetOld() {
	for len(js.order) > keepFinished {
		id := js.order[0]
		if js.jobs[id] == js.running {
			return
		}
		delete(js.jobs, id)
		js.order = js.order[1:]
	}
}

func (js *Jobs) now() time.Time {
	if js.Now != nil {
		return js.Now()
	}
	return time.Now()
}

func newJobID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

package fhir

import (
	"context"
	"runtime"
	"sync"

	"github.com/valet-sandbox/valet/server/store"
)

// Loader stores a stream of batches (one patient record each, say) through a pipeline: decoding,
// validation, stamping and index extraction run on GOMAXPROCS workers while one writer commits what is
// ready, several batches per transaction. A batch is never split across transactions, so whatever a
// failed or cancelled load committed is made of whole batches, in the order they were added.
type Loader struct {
	s     *Service
	ctx   context.Context
	max   int
	queue chan *loadJob // every job, in order, to the writer
	work  chan *loadJob // every job, to the workers
	wg    sync.WaitGroup
	done  chan struct{} // closed when the writer has stopped
	err   error         // why the writer stopped early; read after done
}

type loadJob struct {
	rs        []Resource
	committed func()
	ready     chan struct{} // closed when p or err is set
	p         *preparedBatch
	err       error
}

// LoaderTxResources is about how many resources a Loader commits per transaction when batches wait:
// large enough that SQLite writes each touched page once for many batches, small enough that the
// writer is not held for long.
const LoaderTxResources = 2000

// LoadOptions tune a Loader.
type LoadOptions struct {
	// Trusted skips R4 validation, for the synthetic generator: its tests validate everything it makes
	// (synth against HL7's JSON schema; server's TestGeneratedRecordsPassValidation with this package's
	// validator), so validating each record again would spend the preparing cores for nothing.
	// Malformed JSON still fails.
	Trusted bool
}

// NewLoader starts a loader; Close must be called. Batches are committed with ctx: once it is
// cancelled, nothing more is committed.
func (s *Service) NewLoader(ctx context.Context, opt LoadOptions) *Loader {
	workers := runtime.GOMAXPROCS(0)
	l := &Loader{s: s, ctx: ctx, max: LoaderTxResources,
		queue: make(chan *loadJob, 16), work: make(chan *loadJob, 16), done: make(chan struct{})}
	for range workers {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for j := range l.work {
				release := s.cfg.Store.Cores().Acquire() // a core beside the writer's (store.Cores)
				j.p, j.err = s.prepareBatch(j.rs, !opt.Trusted)
				release()
				j.rs = nil
				close(j.ready)
			}
		}()
	}
	go l.write()
	return l
}

// Add queues a batch; committed, when not nil, is called (on the writer's goroutine) once it is stored.
// Add blocks while the pipeline is full, and returns the error that stopped the writer, if any. rs must
// not change until the batch is prepared. Add and Close are called from one goroutine.
func (l *Loader) Add(rs []Resource, committed func()) error {
	select {
	case <-l.done:
		return l.err
	default:
	}
	j := &loadJob{rs: rs, committed: committed, ready: make(chan struct{})}
	select {
	case l.queue <- j:
	case <-l.done:
		return l.err
	}
	l.work <- j // workers drain work until Close, so this never blocks for good
	return nil
}

// Close waits until every added batch is stored (or the load failed) and returns the first error.
// The store's background checkpointer copies what was committed into the main file.
func (l *Loader) Close() error {
	close(l.queue)
	<-l.done
	close(l.work)
	l.wg.Wait()
	return l.err
}

// write commits jobs in order: the first waiting job and then those already queued behind it, up to
// l.max resources, in one transaction.
func (l *Loader) write() {
	defer close(l.done)
	var next *loadJob
	for {
		j := next
		next = nil
		if j == nil {
			var ok bool
			if j, ok = <-l.queue; !ok {
				return
			}
		}
		<-j.ready
		if j.err != nil {
			l.stop(j.err)
			return
		}
		group, n := []*loadJob{j}, len(j.p.items)
	gather:
		for n < l.max {
			select {
			case k, ok := <-l.queue:
				if !ok {
					break gather
				}
				select {
				case <-k.ready:
				default:
					// Still being prepared: commit what is gathered meanwhile instead of waiting with it,
					// so the writer is not idle while a worker finishes.
					next = k
					break gather
				}
				if k.err != nil || n+len(k.p.items) > l.max {
					next = k // commit what is gathered first; k fails or starts the next group
					break gather
				}
				group, n = append(group, k), n+len(k.p.items)
			default:
				break gather
			}
		}
		if err := l.commit(group); err != nil {
			l.stop(err)
			return
		}
	}
}

func (l *Loader) commit(group []*loadJob) error {
	if err := l.ctx.Err(); err != nil {
		return err
	}
	ps := make([]*preparedBatch, len(group))
	for i, j := range group {
		ps[i] = j.p
	}
	if err := l.s.cfg.Store.Tx(l.ctx, func(tx *store.Tx) error { return l.s.storeBatches(l.ctx, tx, ps) }); err != nil {
		return err
	}
	for _, j := range group {
		j.p = nil
		if j.committed != nil {
			j.committed()
		}
	}
	return nil
}

// stop records why the writer stopped; Add sees it once done is closed.
func (l *Loader) stop(err error) { l.err = err }

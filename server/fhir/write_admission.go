package fhir

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// CPU work that prepares writes (decoding, validating, indexing) is admitted onto the cores beside the
// single SQLite writer (store.Cores), so that the writer keeps one to itself when many clients write
// at once. Work holding a core gives it back before it waits for the writer.

// admission is a core taken for the work before a write; release is idempotent, and a nil admission
// holds nothing.
type admission struct{ release0 func() }

// admit waits for a free core.
func (s *Service) admit() *admission { return &admission{s.cfg.Store.Cores().Acquire()} }

func (a *admission) release() {
	if a != nil && a.release0 != nil {
		a.release0()
		a.release0 = nil
	}
}

// forEachParallel calls fn(0) … fn(n-1) on the calling goroutine and on up to one more per core, at
// least perWorker calls each, as cores are free for them now: it never waits for one, so the writer
// (which holds a core) calls it too.
func (s *Service) forEachParallel(n, perWorker int, fn func(i int)) {
	var next atomic.Int64
	work := func() {
		for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
			fn(i)
		}
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n/perWorker) - 1 {
		release, ok := s.cfg.Store.Cores().TryAcquire()
		if !ok {
			break
		}
		wg.Go(func() { defer release(); work() })
	}
	work()
	wg.Wait()
}

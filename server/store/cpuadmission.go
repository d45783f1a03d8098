package store

import "runtime"

// Cores admits the CPU work that feeds the writer (parsing, validating and indexing what is about to be
// written) onto the machine's cores, so that the single writer always has one of its own. Go's scheduler
// shares the cores evenly among runnable goroutines: with many clients' Bundles being prepared at once,
// the writer — the one goroutine everything waits for — would get a small share of a core, and every
// write would slow down with it. The writer takes a core while it runs a group (group.go); work admitted
// here gets the others.
//
// Work holding a core must never wait for the writer (DB.Tx): the writer could be waiting for that core.
type Cores chan struct{}

func newCores() Cores { return make(Cores, runtime.GOMAXPROCS(0)) }

// Acquire waits for a free core; call release when the CPU work is done.
func (c Cores) Acquire() (release func()) {
	c <- struct{}{}
	return c.release
}

// TryAcquire takes a free core if there is one, without waiting.
func (c Cores) TryAcquire() (release func(), ok bool) {
	select {
	case c <- struct{}{}:
		return c.release, true
	default:
		return nil, false
	}
}

func (c Cores) release() { <-c }

// Cores is the admission of the CPU work that feeds this database's writer.
func (db *DB) Cores() Cores { return db.cores }

// Package gctune lets bulk writes (a generated population, an import, a transaction Bundle) make the
// garbage collector run less often while they are under way. They allocate a great deal in short-lived
// values — decoded resources, encoded JSON, index rows — so the collector runs at 6× the live heap
// instead of 2×, for a larger peak heap bounded by the work in flight.
//
// Why 500: the single SQLite writer is what bounds a bulk load, and the collector slows it twice, taking
// the second core's time and making the writer assist marking for what it allocates. In eight alternated
// pairs of 1,000-patient loads, 500 was 0.31 s faster than 300 on average (−0.74 to +0.09 s), its peak
// heap 96–126 MB against 60–89; 800 was no faster than 500, at 171–203 MB.
package gctune

import (
	"runtime/debug"
	"sync"
)

// bulkPercent is GOGC while bulk writes run.
const bulkPercent = 500

var loads struct {
	sync.Mutex
	n, percent int
}

// Less makes the collector run less often until the returned function is called; bulk writes may
// overlap, the last to end restores the setting.
func Less() (restore func()) {
	loads.Lock()
	defer loads.Unlock()
	if loads.n++; loads.n == 1 {
		loads.percent = debug.SetGCPercent(bulkPercent)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			loads.Lock()
			defer loads.Unlock()
			if loads.n--; loads.n == 0 {
				debug.SetGCPercent(loads.percent)
			}
		})
	}
}

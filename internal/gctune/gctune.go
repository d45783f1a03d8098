// Package gctune tunes the Go garbage collector for bulk writes (a generated population, an import, a
// transaction Bundle): while one is under way the collector runs less often. Bulk writes allocate a great
// deal in short-lived values — decoded resources, encoded JSON, index rows — and the single SQLite writer
// is what bounds them; the collector slows that writer twice, taking the second core's time and making
// the writer assist marking for what it allocates. Collecting at 6× the live heap instead of 2× (GOGC 500
// instead of 100) trades a larger peak heap, bounded by the work in flight, for a faster writer. A higher
// value only makes the heap larger (docs/performance.md has the measurements).
//
// GOGC is process-wide, so the setting is counted: overlapping bulk writes share it, and the last to end
// restores what was there before.
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

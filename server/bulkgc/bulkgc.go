// Package bulkgc lets bulk writes (a generated population, an import, a transaction Bundle) make the
// garbage collector run less often while they are under way. They allocate a great deal in short-lived
// values — decoded resources, encoded JSON, index rows — so collecting at 4× the live heap instead of 2×
// spends a third of the collector's CPU on them, for a larger peak heap bounded by the work in flight.
package bulkgc

import (
	"runtime/debug"
	"sync"
)

// Percent is GOGC while bulk writes run.
const Percent = 300

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
		loads.percent = debug.SetGCPercent(Percent)
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

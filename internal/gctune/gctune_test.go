package gctune

import (
	"runtime/debug"
	"testing"
)

// Overlapping bulk writes each lower the collector's frequency; the last to end restores the setting,
// and a restore called twice counts once.
func TestLessRestoresAfterOverlappingWrites(t *testing.T) {
	before := debug.SetGCPercent(123)
	defer debug.SetGCPercent(before)
	a := Less()
	b := Less()
	a()
	a()
	if got := debug.SetGCPercent(bulkPercent); got != bulkPercent {
		t.Errorf("with one bulk write still running GOGC is %d", got)
	}
	b()
	if got := debug.SetGCPercent(123); got != 123 {
		t.Errorf("after both GOGC is %d, want 123", got)
	}
}

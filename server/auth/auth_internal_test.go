package auth

import (
	"testing"
	"time"
)

func TestRecordIDsSortByTimeAndDiffer(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 1, 2, 3, 0, time.UTC)
	a, b, c := recordID(t0), recordID(t0), recordID(t0.Add(time.Millisecond))
	if a == b {
		t.Errorf("two ids of the same millisecond are equal: %s", a)
	}
	if !(a < c && b < c) {
		t.Errorf("ids do not sort by time: %s, %s then %s", a, b, c)
	}
	if len(a) != 12+22 {
		t.Errorf("id %q has %d characters, want 34 (12 hex digits of time, 16 random bytes)", a, len(a))
	}
}

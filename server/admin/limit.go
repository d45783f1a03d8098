package admin

import (
	"sync"
	"time"
)

// limiter is a token bucket per client address: burst attempts at once, then one per every. Buckets that
// have refilled are forgotten once there are many, so a flood of addresses cannot grow it without bound.
type limiter struct {
	mu      sync.Mutex
	burst   float64
	every   time.Duration
	now     func() time.Time
	buckets map[string]bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

const maxBuckets = 4096

func newLimiter(burst int, every time.Duration, now func() time.Time) *limiter {
	return &limiter{burst: float64(burst), every: every, now: now, buckets: map[string]bucket{}}
}

// allow takes one attempt from key's bucket; when it is empty it says how long until the next one.
func (l *limiter) allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		b = bucket{tokens: l.burst, at: now}
	}
	b.tokens = min(l.burst, b.tokens+float64(now.Sub(b.at))/float64(l.every))
	b.at = now
	if b.tokens < 1 {
		l.buckets[key] = b
		return false, time.Duration((1 - b.tokens) * float64(l.every))
	}
	b.tokens--
	if len(l.buckets) >= maxBuckets {
		l.forgetFull(now)
	}
	l.buckets[key] = b
	return true, 0
}

// forgetFull drops the buckets that would be full by now: forgetting them changes nothing.
func (l *limiter) forgetFull(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+float64(now.Sub(b.at))/float64(l.every) >= l.burst {
			delete(l.buckets, k)
		}
	}
}

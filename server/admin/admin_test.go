package admin

import (
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

func TestClientAddr(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32")}
	for _, c := range []struct {
		desc, peer, xff string
		trusted         []netip.Prefix
		want            string
	}{
		{"no proxy configured: the header is ignored", "192.0.2.9:1234", "203.0.113.1", nil, "192.0.2.9"},
		{"untrusted peer: the header is ignored", "192.0.2.9:1234", "203.0.113.1", proxies, "192.0.2.9"},
		{"trusted peer: the client it names", "127.0.0.1:1234", "203.0.113.1", proxies, "203.0.113.1"},
		{"a chain of trusted proxies is skipped", "127.0.0.1:1234", "203.0.113.1, 10.1.2.3", proxies, "203.0.113.1"},
		{"a spoofed hop left of the client is not believed", "127.0.0.1:1234", "198.51.100.1, 203.0.113.1", proxies, "203.0.113.1"},
		{"trusted peer without the header", "127.0.0.1:1234", "", proxies, "127.0.0.1"},
		{"a malformed hop stops at the last vouched-for address", "127.0.0.1:1234", "nonsense, 10.1.2.3", proxies, "10.1.2.3"},
		{"IPv4-mapped IPv6 peer", "[::ffff:127.0.0.1]:1234", "203.0.113.1", proxies, "203.0.113.1"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := ClientAddr(r, c.trusted).String(); got != c.want {
			t.Errorf("%s: %s, want %s", c.desc, got, c.want)
		}
	}
}

func TestParseProxy(t *testing.T) {
	for in, want := range map[string]string{"127.0.0.1": "127.0.0.1/32", "10.1.2.3/8": "10.0.0.0/8", "::1": "::1/128"} {
		if p, ok := ParseProxy(in); !ok || p.String() != want {
			t.Errorf("%s: %v %v, want %s", in, p, ok, want)
		}
	}
	for _, bad := range []string{"", "proxy.lan", "10.0.0.0/33"} {
		if _, ok := ParseProxy(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestLimiter: a burst, then one attempt per interval, per key.
func TestLimiter(t *testing.T) {
	now := time.Unix(0, 0)
	l := newLimiter(2, 10*time.Second, func() time.Time { return now })
	for i, want := range []bool{true, true, false} {
		if ok, _ := l.allow("a"); ok != want {
			t.Fatalf("attempt %d: %v", i+1, ok)
		}
	}
	if ok, _ := l.allow("b"); !ok {
		t.Fatal("another address shares a's bucket")
	}
	now = now.Add(5 * time.Second)
	if ok, wait := l.allow("a"); ok || wait != 5*time.Second {
		t.Fatalf("half an interval later: %v, wait %v", ok, wait)
	}
	now = now.Add(5 * time.Second)
	if ok, _ := l.allow("a"); !ok {
		t.Fatal("a full interval later the attempt must be allowed")
	}
}

// TestLimiterForgetsFullBuckets: many addresses do not grow the limiter beyond its bound.
func TestLimiterForgetsFullBuckets(t *testing.T) {
	now := time.Unix(0, 0)
	l := newLimiter(2, time.Second, func() time.Time { return now })
	for i := range maxBuckets * 2 {
		l.allow(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}).String())
		now = now.Add(time.Second)
	}
	if len(l.buckets) > maxBuckets {
		t.Fatalf("%d buckets", len(l.buckets))
	}
}

package admin

import (
	"net/http"
	"net/netip"
	"strings"
)

// ClientAddr is the address of the client that sent r: the connection's peer, unless the peer is a
// trusted reverse proxy (--trusted-proxy), in which case X-Forwarded-For is read from the right — each
// proxy appends the address it received the request from — skipping trusted proxies, and the first
// address that is not one is the client. From any other peer X-Forwarded-For is ignored: anyone can send
// it, and believing it would let a guesser pose as a new address on every sign-in attempt.
func ClientAddr(r *http.Request, trusted []netip.Prefix) netip.Addr {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	addr := peer.Addr().Unmap()
	if !isTrusted(addr, trusted) {
		return addr
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return addr // a malformed entry: the last address a trusted proxy vouched for is the client
		}
		if addr = hop.Unmap(); !isTrusted(addr, trusted) {
			return addr
		}
	}
	return addr
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ParseProxy reads a --trusted-proxy value: an IP address or a CIDR prefix.
func ParseProxy(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

package guard

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHostsAllowed(t *testing.T) {
	h := NewHosts("https://Valet.Example:8443", []string{"sandbox.lan", " box.local:9000 ", ""})
	for host, want := range map[string]bool{
		"127.0.0.1:8765": true, "127.0.0.1": true, "[::1]:8765": true, "::1": true, "10.1.2.3:80": true,
		"localhost": true, "LOCALHOST:8765": true, "app.localhost:3000": true, "localhost.:8765": true,
		"valet.example": true, "valet.example:1": true, "sandbox.lan:8765": true, "box.local": true,
		"evil.example:8765": false, "localhost.evil.example": false, "evillocalhost": false, "": false, ":8765": false,
		"valet.example.evil": false, "127.0.0.1.nip.io": false,
	} {
		if got := h.Allowed(host); got != want {
			t.Errorf("Allowed(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestFirstParty(t *testing.T) {
	const base = "http://127.0.0.1:8765"
	for _, tc := range []struct {
		name, host, origin, site string
		want                     bool
	}{
		{"curl", "127.0.0.1:8765", "", "", true},
		{"panel, same origin", "127.0.0.1:8765", "http://127.0.0.1:8765", "same-origin", true},
		{"panel reached as localhost", "localhost:8765", "http://localhost:8765", "same-origin", true},
		{"panel behind --base-url", "10.0.0.2:8765", "http://127.0.0.1:8765", "", true},
		{"typed in the address bar", "127.0.0.1:8765", "", "none", true},
		{"another port", "127.0.0.1:8765", "http://127.0.0.1:3000", "same-site", false},
		{"another site", "127.0.0.1:8765", "https://evil.example", "cross-site", false},
		{"opaque origin", "127.0.0.1:8765", "null", "cross-site", false},
		{"cross-site without Origin", "127.0.0.1:8765", "", "cross-site", false},
		{"same-site without Origin", "127.0.0.1:8765", "", "same-site", false},
		{"origin of another scheme", "127.0.0.1:8765", "https://127.0.0.1:8765", "", false},
	} {
		r := httptest.NewRequest("POST", "/api/clients", nil)
		r.Host = tc.host
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		if tc.site != "" {
			r.Header.Set("Sec-Fetch-Site", tc.site)
		}
		if got := FirstParty(r, base); got != tc.want {
			t.Errorf("%s: FirstParty = %v, want %v", tc.name, got, tc.want)
		}
	}
	// The desktop window: its requests never cross a network.
	var seen bool
	Window(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { seen = FirstParty(r, base) })).
		ServeHTTP(httptest.NewRecorder(), func() *http.Request {
			r := httptest.NewRequest("POST", "/api/clients", nil)
			r.Host, r.Header["Origin"] = "wails", []string{"wails://wails"}
			return r
		}())
	if !seen {
		t.Error("a request from the window is not first-party")
	}
}

// BenchmarkHostCheck is what the allow-list adds to every request (docs/performance.md).
func BenchmarkHostCheck(b *testing.B) {
	h := NewHosts("http://127.0.0.1:8765", nil)
	next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	wrapped := h.Wrap(next)
	r := httptest.NewRequest("GET", "/fhir/Patient/1", nil)
	r.Host = "127.0.0.1:8765"
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		wrapped.ServeHTTP(w, r)
	}
}

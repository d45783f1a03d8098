package frontend

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

var builtDist = fstest.MapFS{
	"index.html":              {Data: []byte(`<!doctype html><title>Valet</title><script src="/assets/index-abc123.js"></script>`)},
	"favicon.svg":             {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
	"assets/index-abc123.js":  {Data: []byte(`console.log("valet")`)},
	"assets/index-abc123.css": {Data: []byte(`body{}`)},
	".gitkeep":                {Data: nil},
}

func do(t *testing.T, h http.Handler, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func TestBuiltPanel(t *testing.T) {
	h := newHandler(builtDist)
	tests := []struct {
		desc, method, target string
		status               int
		cache, contentType   string
		bodyHas              string
	}{
		{"root serves index.html, revalidated", "GET", "/", 200, "no-cache", "text/html; charset=utf-8", "<title>Valet</title>"},
		{"index.html by name", "GET", "/index.html", 200, "no-cache", "text/html; charset=utf-8", "<title>Valet</title>"},
		{"hashed script cached for a year", "GET", "/assets/index-abc123.js", 200, "public, max-age=31536000, immutable", "text/javascript; charset=utf-8", `console.log("valet")`},
		{"hashed stylesheet cached for a year", "GET", "/assets/index-abc123.css", 200, "public, max-age=31536000, immutable", "text/css; charset=utf-8", "body{}"},
		{"public file revalidated", "GET", "/favicon.svg", 200, "no-cache", "image/svg+xml", "<svg"},
		{"HEAD on root", "HEAD", "/", 200, "no-cache", "text/html; charset=utf-8", ""},
		{"unknown asset is 404", "GET", "/assets/missing.js", 404, "", "", ""},
		{"unknown path is 404, not the SPA (routes are hash-based)", "GET", "/nope", 404, "", "", ""},
		{"dotfiles are hidden", "GET", "/.gitkeep", 404, "", "", ""},
		{"directory is not listed", "GET", "/assets/", 404, "", "", ""},
		{"path traversal stays inside dist", "GET", "/../embed.go", 404, "", "", ""},
		{"writes are refused", "POST", "/", 405, "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			rec := do(t, h, tc.method, tc.target)
			if rec.Code != tc.status {
				t.Fatalf("status = %d, want %d; body %q", rec.Code, tc.status, rec.Body.String())
			}
			if tc.status != 200 {
				return
			}
			if got := rec.Header().Get("Cache-Control"); got != tc.cache {
				t.Errorf("Cache-Control = %q, want %q", got, tc.cache)
			}
			if got := rec.Header().Get("Content-Type"); got != tc.contentType {
				t.Errorf("Content-Type = %q, want %q", got, tc.contentType)
			}
			if !strings.Contains(rec.Body.String(), tc.bodyHas) {
				t.Errorf("body %q does not contain %q", rec.Body.String(), tc.bodyHas)
			}
			if tc.method == "HEAD" && rec.Body.Len() != 0 {
				t.Errorf("HEAD returned a body of %d bytes", rec.Body.Len())
			}
		})
	}
}

func TestNotBuiltPanel(t *testing.T) {
	h := newHandler(fstest.MapFS{".gitkeep": {Data: nil}})
	for _, target := range []string{"/", "/assets/index-abc123.js"} {
		rec := do(t, h, "GET", target)
		if rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("GET %s: status = %d, want 503", target, rec.Code)
		}
		body := rec.Body.String()
		for _, want := range []string{"not built", "make run", "npm --prefix frontend ci &amp;&amp; npm --prefix frontend run build"} {
			if !strings.Contains(body, want) {
				t.Errorf("GET %s: page does not mention %q", target, want)
			}
		}
		if got := rec.Header().Get("Content-Type"); got != "text/html; charset=utf-8" {
			t.Errorf("Content-Type = %q", got)
		}
	}
}

// TestEmbeddedDist checks the real embedded files, whichever state the checkout is in: a fresh
// clone (dist holds only .gitkeep) must get the 503 page, a built one must get the panel.
func TestEmbeddedDist(t *testing.T) {
	rec := do(t, Handler(), "GET", "/")
	_, err := fs.Stat(dist, "dist/index.html")
	built := err == nil
	switch {
	case built && rec.Code != http.StatusOK:
		t.Fatalf("dist is built but GET / = %d", rec.Code)
	case built && !strings.Contains(rec.Body.String(), `<div id="app">`):
		t.Fatalf("GET / did not serve the built index.html: %q", rec.Body.String())
	case !built && rec.Code != http.StatusServiceUnavailable:
		t.Fatalf("dist is not built but GET / = %d", rec.Code)
	}
	if Built() != built {
		t.Errorf("Built() = %v, but dist/index.html exists: %v", Built(), built)
	}
	t.Logf("dist built: %v", built)
}

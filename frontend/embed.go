// Package frontend embeds the built control panel (frontend/dist) so the headless server and the
// desktop window serve the same single-page app from one binary.
package frontend

import (
	"embed"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed all:dist
var dist embed.FS

// Handler serves the control panel: index.html at "/", the hashed files under /assets/ with
// long-lived cache headers, and a 503 page explaining how to build the panel when dist was not
// built before `go build` (a fresh clone still compiles and runs).
func Handler() http.Handler { return newHandler(distFiles()) }

// Built reports whether the control panel was built into this binary. When it was not, Handler serves
// only the page explaining how to build it, and `valet serve` says so on start.
func Built() bool { return hasIndex(distFiles()) }

func distFiles() fs.FS {
	files, err := fs.Sub(dist, "dist")
	if err != nil {
		// fs.Sub fails only on an invalid path; "dist" is a constant.
		panic(err)
	}
	return files
}

// hasIndex is the one test of whether files hold a built panel, for Handler and Built alike.
func hasIndex(files fs.FS) bool {
	_, err := fs.Stat(files, "index.html")
	return err == nil
}

// Vite names assets by content hash, so a given URL never changes content and may be cached for
// a year; index.html must be revalidated so a rebuilt binary's new asset names are picked up.
const (
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
)

func newHandler(files fs.FS) http.Handler {
	if !hasIndex(files) {
		return http.HandlerFunc(serveNotBuilt)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if name == "" {
			name = "index.html"
		}
		if strings.HasPrefix(path.Base(name), ".") {
			http.NotFound(w, r) // .gitkeep and other dotfiles are build plumbing, not content.
			return
		}
		cache := cacheRevalidate
		if strings.HasPrefix(name, "assets/") {
			cache = cacheImmutable
		}
		serveFile(w, r, files, name, cache)
	})
}

func serveFile(w http.ResponseWriter, r *http.Request, files fs.FS, name, cache string) {
	f, err := files.Open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || info.IsDir() {
		http.NotFound(w, r)
		return
	}
	content, ok := f.(io.ReadSeeker)
	if !ok {
		http.Error(w, "embedded file is not seekable", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Cache-Control", cache)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	// Embedded files carry no modification time; the zero time makes ServeContent skip Last-Modified.
	http.ServeContent(w, r, name, time.Time{}, content)
}

const notBuiltPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Valet — control panel not built</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#171a21}
code{background:#f1f3f6;padding:.1rem .35rem;border-radius:4px}</style></head>
<body>
<h1>The control panel is not built</h1>
<p>This Valet binary was compiled without the control panel's files (<code>frontend/dist</code> was empty).
The FHIR server, the SMART endpoints and the <code>/api</code> control API still work.</p>
<p>To include the panel, rebuild with <code>make run</code>, or build the frontend first:</p>
<p><code>npm --prefix frontend ci &amp;&amp; npm --prefix frontend run build</code></p>
<p>and then run <code>go build</code> again.</p>
</body>
</html>
`

func serveNotBuilt(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusServiceUnavailable)
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte(notBuiltPage))
	}
}

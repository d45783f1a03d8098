// Package app is the Wails binding of the desktop build: it opens a window whose content is served by
// the same http.Handler that browsers get, and it offers the window a few native actions. It holds no
// sandbox logic of its own.
package app

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// Config is what the window needs from the program.
type Config struct {
	Title string
	// Start brings the sandbox up (listener included) and returns its handler. It runs in OnStartup, not
	// before wails.Run, because `wails build` runs main once to generate bindings and must not start servers.
	Start func(ctx context.Context) (http.Handler, error)
	// Stop shuts the sandbox down when the window closes.
	Stop func()
	// Icon is the window icon (PNG) on Linux.
	Icon []byte
}

// App is bound to the window's JavaScript as window.go.app.App.
type App struct {
	ctx     context.Context
	handler atomic.Pointer[http.Handler]
	cfg     Config
}

// Run opens the window and blocks until it is closed.
func Run(cfg Config) error {
	if cfg.Start == nil || cfg.Stop == nil {
		return errors.New("app: Start and Stop are required")
	}
	a := &App{cfg: cfg}
	var startErr error
	err := wails.Run(&options.App{
		Title:     cfg.Title,
		Width:     1280,
		Height:    820,
		MinWidth:  900,
		MinHeight: 600,
		AssetServer: &assetserver.Options{
			Handler: http.HandlerFunc(a.serve),
		},
		OnStartup: func(ctx context.Context) {
			a.ctx = ctx
			h, err := cfg.Start(ctx)
			if err != nil {
				startErr = err
				runtime.MessageDialog(ctx, runtime.MessageDialogOptions{
					Type: runtime.ErrorDialog, Title: "Valet could not start", Message: err.Error(),
				})
				runtime.Quit(ctx)
				return
			}
			a.handler.Store(&h)
		},
		OnShutdown: func(context.Context) { cfg.Stop() },
		Bind:       []any{a},
		Linux:      &linux.Options{Icon: cfg.Icon, ProgramName: "valet"},
	})
	if err != nil {
		return err
	}
	return startErr
}

// serve hands window requests to the sandbox once it has started.
func (a *App) serve(w http.ResponseWriter, r *http.Request) {
	h := a.handler.Load()
	if h == nil {
		http.Error(w, "Valet is starting…", http.StatusServiceUnavailable)
		return
	}
	(*h).ServeHTTP(w, r)
}

// OpenInBrowser opens url in the user's default browser (for launching apps under test outside the window).
func (a *App) OpenInBrowser(url string) {
	runtime.BrowserOpenURL(a.ctx, url)
}

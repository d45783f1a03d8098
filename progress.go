package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progressPrinter shows long work on stderr: a redrawn bar on a terminal, a line every few seconds
// otherwise (CI logs), and always the final state.
type progressPrinter struct {
	w     io.Writer
	tty   bool
	label string
	start time.Time
	mu    sync.Mutex
	last  time.Time
	shown bool
	note  string // what the work is doing now, when it says ("building search indexes")
}

func newProgress(w io.Writer, label string) *progressPrinter {
	return &progressPrinter{w: w, tty: isTerminal(w), label: label, start: time.Now()}
}

// update shows done of total (total 0: unknown) and a count of resources.
func (p *progressPrinter) update(done, total, resources int) { p.status(done, total, resources, "") }

// status is update with a note on what the work is doing now; a new note is always shown.
func (p *progressPrinter) status(done, total, resources int, note string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	changed := note != p.note
	p.note = note
	p.emit(func() string { return p.line(done, total, resources) }, done == total || changed)
}

// emit shows the line line makes, unless the last one went out too recently and this one need not
// (a final state or a new note always shows). The caller holds p.mu.
func (p *progressPrinter) emit(line func() string, must bool) {
	now := time.Now()
	interval := 5 * time.Second
	if p.tty {
		interval = 100 * time.Millisecond
	}
	if now.Sub(p.last) < interval && !must {
		return
	}
	p.last, p.shown = now, true
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", line())
	} else {
		fmt.Fprintln(p.w, line())
	}
}

func (p *progressPrinter) line(done, total, resources int) string {
	elapsed := time.Since(p.start).Seconds()
	note := ""
	if p.note != "" {
		note = " · " + p.note
	}
	if total <= 0 {
		return fmt.Sprintf("%s %d · %d resources · %.1f s%s", p.label, done, resources, elapsed, note)
	}
	const width = 30
	filled := width * done / total
	return fmt.Sprintf("%s [%s%s] %d/%d · %d resources · %.1f s%s", p.label,
		strings.Repeat("█", filled), strings.Repeat("░", width-filled), done, total, resources, elapsed, note)
}

// bytes shows done of total bytes.
func (p *progressPrinter) bytes(done, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.emit(func() string {
		const width = 30
		filled := 0
		if total > 0 {
			filled = int(width * min(done, total) / total)
		}
		return fmt.Sprintf("%s [%s%s] %.1f/%.1f MB · %.1f s", p.label, strings.Repeat("█", filled), strings.Repeat("░", width-filled),
			float64(done)/1e6, float64(total)/1e6, time.Since(p.start).Seconds())
	}, done == total)
}

// finish ends the bar's line on a terminal.
func (p *progressPrinter) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.shown {
		fmt.Fprintln(p.w)
	}
}

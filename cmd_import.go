package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/valet-sandbox/valet/server/population"
	"github.com/valet-sandbox/valet/synth/fhirio"
)

// importWorkers is how many files `valet import` reads and stores at a time. Each file is one
// transaction; concurrent ones share the single writer's commits while the others are read and
// prepared, and a file in flight is held in memory a few times over, so the number stays small.
const importWorkers = 4

// importPaths stores each file as one transaction, reporting the refused ones and going on with the
// rest. Synthea's hospitalInformation and practitionerInformation files go first, one at a time: the
// patients' files name the practitioners, organizations and locations they create. The other files are
// stored several at a time, so when two of them write the same resource, which is stored last is not
// defined. A file refused only because a conditional reference matched nothing is tried again once the
// others are in, for as long as that stores more.
func importPaths(ctx context.Context, o *offline, paths []string, stdout, stderr io.Writer) error {
	im := &importer{ctx: ctx, o: o, bar: newProgress(stderr, "Importing"), stderr: stderr, total: len(paths)}
	end, err := o.srv.Population().BeginImport(ctx, estimateResources(paths))
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	shared, rest := splitSyntheaShared(paths)
	later, unresolved := im.pass(shared, 1)
	pending := append(later, rest...)
	for len(pending) > 0 && ctx.Err() == nil {
		stored := im.stored
		later, unresolved = im.pass(pending, importWorkers)
		if im.stored == stored || len(later) == 0 {
			break
		}
		pending = later
	}
	for _, err := range unresolved { // nothing more was stored by trying them again: they stay refused
		im.refuse(err)
	}
	if err := end(func(note string) { im.bar.status(im.done, im.total, im.resources, note) }); err != nil {
		im.bar.finish()
		return fmt.Errorf("import: %w", err)
	}
	im.bar.finish()
	fmt.Fprintf(stdout, "Imported %d of %d files (%d resources) into %s\n", im.stored, len(paths), im.resources, o.db.Path())
	if im.refused > 0 {
		return fmt.Errorf("import: %d file(s) were refused and nothing from them was stored; fix them and import those again", im.refused)
	}
	return ctx.Err()
}

// bytesPerResource is about what one resource takes in a file: ~1 KB as compact JSON, more indented (as
// Synthea writes it), about a tenth of that gzip-compressed. It errs high, so the estimate errs low: a small
// import into a large sandbox must never have the large sandbox's indexes rebuilt.
const bytesPerResource = 2048

// estimateResources guesses how many resources the files hold from their sizes.
func estimateResources(paths []string) int {
	var n int64
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil {
			size := st.Size()
			if strings.HasSuffix(strings.ToLower(p), ".gz") {
				size *= 5
			}
			n += size
		}
	}
	return int(n / bytesPerResource)
}

// splitSyntheaShared separates Synthea's hospitalInformation*.json and practitionerInformation*.json
// files from the others, keeping the order of each.
func splitSyntheaShared(paths []string) (shared, rest []string) {
	for _, p := range paths {
		if b := filepath.Base(p); strings.HasPrefix(b, "hospitalInformation") || strings.HasPrefix(b, "practitionerInformation") {
			shared = append(shared, p)
		} else {
			rest = append(rest, p)
		}
	}
	return shared, rest
}

// importer counts and reports what importPaths stores; its methods are safe for concurrent use.
type importer struct {
	ctx    context.Context
	o      *offline
	bar    *progressPrinter
	stderr io.Writer
	total  int

	mu                               sync.Mutex
	stored, refused, done, resources int
}

// pass imports paths with up to workers at a time and returns, in the order of paths, the files refused
// only for a conditional reference that matched nothing, with their errors.
func (im *importer) pass(paths []string, workers int) (later []string, unresolved []error) {
	errs := make([]error, len(paths))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(paths)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = im.file(paths[i])
			}
		}()
	}
	for i := range paths {
		if im.ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			later, unresolved = append(later, paths[i]), append(unresolved, err)
		}
	}
	return later, unresolved
}

// file imports one file. It reports a refusal itself, except for an unresolved conditional reference,
// which it returns.
func (im *importer) file(path string) error {
	f, err := fhirio.ReadFile(path)
	var res population.ImportResult
	if err == nil {
		res, err = im.o.srv.Population().ImportFile(im.ctx, f)
	}
	var ie *population.ImportError
	if errors.As(err, &ie) && ie.Unresolved {
		return err
	}
	if err != nil {
		im.refuse(err)
		return nil
	}
	im.mu.Lock()
	defer im.mu.Unlock()
	im.stored++
	im.done++
	im.resources += res.Resources
	im.bar.update(im.done, im.total, im.resources)
	return nil
}

// refuse reports a file that was not stored.
func (im *importer) refuse(err error) {
	im.mu.Lock()
	defer im.mu.Unlock()
	im.refused++
	im.done++
	im.bar.finish()
	fmt.Fprintf(im.stderr, "valet: import: %v\n", err)
	im.bar.update(im.done, im.total, im.resources)
}

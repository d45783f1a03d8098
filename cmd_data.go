package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/valet-sandbox/valet/server"
	"github.com/valet-sandbox/valet/server/control"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/synth"
	"github.com/valet-sandbox/valet/synth/fhirio"
	"golang.org/x/term"
)

// offline is a sandbox opened without a listener, for the commands that load or dump data.
type offline struct {
	db  *store.DB
	srv *server.Server
}

func openOffline(ctx context.Context, dataDir string) (*offline, error) {
	db, err := openStore(ctx, dataDir)
	if err != nil {
		return nil, err
	}
	// The base URL only decides which absolute references count as local; the default address is the
	// one a later `valet serve` most likely uses.
	srv, err := server.New(server.Config{BaseURL: "http://" + defaultAddr, Version: version, Store: db})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &offline{db: db, srv: srv}, nil
}

func (o *offline) close() error {
	return errors.Join(o.srv.Close(), o.db.Close())
}

func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return usagef("%s: %v: %s", fs.Name(), err, shortUsage)
	}
	return nil
}

func interruptible() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// withOffline opens the sandbox in dataDir without a listener, runs fn until it returns or the user
// interrupts it (Ctrl+C cancels ctx; whole patients and files already stored stay), and closes it.
func withOffline(dataDir string, fn func(ctx context.Context, o *offline) error) error {
	ctx, stop := interruptible()
	defer stop()
	o, err := openOffline(ctx, dataDir)
	if err != nil {
		return err
	}
	return errors.Join(fn(ctx, o), o.close())
}

func cmdGenerate(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("generate")
	var req control.GenerateRequest
	var data string
	fs.IntVar(&req.Patients, "patients", 100, "")
	fs.Int64Var(&req.Seed, "seed", 42, "")
	fs.BoolVar(&req.Personas, "personas", false, "")
	fs.IntVar(&req.Years, "years", synth.DefaultYears, "")
	fs.StringVar(&data, "data", "", "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("generate: unexpected argument %q: %s", fs.Arg(0), shortUsage)
	}
	if err := req.Validate(); err != nil {
		return usagef("generate: %v", err)
	}
	return withOffline(data, func(ctx context.Context, o *offline) error {
		bar := newProgress(stderr, "Generating")
		res, err := o.srv.Population().Generate(ctx, req, func(p control.Progress) { bar.status(p.Done, p.Total, p.Resources, p.Message) })
		bar.finish()
		if err != nil {
			return fmt.Errorf("%w (patients finished before the error are stored)", err)
		}
		fmt.Fprintf(stdout, "Stored %d patients, %d resources in %.1f s (%.0f resources/s) in %s\n",
			res.Patients, res.Resources, res.Seconds, float64(res.Resources)/max(res.Seconds, 1e-9), o.db.Path())
		printByType(stdout, res.ByType)
		return nil
	})
}

func cmdImport(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import")
	var data string
	fs.StringVar(&data, "data", "", "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("import: name the files or directories to import (FHIR Bundles as .json, NDJSON as .ndjson; .gz allowed)")
	}
	paths, err := fhirio.Paths(fs.Args()...)
	if err != nil {
		return usagef("import: %v", err)
	}
	if len(paths) == 0 {
		return usagef("import: no .json, .ndjson or .gz files in %s", strings.Join(fs.Args(), ", "))
	}
	return withOffline(data, func(ctx context.Context, o *offline) error {
		return importPaths(ctx, o, paths, stdout, stderr)
	})
}

func cmdExport(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("export")
	var data, types string
	fs.StringVar(&data, "data", "", "")
	fs.StringVar(&types, "types", "", "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("export: name one directory to write the NDJSON files into, e.g. valet export ./export")
	}
	var typeList []string
	if types != "" {
		typeList = strings.Split(types, ",")
	}
	ctx, stop := interruptible()
	defer stop()
	db, err := openStore(ctx, data)
	if err != nil {
		return err
	}
	defer db.Close()
	counts, err := db.CountByType(ctx)
	if err != nil {
		return err
	}
	total := 0
	for _, t := range typeList {
		total += counts[t]
	}
	if len(typeList) == 0 {
		for _, n := range counts {
			total += n
		}
	}
	w, err := fhirio.NewNDJSONWriter(fs.Arg(0))
	if err != nil {
		return usagef("export: cannot write to %s: %v", fs.Arg(0), err)
	}
	bar := newProgress(stderr, "Exporting")
	done := 0
	err = db.EachResource(ctx, typeList, func(r store.Resource) error {
		done++
		bar.update(done, total, done)
		return w.Write(synth.Resource{Type: r.Type, ID: r.ID, JSON: r.JSON})
	})
	bar.finish()
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(stdout, "Exported %d resources to %s\n", done, fs.Arg(0))
	printByType(stdout, w.Counts())
	return nil
}

func cmdReset(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("reset")
	var data string
	var yes bool
	fs.StringVar(&data, "data", "", "")
	fs.BoolVar(&yes, "yes", false, "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if !yes {
		if !isTerminal(stdin) {
			return usagef("reset deletes every FHIR resource in the sandbox and loads the default population again: pass --yes to confirm")
		}
		fmt.Fprint(stderr, "This deletes every FHIR resource in the sandbox and loads the default population again.\nRegistered apps and keys stay. Type yes to continue: ")
		answer, _ := bufio.NewReader(stdin).ReadString('\n')
		if strings.TrimSpace(answer) != "yes" {
			return usagef("reset: not confirmed, nothing changed")
		}
	}
	return withOffline(data, func(ctx context.Context, o *offline) error {
		bar := newProgress(stderr, "Resetting")
		res, err := o.srv.Population().Reset(ctx, func(p control.Progress) { bar.status(p.Done, p.Total, p.Resources, p.Message) })
		bar.finish()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Reset %s: the default population is back (%d patients, %d resources, %.1f s)\n", o.db.Path(), res.Patients, res.Resources, res.Seconds)
		return nil
	})
}

// isTerminal reports whether v is an interactive terminal (not a pipe, a file, or /dev/null).
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func printByType(w io.Writer, byType map[string]int) {
	types := make([]string, 0, len(byType))
	for t := range byType {
		types = append(types, t)
	}
	sort.Slice(types, func(i, j int) bool {
		return byType[types[i]] > byType[types[j]] || (byType[types[i]] == byType[types[j]] && types[i] < types[j])
	})
	for _, t := range types {
		fmt.Fprintf(w, "  %-22s %d\n", t, byType[t])
	}
}

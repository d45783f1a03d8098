package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/valet-sandbox/valet/server"
	"github.com/valet-sandbox/valet/server/population"
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
	c := newCommand("generate", "valet generate [flags]",
		"Add synthetic patients, each with years of clinical history, to the sandbox.")
	var req population.GenerateRequest
	var data string
	c.fs.IntVar(&req.Patients, "patients", 100, fmt.Sprintf("add `N` patients, 0 to %d", population.MaxPatients))
	c.fs.Int64Var(&req.Seed, "seed", 42, "generate from `SEED`: the same seed gives the same patients")
	c.fs.BoolVar(&req.Personas, "personas", false, "also add the edge-case personas (newborn, centenarian, deceased, …)")
	c.fs.IntVar(&req.Years, "years", synth.DefaultYears, fmt.Sprintf("give each patient `Y` years of history, 1 to %d", population.MaxYears))
	c.fs.StringVar(&req.AsOf, "as-of", "", "end the records before `DATE` (YYYY-MM-DD), the data's \"now\" (default "+synth.DefaultReference.Format(population.AsOfLayout)+")")
	dataFlag(c.fs, &data)
	if err := c.parseNone(args, stdout); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return usagef("generate: %v", err)
	}
	return withOffline(data, func(ctx context.Context, o *offline) error {
		bar := newProgress(stderr, "Generating")
		res, err := o.srv.Population().Generate(ctx, req, func(p population.Progress) { bar.status(p.Done, p.Total, p.Resources, p.Message) })
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
	c := newCommand("import", "valet import [flags] PATH...",
		"Load FHIR Bundles (transaction, batch, collection) and NDJSON files, or the directories holding them, storing each file whole or not at all.")
	var data string
	dataFlag(c.fs, &data)
	names, err := c.parse(args, stdout)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return usagef("import: name the files or directories to import (FHIR Bundles as .json, NDJSON as .ndjson; .gz allowed)")
	}
	paths, err := fhirio.Paths(names...)
	if err != nil {
		return usagef("import: %v", err)
	}
	if len(paths) == 0 {
		return usagef("import: no .json, .ndjson or .gz files in %s", strings.Join(names, ", "))
	}
	return withOffline(data, func(ctx context.Context, o *offline) error {
		return importPaths(ctx, o, paths, stdout, stderr)
	})
}

func cmdExport(args []string, stdout, stderr io.Writer) error {
	c := newCommand("export", "valet export [flags] DIR",
		"Write every resource in the sandbox as NDJSON into DIR, one <Type>.ndjson file per resource type.")
	var data, types string
	dataFlag(c.fs, &data)
	c.fs.StringVar(&types, "types", "", "export only the resource types `T1,T2` (default: all)")
	rest, err := c.parse(args, stdout)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("export: name one directory to write the NDJSON files into, e.g. valet export ./export")
	}
	dir := rest[0]
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
	w, err := fhirio.NewNDJSONWriter(dir)
	if err != nil {
		return usagef("export: cannot write to %s: %v", dir, err)
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
	fmt.Fprintf(stdout, "Exported %d resources to %s\n", done, dir)
	printByType(stdout, w.Counts())
	return nil
}

func cmdReset(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	c := newCommand("reset", "valet reset [flags]",
		"Delete every FHIR resource in the sandbox and load the default population again; registered apps and keys stay.")
	var data string
	var yes bool
	dataFlag(c.fs, &data)
	c.fs.BoolVar(&yes, "yes", false, "reset without asking for confirmation")
	if err := c.parseNone(args, stdout); err != nil {
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
		res, err := o.srv.Population().Reset(ctx, func(p population.Progress) { bar.status(p.Done, p.Total, p.Resources, p.Message) })
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

// Package synth generates synthetic patients as FHIR R4 resources shaped by US Core 6.1: deterministic
// (the same Options give byte-identical output on every machine), clinically coherent (conditions drive
// measured values and treatment) and fast (records are built in parallel and streamed, one batch per
// patient). It depends on no server package: the caller stores what it emits.
package synth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"time"
)

// Resource is one generated FHIR resource. JSON is the complete resource, compact.
type Resource struct {
	Type string
	ID   string
	JSON json.RawMessage
}

// Options controls what Generate produces. The zero value of each field means its default.
type Options struct {
	// Patients is the number of randomly drawn patients (0 is allowed: personas only).
	Patients int
	// Seed fixes every random choice. Different seeds give different resource ids, so two populations
	// can live side by side in one store.
	Seed int64
	// Personas adds every edge-case persona (see Personas()).
	Personas bool
	// OnlyPersonas adds the named personas (in addition to Patients), e.g. []string{"newborn"}.
	OnlyPersonas []string
	// Years is the span of each record before Reference; default 10.
	Years int
	// Reference is the fixed "now" of the data; default DefaultReference. The wall clock is never read.
	Reference time.Time
	// Workers bounds the goroutines building records; default GOMAXPROCS. It never changes the output.
	Workers int
}

// DefaultReference is the "now" of generated data unless Options.Reference says otherwise.
var DefaultReference = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Defaults of the population a new sandbox is seeded with.
const (
	DefaultPatients = 25
	DefaultSeed     = 1
	DefaultYears    = 10
	// MaxPatients bounds one call; larger populations are several calls with different seeds.
	MaxPatients = 1_000_000
)

// DefaultOptions is the default population: 25 patients plus all personas, fixed seed.
func DefaultOptions() Options {
	return Options{Patients: DefaultPatients, Seed: DefaultSeed, Personas: true, Years: DefaultYears, Reference: DefaultReference}
}

// Progress is reported after each emitted batch.
type Progress struct {
	Done      int // patient records emitted (a persona counts as one record)
	Total     int // records to emit
	Resources int // resources emitted so far, shared pool included
}

// ErrUnknownPersona is wrapped by Generate when OnlyPersonas names no persona.
var ErrUnknownPersona = errors.New("synth: unknown persona")

func (o Options) normalized() (Options, error) {
	if o.Patients < 0 || o.Patients > MaxPatients {
		return o, fmt.Errorf("synth: patients must be between 0 and %d, got %d", MaxPatients, o.Patients)
	}
	if o.Years == 0 {
		o.Years = DefaultYears
	}
	if o.Years < 1 || o.Years > 100 {
		return o, fmt.Errorf("synth: years must be between 1 and 100, got %d", o.Years)
	}
	if o.Reference.IsZero() {
		o.Reference = DefaultReference
	}
	o.Reference = o.Reference.UTC()
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	for _, name := range o.OnlyPersonas {
		if personaIndex(name) < 0 {
			return o, fmt.Errorf("%w %q (known: %v)", ErrUnknownPersona, name, Personas())
		}
	}
	return o, nil
}

// personasWanted lists the personas to build, in catalog order, each once.
func (o Options) personasWanted() []int {
	var idx []int
	for i, p := range personaCatalog {
		if o.Personas || slices.Contains(o.OnlyPersonas, p.Name) {
			idx = append(idx, i)
		}
	}
	return idx
}

// Generate builds the population described by opt and hands it to emit: first the shared pool
// (Organizations, Locations, Practitioners, PractitionerRoles, Medications) as one batch, then one batch
// per patient record in a fixed order (random patients by index, then personas in catalog order), then
// the population's Groups as a last batch, so the caller can store each batch in one transaction. Only
// record batches hold a Patient. Batches are built in parallel but emitted in order; at most a few
// per worker are held at once, so memory stays flat as Patients grows. emit must not keep the slice (it is
// not reused, but holding every batch defeats the streaming). progress may be nil.
func Generate(ctx context.Context, opt Options, emit func(batch []Resource) error, progress func(Progress)) error {
	opt, err := opt.normalized()
	if err != nil {
		return err
	}
	g := newGenerator(opt)
	personas := opt.personasWanted()
	total := opt.Patients + len(personas)
	resources := len(g.pool.resources)
	if err := emit(g.pool.resources); err != nil {
		return err
	}
	report := func(done int) {
		if progress != nil {
			progress(Progress{Done: done, Total: total, Resources: resources})
		}
	}
	report(0)

	build := func(i int) built {
		if i < opt.Patients {
			return g.randomPatient(i)
		}
		return g.persona(personas[i-opt.Patients])
	}
	var members []member
	err = ordered(ctx, total, opt.Workers, build, func(i int, b built) error {
		if err := emit(b.batch); err != nil {
			return err
		}
		members = append(members, b.members...)
		resources += len(b.batch)
		report(i + 1)
		return nil
	})
	if err != nil {
		return err
	}
	groups := g.groups(members)
	if err := emit(groups); err != nil {
		return err
	}
	resources += len(groups)
	report(total)
	return nil
}

// built is one record's batch and its Patients as the population's Groups see them.
type built struct {
	batch   []Resource
	members []member
}

// Personas names every edge-case persona, in the order Generate emits them.
func Personas() []string {
	names := make([]string, len(personaCatalog))
	for i, p := range personaCatalog {
		names[i] = p.Name
	}
	return names
}

func personaIndex(name string) int {
	for i, p := range personaCatalog {
		if p.Name == name {
			return i
		}
	}
	return -1
}

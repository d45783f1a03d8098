package synth

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"time"

	"github.com/brianvoe/gofakeit/v7"
)

// generator holds what every record of one population shares; it is read-only once built, so records can
// be built concurrently.
type generator struct {
	opt  Options
	tag  string
	pool *pool
}

func newGenerator(opt Options) *generator {
	g := &generator{opt: opt, tag: populationTag(opt.Seed)}
	g.pool = buildPool(g)
	return g
}

// record accumulates the resources of one patient record (one emitted batch).
type record struct {
	g    *generator
	key  string // the patient's id and the prefix of every id in the record
	seq  int
	rng  *rand.Rand
	fake *gofakeit.Faker
	out  []Resource
	buf  bytes.Buffer
	enc  *json.Encoder
	// targets are the references Provenance lists.
	targets []Reference
	// base holds the patient's per-measurement positions (see drift) and lab baselines.
	base map[string]int64
	// persona names the edge-case persona this record is ("" for random patients); its Patients are tagged.
	persona string
	// chronicIDs are the Condition ids of person.chronic, in order.
	chronicIDs []string
	// referred is the index in person.chronic of the condition referred to a specialist (-1: none).
	referred int
	// members lists the record's active Patients for the population's Groups.
	members []member
}

// member is one Patient of a record as the population's Groups see it.
type member struct {
	id                  string
	pediatric, diabetic bool
}

func (g *generator) newRecord(key string) *record {
	rng, fake := sources(g.opt.Seed, key)
	r := &record{g: g, key: key, rng: rng, fake: fake, base: map[string]int64{}}
	r.enc = json.NewEncoder(&r.buf)
	r.enc.SetEscapeHTML(false) // narrative XHTML and names stay readable; JSON stays valid
	return r
}

func (r *record) nextID() string {
	r.seq++
	return childID(r.key, r.seq)
}

// add marshals v (a resource struct) and appends it to the batch.
func (r *record) add(typ, id string, v any) {
	r.buf.Reset()
	if err := r.enc.Encode(v); err != nil {
		// Only the generator's own types are encoded here; failing to encode them is a programming error.
		panic("synth: encode " + typ + ": " + err.Error())
	}
	b := r.buf.Bytes()
	b = bytes.TrimSuffix(b, []byte{'\n'})
	r.out = append(r.out, Resource{Type: typ, ID: id, JSON: bytes.Clone(b)})
	r.targets = append(r.targets, Reference{Reference: typ + "/" + id})
}

func (r *record) now() time.Time { return r.g.opt.Reference }

package fhir

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"maps"
	"strconv"
	"time"
)

// stamp sets id and meta.versionId/lastUpdated, keeping the rest of meta (profile, tag, security).
func stamp(m object, id string, version int64, at time.Time) {
	stampFormatted(m, id, strconv.FormatInt(version, 10), at.UTC().Format(lastUpdatedLayout))
}

// stampFormatted is stamp with the version and lastUpdated already formatted: a batch whose resources
// share both formats them once.
func stampFormatted(m object, id, version, lastUpdated string) {
	m["id"] = id
	meta, _ := m["meta"].(object)
	if meta == nil {
		meta = object{}
	}
	meta["versionId"] = version
	meta["lastUpdated"] = lastUpdated
	delete(meta, "source")
	m["meta"] = meta
}

// lastUpdatedLayout is how stamp writes meta.lastUpdated: always 27 bytes, in UTC.
const lastUpdatedLayout = "2006-01-02T15:04:05.000000Z07:00"

// stampTemplate is a resource encoded ahead of its write transaction, with placeholders where stamp puts
// the version and lastUpdated, which only the transaction knows (the version follows the stored one;
// lastUpdated is the commit's time, so that _since never misses a version committed later with an
// earlier stamp). Filling them in is one copy on the single writer, where nothing else can be written
// meanwhile, instead of encoding the whole resource there.
type stampTemplate struct {
	json        []byte
	version, at int // offsets of the two placeholders' first bytes (inside their quotes)
}

// The placeholders are random per process, so no resource's content can hold them.
var versionMark, updatedMark = newMark("version"), newMark("updated")

func newMark(kind string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "valet-" + kind + "-" + hex.EncodeToString(b)
}

// templateFor encodes m as stamp(m, id, …) would leave it, without changing m; nil if the placeholders
// cannot be found again (they always can).
func templateFor(m object, id string) *stampTemplate {
	c := maps.Clone(m)
	meta, _ := c["meta"].(object)
	if meta = maps.Clone(meta); meta == nil {
		meta = object{}
	}
	c["id"] = id
	meta["versionId"] = versionMark
	meta["lastUpdated"] = updatedMark
	delete(meta, "source")
	c["meta"] = meta
	b := encode(c)
	v := bytes.Index(b, []byte(`"`+versionMark+`"`))
	t := bytes.Index(b, []byte(`"`+updatedMark+`"`))
	if v < 0 || t < 0 {
		return nil
	}
	return &stampTemplate{json: b, version: v + 1, at: t + 1}
}

// fill returns what encode(m) gives after stamp(m, id, version, at).
func (t *stampTemplate) fill(version int64, at time.Time) []byte {
	type part struct {
		off  int
		mark string
		val  []byte
	}
	parts := [2]part{
		{t.version, versionMark, strconv.AppendInt(nil, version, 10)},
		{t.at, updatedMark, at.UTC().AppendFormat(make([]byte, 0, 32), lastUpdatedLayout)},
	}
	if parts[1].off < parts[0].off {
		parts[0], parts[1] = parts[1], parts[0]
	}
	out := make([]byte, 0, len(t.json)+len(parts[0].val)+len(parts[1].val)-len(versionMark)-len(updatedMark))
	last := 0
	for _, p := range parts {
		out = append(out, t.json[last:p.off]...)
		out = append(out, p.val...)
		last = p.off + len(p.mark)
	}
	return append(out, t.json[last:]...)
}

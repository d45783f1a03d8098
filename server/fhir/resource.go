package fhir

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// object is a decoded resource. Numbers stay json.Number so decimals keep their written precision
// (FHIR: 1.50 is not 1.5).
type object = map[string]any

// decode parses one JSON object; a syntax error names its byte offset and line.
func decode(body []byte) (object, *Outcome) {
	if m, ok := parseObject(body); ok {
		return m, nil
	}
	return decodeStd(body)
}

// decodeShared is decode whose strings share one copy of body (parseObjectShared): for a resource decoded
// to be indexed and stored in one batch, whose decoded values are dropped with the batch.
func decodeShared(body []byte) (object, *Outcome) {
	if m, ok := parseObjectShared(body); ok {
		return m, nil
	}
	return decodeStd(body)
}

// decodeStd is decode on encoding/json: the reference for values and the source of error messages.
func decodeStd(body []byte) (object, *Outcome) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m object
	if err := dec.Decode(&m); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line := bytes.Count(body[:min(int(se.Offset), len(body))], []byte("\n")) + 1
			return nil, badRequest("malformed JSON at byte %d (line %d): %v", se.Offset, line, err)
		case errors.As(err, &te):
			return nil, badRequest("the body must be a JSON object, found %s", te.Value)
		case errors.Is(err, io.EOF):
			return nil, badRequest("the body is empty")
		}
		return nil, badRequest("malformed JSON: %v", err)
	}
	if m == nil {
		return nil, badRequest("the body must be a JSON object")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, badRequest("malformed JSON: data after the resource")
	}
	return m, nil
}

// encode writes a resource with resourceType first (as every FHIR example does), the other members in
// key order and without HTML escaping (narrative div stays readable).
func encode(m object) []byte {
	rt, _ := m["resourceType"].(string)
	keys := make([]string, 0, len(m))
	for k := range m {
		if k != "resourceType" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := make([]byte, 0, 1024)
	out = append(out, `{"resourceType":`...)
	out = strconv.AppendQuote(out, rt)
	for _, k := range keys {
		out = append(out, ',')
		out = appendJSONString(out, k)
		out = append(out, ':')
		out = appendJSON(out, m[k])
	}
	m["resourceType"] = rt
	return append(out, '}')
}

// ids makes server-assigned ids: time-ordered (so the (type, id) index grows at its end, which keeps
// inserts fast in a big database) and unique across restarts (a random suffix per process).
type ids struct {
	mu     sync.Mutex
	last   int64
	suffix string
}

func newIDs() *ids {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return &ids{suffix: hex.EncodeToString(b)}
}

func (g *ids) next(now time.Time) string {
	g.mu.Lock()
	n := max(now.UnixMicro(), g.last+1)
	g.last = n
	g.mu.Unlock()
	// %013x without fmt: every request's audit record takes an id.
	h := strconv.FormatInt(n, 16)
	if len(h) < 13 {
		h = "0000000000000"[len(h):] + h
	}
	return h + g.suffix
}

// isForm reports whether a request body is a form (a POST _search).
func isForm(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
}

// mediaOK reports whether a request body's Content-Type is FHIR JSON (or plain JSON, which many clients send).
func mediaOK(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return true
	}
	mt, _, _ := bytes.Cut([]byte(ct), []byte(";"))
	switch string(bytes.TrimSpace(bytes.ToLower(mt))) {
	case "application/fhir+json", "application/json", "application/json+fhir", "application/x-www-form-urlencoded":
		return true
	}
	return false
}

// wantsXML reports whether the client asked only for XML (Accept or _format): answered with 406.
func wantsXML(r *http.Request) bool {
	f := ""
	if strings.Contains(r.URL.RawQuery, "format") { // _format or %5Fformat: most requests skip the parse
		f = r.URL.Query().Get("_format")
	}
	if f != "" {
		return f == "xml" || f == "application/fhir+xml" || f == "application/xml" || f == "text/xml"
	}
	acc := r.Header.Get("Accept")
	if acc == "" {
		return false
	}
	for _, part := range bytes.Split([]byte(acc), []byte(",")) {
		mt, _, _ := bytes.Cut(part, []byte(";"))
		s := string(bytes.TrimSpace(mt))
		if s == "*/*" || s == "application/*" || bytes.Contains(mt, []byte("json")) {
			return false
		}
	}
	return true
}

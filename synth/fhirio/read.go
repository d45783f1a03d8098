// Package fhirio reads FHIR data files for import (Bundles of type transaction, batch, collection, searchset
// or document; NDJSON, one resource per line; a single resource) and writes NDJSON exports, one file per
// resource type. Reading streams: a Bundle is decoded entry by entry and NDJSON line by line, and every
// resource is checked for the structural rules of FHIR JSON (an object with a known resourceType, a valid
// id, no null, empty string, empty array or empty object) with the file, line, entry and element path of
// the first problem. References are left alone: the FHIR server's transaction processing resolves
// urn:uuid: full URLs and conditional references, so each file is handed over as one transaction.
package fhirio

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Entry is one resource (or request) to execute.
type Entry struct {
	Index        int    // position in the Bundle's entry array, or the NDJSON line number
	Line         int    // line of the file where the entry starts
	FullURL      string // Bundle.entry.fullUrl (e.g. urn:uuid:…), kept for reference resolution
	ResourceType string
	ID           string
	Resource     json.RawMessage // nil for a DELETE or GET request

	// Bundle.entry.request, when the Bundle is a transaction or batch.
	Method          string
	URL             string
	IfNoneExist     string
	IfMatch         string
	IfNoneMatch     string
	IfModifiedSince string
}

// Request is the interaction to execute for the entry: the Bundle's own request, else an update of the
// resource's id (PUT Type/id, keeping ids stable across export and import) or a create when it has none.
func (e Entry) Request() (method, url string) {
	if e.Method != "" {
		return e.Method, e.URL
	}
	if e.ID != "" {
		return "PUT", e.ResourceType + "/" + e.ID
	}
	return "POST", e.ResourceType
}

// File is everything read from one file; the caller executes its entries as one transaction.
type File struct {
	Path       string
	Format     string // FormatBundle, FormatNDJSON or FormatResource
	BundleType string // for FormatBundle
	Entries    []Entry
}

const (
	FormatBundle   = "bundle"
	FormatNDJSON   = "ndjson"
	FormatResource = "resource"
)

// Error locates an invalid input: File and Line always, Entry for Bundle entries (-1 otherwise), Path as a
// FHIRPath-like element path (e.g. Bundle.entry[3].resource.name[0].given[0]).
type Error struct {
	File  string
	Line  int
	Entry int
	Path  string
	Msg   string
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d", e.File, e.Line)
	if e.Entry >= 0 {
		fmt.Fprintf(&b, ": entry %d", e.Entry)
	}
	if e.Path != "" {
		fmt.Fprintf(&b, ": %s", e.Path)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

// Paths expands files and directories (recursively, in lexical order) into the importable files: .json,
// .ndjson and .jsonl, optionally gzip-compressed (.gz).
func Paths(args ...string) ([]string, error) {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, a)
			continue
		}
		var found []string
		err = filepath.WalkDir(a, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && importable(p) {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		slices.Sort(found)
		out = append(out, found...)
	}
	return out, nil
}

func importable(name string) bool {
	name = strings.TrimSuffix(strings.ToLower(name), ".gz")
	return strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".ndjson") || strings.HasSuffix(name, ".jsonl")
}

// ReadFile reads a whole file; on error nothing from it is returned.
func ReadFile(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(path, f)
}

// Read reads one file's content; name decides the format (.ndjson/.jsonl are NDJSON, .gz is decompressed).
func Read(name string, r io.Reader) (*File, error) {
	file := &File{Path: name}
	format, btype, err := Walk(name, r, func(e Entry) error {
		file.Entries = append(file.Entries, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	file.Format, file.BundleType = format, btype
	return file, nil
}

// Walk streams the entries of one file to fn, stopping at the first invalid one. It returns the format and,
// for a Bundle, its type.
func Walk(name string, r io.Reader, fn func(Entry) error) (format, bundleType string, err error) {
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, ".gz") {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return "", "", &Error{File: name, Line: 1, Entry: -1, Msg: "not gzip data: " + err.Error()}
		}
		defer zr.Close()
		r = zr
		lower = strings.TrimSuffix(lower, ".gz")
	}
	if strings.HasSuffix(lower, ".ndjson") || strings.HasSuffix(lower, ".jsonl") {
		return FormatNDJSON, "", walkNDJSON(name, r, fn)
	}
	return walkDocument(name, r, fn)
}

func walkNDJSON(name string, r io.Reader, fn func(Entry) error) error {
	br := bufio.NewReaderSize(r, 1<<16)
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(b)) > 0 {
			res := bytes.TrimSpace(b)
			e, verr := checkResource(res, "", json.Valid(res))
			if verr != nil {
				verr.File, verr.Line, verr.Entry = name, line, -1
				return verr
			}
			e.Index, e.Line = line, line
			if err := fn(e); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// lineCounter remembers where newlines are, so a decoder offset can be turned into a line number.
type lineCounter struct {
	r    io.Reader
	off  int64
	nl   []int64
	base int // lines before the counted input starts
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\n' {
			c.nl = append(c.nl, c.off+int64(i))
		}
	}
	c.off += int64(n)
	return n, err
}

func (c *lineCounter) line(off int64) int {
	i, _ := slices.BinarySearch(c.nl, off)
	return c.base + i + 1
}

// walkDocument reads one JSON document: a Bundle (streamed entry by entry) or a single resource.
func walkDocument(name string, r io.Reader, fn func(Entry) error) (string, string, error) {
	lc := &lineCounter{r: r}
	dec := json.NewDecoder(lc)
	syntax := func(err error) error {
		var se *json.SyntaxError
		off := dec.InputOffset()
		if errors.As(err, &se) {
			off = se.Offset
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return &Error{File: name, Line: lc.line(lc.off), Entry: -1, Msg: "unexpected end of JSON"}
		}
		return &Error{File: name, Line: lc.line(off), Entry: -1, Msg: "invalid JSON: " + err.Error()}
	}
	tok, err := dec.Token()
	if err != nil {
		return "", "", syntax(err)
	}
	if tok != json.Delim('{') {
		return "", "", &Error{File: name, Line: lc.line(dec.InputOffset()), Entry: -1, Msg: "expected a JSON object (a Bundle or a resource)"}
	}
	// Read members until "entry"; anything before it is kept so a single resource can be rebuilt.
	members := map[string]json.RawMessage{}
	var order []string
	btype := ""
	var pending []Entry
	sawEntry := false
	entryLine := 0
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return "", "", syntax(err)
		}
		key, _ := t.(string)
		if key == "entry" && string(members["resourceType"]) == `"Bundle"` {
			sawEntry = true
			if err := walkEntries(name, dec, lc, func(e Entry) error {
				if btype == "" {
					pending = append(pending, e) // "type" comes after "entry": check once it is known
					return nil
				}
				return fn(e)
			}, &btype); err != nil {
				return "", "", err
			}
			continue
		}
		valueLine := lc.line(dec.InputOffset())
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return "", "", syntax(err)
		}
		if key == "entry" {
			entryLine = valueLine
		}
		members[key] = v
		order = append(order, key)
		if key == "type" && string(members["resourceType"]) == `"Bundle"` {
			if err := json.Unmarshal(v, &btype); err != nil || !importableBundle[btype] {
				return "", "", &Error{File: name, Line: lc.line(dec.InputOffset()), Entry: -1, Path: "Bundle.type", Msg: fmt.Sprintf("bundle type %s cannot be imported (want transaction, batch, collection, searchset or document)", v)}
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return "", "", syntax(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", "", &Error{File: name, Line: lc.line(dec.InputOffset()), Entry: -1, Msg: "more than one JSON document (use .ndjson for one resource per line)"}
	}

	if t, ok := members["type"]; ok && btype == "" && string(members["resourceType"]) == `"Bundle"` {
		if err := json.Unmarshal(t, &btype); err != nil || !importableBundle[btype] {
			return "", "", &Error{File: name, Line: 1, Entry: -1, Path: "Bundle.type", Msg: fmt.Sprintf("bundle type %s cannot be imported (want transaction, batch, collection, searchset or document)", t)}
		}
	}
	if raw, ok := members["entry"]; ok && string(members["resourceType"]) == `"Bundle"` {
		// "entry" came before "resourceType": walk the buffered array (lines counted from where it began)
		sawEntry = true
		lc2 := &lineCounter{r: bytes.NewReader(raw), base: entryLine - 1}
		if err := walkEntries(name, json.NewDecoder(lc2), lc2, func(e Entry) error {
			pending = append(pending, e)
			return nil
		}, new(string)); err != nil {
			return "", "", err
		}
		delete(members, "entry")
	}
	if string(members["resourceType"]) == `"Bundle"` && (sawEntry || btype != "") {
		if btype == "" {
			return "", "", &Error{File: name, Line: 1, Entry: -1, Path: "Bundle.type", Msg: "missing bundle type"}
		}
		for _, e := range pending {
			if err := checkRequest(name, btype, e); err != nil {
				return "", "", err
			}
			if err := fn(e); err != nil {
				return "", "", err
			}
		}
		return FormatBundle, btype, nil
	}
	// a single resource: rebuild it from its members in their original order
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range order {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(members[k])
	}
	b.WriteByte('}')
	e, verr := checkResource(b.Bytes(), "", true) // rebuilt from decoded members
	if verr != nil {
		verr.File, verr.Line, verr.Entry = name, 1, -1
		return "", "", verr
	}
	e.Line = 1
	return FormatResource, "", fn(e)
}

var importableBundle = map[string]bool{"transaction": true, "batch": true, "collection": true, "searchset": true, "document": true}

type rawEntry struct {
	FullURL  string          `json:"fullUrl"`
	Resource json.RawMessage `json:"resource"`
	Request  *struct {
		Method          string `json:"method"`
		URL             string `json:"url"`
		IfNoneMatch     string `json:"ifNoneMatch"`
		IfModifiedSince string `json:"ifModifiedSince"`
		IfMatch         string `json:"ifMatch"`
		IfNoneExist     string `json:"ifNoneExist"`
	} `json:"request"`
}

func walkEntries(name string, dec *json.Decoder, lc *lineCounter, fn func(Entry) error, btype *string) error {
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return &Error{File: name, Line: lc.line(dec.InputOffset()), Entry: -1, Path: "Bundle.entry", Msg: "must be an array"}
	}
	seen := map[string]int{}
	for i := 0; dec.More(); i++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return &Error{File: name, Line: lc.line(dec.InputOffset()), Entry: i, Msg: "invalid JSON: " + err.Error()}
		}
		start := dec.InputOffset() - int64(len(raw))
		line := lc.line(start)
		path := fmt.Sprintf("Bundle.entry[%d]", i)
		fail := func(p, msg string) error { return &Error{File: name, Line: line, Entry: i, Path: p, Msg: msg} }
		var re rawEntry
		if err := json.Unmarshal(raw, &re); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return fail(path+"."+te.Field, "expected "+te.Type.String()+", got JSON "+te.Value)
			}
			return fail(path, err.Error())
		}
		e := Entry{Index: i, Line: line, FullURL: re.FullURL}
		if re.FullURL != "" {
			if j, dup := seen[re.FullURL]; dup {
				return fail(path+".fullUrl", fmt.Sprintf("duplicate fullUrl %s (also entry %d)", re.FullURL, j))
			}
			seen[re.FullURL] = i
		}
		if re.Request != nil {
			e.Method, e.URL = re.Request.Method, re.Request.URL
			e.IfNoneExist, e.IfMatch, e.IfNoneMatch, e.IfModifiedSince = re.Request.IfNoneExist, re.Request.IfMatch, re.Request.IfNoneMatch, re.Request.IfModifiedSince
		}
		if len(re.Resource) > 0 && string(re.Resource) != "null" {
			r, verr := checkResource(re.Resource, path+".resource", true) // decoded with its entry
			if verr != nil {
				verr.File, verr.Line, verr.Entry = name, line, i
				return verr
			}
			e.ResourceType, e.ID, e.Resource = r.ResourceType, r.ID, r.Resource
		}
		if *btype != "" {
			if err := checkRequest(name, *btype, e); err != nil {
				return err
			}
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return &Error{File: name, Line: lc.line(dec.InputOffset()), Entry: -1, Path: "Bundle.entry", Msg: "invalid JSON: " + err.Error()}
	}
	return nil
}

var methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}

// checkRequest applies the Bundle rules: a transaction or batch entry says what to do (request.method and
// url), and brings a resource when it creates or updates one; other Bundles carry resources only.
func checkRequest(name, btype string, e Entry) error {
	path := fmt.Sprintf("Bundle.entry[%d]", e.Index)
	fail := func(p, msg string) error { return &Error{File: name, Line: e.Line, Entry: e.Index, Path: p, Msg: msg} }
	if btype == "transaction" || btype == "batch" {
		switch {
		case e.Method == "":
			return fail(path+".request.method", "missing in a "+btype+" bundle")
		case !slices.Contains(methods, e.Method):
			return fail(path+".request.method", fmt.Sprintf("%q is not an HTTP verb FHIR allows", e.Method))
		case e.URL == "":
			return fail(path+".request.url", "missing in a "+btype+" bundle")
		case (e.Method == "POST" || e.Method == "PUT") && e.Resource == nil:
			return fail(path+".resource", e.Method+" without a resource")
		}
		return nil
	}
	if e.Resource == nil {
		return fail(path+".resource", "missing in a "+btype+" bundle")
	}
	return nil
}

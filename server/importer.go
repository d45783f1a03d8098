package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/valet-sandbox/valet/server/fhir"
	"github.com/valet-sandbox/valet/synth/fhirio"
)

// ImportResult is what one imported file stored.
type ImportResult struct {
	Path      string
	Resources int
}

// ImportError locates why a file was refused; nothing from that file was stored.
type ImportError struct {
	Path  string
	Line  int // 0 when unknown
	Entry int // -1 when not a Bundle entry
	Msg   string
	// Unresolved: a conditional reference (Practitioner?identifier=…) matched nothing. Another file
	// may create what it names: Synthea's patient files refer to the practitioners and organizations of
	// its practitionerInformation and hospitalInformation files.
	Unresolved bool
}

func (e *ImportError) Error() string {
	var where strings.Builder
	where.WriteString(e.Path)
	if e.Line > 0 {
		where.WriteString(":" + strconv.Itoa(e.Line))
	}
	if e.Entry >= 0 {
		where.WriteString(" (entry " + strconv.Itoa(e.Entry) + ")")
	}
	return where.String() + ": " + e.Msg + "; nothing from this file was stored"
}

var entryIndex = regexp.MustCompile(`Bundle\.entry\[(\d+)\]`)

// ImportFile stores everything in one file as a single FHIR transaction, whatever its format (a transaction,
// batch or collection Bundle, NDJSON, or one resource): either all of it is stored, with urn:uuid and
// conditional references resolved, or none of it.
func (p *Population) ImportFile(ctx context.Context, f *fhirio.File) (ImportResult, error) {
	type request struct {
		Method          string `json:"method"`
		URL             string `json:"url"`
		IfNoneExist     string `json:"ifNoneExist,omitempty"`
		IfMatch         string `json:"ifMatch,omitempty"`
		IfNoneMatch     string `json:"ifNoneMatch,omitempty"`
		IfModifiedSince string `json:"ifModifiedSince,omitempty"`
	}
	type entry struct {
		FullURL  string          `json:"fullUrl,omitempty"`
		Resource json.RawMessage `json:"resource,omitempty"`
		Request  request         `json:"request"`
	}
	bundle := struct {
		ResourceType string  `json:"resourceType"`
		Type         string  `json:"type"`
		Entry        []entry `json:"entry"`
	}{ResourceType: "Bundle", Type: "transaction", Entry: make([]entry, len(f.Entries))}
	for i, e := range f.Entries {
		method, url := e.Request()
		bundle.Entry[i] = entry{FullURL: e.FullURL, Resource: e.Resource, Request: request{Method: method, URL: url,
			IfNoneExist: e.IfNoneExist, IfMatch: e.IfMatch, IfNoneMatch: e.IfNoneMatch, IfModifiedSince: e.IfModifiedSince}}
	}
	body, err := json.Marshal(bundle)
	if err != nil {
		return ImportResult{}, err
	}
	if _, err := p.FHIR.TransactionBundle(ctx, body); err != nil {
		ie := &ImportError{Path: f.Path, Entry: -1, Msg: err.Error()}
		var o *fhir.Outcome
		if errors.As(err, &o) {
			ie.Msg = outcomeText(o)
			ie.Unresolved = o.Status == http.StatusPreconditionFailed && len(o.Issues) > 0 && o.Issues[0].Code == "not-found"
		}
		if m := entryIndex.FindStringSubmatch(ie.Msg); m != nil {
			if i, _ := strconv.Atoi(m[1]); i < len(f.Entries) {
				ie.Line, ie.Entry = f.Entries[i].Line, f.Entries[i].Index
				ie.Msg = entryIndex.ReplaceAllString(ie.Msg, "entry")
			}
		}
		return ImportResult{}, ie
	}
	return ImportResult{Path: f.Path, Resources: len(f.Entries)}, nil
}

func outcomeText(o *fhir.Outcome) string {
	var parts []string
	for _, is := range o.Issues {
		s := is.Diagnostics
		if len(is.Expression) > 0 && !strings.Contains(s, is.Expression[0]) {
			s += " (at " + strings.Join(is.Expression, ", ") + ")"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return fmt.Sprintf("HTTP %d", o.Status)
	}
	return strings.Join(parts, "; ")
}

// Package search turns the query of a FHIR search (http://hl7.org/fhir/R4/search.html) into store
// conditions and result options. It knows parameter syntax (modifiers, prefixes, chains, _has, comma = OR,
// repetition = AND); which parameters exist and what they index comes from package spec.
package search

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/valet-sandbox/valet/server/fhir/spec"
	"github.com/valet-sandbox/valet/server/store"
)

// Error is a search the server cannot run: a parameter it cannot understand (Code CodeInvalid), one
// beyond a limit (CodeTooCostly, limits.go), or a query too long to read (CodeTooLong, no Param). The
// server answers an OperationOutcome with Code as the issue type and Param as its expression.
type Error struct {
	Param, Msg string
	Code       string
}

func (e *Error) Error() string {
	if e.Param == "" {
		return e.Msg
	}
	return "search parameter " + e.Param + ": " + e.Msg
}

func errf(param, format string, args ...any) *Error {
	return &Error{Param: param, Msg: fmt.Sprintf(format, args...), Code: CodeInvalid}
}

// Include is one _include or _revinclude: Source:Param[:Target], with :iterate.
type Include struct {
	Source, Param, Target string
	Iterate               bool
}

// Rows names the reference rows an _include follows, and the target type they must point at ("" for
// any): the parameter's own, or those of the parameter it is stored as (spec.RefRows).
func (inc Include) Rows() (param, target string) {
	p, ok := spec.Lookup(inc.Source, inc.Param)
	if !ok {
		return inc.Param, inc.Target // "*": every reference
	}
	if rows, only := spec.RefRows(inc.Source, p); only != "" && (inc.Target == "" || inc.Target == only) {
		return rows, only
	}
	return inc.Param, inc.Target
}

// RevRows names the reference rows a _revinclude follows, and the one type of resource they can point
// at through the parameter ("" for any).
func (inc Include) RevRows() (param, only string) {
	p, ok := spec.Lookup(inc.Source, inc.Param)
	if !ok {
		return inc.Param, ""
	}
	return spec.RefRows(inc.Source, p)
}

// Request is a parsed search.
type Request struct {
	Type        string
	Where       []store.Cond
	Sort        []store.SortKey
	Count       int    // page size
	Total       string // "none" | "accurate" | "estimate" ("" = none)
	Summary     string // "" | "true" | "count" | "data" | "text" | "false"
	Elements    []string
	Includes    []Include
	RevIncludes []Include
	After       int64 // keyset cursor without _sort (see store.Query)
	Before      int64
	AfterKey    *store.Key // keyset cursor with _sort (cursor.go)
	BeforeKey   *store.Key
	Unknown     []string // parameters ignored because this server does not know them
	// Params are the understood criteria and result parameters, to build self/next links from.
	Params url.Values
}

// Limits for _count.
const (
	DefaultCount = 50
	MaxCount     = 1000
)

// Options carry what parsing needs from the server.
type Options struct {
	Base string    // FHIR base URL: absolute references to it are local
	Now  time.Time // for ap (approximately)
}

var resultParams = map[string]bool{"_count": true, "_sort": true, "_include": true, "_revinclude": true,
	"_summary": true, "_elements": true, "_total": true, "_format": true, "_pretty": true,
	"_after": true, "_before": true}

// Parse parses the search query q over resources of typ, within the limits of limits.go.
func Parse(typ string, q url.Values, opt Options) (*Request, error) {
	keys := make([]string, 0, len(q))
	var n counts
	for k, vs := range q {
		keys = append(keys, k)
		n.add(k, vs)
	}
	if err := n.check(q); err != nil {
		return nil, err
	}
	r := &Request{Type: typ, Count: DefaultCount, Params: url.Values{}}
	sort.Strings(keys)
	terms := 0 // the criteria's store.Cond.Terms, against MaxTerms
	for _, key := range keys {
		if key == "_after" || key == "_before" {
			continue // read once _sort is known
		}
		for _, val := range q[key] {
			n := len(r.Where)
			known, err := r.parseOne(typ, key, val, opt)
			if err != nil {
				return nil, err
			}
			if len(r.Where) > n {
				if terms += r.Where[n].Terms(); terms > MaxTerms {
					return nil, checkTerms(key, terms)
				}
			}
			if !known {
				r.Unknown = append(r.Unknown, key)
				continue
			}
			if key != "_format" && key != "_pretty" {
				r.Params.Add(key, val)
			}
		}
	}
	if err := r.resolveCursors(q.Get("_after"), q.Get("_before")); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Request) parseOne(typ, key, val string, opt Options) (bool, error) {
	if resultParams[key] {
		return true, r.parseResult(typ, key, val)
	}
	c, known, err := Criterion(typ, key, val, opt)
	if err != nil || !known {
		return known, err
	}
	r.Where = append(r.Where, c)
	return true, nil
}

func (r *Request) parseResult(typ, key, val string) error {
	atoi := func() (int, error) {
		n, err := strconv.Atoi(val)
		if err != nil || n < 0 {
			return 0, errf(key, "%q is not a non-negative integer", val)
		}
		return n, nil
	}
	var err error
	switch key {
	case "_count":
		if r.Count, err = atoi(); err == nil && r.Count > MaxCount {
			r.Count = MaxCount
		}
	case "_total":
		if val != "none" && val != "accurate" && val != "estimate" {
			return errf(key, "must be none, estimate or accurate")
		}
		r.Total = val
	case "_summary":
		switch val {
		case "true", "false", "count", "data", "text":
			r.Summary = val
		default:
			return errf(key, "must be true, false, count, data or text")
		}
	case "_elements":
		for e := range strings.SplitSeq(val, ",") {
			if e = strings.TrimSpace(e); e != "" {
				r.Elements = append(r.Elements, e)
			}
		}
	case "_sort":
		return r.parseSort(typ, val)
	case "_include", "_revinclude":
		return r.parseInclude(typ, key, val)
	}
	return err
}

func (r *Request) parseSort(typ, val string) error {
	for k := range strings.SplitSeq(val, ",") {
		desc := strings.HasPrefix(k, "-")
		name := strings.TrimPrefix(k, "-")
		switch name {
		case "_id", "_lastUpdated":
			r.Sort = append(r.Sort, store.SortKey{Param: name, Desc: desc})
			continue
		}
		p, ok := spec.Lookup(typ, name)
		if !ok {
			return errf("_sort", "%s has no search parameter %q", typ, name)
		}
		key := store.SortKey{Kind: kindOf(p.Type), Param: name, Desc: desc, Params: spec.TokenUnion(typ, p)}
		if p.Type == spec.ReferenceParam {
			key.Param, key.TargetType = spec.RefRows(typ, p)
		}
		r.Sort = append(r.Sort, key)
	}
	return nil
}

func (r *Request) parseInclude(typ, key, val string) error {
	iterate := false
	if v, ok := strings.CutSuffix(val, ":iterate"); ok {
		val, iterate = v, true
	}
	parts := strings.Split(val, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return errf(key, "%q is not Type:param[:target]", val)
	}
	inc := Include{Source: parts[0], Param: parts[1], Iterate: iterate}
	if len(parts) == 3 {
		inc.Target = parts[2]
	}
	if inc.Param != "*" {
		p, ok := spec.Lookup(inc.Source, inc.Param)
		if !ok || p.Type != spec.ReferenceParam {
			return errf(key, "%s has no reference search parameter %q", inc.Source, inc.Param)
		}
	}
	if key == "_include" {
		if inc.Source != typ && !iterate {
			return errf(key, "%q does not start from %s", val, typ)
		}
		r.Includes = append(r.Includes, inc)
	} else {
		r.RevIncludes = append(r.RevIncludes, inc)
	}
	return nil
}

func kindOf(t spec.ParamType) store.IndexKind {
	switch t {
	case spec.TokenParam:
		return store.KindToken
	case spec.StringParam, spec.URIParam:
		return store.KindString
	case spec.DateParam:
		return store.KindDate
	case spec.ReferenceParam:
		return store.KindReference
	default:
		return store.KindNumber
	}
}

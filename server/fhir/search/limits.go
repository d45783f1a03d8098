package search

import (
	"net/url"
	"strconv"
	"strings"
)

// Limits on one search (docs/fhir.md, "Search limits"). Each keeps the SQL a search becomes well within
// what SQLite accepts — 500 SELECTs in a UNION (SQLITE_MAX_COMPOUND_SELECT), expressions 1,000 deep
// (SQLITE_MAX_EXPR_DEPTH), 32,766 bound parameters (SQLITE_MAX_VARIABLE_NUMBER), LIKE patterns of 50,000
// bytes (SQLITE_MAX_LIKE_PATTERN_LENGTH) — and far above what an app asks. A search beyond one is refused
// while it is parsed, with a 400 naming the limit, instead of failing in SQLite as a 500.
const (
	// MaxQueryLength bounds a search's query in bytes: the URL's, a POST _search form with it, or the
	// query of a conditional reference. It bounds every value too, so a :contains pattern stays within
	// LIKE's limit even when every byte is escaped.
	MaxQueryLength = 16 << 10
	// MaxSortKeys bounds the keys of _sort (each is a subquery per candidate row).
	MaxSortKeys = 16
	// MaxValues bounds the comma-separated values (OR) of one parameter. A value of a token union
	// (combo-code) drives the search as two SELECTs of a UNION, and 2 × 200 stays under SQLite's 500.
	MaxValues = 200
	// MaxCriteria bounds the parameters a search ANDs, each repetition counted, known to this server or
	// not.
	MaxCriteria = 100
	// MaxTerms bounds what the criteria expand to (store.Cond.Terms): their values, times the types a
	// chain or a reference's :identifier can reach, times the parameters a token union reads. A term
	// binds at most five parameters, twice when it drives the search: 2,000 stay under SQLite's 32,766.
	MaxTerms = 2000
	// MaxChainDepth bounds the references one criterion follows, chained (patient.organization.name) and
	// reverse chained (_has) together.
	MaxChainDepth = 4
	// MaxIncludes bounds _include and _revinclude together (each is a query per page, two with :iterate).
	MaxIncludes = 32
)

// Issue types (http://hl7.org/fhir/R4/valueset-issue-type.html) of Error.Code.
const (
	CodeInvalid   = "invalid"    // the search is malformed
	CodeTooCostly = "too-costly" // the search is beyond a limit
	CodeTooLong   = "too-long"   // the query is longer than MaxQueryLength
)

func limitf(param, format string, args ...any) *Error {
	e := errf(param, format, args...)
	e.Code = CodeTooCostly
	return e
}

// CheckQueryLength refuses a query string longer than MaxQueryLength.
func CheckQueryLength(raw string) error {
	if len(raw) > MaxQueryLength {
		return &Error{Code: CodeTooLong,
			Msg: "the search query is " + strconv.Itoa(len(raw)) + " bytes long; this server reads at most " + strconv.Itoa(MaxQueryLength)}
	}
	return nil
}

// ParseQuery parses a search's query string, refusing one longer than MaxQueryLength. The values are
// those url.ParseQuery returns, with its error for a malformed pair.
func ParseQuery(raw string) (url.Values, error) {
	if err := CheckQueryLength(raw); err != nil {
		return nil, err
	}
	return url.ParseQuery(raw)
}

// counts tally what a query asks of the counted limits, as Parse collects its keys (one pass over the
// query, no lookups for a criterion's key).
type counts struct{ sortKeys, includes, criteria int }

func (n *counts) add(key string, vals []string) {
	switch {
	case key == "_sort":
		for _, v := range vals {
			n.sortKeys += strings.Count(v, ",") + 1
		}
	case key == "_include" || key == "_revinclude":
		n.includes += len(vals)
	case key == "" || key[0] != '_' || !resultParams[key]:
		n.criteria += len(vals)
	}
}

// check refuses a query (q, as counted) with more sort keys, includes or criteria than the limits allow,
// before any of it is parsed.
func (n counts) check(q url.Values) error {
	if n.sortKeys > MaxSortKeys {
		return limitf("_sort", "%d sort keys; this server sorts by at most %d", n.sortKeys, MaxSortKeys)
	}
	if n.includes > MaxIncludes {
		param := "_include"
		if len(q["_revinclude"]) > len(q["_include"]) {
			param = "_revinclude"
		}
		return limitf(param, "%d _include and _revinclude parameters; this server follows at most %d in one search", n.includes, MaxIncludes)
	}
	if n.criteria > MaxCriteria {
		most, mostKey := 0, ""
		for k, vs := range q {
			if !resultParams[k] && (len(vs) > most || len(vs) == most && k < mostKey) {
				most, mostKey = len(vs), k
			}
		}
		return limitf(mostKey, "the search has %d criteria (each parameter and each repetition of one counts); "+
			"this server combines at most %d — search for less and filter the results", n.criteria, MaxCriteria)
	}
	return nil
}

// checkValues refuses more comma-separated values for one parameter than MaxValues.
func checkValues(key string, values []string) error {
	if len(values) > MaxValues {
		return limitf(key, "%d values; this server takes at most %d for one parameter — split the search", len(values), MaxValues)
	}
	return nil
}

// checkTerms refuses criteria that expand to more than MaxTerms.
func checkTerms(key string, terms int) error {
	if terms > MaxTerms {
		return limitf(key, "the search expands to at least %d terms (values, times the types a chain can reach); "+
			"this server takes at most %d — use fewer values, or name the chain's target type (subject:Patient.name)", terms, MaxTerms)
	}
	return nil
}

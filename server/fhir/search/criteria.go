package search

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/valet-sandbox/valet/server/fhir/spec"
	"github.com/valet-sandbox/valet/server/store"
)

// Criterion parses one search criterion key=val over typ. known is false for a parameter this server
// does not index (the caller reports it); err names the parameter when the value does not parse or the
// criterion is beyond a limit (MaxValues, MaxChainDepth, MaxTerms).
func Criterion(typ, key, val string, opt Options) (c store.Cond, known bool, err error) {
	c, known, err = criterion(typ, key, val, opt, 0)
	if err == nil && known {
		err = checkTerms(key, c.Terms())
	}
	return c, known, err
}

// criterion is Criterion at depth references from the searched type (a chain or _has).
func criterion(typ, key, val string, opt Options, depth int) (c store.Cond, known bool, err error) {
	if strings.HasPrefix(key, "_has:") {
		c, err := parseHas(typ, key, val, opt, depth+1)
		return c, true, err
	}
	name, mod, _ := strings.Cut(key, ":")
	if chain, rest, ok := strings.Cut(key, "."); ok {
		return parseChain(typ, key, chain, rest, val, opt, depth+1)
	}
	values := splitComma(val)
	if len(values) == 0 {
		return c, true, errf(key, "no value")
	}
	if err := checkValues(key, values); err != nil {
		return c, true, err
	}
	switch name {
	case "_id":
		if mod != "" {
			return c, true, errf(key, "modifier :%s is not supported", mod)
		}
		return store.IDs(typ, values...), true, nil
	case "_lastUpdated":
		if mod != "" {
			return c, true, errf(key, "modifier :%s is not supported on a date parameter", mod)
		}
		var or []store.Cond
		for _, v := range values {
			prefix, lo, hi, err := dateValue(key, v, opt.Now)
			if err != nil {
				return c, true, err
			}
			or = append(or, store.LastUpdated(prefix, lo, hi))
		}
		return store.Or(or...), true, nil
	}
	p, ok := spec.Lookup(typ, name)
	if !ok {
		return c, false, nil
	}
	if mod == "missing" {
		if val != "true" && val != "false" {
			return c, true, errf(key, "must be true or false")
		}
		return missingCond(typ, p, val == "true"), true, nil
	}
	var or []store.Cond
	for _, v := range values {
		var one store.Cond
		switch p.Type {
		case spec.TokenParam:
			one, err = tokenCond(typ, p, key, mod, v)
		case spec.StringParam:
			one, err = stringCond(typ, p, key, mod, v)
		case spec.DateParam:
			if mod != "" {
				return c, true, errf(key, "modifier :%s is not supported on a date parameter", mod)
			}
			var prefix string
			var lo, hi int64
			prefix, lo, hi, err = dateValue(key, v, opt.Now)
			one = store.Date(typ, name, prefix, lo, hi)
		case spec.ReferenceParam:
			one, err = refCond(typ, p, key, mod, v, opt.Base)
		case spec.URIParam:
			one, err = uriCond(typ, p, key, mod, v)
		default:
			one, err = numberCond(typ, p, key, mod, v)
		}
		if err != nil {
			return c, true, err
		}
		or = append(or, one)
	}
	if mod == "not" {
		// :not on a list means none of the values (http://hl7.org/fhir/R4/search.html#modifiers).
		return store.Not(store.Or(or...)), true, nil
	}
	return store.Or(or...), true, nil
}

// splitComma splits on commas that are not escaped with a backslash, unescaping \, \| and \\.
func splitComma(s string) []string {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && (s[i+1] == ',' || s[i+1] == '\\' || s[i+1] == '$'):
			cur.WriteByte(s[i+1])
			i++
		case s[i] == ',':
			if cur.Len() > 0 {
				out = append(out, cur.String())
			}
			cur.Reset()
		default:
			cur.WriteByte(s[i])
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// uriCond parses a uri value: matched exactly (case included), or by path with :below and :above.
func uriCond(typ string, p spec.Param, key, mod, v string) (store.Cond, error) {
	switch mod {
	case "":
		return store.String(typ, p.Name, store.StringExact, v, v), nil
	case "below":
		return store.URIBelow(typ, p.Name, v), nil
	case "above":
		return store.URIAbove(typ, p.Name, v), nil
	}
	return store.Cond{}, errf(key, "modifier :%s is not supported on a uri parameter", mod)
}

// refIdentifierCond parses param:identifier=[system|]value: references whose own identifier matches, or
// that point at a resource (of the parameter's target types, or any type with an identifier parameter)
// whose identifier matches.
func refIdentifierCond(typ string, p spec.Param, key, v string) (store.Cond, error) {
	tv, err := tokenValue(key, v)
	if err != nil {
		return store.Cond{}, err
	}
	targets := p.Targets
	if len(targets) == 0 {
		for _, t := range spec.SearchableTypes() {
			if ip, ok := spec.Lookup(t, "identifier"); ok && ip.Type == spec.TokenParam {
				targets = append(targets, t)
			}
		}
	}
	return store.RefIdentifier(typ, p.Name, targets, tv), nil
}

func tokenCond(typ string, p spec.Param, key, mod, v string) (store.Cond, error) {
	var tv store.TokenValue
	switch mod {
	case "", "not":
		var err error
		if tv, err = tokenValue(key, v); err != nil {
			return store.Cond{}, err
		}
	case "text":
		tv = store.TokenValue{Code: spec.Fold(v), Text: true}
	default:
		return store.Cond{}, errf(key, "modifier :%s is not supported on a token parameter", mod)
	}
	union := spec.TokenUnion(typ, p)
	if union == nil {
		return store.Token(typ, p.Name, tv), nil
	}
	or := make([]store.Cond, len(union))
	for i, u := range union {
		or[i] = store.Token(typ, u, tv)
	}
	return store.Or(or...), nil
}

// missingCond is param:missing=true|false, on the rows that hold param's values.
func missingCond(typ string, p spec.Param, missing bool) store.Cond {
	if union := spec.TokenUnion(typ, p); union != nil {
		cs := make([]store.Cond, len(union))
		for i, u := range union {
			cs[i] = store.Missing(u, store.KindToken, missing)
		}
		if missing {
			return store.And(cs...) // none of them has a value
		}
		return store.Or(cs...)
	}
	if rows, only := spec.RefRows(typ, p); only != "" {
		return store.MissingRef(rows, only, missing)
	}
	return store.Missing(p.Name, kindOf(p.Type), missing)
}

// tokenValue parses code, system|code, |code or system|.
func tokenValue(key, v string) (store.TokenValue, error) {
	tv := store.TokenValue{Code: v}
	if sys, code, ok := strings.Cut(v, "|"); ok {
		tv = store.TokenValue{System: sys, Code: code, HasSystem: true}
		if sys == "" && code == "" {
			return tv, errf(key, "empty token %q", v)
		}
	}
	return tv, nil
}

func stringCond(typ string, p spec.Param, key, mod, v string) (store.Cond, error) {
	switch mod {
	case "":
		return store.String(typ, p.Name, store.StringPrefix, spec.Fold(v), v), nil
	case "exact":
		return store.String(typ, p.Name, store.StringExact, spec.Fold(v), v), nil
	case "contains":
		return store.String(typ, p.Name, store.StringContains, spec.Fold(v), v), nil
	}
	return store.Cond{}, errf(key, "modifier :%s is not supported on a string parameter", mod)
}

var prefixes = []string{"eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"}

func splitPrefix(v string) (string, string) {
	if len(v) > 2 {
		for _, p := range prefixes {
			if v[:2] == p {
				return p, v[2:]
			}
		}
	}
	return "eq", v
}

// dateValue parses [prefix]date into the range it covers. ap widens the range by a tenth of the distance
// to now, at least a day, as the spec suggests.
func dateValue(key, v string, now time.Time) (string, int64, int64, error) {
	prefix, d := splitPrefix(v)
	lo, hi, err := spec.DateRange(d)
	if err != nil {
		return "", 0, 0, errf(key, "%q is not a date (use YYYY, YYYY-MM, YYYY-MM-DD or an instant, after an optional prefix eq ne gt lt ge le sa eb ap)", v)
	}
	if prefix == "ap" {
		margin := int64(math.Abs(float64(now.UnixMicro()-lo)) / 10)
		margin = max(margin, 86400_000000)
		lo, hi = lo-margin, hi+margin
	}
	return prefix, lo, hi, nil
}

func refCond(typ string, p spec.Param, key, mod, v, base string) (store.Cond, error) {
	if mod == "identifier" {
		return refIdentifierCond(typ, p, key, v)
	}
	if mod == "not" || mod == "text" || mod == "above" || mod == "below" {
		return store.Cond{}, errf(key, "modifier :%s is not supported on a reference parameter", mod)
	}
	target := mod
	if target != "" && !spec.IsTypeName(target) {
		return store.Cond{}, errf(key, "modifier :%s is not a resource type", mod)
	}
	if t, id := spec.SplitReference(v, base); t != "" {
		if target != "" && t != target {
			return store.Cond{}, errf(key, "%q is not a %s", v, target)
		}
		return patientRef(typ, p, t, id), nil
	}
	if strings.Contains(v, "/") && !strings.HasPrefix(v, "urn:") {
		// An absolute URL of another server: matched as written.
		return store.Ref(typ, p.Name, "", v), nil
	}
	if target == "" && len(p.Targets) == 1 {
		target = p.Targets[0]
	}
	return patientRef(typ, p, target, v), nil
}

// patientRef is store.Ref on the rows holding p (spec.RefRows), marked as naming the patient's
// compartment when it does, so a search pairing it with a token can start from the patient's token rows.
func patientRef(typ string, p spec.Param, targetType, id string) store.Cond {
	c := store.Ref(typ, refRows(typ, p, targetType), targetType, id)
	if targetType == "Patient" && spec.CompartmentLink(typ, p) {
		c = c.WithinCompartment(id)
	}
	return c
}

// refRows names the rows to search for p's references to targetType: another parameter's, when p is
// stored as that parameter's references to one type and targetType is that type (spec.RefRows); else
// p's own name (which for such a p has no rows, so asking it for another type matches nothing, as the
// parameter's definition says).
func refRows(typ string, p spec.Param, targetType string) string {
	if rows, only := spec.RefRows(typ, p); only != "" && only == targetType {
		return rows
	}
	return p.Name
}

// numberCond parses [prefix]number[|system|code]. The number's precision sets the range it stands for:
// 100 means [99.5, 100.5) (http://hl7.org/fhir/R4/search.html#number).
func numberCond(typ string, p spec.Param, key, mod, v string) (store.Cond, error) {
	if mod != "" {
		return store.Cond{}, errf(key, "modifier :%s is not supported on a %s parameter", mod, p.Type)
	}
	prefix, rest := splitPrefix(v)
	num, unit, _ := strings.Cut(rest, "|")
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return store.Cond{}, errf(key, "%q is not a number", v)
	}
	decimals := 0
	if _, frac, ok := strings.Cut(strings.ToLower(num), "."); ok {
		frac, _, _ = strings.Cut(frac, "e")
		decimals = len(frac)
	}
	half := 0.5 * math.Pow(10, -float64(decimals))
	lo, hi := f-half, f+half
	switch prefix {
	case "gt", "le", "sa":
		lo, hi = f, f
	case "lt", "ge", "eb":
		lo, hi = f, f
	case "ap":
		lo, hi = f-math.Abs(f)*0.1, f+math.Abs(f)*0.1
	}
	var sys, code string
	if unit != "" {
		sys, code, _ = strings.Cut(unit, "|")
	}
	return store.Number(typ, p.Name, prefix, lo, hi, sys, code), nil
}

// parseChain parses name[:Type].rest=val: the reference parameter name must point at a resource
// (of Type) that matches rest=val. depth counts this reference.
func parseChain(typ, key, chain, rest, val string, opt Options, depth int) (store.Cond, bool, error) {
	name, target, _ := strings.Cut(chain, ":")
	p, ok := spec.Lookup(typ, name)
	if !ok {
		return store.Cond{}, false, nil
	}
	if p.Type != spec.ReferenceParam {
		return store.Cond{}, true, errf(key, "%s is not a reference parameter, so it cannot be chained", name)
	}
	if err := checkDepth(key, depth); err != nil {
		return store.Cond{}, true, err
	}
	targets := p.Targets
	if target != "" {
		targets = []string{target}
	}
	if len(targets) == 0 {
		// Any type the inner parameter exists on.
		for _, t := range spec.SearchableTypes() {
			if _, ok := spec.Lookup(t, strings.Split(strings.Split(rest, ".")[0], ":")[0]); ok {
				targets = append(targets, t)
			}
		}
	}
	var or []store.Cond
	terms := 0
	for _, t := range targets {
		inner, known, err := criterion(t, rest, val, opt, depth)
		if err != nil {
			return store.Cond{}, true, outer(key, err)
		}
		if known {
			c := store.Chain(typ, refRows(typ, p, t), t, inner)
			// Checked as it grows: the types a chain reaches multiply at each level.
			if terms += c.Terms(); terms > MaxTerms {
				return store.Cond{}, true, checkTerms(key, terms)
			}
			or = append(or, c)
		}
	}
	if len(or) == 0 {
		return store.Cond{}, true, errf(key, "no target type of %s has a search parameter %q", name, rest)
	}
	return store.Or(or...), true, nil
}

// parseHas parses _has:Type:param:rest=val (reverse chaining, one level or more). depth counts this
// reference.
func parseHas(typ, key, val string, opt Options, depth int) (store.Cond, error) {
	parts := strings.SplitN(strings.TrimPrefix(key, "_has:"), ":", 3)
	if len(parts) != 3 {
		return store.Cond{}, errf(key, "expected _has:Type:reference-param:param")
	}
	src, param, rest := parts[0], parts[1], parts[2]
	p, ok := spec.Lookup(src, param)
	if !ok || p.Type != spec.ReferenceParam {
		return store.Cond{}, errf(key, "%s has no reference search parameter %q", src, param)
	}
	if err := checkDepth(key, depth); err != nil {
		return store.Cond{}, err
	}
	inner, known, err := criterion(src, rest, val, opt, depth)
	if err != nil {
		return store.Cond{}, outer(key, err)
	}
	if !known {
		return store.Cond{}, errf(key, "%s has no search parameter %q", src, rest)
	}
	if typ == "Patient" && spec.CompartmentLink(src, p) {
		return store.HasInCompartment(typ, src, refRows(src, p, typ), inner), nil
	}
	return store.Has(typ, src, refRows(src, p, typ), inner), nil
}

// checkDepth refuses a chain or _has that follows more than MaxChainDepth references.
func checkDepth(key string, depth int) error {
	if depth > MaxChainDepth {
		return limitf(key, "follows at least %d references (chained and _has together); this server follows at most %d", depth, MaxChainDepth)
	}
	return nil
}

// outer names the whole chained parameter, key, in an error about a part of it.
func outer(key string, err error) error {
	if e, ok := err.(*Error); ok && e.Param != "" {
		e.Param = key
	}
	return err
}

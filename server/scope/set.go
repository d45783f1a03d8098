package scope

import (
	"maps"
	"slices"
	"strings"
)

// Set is a list of scopes in request order, without duplicates.
type Set []Scope

// ParseList parses a space-separated scope string. Duplicates are dropped; the first error wins.
func ParseList(s string) (Set, error) {
	var set Set
	// Every authorization and token request parses a few short lists, so duplicates are looked up in
	// the set itself; a map takes over only for long ones.
	var seen map[string]bool
	for tok := range strings.FieldsSeq(s) {
		if seen == nil && len(set) >= 16 {
			seen = make(map[string]bool, 2*len(set))
			for _, sc := range set {
				seen[sc.Raw] = true
			}
		}
		if seen != nil {
			if seen[tok] {
				continue
			}
			seen[tok] = true
		} else if set.Has(tok) {
			continue
		}
		if set == nil {
			set = make(Set, 0, strings.Count(s, " ")+1)
		}
		sc, err := Parse(tok)
		if err != nil {
			return nil, err
		}
		set = append(set, sc)
	}
	return set, nil
}

// String is the space-separated scope string.
func (s Set) String() string {
	raw := make([]string, len(s))
	for i, sc := range s {
		raw[i] = sc.Raw
	}
	return strings.Join(raw, " ")
}

// Has reports whether the exact scope string is in the set.
func (s Set) Has(raw string) bool {
	return slices.ContainsFunc(s, func(sc Scope) bool { return sc.Raw == raw })
}

// HasKind reports whether any scope is of kind k.
func (s Set) HasKind(k Kind) bool {
	return slices.ContainsFunc(s, func(sc Scope) bool { return sc.Kind == k })
}

// Resource keeps only the resource scopes.
func (s Set) Resource() Set {
	var out Set
	for _, sc := range s {
		if sc.Kind == Resource {
			out = append(out, sc)
		}
	}
	return out
}

// Grants reports whether the scope allows every permission in p on typ in the given context.
// It ignores the query restriction: callers that act on the answer must apply sc.Query as a filter.
func (sc Scope) Grants(context Context, typ string, p Perms) bool {
	return sc.Kind == Resource && sc.Context == context && (sc.Type == "*" || sc.Type == typ) && sc.Perms&p == p
}

// Within reports whether sc asks for no more than allowed: same context, a type allowed covers, a subset
// of its permissions, and — when allowed is restricted — the same restriction or a narrower one (every
// allowed parameter repeated with the same values, more parameters permitted).
func (sc Scope) Within(allowed Scope) bool {
	if sc.Kind != allowed.Kind {
		return false
	}
	switch sc.Kind {
	case Resource:
		if sc.Context != allowed.Context || (allowed.Type != "*" && allowed.Type != sc.Type) || sc.Perms&^allowed.Perms != 0 {
			return false
		}
		for k, vals := range allowed.Query {
			if !slices.Equal(sc.Query[k], vals) {
				return false
			}
		}
		return true
	case Launch:
		return sc.LaunchType == allowed.LaunchType && maps.EqualFunc(sc.Query, allowed.Query, slices.Equal)
	case Other:
		return sc.Raw == allowed.Raw
	}
	return true
}

// WithinAny reports whether some scope in allowed covers sc.
func (sc Scope) WithinAny(allowed Set) bool {
	return slices.ContainsFunc(allowed, sc.Within)
}

// Permits returns the scopes that grant p on typ in context. Several may match with different
// restrictions; access is the union of what they allow.
func (s Set) Permits(context Context, typ string, p Perms) []Scope {
	var out []Scope
	for _, sc := range s {
		if sc.Grants(context, typ, p) {
			out = append(out, sc)
		}
	}
	return out
}

// Package scope is the SMART App Launch 2.2 scope grammar: parsing v1 and v2 scopes (with v2 query
// restrictions), and deciding what a set of scopes grants. It imports only the reference type (ref).
//
// Grammar (SMART App Launch 2.2 §Scopes and Launch Context):
//
//	resource scope: (patient|user|system)/(Type|*).(cruds-subset in order)[?param=value(&param=value)*]
//	v1 form:        (patient|user|system)/(Type|*).(read|write|*)
//	others:         launch, launch/patient, launch/encounter, launch/<type>, openid, fhirUser, profile,
//	                offline_access, online_access, and any other token (kept as Other).
package scope

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Perms is a set of v2 permission letters.
type Perms uint8

// The v2 permissions, in the order they must appear in a scope (c r u d s).
const (
	Create Perms = 1 << iota
	Read
	Update
	Delete
	Search
)

// All is every permission (v2 "cruds", v1 "*").
const All = Create | Read | Update | Delete | Search

const letters = "cruds"

// String writes the permissions as v2 letters, e.g. "rs".
func (p Perms) String() string {
	var b strings.Builder
	for i := range len(letters) {
		if p&(1<<i) != 0 {
			b.WriteByte(letters[i])
		}
	}
	return b.String()
}

// Kind is what a scope asks for.
type Kind int

// The kinds of scope.
const (
	Other Kind = iota
	Resource
	Launch
	OpenID
	FHIRUser
	Profile
	OfflineAccess
	OnlineAccess
)

// Context is whose records a resource scope reaches (SMART App Launch 2.2 §Scopes and launch context).
type Context string

// The three contexts, in the order a missing scope is named.
const (
	Patient Context = "patient" // the patient in context
	User    Context = "user"    // what the signed-in user may see
	System  Context = "system"  // any record (backend services)
)

// Contexts lists the contexts in that order.
var Contexts = []Context{Patient, User, System}

// Scope is one parsed scope token.
type Scope struct {
	Raw  string
	Kind Kind
	// Resource scopes:
	Context Context    // Patient, User or System
	Type    string     // resource type or "*"
	Perms   Perms      // what interactions it allows
	V1      bool       // written as .read / .write / .*
	Query   url.Values // v2 restriction; nil when none
	// Launch scopes: "" for bare "launch", else "patient", "encounter", or another type.
	LaunchType string
}

// Parse parses one scope token.
func Parse(s string) (Scope, error) {
	sc := Scope{Raw: s}
	switch s {
	case "":
		return sc, errors.New("empty scope")
	case "openid":
		sc.Kind = OpenID
		return sc, nil
	case "fhirUser":
		sc.Kind = FHIRUser
		return sc, nil
	case "profile":
		sc.Kind = Profile
		return sc, nil
	case "offline_access":
		sc.Kind = OfflineAccess
		return sc, nil
	case "online_access":
		sc.Kind = OnlineAccess
		return sc, nil
	case "launch":
		sc.Kind = Launch
		return sc, nil
	}
	if strings.ContainsAny(s, " \t\r\n\"\\") {
		return sc, fmt.Errorf("scope %q contains a space, quote or backslash", s)
	}
	if t, ok := strings.CutPrefix(s, "launch/"); ok {
		// launch/<type> may carry a role qualifier (launch/patient?role=…), kept as Query.
		t, q, _ := strings.Cut(t, "?")
		if !isTypeName(t) || (t[0] < 'a' || t[0] > 'z') {
			return sc, fmt.Errorf("scope %q: launch/ must be followed by a lower-case context name such as patient or encounter", s)
		}
		sc.Kind, sc.LaunchType = Launch, t
		if q != "" {
			v, err := url.ParseQuery(q)
			if err != nil {
				return sc, fmt.Errorf("scope %q: %v", s, err)
			}
			sc.Query = v
		}
		return sc, nil
	}
	ctx, rest, ok := strings.Cut(s, "/")
	if !ok || (Context(ctx) != Patient && Context(ctx) != User && Context(ctx) != System) {
		if ok && isTypeName(ctx) && strings.Contains(rest, ".") {
			return sc, fmt.Errorf("scope %q: the context must be patient, user or system", s)
		}
		sc.Kind = Other // unknown scopes are the server's to refuse or ignore, not a syntax error
		return sc, nil
	}
	return parseResource(sc, Context(ctx), rest)
}

func parseResource(sc Scope, ctx Context, rest string) (Scope, error) {
	sc.Kind, sc.Context = Resource, ctx
	typ, access, ok := strings.Cut(rest, ".")
	if !ok {
		return sc, fmt.Errorf("scope %q: expected %s/Type.permissions, e.g. %s/Observation.rs", sc.Raw, ctx, ctx)
	}
	if typ != "*" && !isTypeName(typ) {
		return sc, fmt.Errorf("scope %q: %q is not a resource type or *", sc.Raw, typ)
	}
	sc.Type = typ
	access, query, hasQuery := strings.Cut(access, "?")
	switch access {
	case "read":
		sc.Perms, sc.V1 = Read|Search, true
	case "write":
		sc.Perms, sc.V1 = Create|Update|Delete, true
	case "*":
		sc.Perms, sc.V1 = All, true
	default:
		p, err := parseLetters(access)
		if err != nil {
			return sc, fmt.Errorf("scope %q: %v", sc.Raw, err)
		}
		sc.Perms = p
	}
	if hasQuery {
		if sc.V1 {
			return sc, fmt.Errorf("scope %q: query restrictions need v2 permissions (e.g. .rs?…), not .%s", sc.Raw, access)
		}
		v, err := url.ParseQuery(query)
		if err != nil || len(v) == 0 {
			return sc, fmt.Errorf("scope %q: the restriction after ? must be param=value pairs", sc.Raw)
		}
		for k, vals := range v {
			if k == "" || len(vals) == 0 || vals[0] == "" {
				return sc, fmt.Errorf("scope %q: restriction parameter %q has no value", sc.Raw, k)
			}
		}
		sc.Query = v
	}
	return sc, nil
}

func parseLetters(s string) (Perms, error) {
	if s == "" {
		return 0, errors.New("no permissions after the dot (use letters from cruds, or read/write/*)")
	}
	var p Perms
	next := 0
	for i := range len(s) {
		j := strings.IndexByte(letters, s[i])
		if j < 0 {
			return 0, fmt.Errorf("%q is not a permission letter (c r u d s) nor read/write/*", s[i:i+1])
		}
		if j < next {
			return 0, fmt.Errorf("permissions %q must be in the order c r u d s, each once", s)
		}
		p |= 1 << j
		next = j + 1
	}
	return p, nil
}

// isTypeName accepts FHIR resource type names (and launch context names): letters and digits, starting with a letter.
func isTypeName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		isLetter := (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
		if !isLetter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

package spec

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode"

	"github.com/valet-sandbox/valet/server/store"
)

// Extract computes the index rows of a decoded resource: every search parameter value, and the patients
// whose compartment it belongs to. base is this server's FHIR base URL, so absolute references to it index
// like relative ones.
func Extract(typ, id string, res map[string]any, base string) store.Index {
	var ix store.Index
	for _, p := range common {
		for _, path := range p.Paths {
			for _, v := range eval(res, path) {
				addValue(&ix, p, v, base)
			}
		}
	}
	for _, p := range params[typ] {
		own := ownRows(typ, p)
		if !own && p.Type != ReferenceParam {
			continue // its values are another parameter's rows (alias.go)
		}
		for _, path := range p.Paths {
			for _, v := range eval(res, path) {
				if own {
					addValue(&ix, p, v, base)
				} else if m, ok := v.(map[string]any); ok {
					// The reference is another parameter's row, but param:identifier is its own.
					s, _ := m["reference"].(string)
					addReferenceIdentifier(&ix, p, m, s, base)
				}
			}
		}
	}
	ix.Patients = compartmentOf(typ, id, res, base)
	return ix
}

// eval walks a dotted element path over decoded JSON, flattening arrays. A segment ending in [x] matches
// a choice element (effective[x] → effectiveDateTime, effectivePeriod, …); where(k='v') keeps the
// objects whose k equals v (v may hold dots: extension.where(url='http://…/condition-assertedDate')).
func eval(v any, path string) []any {
	cur := []any{v}
	for _, seg := range pathSegments(path) {
		var next []any
		if strings.HasPrefix(seg, "where(") {
			k, val, _ := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(seg, "where("), ")"), "=")
			val = strings.Trim(val, "'")
			for _, c := range cur {
				if m, ok := c.(map[string]any); ok && m[k] == val {
					next = append(next, m)
				}
			}
			cur = next
			continue
		}
		for _, c := range cur {
			m, ok := c.(map[string]any)
			if !ok {
				continue
			}
			if choice, ok := strings.CutSuffix(seg, "[x]"); ok {
				for k, x := range m {
					if len(k) > len(choice) && strings.HasPrefix(k, choice) && unicode.IsUpper(rune(k[len(choice)])) {
						next = appendFlat(next, x)
					}
				}
				continue
			}
			if x, ok := m[seg]; ok {
				next = appendFlat(next, x)
			}
		}
		cur = next
	}
	return cur
}

// pathSegments splits a path at the dots outside parentheses.
func pathSegments(path string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(path); i++ {
		switch path[i] {
		case '(':
			depth++
		case ')':
			depth--
		case '.':
			if depth == 0 {
				out = append(out, path[start:i])
				start = i + 1
			}
		}
	}
	return append(out, path[start:])
}

func appendFlat(out []any, x any) []any {
	if a, ok := x.([]any); ok {
		return append(out, a...)
	}
	return append(out, x)
}

func addValue(ix *store.Index, p Param, v any, base string) {
	switch p.Type {
	case TokenParam:
		addToken(ix, p.Name, v)
	case StringParam:
		addString(ix, p.Name, v)
	case DateParam:
		addDate(ix, p.Name, v)
	case URIParam:
		// Not folded: a uri matches exactly, case included; Norm holds it as written for the range
		// queries of :below.
		if s, ok := v.(string); ok && s != "" {
			ix.Strings = append(ix.Strings, store.StringKey{Param: p.Name, Norm: s, Exact: s})
		}
	case ReferenceParam:
		if c, ok := v.(string); ok {
			addCanonical(ix, p, c, base)
			return
		}
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		s, _ := m["reference"].(string)
		addReferenceIdentifier(ix, p, m, s, base)
		t, id := SplitReference(s, base)
		if s == "" || (len(p.Targets) > 0 && !contains(p.Targets, t)) {
			return
		}
		if t == "" {
			id = s
		}
		ix.Refs = append(ix.Refs, store.RefKey{Param: p.Name, TargetType: t, TargetID: id})
	case QuantityParam, NumberParam:
		switch x := v.(type) {
		case json.Number:
			if f, err := x.Float64(); err == nil {
				ix.Numbers = append(ix.Numbers, store.NumberKey{Param: p.Name, Value: f})
			}
		case map[string]any:
			if n, ok := x["value"].(json.Number); ok {
				f, _ := n.Float64()
				sys, _ := x["system"].(string)
				code, _ := x["code"].(string)
				if code == "" {
					code, _ = x["unit"].(string)
				}
				ix.Numbers = append(ix.Numbers, store.NumberKey{Param: p.Name, Value: f, System: sys, Code: code})
			}
		}
	}
}

// addReferenceIdentifier indexes Reference.identifier under "param:identifier", for the :identifier
// modifier (http://hl7.org/fhir/R4/search.html#reference). A parameter limited to some target types
// takes it only when the reference says it points at one of them (reference or type).
func addReferenceIdentifier(ix *store.Index, p Param, m map[string]any, ref, base string) {
	id, ok := m["identifier"].(map[string]any)
	if !ok {
		return
	}
	if len(p.Targets) > 0 {
		t, _ := SplitReference(ref, base)
		if t == "" {
			t, _ = m["type"].(string)
		}
		if !contains(p.Targets, t) {
			return
		}
	}
	addToken(ix, p.Name+":identifier", id)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func addToken(ix *store.Index, name string, v any) {
	add := func(sys, code, text string) {
		if code != "" {
			ix.Tokens = append(ix.Tokens, store.TokenKey{Param: name, System: sys, Code: code, Text: Fold(text)})
		}
	}
	switch x := v.(type) {
	case string:
		add("", x, "")
	case bool:
		add("", strconv.FormatBool(x), "")
	case map[string]any:
		str := func(k string) string { s, _ := x[k].(string); return s }
		if cs, ok := x["coding"].([]any); ok || x["text"] != nil { // CodeableConcept
			text := str("text")
			for _, c := range cs {
				if m, ok := c.(map[string]any); ok {
					sys, _ := m["system"].(string)
					code, _ := m["code"].(string)
					disp, _ := m["display"].(string)
					if text != "" {
						disp = text
					}
					add(sys, code, disp)
				}
			}
			return
		}
		if _, ok := x["code"]; ok { // Coding
			add(str("system"), str("code"), str("display"))
			return
		}
		if _, ok := x["value"]; ok { // Identifier, ContactPoint
			t := ""
			if tt, ok := x["type"].(map[string]any); ok {
				t, _ = tt["text"].(string)
			}
			add(str("system"), str("value"), t)
		}
	}
}

func addString(ix *store.Index, name string, v any) {
	add := func(s string) {
		if s != "" {
			ix.Strings = append(ix.Strings, store.StringKey{Param: name, Norm: Fold(s), Exact: s})
		}
	}
	switch x := v.(type) {
	case string:
		add(x)
	case map[string]any: // HumanName, Address: every textual part
		for _, k := range []string{"text", "family", "given", "prefix", "suffix", "line", "city", "district", "state", "postalCode", "country"} {
			switch y := x[k].(type) {
			case string:
				add(y)
			case []any:
				for _, z := range y {
					if s, ok := z.(string); ok {
						add(s)
					}
				}
			}
		}
	}
}

func addDate(ix *store.Index, name string, v any) {
	switch x := v.(type) {
	case string:
		if lo, hi, err := DateRange(x); err == nil {
			ix.Dates = append(ix.Dates, store.DateKey{Param: name, Lo: lo, Hi: hi})
		}
	case map[string]any: // Period: an open end reaches to the end of time
		lo, hi := int64(minMicros), int64(maxMicros)
		ok := false
		if s, _ := x["start"].(string); s != "" {
			if l, _, err := DateRange(s); err == nil {
				lo, ok = l, true
			}
		}
		if s, _ := x["end"].(string); s != "" {
			if _, h, err := DateRange(s); err == nil {
				hi, ok = h, true
			}
		}
		if ok {
			ix.Dates = append(ix.Dates, store.DateKey{Param: name, Lo: lo, Hi: hi})
		}
	}
}

// addCanonical indexes a canonical (QuestionnaireResponse.questionnaire, which R4 searches as a reference):
// a Type/id of this server as a reference to it, any other URL as written — and without its |version too,
// so that a search by the URL alone finds every version.
func addCanonical(ix *store.Index, p Param, c, base string) {
	forms := []string{c}
	if url, _, ok := strings.Cut(c, "|"); ok && url != "" {
		forms = append(forms, url)
	}
	for _, f := range forms {
		t, id := SplitReference(f, base)
		if t == "" {
			id = f
		}
		if f == "" || (len(p.Targets) > 0 && !contains(p.Targets, t)) {
			continue
		}
		ix.Refs = append(ix.Refs, store.RefKey{Param: p.Name, TargetType: t, TargetID: id})
	}
}

// SplitReference splits "Type/id", "Type/id/_history/n" or base + "/Type/id" into type and id; it
// returns "", "" for anything else (urn:uuid:, external URLs, #contained).
func SplitReference(ref, base string) (typ, id string) {
	if base != "" && strings.HasPrefix(ref, base+"/") {
		ref = ref[len(base)+1:]
	}
	t, rest, ok := strings.Cut(ref, "/")
	if !ok || t == "" || !IsTypeName(t) {
		return "", ""
	}
	id, _, _ = strings.Cut(rest, "/")
	if !ValidID(id) {
		return "", ""
	}
	return t, id
}

// IsTypeName reports whether s looks like a resource type name (an upper-case ASCII letter, then letters).
func IsTypeName(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// ValidID reports whether s is a valid FHIR id: 1–64 of [A-Za-z0-9.-].
func ValidID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

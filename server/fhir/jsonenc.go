package fhir

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"

	"github.com/valet-sandbox/valet/internal/jsonstr"
)

// appendJSON appends v as encoding/json would with SetEscapeHTML(false): map keys sorted, the same
// string escapes, json.Number as written. Every version stored is encoded, so it walks the types a
// decoded resource is made of with a type switch, not reflection. Values of other types (rare: built by
// code, not decoded) go through encoding/json itself.
func appendJSON(dst []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...)
	case string:
		return appendJSONString(dst, x)
	case json.Number:
		if x == "" {
			return append(dst, '0') // what encoding/json writes for an empty Number
		}
		if !validNumber(string(x)) {
			return appendFallback(dst, v)
		}
		return append(dst, x...)
	case bool:
		if x {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case map[string]any:
		if x == nil {
			return append(dst, "null"...)
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, strings.Compare)
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, k)
			dst = append(dst, ':')
			dst = appendJSON(dst, x[k])
		}
		return append(dst, '}')
	case []any:
		if x == nil {
			return append(dst, "null"...)
		}
		dst = append(dst, '[')
		for i, y := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSON(dst, y)
		}
		return append(dst, ']')
	}
	return appendFallback(dst, v)
}

func appendFallback(dst []byte, v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return append(dst, "null"...) // encode's callers never hold such values
	}
	return append(dst, bytes.TrimRight(buf.Bytes(), "\n")...)
}

// appendJSONString is encoding/json's string encoding with escapeHTML false.
func appendJSONString(dst []byte, s string) []byte { return jsonstr.Append(dst, s, false) }

// validNumber is the JSON number grammar (RFC 8259 §6), as encoding/json checks a json.Number.
func validNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	digits := func() int {
		n := 0
		for n < len(s) && '0' <= s[n] && s[n] <= '9' {
			n++
		}
		s = s[n:]
		return n
	}
	switch {
	case s == "":
		return false
	case s[0] == '0':
		s = s[1:]
	case '1' <= s[0] && s[0] <= '9':
		digits()
	default:
		return false
	}
	if len(s) >= 2 && s[0] == '.' && '0' <= s[1] && s[1] <= '9' {
		s = s[1:]
		digits()
	}
	if len(s) >= 2 && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		if s[0] == '+' || s[0] == '-' {
			s = s[1:]
		}
		if digits() == 0 {
			return false
		}
	}
	return s == ""
}

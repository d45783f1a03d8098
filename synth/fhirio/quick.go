package fhirio

import (
	"bytes"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// quickCheck is checkResource's common case in one pass over b, which must be valid JSON: it accepts a
// resource that breaks none of the rules, and gives up (ok false) on anything it cannot be sure of — a
// null, a string that may be blank, an empty array or object, an escape in resourceType or id, a value
// that is not an object — for checkResource to decide and say where. Decoding every resource into Go
// values to check it was a third of an import's CPU. Like checkResource, it compacts b only when b
// spans lines.
func quickCheck(b []byte) (e Entry, ok bool) {
	compact := bytes.ContainsAny(b, "\n\r")
	var out []byte
	if compact {
		out = make([]byte, 0, len(b))
	}
	type frame struct {
		object, empty bool
	}
	var stack []frame
	expectKey := false // the next string in the current object is a key
	key := ""          // the last key read at the top level
	var rt, id []byte  // id stays nil when the resource has none (a blank one makes the check give up)
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case c == '"':
			end := stringEnd(b, i)
			if end < 0 {
				return Entry{}, false
			}
			raw := b[i+1 : end]
			if len(stack) == 0 {
				return Entry{}, false // a resource is an object
			}
			top := &stack[len(stack)-1]
			top.empty = false
			if top.object && expectKey {
				if len(stack) == 1 {
					key = string(raw)
				}
				expectKey = false
			} else {
				if !surelyNotBlank(raw) {
					return Entry{}, false
				}
				if len(stack) == 1 && (key == "resourceType" || key == "id") {
					if bytes.IndexByte(raw, '\\') >= 0 {
						return Entry{}, false
					}
					if key == "resourceType" {
						rt = raw
					} else {
						id = raw
					}
				}
			}
			if compact {
				out = append(out, b[i:end+1]...)
			}
			i = end + 1
			continue
		case c == '{' || c == '[':
			if len(stack) == 0 && c != '{' || len(stack) == 1 && key == "id" {
				return Entry{}, false
			}
			if len(stack) > 0 {
				stack[len(stack)-1].empty = false
			}
			stack = append(stack, frame{object: c == '{', empty: true})
			expectKey = c == '{'
		case c == '}' || c == ']':
			if len(stack) == 0 || stack[len(stack)-1].empty {
				return Entry{}, false // an empty object or array
			}
			stack = stack[:len(stack)-1]
			expectKey = false
		case c == ':':
			expectKey = false
		case c == ',':
			expectKey = len(stack) > 0 && stack[len(stack)-1].object
		case c == 'n':
			return Entry{}, false // null: allowed only as a placeholder, which checkResource decides
		default: // true, false or a number
			if len(stack) == 0 || len(stack) == 1 && key == "id" {
				return Entry{}, false
			}
			stack[len(stack)-1].empty = false
			j := i + 1
			for j < len(b) && !isDelim(b[j]) {
				j++
			}
			if compact {
				out = append(out, b[i:j]...)
			}
			i = j
			continue
		}
		if compact {
			out = append(out, c)
		}
		i++
	}
	if len(stack) != 0 || !resourceTypes[string(rt)] || (id != nil && !idPattern.Match(id)) {
		return Entry{}, false
	}
	if !compact {
		out = b
	}
	return Entry{ResourceType: string(rt), ID: string(id), Resource: out}, true
}

// isDelim reports whether c ends a literal (true, false, a number).
func isDelim(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', ',', ']', '}':
		return true
	}
	return false
}

// stringEnd is the index of the quote closing the string that opens at b[i], or -1.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return -1
}

// surelyNotBlank reports whether the JSON string content raw certainly decodes to something that
// strings.TrimSpace leaves non-empty: it holds a character that is not a Unicode space.
func surelyNotBlank(raw []byte) bool {
	for j := 0; j < len(raw); j++ {
		c := raw[j]
		switch {
		case c == '\\':
			if j+1 >= len(raw) {
				return false
			}
			switch raw[j+1] {
			case '"', '\\', '/':
				return true
			case 'u':
				if j+6 > len(raw) {
					return false
				}
				var r rune
				for _, h := range raw[j+2 : j+6] {
					switch {
					case h >= '0' && h <= '9':
						r = r<<4 | rune(h-'0')
					case h >= 'a' && h <= 'f':
						r = r<<4 | rune(h-'a'+10)
					case h >= 'A' && h <= 'F':
						r = r<<4 | rune(h-'A'+10)
					default:
						return false
					}
				}
				if utf16.IsSurrogate(r) || !unicode.IsSpace(r) {
					return true
				}
				j += 5
			default: // \b \f \n \r \t
				j++
			}
		case c < utf8.RuneSelf:
			if c > ' ' {
				return true
			}
			if !unicode.IsSpace(rune(c)) {
				return true // a control character TrimSpace keeps
			}
		default:
			r, size := utf8.DecodeRune(raw[j:])
			if !unicode.IsSpace(r) {
				return true
			}
			j += size - 1
		}
	}
	return false
}

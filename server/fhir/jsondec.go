package fhir

import (
	"encoding/json"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// parseObject decodes one JSON object (and nothing after it but whitespace) into the values
// encoding/json's Decoder with UseNumber gives: map[string]any, []any, string, json.Number, bool, nil.
// It is the fast path of decode, about three times quicker than the reflective decoder on resources;
// ok is false for anything it does not accept, and decode then runs encoding/json, whose result and
// error messages stay the reference.
func parseObject(b []byte) (m object, ok bool) {
	return parse(parser{b: b})
}

// parseObjectShared is parseObject whose strings share one copy of b: the input is converted to a string
// once and every key and value without escapes is a substring of it, instead of an allocation each (the
// loader decodes every generated or imported resource only to extract its index rows: a resource's ~60
// small strings were a tenth of that CPU). Any string kept from the result keeps all of b alive, so it
// suits values that live as long as the batch being written, not values kept beyond it.
func parseObjectShared(b []byte) (m object, ok bool) {
	return parse(parser{b: b, s: string(b)})
}

func parse(p parser) (m object, ok bool) {
	b := p.b
	p.ws()
	if p.i >= len(b) || b[p.i] != '{' {
		return nil, false
	}
	v, ok := p.value(0)
	if !ok {
		return nil, false
	}
	p.ws()
	if p.i != len(b) {
		return nil, false
	}
	m, _ = v.(object)
	return m, true
}

type parser struct {
	b []byte
	s string // b as a string, when strings are to share it (parseObjectShared); else ""
	i int
}

// str returns b[start:end] as a string: a substring of s when there is one.
func (p *parser) str(start, end int) string {
	if p.s != "" {
		return p.s[start:end]
	}
	return string(p.b[start:end])
}

// maxDepth is encoding/json's nesting limit; deeper input goes to encoding/json for its error.
const maxDepth = 10000

func (p *parser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (any, bool) {
	if depth >= maxDepth || p.i >= len(p.b) {
		return nil, false
	}
	switch c := p.b[p.i]; {
	case c == '{':
		p.i++
		m := object{}
		p.ws()
		if p.i < len(p.b) && p.b[p.i] == '}' {
			p.i++
			return m, true
		}
		for {
			p.ws()
			k, ok := p.string()
			if !ok {
				return nil, false
			}
			p.ws()
			if p.i >= len(p.b) || p.b[p.i] != ':' {
				return nil, false
			}
			p.i++
			p.ws()
			v, ok := p.value(depth + 1)
			if !ok {
				return nil, false
			}
			m[k] = v // a repeated key keeps the last value, as encoding/json does
			p.ws()
			if p.i >= len(p.b) {
				return nil, false
			}
			if p.b[p.i] == '}' {
				p.i++
				return m, true
			}
			if p.b[p.i] != ',' {
				return nil, false
			}
			p.i++
		}
	case c == '[':
		p.i++
		a := []any{}
		p.ws()
		if p.i < len(p.b) && p.b[p.i] == ']' {
			p.i++
			return a, true
		}
		for {
			p.ws()
			v, ok := p.value(depth + 1)
			if !ok {
				return nil, false
			}
			a = append(a, v)
			p.ws()
			if p.i >= len(p.b) {
				return nil, false
			}
			if p.b[p.i] == ']' {
				p.i++
				return a, true
			}
			if p.b[p.i] != ',' {
				return nil, false
			}
			p.i++
		}
	case c == '"':
		return p.string()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	case c == '-' || ('0' <= c && c <= '9'):
		start := p.i
		for p.i < len(p.b) {
			c := p.b[p.i]
			if ('0' <= c && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
				p.i++
				continue
			}
			break
		}
		n := p.str(start, p.i)
		if !validNumber(n) {
			return nil, false
		}
		return json.Number(n), true
	}
	return nil, false
}

func (p *parser) literal(s string) bool {
	if len(p.b)-p.i < len(s) || string(p.b[p.i:p.i+len(s)]) != s {
		return false
	}
	p.i += len(s)
	return true
}

// string reads a JSON string at p.i. Escapes are decoded as encoding/json does (lone surrogates and
// invalid UTF-8 become U+FFFD).
func (p *parser) string() (string, bool) {
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return "", false
	}
	p.i++
	start := p.i
	// The common case: no escapes, valid UTF-8, no control characters.
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c == '"' {
			end := p.i
			p.i++
			if utf8.Valid(p.b[start:end]) {
				return p.str(start, end), true
			}
			return p.unquote(start)
		}
		if c == '\\' || c < 0x20 {
			return p.unquote(start)
		}
		p.i++
	}
	return "", false
}

// unquote decodes the string starting at start (after its opening quote) the slow way.
func (p *parser) unquote(start int) (string, bool) {
	out := make([]byte, 0, 64)
	i := start
	for i < len(p.b) {
		c := p.b[i]
		switch {
		case c == '"':
			p.i = i + 1
			return string(out), true
		case c < 0x20:
			return "", false
		case c == '\\':
			i++
			if i >= len(p.b) {
				return "", false
			}
			switch p.b[i] {
			case '"', '\\', '/':
				out = append(out, p.b[i])
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := hex4(p.b, i+1)
				if !ok {
					return "", false
				}
				i += 4
				if utf16.IsSurrogate(r) {
					if r2, ok := hex4(p.b, i+3); ok && i+2 < len(p.b) && p.b[i+1] == '\\' && p.b[i+2] == 'u' {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							out = utf8.AppendRune(out, dec)
							i += 6
							break
						}
					}
					r = utf8.RuneError
				}
				out = utf8.AppendRune(out, r)
			default:
				return "", false
			}
			i++
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(p.b[i:])
			if r == utf8.RuneError && size == 1 {
				out = utf8.AppendRune(out, utf8.RuneError)
			} else {
				out = append(out, p.b[i:i+size]...)
			}
			i += size
		}
	}
	return "", false
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[i:i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(n), true
}

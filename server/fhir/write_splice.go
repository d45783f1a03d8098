package fhir

// stampedBytes is raw (a resource's JSON as its trusted producer wrote it: compact, valid) with its
// top-level "meta" value replaced by meta encoded, or false when raw is not in a shape it can be sure of
// (no top-level meta, or anything unexpected): the caller then encodes the whole decoded resource.
func stampedBytes(raw []byte, meta object) ([]byte, bool) {
	start, end, ok := topLevelValue(raw, "meta")
	if !ok {
		return nil, false
	}
	out := make([]byte, 0, len(raw)+64)
	out = append(out, raw[:start]...)
	out = appendJSON(out, meta)
	return append(out, raw[end:]...), true
}

// topLevelValue finds the value of key in the compact JSON object raw: its bytes are raw[start:end].
func topLevelValue(raw []byte, key string) (start, end int, ok bool) {
	if len(raw) < 2 || raw[0] != '{' {
		return 0, 0, false
	}
	depth := 0
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; c {
		case '"':
			j := closingQuote(raw, i)
			if j >= len(raw) {
				return 0, 0, false
			}
			if depth == 1 && raw[i-1] != ':' && string(raw[i+1:j]) == key && j+1 < len(raw) && raw[j+1] == ':' {
				start = j + 2
				end, ok = valueEnd(raw, start)
				return start, end, ok
			}
			i = j
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		}
	}
	return 0, 0, false
}

// valueEnd is the end of the JSON value (an object or an array) starting at raw[i].
func valueEnd(raw []byte, i int) (int, bool) {
	if i >= len(raw) || (raw[i] != '{' && raw[i] != '[') {
		return 0, false
	}
	depth := 0
	for j := i; j < len(raw); j++ {
		switch raw[j] {
		case '"':
			j = closingQuote(raw, j)
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				return j + 1, true
			}
		}
	}
	return 0, false
}

// closingQuote is the index of the quote that closes the string opening at raw[i], or len(raw) or more.
func closingQuote(raw []byte, i int) int {
	j := i + 1
	for ; j < len(raw) && raw[j] != '"'; j++ {
		if raw[j] == '\\' {
			j++
		}
	}
	return j
}

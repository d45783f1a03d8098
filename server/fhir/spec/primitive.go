package spec

import "strconv"

// Valid reports whether the lexical form s (a JSON string's value, or a JSON number as written) is a
// valid value of p. The common types are checked by hand — a regular expression costs far more, and the
// bulk ingest path checks every primitive of every resource — and the hand-written checks are tested
// against the schema's patterns (TestPrimitivesMatchSchema, FuzzPrimitives). Dates must also exist
// (2023-02-30 is not a date: "Dates SHALL be valid dates").
func (p *Primitive) Valid(s string) bool {
	switch p.Name {
	case "string", "markdown":
		// [ \r\n\t\S]+: anything but a form feed (the only \s that is not allowed).
		if s == "" {
			return false
		}
		for i := 0; i < len(s); i++ {
			if s[i] == '\f' {
				return false
			}
		}
		return true
	case "code":
		return validCode(s)
	case "id":
		return ValidID(s)
	case "uri", "url", "canonical":
		if s == "" {
			return false
		}
		for i := 0; i < len(s); i++ {
			if isSpace(s[i]) {
				return false
			}
		}
		return true
	case "date":
		n, ok := datePart(s)
		return ok && n == len(s)
	case "dateTime":
		n, ok := datePart(s)
		if !ok {
			return false
		}
		if n == len(s) {
			return true
		}
		return n == 10 && s[n] == 'T' && timeZoned(s[n+1:])
	case "instant":
		n, ok := datePart(s)
		return ok && n == 10 && n < len(s) && s[n] == 'T' && timeZoned(s[n+1:])
	case "time":
		n, ok := clock(s)
		return ok && n == len(s)
	case "decimal":
		return validNumber(s, true)
	case "integer":
		if !validNumber(s, false) {
			return false
		}
		_, err := strconv.ParseInt(s, 10, 32)
		return err == nil
	case "unsignedInt", "positiveInt":
		if s == "" || s[0] == '-' || !validNumber(s, false) {
			return false
		}
		v, err := strconv.ParseInt(s, 10, 32)
		return err == nil && (v > 0 || p.Name == "unsignedInt")
	case "boolean":
		return s == "true" || s == "false"
	case "base64Binary":
		for i := 0; i < len(s); i++ {
			c := s[i]
			if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=' || isSpace(c)) {
				return false
			}
		}
		return s != ""
	}
	if p.Pattern != nil {
		return p.Pattern.MatchString(s)
	}
	return s != ""
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// validCode: no leading or trailing whitespace, and single spaces between words (^[^\s]+(\s[^\s]+)*$).
func validCode(s string) bool {
	if s == "" || isSpace(s[0]) || isSpace(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if isSpace(s[i]) && isSpace(s[i-1]) {
			return false
		}
	}
	return true
}

// validNumber is the JSON number grammar (which is FHIR's decimal); without frac, an integer.
func validNumber(s string, frac bool) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == start || (s[start] == '0' && i-start > 1) {
		return false
	}
	if !frac {
		return i == len(s)
	}
	if i < len(s) && s[i] == '.' {
		i++
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	return i == len(s)
}

func digits(s string, n int) (int, bool) {
	if len(s) < n {
		return 0, false
	}
	v := 0
	for i := 0; i < n; i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v = v*10 + int(s[i]-'0')
	}
	return v, true
}

// datePart reads YYYY[-MM[-DD]] at the start of s and returns its length.
func datePart(s string) (int, bool) {
	y, ok := digits(s, 4)
	if !ok || y == 0 {
		return 0, false
	}
	if len(s) == 4 || s[4] != '-' {
		return 4, true
	}
	m, ok := digits(s[5:], 2)
	if !ok || m < 1 || m > 12 {
		return 0, false
	}
	if len(s) == 7 || s[7] != '-' {
		return 7, true
	}
	d, ok := digits(s[8:], 2)
	if !ok || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	return 10, true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// clock reads hh:mm:ss[.f+] and returns its length.
func clock(s string) (int, bool) {
	h, ok1 := digits(s, 2)
	if !ok1 || h > 23 || len(s) < 8 || s[2] != ':' || s[5] != ':' {
		return 0, false
	}
	mi, ok2 := digits(s[3:], 2)
	sec, ok3 := digits(s[6:], 2)
	if !ok2 || !ok3 || mi > 59 || sec > 60 {
		return 0, false
	}
	i := 8
	if i < len(s) && s[i] == '.' {
		i++
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return 0, false
		}
	}
	return i, true
}

// timeZoned is hh:mm:ss[.f] followed by Z or ±hh:mm (offsets up to 14:00).
func timeZoned(s string) bool {
	n, ok := clock(s)
	if !ok || n == len(s) {
		return false
	}
	z := s[n:]
	if z == "Z" {
		return true
	}
	if len(z) != 6 || (z[0] != '+' && z[0] != '-') || z[3] != ':' {
		return false
	}
	h, ok1 := digits(z[1:], 2)
	m, ok2 := digits(z[4:], 2)
	return ok1 && ok2 && (h < 14 && m < 60 || h == 14 && m == 0)
}

package spec

import (
	"errors"
	"strings"
	"time"
)

// The ends of time for open Period ends (Unix µs of 0001-01-01 and the last instant of 9999).
const (
	minMicros = -62135596800_000000
	maxMicros = 253402300799_999999
)

var errDate = errors.New("not a FHIR date, dateTime or instant")

// DateRange parses a FHIR date, dateTime or instant (also the partial forms search values use:
// YYYY, YYYY-MM, YYYY-MM-DD, YYYY-MM-DDThh:mm[:ss[.fff]][Z|±hh:mm]) into the range of instants it covers,
// in Unix microseconds, inclusive: "2024" covers the whole year. A time without an offset is taken as UTC.
func DateRange(s string) (lo, hi int64, err error) {
	var t time.Time
	var next func(time.Time) time.Time
	switch {
	case len(s) == 4:
		t, err = time.Parse("2006", s)
		next = func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }
	case len(s) == 7:
		t, err = time.Parse("2006-01", s)
		next = func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }
	case len(s) == 10:
		t, err = time.Parse("2006-01-02", s)
		next = func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
	case len(s) > 10 && s[10] == 'T':
		return timeRange(s)
	default:
		return 0, 0, errDate
	}
	if err != nil {
		return 0, 0, errDate
	}
	return t.UnixMicro(), next(t).UnixMicro() - 1, nil
}

func timeRange(s string) (lo, hi int64, err error) {
	body, zone := s, ""
	if strings.HasSuffix(s, "Z") {
		body, zone = s[:len(s)-1], "Z"
	} else if n := len(s); n > 6 && (s[n-6] == '+' || s[n-6] == '-') && s[n-3] == ':' {
		body, zone = s[:n-6], s[n-6:]
	}
	if zone == "" {
		zone = "Z"
	}
	var layout string
	var step time.Duration
	switch {
	case len(body) == 16:
		layout, step = "2006-01-02T15:04", time.Minute
	case len(body) == 19:
		layout, step = "2006-01-02T15:04:05", time.Second
	case len(body) > 20 && body[19] == '.':
		layout, step = "2006-01-02T15:04:05.999999999", time.Microsecond
	default:
		return 0, 0, errDate
	}
	t, err := time.Parse(layout+"Z07:00", body+zone)
	if err != nil {
		return 0, 0, errDate
	}
	lo = t.UnixMicro()
	return lo, lo + step.Microseconds() - 1, nil
}

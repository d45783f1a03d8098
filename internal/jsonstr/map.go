package jsonstr

import (
	"encoding/json"
	"slices"
	"strconv"
)

// AppendMap appends json.Marshal(m), without reflection for the values protocol messages carry (strings,
// bools, ints, nil, nested maps and slices of those): keys sorted, strings HTML-escaped, as encoding/json
// does by default. Other values go through encoding/json. The flow event log and the token endpoint's
// responses use it: they encode such maps on every flow, where encoding/json would walk them through
// reflect.
func AppendMap(b []byte, m map[string]any) ([]byte, error) {
	if m == nil {
		return append(b, "null"...), nil
	}
	var buf [16]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	var err error
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendString(b, k), ':')
		if b, err = AppendValue(b, m[k]); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// AppendValue appends json.Marshal(v) the way AppendMap appends each value.
func AppendValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case string:
		return appendString(b, v), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case nil:
		return append(b, "null"...), nil
	case map[string]any:
		if v == nil {
			return append(b, "null"...), nil
		}
		return AppendMap(b, v)
	case []any:
		if v == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		var err error
		for i, x := range v {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = AppendValue(b, x); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	}
	j, err := json.Marshal(v)
	return append(b, j...), err
}

// appendString is encoding/json's string encoding with HTML escaping, its default.
func appendString(b []byte, s string) []byte { return Append(b, s, true) }

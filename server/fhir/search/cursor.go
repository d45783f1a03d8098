package search

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/valet-sandbox/valet/server/store"
)

// A page cursor of a sorted search is opaque to clients: the position of the row a page ends at
// (store.Key) and the _sort it belongs to, as base64url JSON. Without _sort the cursor is the row id.
type cursor struct {
	Sort   string            `json:"s"`
	Values []json.RawMessage `json:"k"`
	RowID  int64             `json:"r"`
}

// EncodeCursor makes the _after/_before value for the position k in a search sorted by sortSpec.
func EncodeCursor(sortSpec string, k store.Key) string {
	c := cursor{Sort: sortSpec, RowID: k.RowID}
	for _, v := range k.Values {
		b, _ := json.Marshal(v)
		c.Values = append(c.Values, b)
	}
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor made by EncodeCursor for the same _sort; a value's Go type follows its
// key's kind (dates and _lastUpdated are Unix µs, numbers float64, the rest strings).
func decodeCursor(key, val, sortSpec string, sort []store.SortKey) (*store.Key, error) {
	bad := errf(key, "bad page cursor %q (take cursors from a Bundle's links)", val)
	raw, err := base64.RawURLEncoding.DecodeString(val)
	if err != nil {
		return nil, bad
	}
	var c cursor
	if err := json.Unmarshal(raw, &c); err != nil || c.RowID <= 0 || len(c.Values) != len(sort) {
		return nil, bad
	}
	if c.Sort != sortSpec {
		return nil, errf(key, "the page cursor belongs to _sort=%s, not _sort=%s", c.Sort, sortSpec)
	}
	k := &store.Key{RowID: c.RowID, Values: make([]any, len(sort))}
	for i, s := range sort {
		v := string(c.Values[i])
		switch {
		case v == "null":
		case s.Kind == store.KindDate || s.Param == "_lastUpdated" && s.Kind == "":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, bad
			}
			k.Values[i] = n
		case s.Kind == store.KindNumber:
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return nil, bad
			}
			k.Values[i] = f
		default:
			var str string
			if err := json.Unmarshal(c.Values[i], &str); err != nil {
				return nil, bad
			}
			k.Values[i] = str
		}
	}
	return k, nil
}

// resolveCursors turns the _after/_before values into a row id (no _sort) or a sort key position.
func (r *Request) resolveCursors(after, before string) error {
	for _, c := range []struct {
		key, val string
		rid      *int64
		k        **store.Key
	}{{"_after", after, &r.After, &r.AfterKey}, {"_before", before, &r.Before, &r.BeforeKey}} {
		if c.val == "" {
			continue
		}
		if len(r.Sort) == 0 {
			n, err := strconv.ParseInt(c.val, 10, 64)
			if err != nil || n <= 0 {
				return errf(c.key, "bad page cursor %q", c.val)
			}
			*c.rid = n
			continue
		}
		k, err := decodeCursor(c.key, c.val, strings.Join(r.Params["_sort"], ","), r.Sort)
		if err != nil {
			return err
		}
		*c.k = k
	}
	return nil
}

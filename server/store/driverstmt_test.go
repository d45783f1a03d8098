package store

import (
	"database/sql/driver"
	"testing"
)

// Searches that start from one patient's rows, ids or a row id run without a watcher; the others keep it.
func TestBounded(t *testing.T) {
	tok := Token("Observation", "category", TokenValue{Code: "laboratory"})
	O := []string{"Observation"}
	for _, c := range []struct {
		name  string
		types []string
		where []Cond
		want  bool
	}{
		{"patient and token", O, []Cond{Ref("Observation", "patient", "Patient", "p1").WithinCompartment("p1"), tok}, true},
		{"compartment link", O, []Cond{Ref("Observation", "subject", "Patient", "p1").WithinCompartment("p1")}, true},
		{"compartment", nil, []Cond{InCompartment("p1")}, true},
		{"ids", O, []Cond{IDs("Observation", "a", "b"), tok}, true},
		{"row id", nil, []Cond{RowID(7), InCompartment("p1")}, true},
		{"token alone", O, []Cond{tok}, false},
		{"reference to a practitioner", O, []Cond{Ref("Observation", "performer", "Practitioner", "d1")}, false},
		{"nothing to start from", O, []Cond{LastUpdated("ge", 1, 1)}, false},
		{"no conditions", O, nil, false},
	} {
		q := Query{Types: c.types, Where: c.where}
		if got := q.bounded(); got != c.want {
			t.Errorf("%s: bounded %v, want %v", c.name, got, c.want)
		}
	}
}

// A row read on the driver connection scans like database/sql would into the store's destinations, and
// refuses a NULL number or a value of the wrong kind instead of storing a zero.
func TestValuesScan(t *testing.T) {
	var (
		i64  int64
		n    int
		s    string
		b    []byte
		a    any
		null []byte
	)
	row := values{int64(7), int64(3), []byte("text"), []byte(`{"a":1}`), "x", nil}
	if err := row.Scan(&i64, &n, &s, &b, &a, &null); err != nil {
		t.Fatal(err)
	}
	if i64 != 7 || n != 3 || s != "text" || string(b) != `{"a":1}` || a != "x" || null != nil {
		t.Errorf("scanned %d %d %q %q %v %v", i64, n, s, b, a, null)
	}
	for _, bad := range []struct {
		v    driver.Value
		dest any
	}{{nil, &i64}, {"7", &i64}, {nil, &s}, {int64(1), &b}, {1.5, &n}, {int64(1), new(float32)}} {
		if err := (values{bad.v}).Scan(bad.dest); err == nil {
			t.Errorf("scan of %#v into %T: no error", bad.v, bad.dest)
		}
	}
	if err := (values{int64(1), int64(2)}).Scan(&i64); err == nil {
		t.Error("scan of 2 columns into 1 value: no error")
	}
}

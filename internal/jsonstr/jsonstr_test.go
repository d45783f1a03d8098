package jsonstr

import (
	"bytes"
	"encoding/json"
	"testing"
)

func marshal(s string, html bool) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	_ = enc.Encode(s)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

var cases = []string{"", "plain", `quote " and \ backslash`, "tab\tnew\nline\rfeed\f\b", "\x00\x01\x1f\x7f",
	"<script>&amp;</script>", "é ü 漢字 🙂", "bad \xff utf-8 \xc3", "line\u2028sep\u2029para", "end<"}

// Append writes what encoding/json writes, with and without HTML escaping.
func TestAppendIsEncodingJSON(t *testing.T) {
	for _, html := range []bool{false, true} {
		for _, s := range cases {
			if got, want := Append([]byte("x"), s, html), append([]byte("x"), marshal(s, html)...); !bytes.Equal(got, want) {
				t.Errorf("html=%v %q: %s, want %s", html, s, got, want)
			}
		}
	}
}

func FuzzAppend(f *testing.F) {
	for _, s := range cases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, html := range []bool{false, true} {
			if got, want := Append(nil, s, html), marshal(s, html); !bytes.Equal(got, want) {
				t.Fatalf("html=%v %q: %s, want %s", html, s, got, want)
			}
		}
	})
}

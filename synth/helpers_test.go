package synth

import (
	"context"
	"encoding/json"
	"regexp"
	"testing"
)

// generated is one emitted batch, decoded for assertions.
type generated struct {
	batch []Resource
	res   []map[string]any
}

func generate(t testing.TB, opt Options) []generated {
	t.Helper()
	var out []generated
	err := Generate(context.Background(), opt, func(b []Resource) error {
		g := generated{batch: b}
		for _, r := range b {
			var m map[string]any
			if err := json.Unmarshal(r.JSON, &m); err != nil {
				t.Fatalf("%s/%s: invalid JSON: %v", r.Type, r.ID, err)
			}
			g.res = append(g.res, m)
		}
		out = append(out, g)
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// get follows a dotted path through objects; arrays fan out, so it returns every value found.
func get(v any, path ...string) []any {
	if len(path) == 0 {
		if arr, ok := v.([]any); ok {
			return arr
		}
		if v == nil {
			return nil
		}
		return []any{v}
	}
	switch x := v.(type) {
	case map[string]any:
		return get(x[path[0]], path[1:]...)
	case []any:
		var out []any
		for _, e := range x {
			out = append(out, get(e, path...)...)
		}
		return out
	}
	return nil
}

func str(v any, path ...string) string {
	vals := get(v, path...)
	if len(vals) == 0 {
		return ""
	}
	s, _ := vals[0].(string)
	return s
}

func num(v any, path ...string) float64 {
	vals := get(v, path...)
	if len(vals) == 0 {
		return -1
	}
	f, _ := vals[0].(float64)
	return f
}

func profileOf(m map[string]any) string { return str(m, "meta", "profile") }

func hasCode(m map[string]any, code string, path ...string) bool {
	for _, c := range get(m, append(path, "coding")...) {
		if str(c, "code") == code {
			return true
		}
	}
	return false
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)

// records drops the shared pool (first batch) and the population's Groups (last batch): one batch per
// patient record remains.
func records(t testing.TB, pop []generated) []generated {
	t.Helper()
	last := pop[len(pop)-1]
	if len(last.batch) == 0 || last.batch[0].Type != "Group" {
		t.Fatalf("the last batch is not the population's Groups")
	}
	return pop[1 : len(pop)-1]
}

package search

import (
	"testing"

	"github.com/valet-sandbox/valet/server/fhir/spec"
)

// TestValuesFitAUnion: when a parameter's values drive a search, each becomes one SELECT of a UNION
// per parameter of a token union (two for a reference's :identifier: its own and its target's), and
// SQLite takes at most 500 SELECTs in one (SQLITE_MAX_COMPOUND_SELECT).
func TestValuesFitAUnion(t *testing.T) {
	widest, at := 2, "reference :identifier"
	for _, typ := range spec.SearchableTypes() {
		for _, p := range spec.Params(typ) {
			if n := len(spec.TokenUnion(typ, p)); n > widest {
				widest, at = n, typ+"."+p.Name
			}
		}
	}
	if MaxValues*widest > 500 {
		t.Errorf("%d values of %s make %d SELECTs; SQLite takes 500", MaxValues, at, MaxValues*widest)
	}
}

package spec

import (
	"slices"
	"sync"
)

// Parameters without rows of their own. Observation's patient searches the same element as subject,
// limited to Patient targets, and combo-code searches code and component-code together: indexing them
// too would write many of a clinical resource's index rows twice. Their searches read the rows of the
// parameters they repeat instead.

var (
	aliasOnce sync.Once
	refAlias  map[[2]string][2]string // {type, param} → {param whose rows hold it, target type}
	tokUnion  map[[2]string][]string  // {type, param} → the token parameters whose rows together hold it
)

func findAliases() {
	refAlias, tokUnion = map[[2]string][2]string{}, map[[2]string][]string{}
	for typ, ps := range params {
		for _, p := range ps {
			switch p.Type {
			case ReferenceParam:
				if len(p.Targets) != 1 {
					continue
				}
				for _, q := range ps {
					if q.Name != p.Name && q.Type == ReferenceParam && len(q.Targets) == 0 && slices.Equal(q.Paths, p.Paths) {
						refAlias[[2]string{typ, p.Name}] = [2]string{q.Name, p.Targets[0]}
						break
					}
				}
			case TokenParam:
				if len(p.Paths) < 2 {
					continue
				}
				var union []string
				for _, path := range p.Paths {
					for _, q := range ps {
						if q.Name != p.Name && q.Type == TokenParam && slices.Equal(q.Paths, []string{path}) {
							union = append(union, q.Name)
							break
						}
					}
				}
				if len(union) == len(p.Paths) {
					tokUnion[[2]string{typ, p.Name}] = union
				}
			}
		}
	}
}

// RefRows names the index rows holding reference parameter p of typ: its own (p.Name, ""), or, when p
// is limited to one target type and an unlimited reference parameter of typ searches the same elements,
// that parameter's rows pointing at the target type (Observation's patient: subject, "Patient").
func RefRows(typ string, p Param) (param, targetType string) {
	aliasOnce.Do(findAliases)
	if a, ok := refAlias[[2]string{typ, p.Name}]; ok {
		return a[0], a[1]
	}
	return p.Name, ""
}

// TokenUnion lists the token parameters whose rows together hold p's values when p searches exactly
// their elements (Observation's combo-code: code and component-code); nil when p has rows of its own.
func TokenUnion(typ string, p Param) []string {
	aliasOnce.Do(findAliases)
	return tokUnion[[2]string{typ, p.Name}]
}

// ownRows reports whether p's values are indexed under its own name.
func ownRows(typ string, p Param) bool {
	if p.Type == ReferenceParam {
		_, only := RefRows(typ, p)
		return only == ""
	}
	return TokenUnion(typ, p) == nil
}

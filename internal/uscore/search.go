package uscore

import "sort"

// Expectation is a CapabilityStatement conformance verb (http://hl7.org/fhir/extensions/StructureDefinition-capabilitystatement-expectation.html).
type Expectation string

const (
	Shall  Expectation = "SHALL"
	Should Expectation = "SHOULD"
	May    Expectation = "MAY"
)

// SearchParam is a US Core search parameter of a resource type.
type SearchParam struct {
	Name        string
	Type        string // token, reference, date, string
	Expectation Expectation
}

// Definition is the canonical URL of the US Core SearchParameter.
func (p SearchParam) Definition(typ string) string {
	return "http://hl7.org/fhir/us/core/SearchParameter/us-core-" + lower(typ) + "-" + trimUnderscore(p.Name)
}

// Combination is a set of parameters a server is expected to answer together.
type Combination struct {
	Params      []string
	Expectation Expectation
}

// Searches is what the US Core Server CapabilityStatement asks of a type's search.
type Searches struct {
	Params       []SearchParam
	Combinations []Combination
	Include      []string
	RevInclude   []string
}

// SearchesOf returns US Core's searches for typ (the zero value for a type without any).
func SearchesOf(typ string) Searches { return searches[typ] }

// SearchTypes returns the types US Core names search parameters for, sorted.
func SearchTypes() []string {
	out := make([]string, 0, len(searches))
	for t := range searches {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func trimUnderscore(s string) string {
	if len(s) > 0 && s[0] == '_' {
		return s[1:]
	}
	return s
}

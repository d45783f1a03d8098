package spec

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
	"regexp"
	"strings"
	"sync"
)

//go:generate go run ./gen

// r4Table is the structure of every R4 resource, datatype and backbone element, generated from HL7's
// R4 JSON schema and profiles by ./gen (format documented there).
//
//go:embed r4.tbl.gz
var r4Table []byte

// Kind is the JSON shape of a primitive.
type Kind uint8

// JSON kinds of primitives.
const (
	JSONString Kind = iota + 1
	JSONNumber
	JSONBool
)

// Primitive is an R4 primitive type with its JSON kind and the schema's lexical pattern.
type Primitive struct {
	Name    string
	Kind    Kind
	Pattern *regexp.Regexp // nil for xhtml; checked through Valid, which is faster for the common types
}

// TypeClass says what kind of definition a Type is.
type TypeClass uint8

// Type classes.
const (
	ResourceClass TypeClass = iota + 1
	DatatypeClass
	BackboneClass
)

// Type is a resource, complex datatype or backbone element with its elements.
type Type struct {
	Name     string
	Class    TypeClass
	Elements map[string]*Element
	// Required are the mandatory (min ≥ 1) elements; RequiredChoices the mandatory choice groups.
	Required        []*Element
	RequiredChoices []string
	// Choices maps each choice group (value for value[x]) to its variants.
	Choices map[string][]*Element
}

// Element is one element of a Type as it appears in JSON (each choice variant is an element).
type Element struct {
	Name string
	// Exactly one of Prim, Type is set, unless the element holds a resource (contained) or xhtml.
	Prim     *Primitive
	Type     *Type
	Resource bool // a whole resource (contained, Bundle.entry.resource)
	XHTML    bool // Narrative.div
	Array    bool
	Required bool
	Summary  bool   // isSummary: kept by _summary=true
	Choice   string // choice group ("value") or ""
	Enum     map[string]bool
}

var (
	structOnce sync.Once
	types      map[string]*Type
	prims      map[string]*Primitive
)

func loadStructure() {
	zr, err := gzip.NewReader(bytes.NewReader(r4Table))
	if err != nil {
		panic("spec: r4.tbl.gz: " + err.Error())
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		panic("spec: r4.tbl.gz: " + err.Error())
	}
	types, prims = map[string]*Type{}, map[string]*Primitive{}
	typeOf := func(name string) *Type {
		t := types[name]
		if t == nil {
			t = &Type{Name: name, Elements: map[string]*Element{}, Choices: map[string][]*Element{}}
			types[name] = t
		}
		return t
	}
	var cur *Type
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		switch f[0] {
		case "p":
			p := &Primitive{Name: f[1], Kind: map[string]Kind{"s": JSONString, "n": JSONNumber, "b": JSONBool}[f[2]]}
			if f[3] != "" {
				p.Pattern = regexp.MustCompile(f[3])
			}
			prims[f[1]] = p
		case "t":
			cur = typeOf(f[1])
			cur.Class = map[string]TypeClass{"r": ResourceClass, "c": DatatypeClass, "b": BackboneClass}[f[2]]
		case "e":
			el := &Element{Name: f[1], Array: strings.Contains(f[3], "a"), Required: strings.Contains(f[3], "r"),
				Summary: strings.Contains(f[3], "s")}
			switch typ := f[2]; {
			case typ == "Resource":
				el.Resource = true
			case typ == "xhtml":
				el.XHTML = true
			case prims[typ] != nil:
				el.Prim = prims[typ]
			default:
				el.Type = typeOf(typ)
			}
			if f[4] != "-" {
				group, must := strings.CutSuffix(f[4], "!")
				el.Choice = group
				if len(cur.Choices[group]) == 0 && must {
					cur.RequiredChoices = append(cur.RequiredChoices, group)
				}
				cur.Choices[group] = append(cur.Choices[group], el)
			}
			if f[5] != "-" {
				el.Enum = map[string]bool{}
				for _, c := range strings.Split(f[5], "|") {
					el.Enum[c] = true
				}
			}
			if el.Required {
				cur.Required = append(cur.Required, el)
			}
			cur.Elements[el.Name] = el
		}
	}
}

// StructureOf returns the R4 definition of a resource type, datatype or backbone element (nil if unknown).
func StructureOf(name string) *Type {
	structOnce.Do(loadStructure)
	return types[name]
}

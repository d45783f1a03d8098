package scenario

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// MaxFileBytes bounds a scenario file: a scenario is a page of YAML, not a data set.
const MaxFileBytes = 1 << 20

// Error is one problem of a scenario file, at a place in it.
type Error struct {
	File         string
	Line, Column int
	// Path is where in the scenario, as "clients[0].redirect_uris" ("" for the whole file).
	Path    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Message)
}

// Errors are every problem found, in file order; Error prints one per line.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// positions are where each value of the file stands, by path.
type positions map[string][2]int

// at is the position of path's value, else of the nearest enclosing value the file has (a missing key is
// reported where its mapping is), else the top of the file.
func (p positions) at(path string) (int, int) {
	for {
		if lc, ok := p[path]; ok {
			return lc[0], lc[1]
		}
		if path == "" {
			return 1, 1
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			path = ""
		} else {
			path = path[:i]
		}
	}
}

// errorAt is an Error at path.
func (s *Scenario) errorAt(path, format string, args ...any) *Error {
	line, col := s.pos.at(path)
	return &Error{File: s.file, Line: line, Column: col, Path: path, Message: fmt.Sprintf(format, args...)}
}

// ReadFile reads and checks a scenario file.
func ReadFile(name string) (*Scenario, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if fi.Size() > MaxFileBytes {
		return nil, fmt.Errorf("%s is %d bytes: a scenario file is at most %d", name, fi.Size(), MaxFileBytes)
	}
	src, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return Parse(name, src)
}

// Parse reads a scenario from src (named file in errors) and checks it: unknown keys, values of the
// wrong type and values out of their range are Errors with the line and column and what is allowed.
// It checks what the file alone can tell; whether its patients and users exist, the sandbox tells when
// the scenario is run.
func Parse(file string, src []byte) (*Scenario, error) {
	s := &Scenario{file: file, pos: positions{}}
	if len(src) > MaxFileBytes {
		return nil, Errors{s.errorAt("", "the file is %d bytes: a scenario file is at most %d", len(src), MaxFileBytes)}
	}
	f, err := parser.ParseBytes(src, 0)
	if err != nil {
		return nil, Errors{s.yamlError(err)}
	}
	var body ast.Node
	for _, d := range f.Docs {
		if d.Body == nil {
			continue
		}
		if body != nil {
			return nil, Errors{s.nodeError(d.Body, "a scenario file holds one YAML document; split the others into files of their own")}
		}
		body = d.Body
	}
	if body == nil {
		return nil, Errors{s.errorAt("", "the file is empty: a scenario needs at least a name (see docs/scenarios.md)")}
	}
	var errs Errors
	s.walk(body, reflect.TypeOf(*s), "", &errs)
	if len(errs) > 0 {
		return nil, errs
	}
	if err := yaml.NodeToValue(body, s, yaml.Strict()); err != nil {
		return nil, Errors{s.yamlError(err)}
	}
	if errs = s.check(); len(errs) > 0 {
		return nil, errs
	}
	return s, nil
}

// yamlError places an error of the YAML library (syntax, a value of the wrong type) at its token.
func (s *Scenario) yamlError(err error) *Error {
	var te *yaml.TypeError
	if errors.As(err, &te) && te.Token != nil {
		p := te.Token.Position
		return &Error{File: s.file, Line: p.Line, Column: p.Column, Path: s.pathAt(p.Line, p.Column),
			Message: fmt.Sprintf("%s must be %s (got %q)", describe(s.pathAt(p.Line, p.Column)), typeWords(te.DstType), te.Token.Value)}
	}
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		p := ye.GetToken().Position
		msg := ye.GetMessage()
		if path := s.pathAt(p.Line, p.Column); path != "" {
			msg = path + ": " + msg
		}
		return &Error{File: s.file, Line: p.Line, Column: p.Column, Message: msg}
	}
	return &Error{File: s.file, Line: 1, Column: 1, Message: err.Error()}
}

// pathAt is the path of the value at line:col ("" when none starts there).
func (s *Scenario) pathAt(line, col int) string {
	for p, lc := range s.pos {
		if lc == [2]int{line, col} {
			return p
		}
	}
	return ""
}

// typeWords says what a value of type t is written as in YAML.
func typeWords(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int64:
		return "a whole number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "text"
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(typeWords(t.Elem()), "a ")
	case reflect.Struct, reflect.Map:
		return "a mapping of keys"
	}
	return t.String()
}

func (s *Scenario) nodeError(n ast.Node, format string, args ...any) *Error {
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 {
		n = m.Values[0].Key // where an editor shows the mapping
	} else if mv, ok := n.(*ast.MappingValueNode); ok {
		n = mv.Key
	}
	p := n.GetToken().Position
	return &Error{File: s.file, Line: p.Line, Column: p.Column, Message: fmt.Sprintf(format, args...)}
}

// walk records where each value stands and refuses keys that t (a struct of the scenario) does not have,
// naming the keys it has — before decoding, so every unknown key is reported, not only the first.
func (s *Scenario) walk(n ast.Node, t reflect.Type, path string, errs *Errors) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if tk := n.GetToken(); tk != nil {
		s.pos[path] = [2]int{tk.Position.Line, tk.Position.Column}
	}
	switch t.Kind() {
	case reflect.Struct:
		var values []*ast.MappingValueNode
		switch m := n.(type) {
		case *ast.MappingNode:
			values = m.Values
		case *ast.MappingValueNode:
			values = []*ast.MappingValueNode{m}
		case *ast.NullNode:
			return
		default:
			*errs = append(*errs, s.nodeError(n, "%s must be a mapping of keys (%s)", describe(path), strings.Join(keysOf(t), ", ")))
			return
		}
		if len(values) > 0 {
			if tk := values[0].Key.GetToken(); tk != nil {
				// A mapping's position is its first key, where an editor shows it.
				s.pos[path] = [2]int{tk.Position.Line, tk.Position.Column}
			}
		}
		for _, mv := range values {
			key := mv.Key.GetToken().Value
			f, ok := fieldByKey(t, key)
			if !ok {
				*errs = append(*errs, s.nodeError(mv.Key, "unknown key %q in %s; the keys are %s", key, describe(path),
					strings.Join(keysOf(t), ", ")))
				continue
			}
			s.walk(mv.Value, f.Type, join(path, key), errs)
		}
	case reflect.Slice:
		if seq, ok := n.(*ast.SequenceNode); ok {
			for i, v := range seq.Values {
				s.walk(v, t.Elem(), path+"["+strconv.Itoa(i)+"]", errs)
			}
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// describe names a place in the scenario for a message: "the scenario", "clients[0]".
func describe(path string) string {
	if path == "" {
		return "the scenario"
	}
	return path
}

func fieldByKey(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.IsExported() && tagName(f) == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func tagName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	return name
}

// keysOf lists the keys a struct of the scenario takes, sorted.
func keysOf(t reflect.Type) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); f.IsExported() && tagName(f) != "" {
			keys = append(keys, tagName(f))
		}
	}
	sort.Strings(keys)
	return keys
}

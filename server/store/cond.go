package store

import (
	"math"
	"strconv"
	"strings"
)

// A Cond is one search criterion over a resource row. The FHIR layer builds conditions with the
// constructors below (one per index table and modifier); the store turns them into SQL. A condition
// renders two ways: as a correlated predicate on a row alias (an index seek on rid per candidate), and,
// when it can, as an uncorrelated rid subquery that drives the search from the index (a patient, a code).
type Cond struct {
	pred  func(b *sqlBuf, a string)
	drive func(b *sqlBuf) // nil when the condition cannot start a search
	rank  int             // how selective drive is; the highest-ranked driver starts the search
	exact bool            // drive yields exactly the matching rids (so pred need not be checked again)
	terms int32           // see Terms; 0 for one
	// stream, when set, writes the conditions on the index-table row x (of table streamTable) that select
	// the same rids as drive, from an index whose rows for them come in rid order: a search in rid order
	// walks that index and stops at the page's end instead of first collecting every match (streamed.go).
	// streamDups says a rid can come more than once (a token code in several systems).
	stream      func(b *sqlBuf, x string)
	streamTable string
	streamDups  bool
	// updated is a LastUpdated condition's comparison, written so resources_type_updated can serve it.
	updated func(b *sqlBuf, a string)

	// What a patient-and-token search needs to know (tokenpatient.go): the patient whose compartment
	// holds every match, whether the condition is exactly that compartment, and the exact token code
	// matched.
	patient     string
	compartment bool
	token       *tokenKey
}

// Terms measures the SQL c renders: one per index predicate or list item (an _id, a type, a candidate
// uri), summed over Or, And, chains and _has. SQLite refuses a statement with more than 32,766
// parameters or a 1,000-deep expression, and each term binds a handful of parameters, so the FHIR
// layer bounds a search's terms (search.MaxTerms) before it gets here.
func (c Cond) Terms() int { return int(max(c.terms, 1)) }

// sumTerms is the Terms of conditions rendered together.
func sumTerms(cs []Cond) int32 {
	n := 0
	for _, c := range cs {
		n += c.Terms()
	}
	return clampTerms(n)
}

func clampTerms(n int) int32 { return int32(min(n, math.MaxInt32)) }

type sqlBuf struct {
	strings.Builder
	args []any
	n    int
}

func (b *sqlBuf) alias() string { b.n++; return "x" + strconv.Itoa(b.n) }

// w writes SQL with ? placeholders and their arguments.
func (b *sqlBuf) w(s string, args ...any) { b.WriteString(s); b.args = append(b.args, args...) }

// placeholders writes "(?, ?, …)" for vs.
func placeholders[T any](b *sqlBuf, vs []T) {
	b.WriteString("(")
	for i, v := range vs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.w("?", v)
	}
	b.WriteString(")")
}

// TokenValue is a token search value: "code", "system|code", "|code" (HasSystem, System ""), "system|"
// (HasSystem, Code ""). With Text the match is a prefix of the folded display text held in Code.
type TokenValue struct {
	System, Code string
	HasSystem    bool
	Text         bool
}

// Token matches resources with a token parameter value.
func Token(typ, param string, v TokenValue) Cond {
	where := func(b *sqlBuf, x string) { tokenWhere(b, x, param, v, "") }
	c := Cond{pred: func(b *sqlBuf, a string) {
		x := b.alias()
		b.w("EXISTS (SELECT 1 FROM idx_token " + x + " WHERE " + x + ".rid = " + a + ".rid AND ")
		// The unary + keeps SQLite on the primary key (rid, param, …): left to itself it looked the rid up
		// among every row of the code (idx_token_value), all types' rows of status=active.
		tokenWhere(b, x, param, v, "+")
		b.w(")")
	}}
	if v.Code != "" && !v.Text {
		c.rank, c.exact = 2, true
		if param == "identifier" {
			c.rank = 4 // an identifier names one resource, like a reference, where a code is shared
		}
		c.token = &tokenKey{typ: typ, param: param, v: v}
		c.drive = func(b *sqlBuf) {
			x := b.alias()
			b.w("SELECT "+x+".rid FROM idx_token "+x+" WHERE "+x+".type = ? AND ", typ)
			where(b, x)
		}
		// idx_token_value is (code, type, param, rid): one code's rows of a type and parameter come in
		// rid order (migration 0020), whatever their system.
		c.streamTable, c.streamDups = "idx_token", !v.HasSystem
		c.stream = func(b *sqlBuf, x string) {
			b.w(x+".code = ? AND "+x+".type = ? AND ", v.Code, typ)
			where(b, x)
		}
	}
	return c
}

// tokenWhere writes the match of v on the idx_token row x; plus ("+" or "") goes before the code column.
func tokenWhere(b *sqlBuf, x, param string, v TokenValue, plus string) {
	b.w(x+".param = ?", param)
	switch {
	case v.Text:
		b.w(" AND "+x+".text LIKE ? ESCAPE '\\'", likeEscape(v.Code)+"%")
		return
	case v.Code != "":
		b.w(" AND "+plus+x+".code = ?", v.Code)
	}
	if v.HasSystem {
		b.w(" AND "+x+".system = ?", v.System)
	}
}

// StringMode is how a string parameter matches.
type StringMode int

const (
	StringPrefix   StringMode = iota // the default: folded value starts with the folded search value
	StringExact                      // :exact — the value as written, whole
	StringContains                   // :contains — folded value contains the folded search value
)

// String matches a string parameter; norm is the folded search value, exact the value as given.
func String(typ, param string, mode StringMode, norm, exact string) Cond {
	where := func(b *sqlBuf, x string) {
		b.w(x+".param = ?", param)
		switch mode {
		case StringExact:
			b.w(" AND "+x+".norm = ? AND "+x+".exact = ?", norm, exact)
		case StringContains:
			b.w(" AND "+x+".norm LIKE ? ESCAPE '\\'", "%"+likeEscape(norm)+"%")
		default:
			// A range, not LIKE, so the index on norm applies (SQLite compares text bytewise, and
			// U+10FFFF sorts after every other character in UTF-8).
			b.w(" AND "+x+".norm >= ? AND "+x+".norm < ?", norm, norm+"\U0010FFFF")
		}
	}
	c := Cond{pred: func(b *sqlBuf, a string) {
		x := b.alias()
		b.w("EXISTS (SELECT 1 FROM idx_string " + x + " WHERE " + x + ".rid = " + a + ".rid AND ")
		where(b, x)
		b.w(")")
	}}
	if mode != StringContains && norm != "" {
		// A name, a city or a family of three letters or more finds fewer resources than a code shared by
		// a large part of the type (Patient?gender=female&name=…: the 5,000 women checked one by one),
		// so it drives ahead of a token; a shorter prefix (a state, an initial) may not.
		c.rank, c.exact = 1, true
		if len([]rune(norm)) >= 3 {
			c.rank = 3
		}
		c.drive = func(b *sqlBuf) {
			x := b.alias()
			b.w("SELECT "+x+".rid FROM idx_string "+x+" WHERE "+x+".type = ? AND ", typ)
			where(b, x)
		}
	}
	return c
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// dateWhere writes the FHIR date comparison of prefix between the stored range [lo, hi] (columns) and
// the search range [slo, shi] (http://hl7.org/fhir/R4/search.html#prefix).
func dateWhere(b *sqlBuf, lo, hi, prefix string, slo, shi int64) {
	switch prefix {
	case "ne":
		b.w("NOT ("+lo+" >= ? AND "+hi+" <= ?)", slo, shi)
	case "gt":
		b.w(hi+" > ?", shi)
	case "lt":
		b.w(lo+" < ?", slo)
	case "ge":
		b.w(hi+" >= ?", slo)
	case "le":
		b.w(lo+" <= ?", shi)
	case "sa":
		b.w(lo+" > ?", shi)
	case "eb":
		b.w(hi+" < ?", slo)
	case "ap":
		// The caller widens [slo, shi] by the approximation margin; ap then means overlap.
		b.w(lo+" <= ? AND "+hi+" >= ?", shi, slo)
	default: // eq: the stored range lies within the search range
		b.w(lo+" >= ? AND "+hi+" <= ?", slo, shi)
	}
}

// dateDriveSpan is the widest search range of an eq date condition that drives a search: a day or a
// month of birth dates holds few patients; a year or an open range (ge, lt, …) so many that walking the
// type's rows in rid order and checking each finds a page sooner than collecting every match first.
const dateDriveSpan = 31 * 24 * 3600 * 1_000_000

// indexedDates are the date parameters idx_date_value holds (migration 0022: a partial index).
var indexedDates = map[string]bool{"birthdate": true}

// Date matches a date parameter against the search range [lo, hi] (Unix µs, inclusive) with a prefix
// (eq ne gt lt ge le sa eb ap).
func Date(typ, param, prefix string, lo, hi int64) Cond {
	c := Cond{pred: func(b *sqlBuf, a string) {
		x := b.alias()
		b.w("EXISTS (SELECT 1 FROM idx_date "+x+" WHERE "+x+".rid = "+a+".rid AND "+x+".param = ? AND ", param)
		dateWhere(b, x+".lo", x+".hi", prefix, lo, hi)
		b.w(")")
	}}
	if indexedDates[param] && (prefix == "eq" || prefix == "") && hi-lo <= dateDriveSpan {
		// A stored range within [lo, hi] starts within it: a range of idx_date_value (type, param, lo),
		// whose WHERE SQLite matches only against a literal parameter (one of indexedDates, never the
		// client's text). Above a token (a code is shared by a large part of a type), below a
		// reference.
		c.rank, c.exact = 3, true
		c.drive = func(b *sqlBuf) {
			x := b.alias()
			b.w("SELECT "+x+".rid FROM idx_date "+x+" WHERE "+x+".type = ? AND "+x+".param = '"+param+"' AND "+
				x+".lo >= ? AND "+x+".lo <= ? AND "+x+".hi <= ?", typ, lo, hi, hi)
		}
	}
	return c
}

// LastUpdated compares meta.lastUpdated (a point in time) with the search range [lo, hi].
// The page of a search it alone narrows walks the type's rows in rid order, checking each (the unary +
// keeps SQLite off resources_type_updated, whose rows would all be sorted for each page), unless few rows
// match: see probeUpdated.
func LastUpdated(prefix string, lo, hi int64) Cond {
	in := func(b *sqlBuf, a string) {
		b.w("(")
		dateWhere(b, a+".last_updated", a+".last_updated", prefix, lo, hi)
		b.w(")")
	}
	return Cond{updated: in, pred: func(b *sqlBuf, a string) {
		b.w("(")
		dateWhere(b, "+"+a+".last_updated", "+"+a+".last_updated", prefix, lo, hi)
		b.w(")")
	}}
}

// Ref matches a reference parameter pointing at targetType/targetID (any type when targetType is "").
func Ref(typ, param, targetType, targetID string) Cond {
	where := func(b *sqlBuf, x string) {
		b.w(x+".target_id = ?", targetID)
		if targetType != "" {
			b.w(" AND "+x+".target_type = ?", targetType)
		}
		b.w(" AND "+x+".param = ?", param)
	}
	c := Cond{
		rank: 4, exact: true,
		pred: func(b *sqlBuf, a string) {
			x := b.alias()
			b.w("EXISTS (SELECT 1 FROM idx_ref " + x + " WHERE " + x + ".rid = " + a + ".rid AND ")
			where(b, x)
			b.w(")")
		},
		drive: func(b *sqlBuf) {
			x := b.alias()
			b.w("SELECT " + x + ".rid FROM idx_ref " + x + " WHERE ")
			where(b, x)
			b.w(" AND "+x+".type = ?", typ)
		},
	}
	if targetType != "" {
		// idx_ref_target is (target_id, target_type, type, param, rid): with all four bound, the rows
		// come in rid order, each rid once (a Practitioner's Encounters: most of the type).
		c.streamTable = "idx_ref"
		c.stream = func(b *sqlBuf, x string) {
			where(b, x)
			b.w(" AND "+x+".type = ?", typ)
		}
	}
	return c
}

// Number compares a number or quantity parameter: prefix as for dates, the stored value a point, the
// search value the range [lo, hi] its precision implies. unitSystem/unitCode restrict quantities when set.
func Number(typ, param, prefix string, lo, hi float64, unitSystem, unitCode string) Cond {
	return Cond{pred: func(b *sqlBuf, a string) {
		x := b.alias()
		b.w("EXISTS (SELECT 1 FROM idx_number "+x+" WHERE "+x+".rid = "+a+".rid AND "+x+".param = ? AND ", param)
		v := x + ".value"
		switch prefix {
		case "ne":
			b.w("NOT ("+v+" >= ? AND "+v+" <= ?)", lo, hi)
		case "gt", "sa":
			b.w(v+" > ?", hi)
		case "lt", "eb":
			b.w(v+" < ?", lo)
		case "ge":
			b.w(v+" >= ?", lo)
		case "le":
			b.w(v+" <= ?", hi)
		default: // eq, ap (the caller widens the range for ap)
			b.w(v+" >= ? AND "+v+" <= ?", lo, hi)
		}
		if unitCode != "" {
			b.w(" AND "+x+".code = ?", unitCode)
		}
		if unitSystem != "" {
			b.w(" AND "+x+".system = ?", unitSystem)
		}
		b.w(")")
	}}
}

// IndexKind names an index table, for Missing.
type IndexKind string

const (
	KindToken     IndexKind = "idx_token"
	KindString    IndexKind = "idx_string"
	KindDate      IndexKind = "idx_date"
	KindReference IndexKind = "idx_ref"
	KindNumber    IndexKind = "idx_number"
)

// Missing matches resources that have no value for param (missing) or have one (!missing).
func Missing(param string, kind IndexKind, missing bool) Cond {
	not := ""
	if missing {
		not = "NOT "
	}
	return Cond{pred: func(b *sqlBuf, a string) {
		x := b.alias()
		b.w(not+"EXISTS (SELECT 1 FROM "+string(kind)+" "+x+" WHERE "+x+".rid = "+a+".rid AND "+x+".param = ?)", param)
	}}
}

// MissingRef is Missing for a reference parameter's rows pointing at targetType only (for a parameter
// stored as another's rows of one target type, spec.RefRows).
func MissingRef(param, targetType string, missing bool) Cond {
	not := ""
	if missing {
		not = "NOT "
	}
	return Cond{pred: func(b *sqlBuf, a string) {
		x := b.alias()
		b.w(not+"EXISTS (SELECT 1 FROM idx_ref "+x+" WHERE "+x+".rid = "+a+".rid AND "+x+".param = ? AND "+x+".target_type = ?)", param, targetType)
	}}
}

// IDs matches resources with one of the given ids.
func IDs(typ string, ids ...string) Cond {
	return Cond{
		rank: 5, exact: true, terms: clampTerms(len(ids)),
		pred: func(b *sqlBuf, a string) {
			b.WriteString(a + ".id IN ")
			placeholders(b, ids)
		},
		drive: func(b *sqlBuf) {
			b.w("SELECT rid FROM resources WHERE type = ? AND id IN ", typ)
			placeholders(b, ids)
		},
	}
}

// RowID matches one row.
func RowID(rid int64) Cond {
	return Cond{
		rank: 6, exact: true,
		pred:  func(b *sqlBuf, a string) { b.w(a+".rid = ?", rid) },
		drive: func(b *sqlBuf) { b.w("SELECT ?", rid) },
	}
}

// InCompartment matches resources in the patient's compartment (the Patient itself included).
func InCompartment(patient string) Cond {
	return Cond{
		rank: 3, exact: true, patient: patient, compartment: true,
		pred: func(b *sqlBuf, a string) {
			x := b.alias()
			b.w("EXISTS (SELECT 1 FROM compartment "+x+" WHERE "+x+".rid = "+a+".rid AND "+x+".patient = ?)", patient)
		},
		drive: func(b *sqlBuf) {
			x := b.alias()
			b.w("SELECT "+x+".rid FROM compartment "+x+" WHERE "+x+".patient = ?", patient)
		},
		// compartment_patient is (patient, rid).
		streamTable: "compartment",
		stream:      func(b *sqlBuf, x string) { b.w(x+".patient = ?", patient) },
	}
}

// Chain matches resources whose reference param points at a live resource (of targetType, any when
// "") that satisfies inner: Observation?patient.name=smith.
func Chain(typ, param, targetType string, inner Cond) Cond {
	c := Cond{terms: clampTerms(1 + inner.Terms()), pred: func(b *sqlBuf, a string) {
		x, t := b.alias(), b.alias()
		b.w("EXISTS (SELECT 1 FROM idx_ref "+x+" JOIN resources "+t+" ON "+t+".type = "+x+".target_type AND "+
			t+".id = "+x+".target_id WHERE "+x+".rid = "+a+".rid AND "+x+".param = ? AND "+t+".deleted = 0", param)
		if targetType != "" {
			b.w(" AND "+x+".target_type = ?", targetType)
		}
		b.WriteString(" AND ")
		inner.pred(b, t)
		b.WriteString(")")
	}}
	if inner.drive != nil {
		// From the targets inner finds to what points at them: a name, a date, an identifier or an id
		// finds few targets, so it starts the search ahead of a code (Observation?patient.name=singh&code=8867-4 checked the
		// chain on each of 55,000 heart rates); other inner conditions may find most of a type, and
		// start it only when nothing else can. Not exact when inner is not: the chain is checked again.
		c.rank, c.exact = 1, inner.exact
		if inner.rank != 2 && (inner.rank != 4 || inner.token != nil) {
			c.rank = 3 // not a code or a reference, which may find most of the target type
		}
		c.drive = func(b *sqlBuf) {
			x, t := b.alias(), b.alias()
			b.w("SELECT "+x+".rid FROM resources "+t+" CROSS JOIN idx_ref "+x+" ON "+x+".target_id = "+t+".id AND "+
				x+".target_type = "+t+".type AND "+x+".type = ? AND "+x+".param = ? WHERE "+t+".deleted = 0", typ, param)
			if targetType != "" {
				b.w(" AND "+t+".type = ?", targetType)
			}
			b.WriteString(" AND " + t + ".rid IN (")
			inner.drive(b)
			b.WriteString(")")
		}
	}
	return c
}

// Has matches resources that a live srcType resource points at through srcParam, where that resource
// satisfies inner: Patient?_has:Observation:patient:code=1234-5.
func Has(typ, srcType, srcParam string, inner Cond) Cond {
	return has(typ, srcType, srcParam, inner, false)
}

// HasInCompartment is Has where srcParam is a link of srcType's Patient compartment and typ is Patient
// (the FHIR layer knows the links, the store does not): the resources pointing at a Patient through it
// are in that Patient's compartment.
func HasInCompartment(typ, srcType, srcParam string, inner Cond) Cond {
	return has(typ, srcType, srcParam, inner, typ == "Patient")
}

func has(typ, srcType, srcParam string, inner Cond, compartment bool) Cond {
	if tok := inner.token; compartment && tok != nil && tok.typ == srcType && patientTokenParam(tok.param) {
		// An exact code: the candidate's own token rows (idx_token_patient, keyed patient, type, param,
		// code) hold just the srcType resources in its compartment with that code, where idx_ref lists
		// all of them to check the code on each (a woman's ~60 Observations for each of the 5,000 women
		// of Patient?_has:Observation:patient:code=4548-4&gender=female). The reference is still
		// checked, since a resource joins a compartment through other links as well.
		return Cond{terms: clampTerms(1 + inner.Terms()), pred: func(b *sqlBuf, a string) {
			p, x, s := b.alias(), b.alias(), b.alias()
			b.w("EXISTS (SELECT 1 FROM idx_token_patient "+p+" CROSS JOIN idx_ref "+x+" ON "+x+".rid = "+p+".rid CROSS JOIN resources "+
				s+" ON "+s+".rid = "+p+".rid WHERE "+p+".patient = "+a+".id AND "+p+".type = ? AND "+p+".param = ? AND "+
				p+".code = ?", tok.typ, tok.param, tok.v.Code)
			if tok.v.HasSystem {
				b.w(" AND "+p+".system = ?", tok.v.System)
			}
			b.w(" AND "+x+".param = ? AND "+x+".target_type = ? AND "+x+".target_id = "+a+".id AND "+s+".deleted = 0", srcParam, typ)
			if !inner.exact {
				b.WriteString(" AND ")
				inner.pred(b, s)
			}
			b.WriteString(")")
		}}
	}
	return Cond{terms: clampTerms(1 + inner.Terms()), pred: func(b *sqlBuf, a string) {
		x, s := b.alias(), b.alias()
		b.w("EXISTS (SELECT 1 FROM idx_ref "+x+" JOIN resources "+s+" ON "+s+".rid = "+x+".rid WHERE "+
			x+".target_id = "+a+".id AND "+x+".target_type = ? AND "+x+".type = ? AND "+x+".param = ? AND "+
			s+".deleted = 0 AND ", typ, srcType, srcParam)
		inner.pred(b, s)
		b.WriteString(")")
	}}
}

// Or matches when any of cs matches (an empty Or matches nothing).
func Or(cs ...Cond) Cond {
	if len(cs) == 1 {
		return cs[0]
	}
	c := Cond{pred: func(b *sqlBuf, a string) {
		if len(cs) == 0 {
			b.WriteString("0")
			return
		}
		balanced(b, a, cs, " OR ")
	}, terms: sumTerms(cs)}
	c.rank, c.exact = 100, true
	for _, x := range cs {
		if x.drive == nil {
			return Cond{pred: c.pred, terms: c.terms}
		}
		c.rank, c.exact = min(c.rank, x.rank), c.exact && x.exact
	}
	c.drive = func(b *sqlBuf) {
		for i, x := range cs {
			if i > 0 {
				b.WriteString(" UNION ")
			}
			x.drive(b)
		}
	}
	return c
}

// And matches when all of cs match (an empty And matches everything).
func And(cs ...Cond) Cond {
	if len(cs) == 1 {
		return cs[0]
	}
	c := Cond{pred: func(b *sqlBuf, a string) {
		if len(cs) == 0 {
			b.WriteString("1")
			return
		}
		balanced(b, a, cs, " AND ")
	}, terms: sumTerms(cs)}
	if d := bestDriver(cs); d >= 0 {
		c.rank, c.drive = cs[d].rank, cs[d].drive
		c.stream, c.streamTable, c.streamDups = cs[d].stream, cs[d].streamTable, cs[d].streamDups
	}
	return c
}

// balanced writes the predicates of cs (two or more) joined by op, parenthesized as a balanced tree:
// (a OR (b OR c)). SQLite refuses an expression more than 1,000 deep, and counts a subquery's depth
// again at each query it is nested in; a OR b OR … is as deep as it is long, so 200 values four chain
// levels down were too deep, where balanced they are 8. SQLite splits nested ORs (ANDs) into the same
// list of terms either way, so the plan does not change.
func balanced(b *sqlBuf, a string, cs []Cond, op string) {
	if len(cs) == 1 {
		cs[0].pred(b, a)
		return
	}
	mid := len(cs) / 2
	b.WriteString("(")
	balanced(b, a, cs[:mid], op)
	b.WriteString(op)
	balanced(b, a, cs[mid:], op)
	b.WriteString(")")
}

// Not matches when c does not.
func Not(c Cond) Cond {
	return Cond{terms: c.terms, pred: func(b *sqlBuf, a string) { b.WriteString("NOT "); c.pred(b, a) }}
}

func bestDriver(cs []Cond) int {
	best := -1
	for i, c := range cs {
		if c.drive != nil && (best < 0 || c.rank > cs[best].rank) {
			best = i
		}
	}
	return best
}

// OfType matches resources of one of the given types.
func OfType(types ...string) Cond {
	return Cond{terms: clampTerms(len(types)), pred: func(b *sqlBuf, a string) {
		b.WriteString(a + ".type IN ")
		placeholders(b, types)
	}}
}

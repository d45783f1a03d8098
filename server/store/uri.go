package store

import "strings"

// Conditions for the uri modifiers :below and :above and the reference modifier :identifier
// (http://hl7.org/fhir/R4/search.html#uri, #reference). uri values are kept unfolded in idx_string.

// URIBelow matches a uri parameter whose value is v or lies below it in the path hierarchy:
// profile:below=http://hl7.org/fhir/us/core matches …/us/core/StructureDefinition/us-core-patient,
// not …/us/core-extra.
func URIBelow(typ, param, v string) Cond {
	base := strings.TrimSuffix(v, "/")
	where := func(b *sqlBuf, x string) {
		b.w(x+".param = ? AND ("+x+".norm IN (?, ?) OR ("+x+".norm >= ? AND "+x+".norm < ?))",
			param, base, base+"/", base+"/", base+"/\U0010FFFF")
	}
	return uriCond(typ, where)
}

// URIAbove matches a uri parameter whose value is v or one of its ancestors in the path hierarchy (a
// prefix of v that ends at a "/" after the authority, with or without that "/").
func URIAbove(typ, param, v string) Cond {
	cands := []string{v, strings.TrimSuffix(v, "/")}
	start := 0
	if i := strings.Index(v, "://"); i >= 0 {
		start = i + 3
	}
	for i := start; i < len(v); i++ {
		if v[i] == '/' && i > start {
			cands = append(cands, v[:i], v[:i+1])
		}
	}
	where := func(b *sqlBuf, x string) {
		b.w(x+".param = ? AND "+x+".norm IN ", param)
		placeholders(b, cands)
	}
	c := uriCond(typ, where)
	c.terms = clampTerms(len(cands))
	return c
}

func uriCond(typ string, where func(b *sqlBuf, x string)) Cond {
	return Cond{
		rank: 1, exact: true,
		pred: func(b *sqlBuf, a string) {
			x := b.alias()
			b.w("EXISTS (SELECT 1 FROM idx_string " + x + " WHERE " + x + ".rid = " + a + ".rid AND ")
			where(b, x)
			b.w(")")
		},
		drive: func(b *sqlBuf) {
			x := b.alias()
			b.w("SELECT "+x+".rid FROM idx_string "+x+" WHERE "+x+".type = ? AND ", typ)
			where(b, x)
		},
	}
}

// RefIdentifier matches a reference parameter by identifier (subject:identifier=system|value): the
// Reference's own identifier element (indexed as the token parameter "param:identifier"), or a literal
// reference to a live resource of one of targets whose identifier parameter matches v.
func RefIdentifier(typ, param string, targets []string, v TokenValue) Cond {
	own := Token(typ, param+":identifier", v)
	if len(targets) == 0 {
		return own
	}
	// x: the reference row; t: the target; i: the target's identifier.
	join := func(b *sqlBuf, x, t, i string) {
		b.w(" JOIN resources "+t+" ON "+t+".type = "+x+".target_type AND "+t+".id = "+x+".target_id AND "+t+".deleted = 0"+
			" JOIN idx_token "+i+" ON "+i+".rid = "+t+".rid WHERE "+x+".param = ? AND "+i+".type IN ", param)
		placeholders(b, targets)
		b.WriteString(" AND ")
		tokenWhere(b, i, "identifier", v, "")
	}
	resolved := Cond{
		terms: clampTerms(1 + len(targets)),
		pred: func(b *sqlBuf, a string) {
			x, t, i := b.alias(), b.alias(), b.alias()
			b.WriteString("EXISTS (SELECT 1 FROM idx_ref " + x)
			join(b, x, t, i)
			b.WriteString(" AND " + x + ".rid = " + a + ".rid)")
		},
	}
	if v.Code != "" {
		resolved.rank, resolved.exact = 2, true
		resolved.drive = func(b *sqlBuf) {
			x, t, i := b.alias(), b.alias(), b.alias()
			b.WriteString("SELECT " + x + ".rid FROM idx_ref " + x)
			join(b, x, t, i)
			b.w(" AND "+x+".type = ?", typ)
		}
	}
	c := Or(own, resolved)
	if c.drive != nil {
		// An identifier names one target, so the references to it are few, like a reference's (rank 4):
		// ahead of a code, whose rows the search would otherwise walk checking this on each
		// (Observation?subject:Patient.identifier=…&category=laboratory read all 126,000 laboratory
		// results of 10,000 patients).
		c.rank = 4
	}
	return c
}

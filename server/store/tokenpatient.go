package store

// Patient-and-token searches. When a search pairs a patient (a compartment, or a reference that only a
// compartment member can hold) with a token code, idx_token_patient answers both at once: one range
// of (patient, type, param, code) holds exactly the resources in the patient's compartment with that
// code, where idx_ref or compartment would list every one of the patient's resources of the type and
// check the token on each. The table is defined in migrations/0006_token_patient.sql.

// patientTokenParam reports whether idx_token_patient holds param's rows: every token parameter but the
// resource-level ones (_profile, _tag, _security), which every resource has and no app pairs with a
// patient.
func patientTokenParam(param string) bool { return param == "" || param[0] != '_' }

// tokenKey is an exact-code token condition, kept so the search can pair it with a patient.
type tokenKey struct {
	typ, param string
	v          TokenValue
}

// WithinCompartment marks c as matching only resources in patient's compartment: the FHIR layer knows
// which reference parameters are compartment links (Observation's patient and subject, not focus), the
// store does not. A search pairing c with an exact token code may then start from idx_token_patient.
func (c Cond) WithinCompartment(patient string) Cond {
	c.patient = patient
	return c
}

// patientToken returns the condition that drives a search from idx_token_patient when where pairs a
// patient with an exact token code of the one type searched (types), and ok false otherwise or when
// another condition names the rows more narrowly (_id, a row id). The driver is exact, and implied marks
// the conditions of where that it answers on its own, which the search then leaves out: the token (the
// patient's token rows are copies of its rows) and a compartment condition (they are kept for the
// compartment's members only). A compartment link such as Observation.patient is still checked, since
// a resource joins a compartment through other links as well. Leaving the token out saves one index
// seek per match.
func patientToken(types []string, where []Cond) (c Cond, implied []bool, ok bool) {
	pi, ti := -1, -1
	for i, w := range where {
		if w.patient != "" && pi < 0 {
			pi = i
		}
		if w.token != nil && ti < 0 && patientTokenParam(w.token.param) {
			ti = i
		}
	}
	if pi < 0 || ti < 0 || len(types) != 1 || types[0] != where[ti].token.typ {
		return Cond{}, nil, false
	}
	patient, tok := where[pi].patient, where[ti].token
	match := func(b *sqlBuf, x string) {
		b.w(x+".patient = ? AND "+x+".type = ? AND "+x+".param = ? AND "+x+".code = ?", patient, tok.typ, tok.param, tok.v.Code)
		if tok.v.HasSystem {
			b.w(" AND "+x+".system = ?", tok.v.System)
		}
	}
	// Level with a reference (4) and above a compartment (3): it is both, narrowed by the code. Below
	// _id (5) and a row id (6), which name the rows outright.
	const rank = 4
	if d := bestDriver(where); d >= 0 && where[d].rank > rank {
		return Cond{}, nil, false
	}
	implied = make([]bool, len(where))
	implied[ti] = true
	implied[pi] = where[pi].compartment
	return Cond{
		rank: rank, exact: true, patient: patient,
		pred: func(b *sqlBuf, a string) {
			x := b.alias()
			b.w("EXISTS (SELECT 1 FROM idx_token_patient " + x + " WHERE ")
			match(b, x)
			b.w(" AND " + x + ".rid = " + a + ".rid)")
		},
		drive: func(b *sqlBuf) {
			x := b.alias()
			b.w("SELECT " + x + ".rid FROM idx_token_patient " + x + " WHERE ")
			match(b, x)
		},
	}, implied, true
}

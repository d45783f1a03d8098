package store

// Patient-and-token searches. When a search pairs a patient (a compartment, or a reference that only a
// compartment member can hold) with a token code, idx_token_patient answers both at once: one range
// of (patient, type, param, code) holds exactly the resources in the patient's compartment with that
// code, where idx_ref or compartment would list every one of the patient's resources of the type and
// check the token on each. See migration 0006.

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
// another condition names the rows more narrowly (_id, a row id). It is a driver only: every
// condition of where is still checked (or known exact) by the search, so its predicate is never needed
// for correctness, but it has one so it can stand anywhere a Cond can.
func patientToken(types []string, where []Cond) (c Cond, ok bool) {
	patient, tok := "", (*tokenKey)(nil)
	for _, w := range where {
		if w.patient != "" && patient == "" {
			patient = w.patient
		}
		if w.token != nil && tok == nil && patientTokenParam(w.token.param) {
			tok = w.token
		}
	}
	if patient == "" || tok == nil || len(types) != 1 || types[0] != tok.typ {
		return Cond{}, false
	}
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
		return Cond{}, false
	}
	return Cond{
		rank: rank, exact: true,
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
	}, true
}

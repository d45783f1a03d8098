package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/valet-sandbox/valet/server/store"
)

// testPatientToken checks searches that pair a patient with a token code (answered from the patient's
// token rows, migration 0006) against what each condition alone means, through updates, deletes, a
// resource in two compartments and a reference that is not a compartment link.
func testPatientToken(t *testing.T, s store.Store) {
	ctx := context.Background()
	const lab, vital = "laboratory", "vital-signs"
	cat := "http://terminology.hl7.org/CodeSystem/observation-category"
	obs := func(id string, version int64, subject, category string, patients ...string) store.Indexed {
		return store.Indexed{
			Resource: store.Resource{Type: "Observation", ID: id, Version: version, LastUpdated: t0, JSON: []byte(`{}`)},
			Index: store.Index{
				Tokens:   []store.TokenKey{{Param: "category", System: cat, Code: category}, {Param: "status", Code: "final"}, {Param: "_profile", Code: "urn:p:" + category}},
				Refs:     []store.RefKey{{Param: "patient", TargetType: "Patient", TargetID: subject}, {Param: "subject", TargetType: "Patient", TargetID: subject}},
				Patients: patients,
			},
		}
	}
	// focus is not a compartment link: o6 points at a through it but lives in b's compartment only.
	o6 := obs("o6", 1, "b", lab, "b")
	o6.Index.Refs = append(o6.Index.Refs, store.RefKey{Param: "focus", TargetType: "Patient", TargetID: "a"})
	write := func(batch ...store.Indexed) {
		t.Helper()
		for i := range batch {
			if i%2 == 0 {
				batch[i].Prepare() // the bulk path's rows, built ahead of the row id, must match
			}
		}
		if err := s.Tx(ctx, func(tx *store.Tx) error { _, err := tx.PutIndexedBatch(ctx, batch); return err }); err != nil {
			t.Fatal(err)
		}
	}
	write(obs("o1", 1, "a", lab, "a"), obs("o2", 1, "a", vital, "a"), obs("o3", 1, "a", lab, "a"),
		obs("o4", 1, "b", lab, "b"), obs("o5", 1, "a", lab, "a", "b"), o6)

	O := []string{"Observation"}
	category := func(code string) store.Cond {
		return store.Token("Observation", "category", store.TokenValue{Code: code})
	}
	patient := func(id string) store.Cond {
		return store.Ref("Observation", "patient", "Patient", id).WithinCompartment(id)
	}
	check := func(name string, want []string, where ...store.Cond) {
		t.Helper()
		p, err := s.Search(ctx, store.Query{Types: O, Where: where, Limit: 100, Count: true})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var got []string
		for _, r := range p.Resources {
			got = append(got, r.ID)
		}
		if !slices.Equal(got, want) || p.Total != len(want) {
			t.Errorf("%s: got %v (total %d), want %v", name, got, p.Total, want)
		}
	}
	check("patient a, laboratory", []string{"o1", "o3", "o5"}, patient("a"), category(lab))
	check("patient b, laboratory (o5 is in b's compartment, but its patient is a)", []string{"o4", "o6"}, patient("b"), category(lab))
	check("compartment b, laboratory", []string{"o4", "o5", "o6"}, store.InCompartment("b"), category(lab))
	check("system|code", []string{"o2"}, patient("a"), store.Token("Observation", "category", store.TokenValue{System: cat, Code: vital, HasSystem: true}))
	check("wrong system", nil, patient("a"), store.Token("Observation", "category", store.TokenValue{System: "urn:other", Code: vital, HasSystem: true}))
	check("a reference that is not a compartment link", []string{"o6"}, store.Ref("Observation", "focus", "Patient", "a"), category(lab))
	check("a resource-level token (not in the patient's token rows)", []string{"o1", "o3", "o5"}, patient("a"), store.Token("Observation", "_profile", store.TokenValue{Code: "urn:p:" + lab}))
	check("two tokens", []string{"o1", "o3", "o5"}, patient("a"), category(lab), store.Token("Observation", "status", store.TokenValue{Code: "final"}))
	check("two codes of one parameter", nil, patient("a"), category(lab), category(vital))
	check("compartment and a compartment link", []string{"o5"}, store.InCompartment("b"), patient("a"), category(lab))

	// An update moves o1 to vital signs and to patient b; a delete removes o3.
	o3 := obs("o3", 2, "a", lab, "a")
	o3.Resource.Deleted = true
	write(obs("o1", 2, "b", vital, "b"), o3)
	check("after update and delete, a", []string{"o5"}, patient("a"), category(lab))
	check("after update, b vital signs", []string{"o1"}, patient("b"), category(vital))
	check("after update, a vital signs", []string{"o2"}, patient("a"), category(vital))

	// A rolled-back write leaves no patient token rows behind.
	_ = s.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.PutIndexedBatch(ctx, []store.Indexed{obs("o9", 1, "a", lab, "a")}); err != nil {
			return err
		}
		return context.Canceled
	})
	check("after rollback", []string{"o5"}, patient("a"), category(lab))

	// _has from a compartment link reads the candidate Patient's token rows (HasInCompartment) and
	// finds what Has finds: h1 is in p's compartment through its subject and in q's through another link
	// (its patient is p), h2 (q's) points at r through focus (not a compartment link, so the FHIR layer
	// asks Has alone), h3 (r's) is deleted.
	pat := func(id string) store.Indexed {
		return store.Indexed{Resource: store.Resource{Type: "Patient", ID: id, Version: 1, LastUpdated: t0, JSON: []byte(`{}`)}, Index: store.Index{Patients: []string{id}}}
	}
	h2 := obs("h2", 1, "q", "notes", "q")
	h2.Index.Refs = append(h2.Index.Refs, store.RefKey{Param: "focus", TargetType: "Patient", TargetID: "r"})
	h3 := obs("h3", 1, "r", "imaging", "r")
	h3.Resource.Deleted = true
	write(pat("p"), pat("q"), pat("r"), obs("h1", 1, "p", "imaging", "p", "q"), h2, h3)
	for _, tc := range []struct {
		name       string
		param, cat string
		want       []string
	}{
		{"_has imaging", "patient", "imaging", []string{"p"}},
		{"_has imaging through subject", "subject", "imaging", []string{"p"}},
		{"_has notes", "patient", "notes", []string{"q"}},
		{"_has notes through focus", "focus", "notes", []string{"r"}},
		{"_has a code no one has", "patient", "survey", nil},
	} {
		hass := []func(typ, src, param string, inner store.Cond) store.Cond{store.Has, store.HasInCompartment}
		if tc.param == "focus" {
			hass = hass[:1]
		}
		for _, has := range hass {
			p, err := s.Search(ctx, store.Query{Types: []string{"Patient"}, Where: []store.Cond{has("Patient", "Observation", tc.param, category(tc.cat))}, Limit: 100, Count: true})
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if got := ids(p.Resources); !slices.Equal(got, prefixed("Patient/", tc.want)) || p.Total != len(tc.want) {
				t.Errorf("%s: got %v (total %d), want %v", tc.name, got, p.Total, tc.want)
			}
		}
	}
}

func prefixed(prefix string, ss []string) []string {
	var out []string
	for _, s := range ss {
		out = append(out, prefix+s)
	}
	return out
}

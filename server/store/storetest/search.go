package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/valet-sandbox/valet/server/store"
)

func ids(rs []store.Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Type + "/" + r.ID
	}
	return out
}

// testSearch stores a small indexed data set and checks each kind of condition finds exactly its rows.
func testSearch(t *testing.T, s store.Store) {
	ctx := context.Background()
	obs := func(id, patient, code string, day int, value float64) store.Indexed {
		lo := store.Micros(t0.AddDate(0, 0, day))
		return store.Indexed{
			Resource: store.Resource{Type: "Observation", ID: id, Version: 1, LastUpdated: t0, JSON: []byte(`{}`)},
			Index: store.Index{
				Tokens:   []store.TokenKey{{Param: "code", System: "http://loinc.org", Code: code, Text: "glucose"}},
				Refs:     []store.RefKey{{Param: "patient", TargetType: "Patient", TargetID: patient}},
				Dates:    []store.DateKey{{Param: "date", Lo: lo, Hi: lo + 86400e6 - 1}},
				Numbers:  []store.NumberKey{{Param: "value-quantity", Value: value, Code: "mg/dL"}},
				Patients: []string{patient},
			},
		}
	}
	pat := func(id, family string) store.Indexed {
		return store.Indexed{
			Resource: store.Resource{Type: "Patient", ID: id, Version: 1, LastUpdated: t0, JSON: []byte(`{}`)},
			Index:    store.Index{Strings: []store.StringKey{{Param: "family", Norm: family, Exact: family}}, Patients: []string{id}},
		}
	}
	err := s.Tx(ctx, func(tx *store.Tx) error {
		_, err := tx.PutIndexedBatch(ctx, []store.Indexed{
			pat("a", "smith"), pat("b", "smithers"), pat("c", "jones"),
			obs("o1", "a", "1", 0, 90), obs("o2", "a", "2", 1, 150), obs("o3", "b", "1", 2, 110), obs("o4", "c", "3", 3, 70),
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	O := []string{"Observation"}
	for _, tc := range []struct {
		name  string
		types []string
		where []store.Cond
		want  []string
	}{
		{"token code", O, []store.Cond{store.Token("Observation", "code", store.TokenValue{Code: "1"})}, []string{"o1", "o3"}},
		{"token system|code", O, []store.Cond{store.Token("Observation", "code", store.TokenValue{System: "http://loinc.org", Code: "2", HasSystem: true})}, []string{"o2"}},
		{"token |code", O, []store.Cond{store.Token("Observation", "code", store.TokenValue{Code: "2", HasSystem: true})}, nil},
		{"token text", O, []store.Cond{store.Token("Observation", "code", store.TokenValue{Code: "glu", Text: true})}, []string{"o1", "o2", "o3", "o4"}},
		{"not token", O, []store.Cond{store.Not(store.Token("Observation", "code", store.TokenValue{Code: "1"}))}, []string{"o2", "o4"}},
		{"ref and token", O, []store.Cond{store.Ref("Observation", "patient", "Patient", "a"), store.Token("Observation", "code", store.TokenValue{Code: "1"})}, []string{"o1"}},
		{"or", O, []store.Cond{store.Or(store.Ref("Observation", "patient", "", "a"), store.Ref("Observation", "patient", "", "c"))}, []string{"o1", "o2", "o4"}},
		{"date ge", O, []store.Cond{store.Date("Observation", "date", "ge", store.Micros(t0.AddDate(0, 0, 2)), store.Micros(t0.AddDate(0, 0, 3))-1)}, []string{"o3", "o4"}},
		{"date eq", O, []store.Cond{store.Date("Observation", "date", "eq", store.Micros(t0.AddDate(0, 0, 1)), store.Micros(t0.AddDate(0, 0, 2))-1)}, []string{"o2"}},
		{"number gt", O, []store.Cond{store.Number("Observation", "value-quantity", "gt", 100, 100, "", "mg/dL")}, []string{"o2", "o3"}},
		{"missing", O, []store.Cond{store.Missing("value-quantity", store.KindNumber, true)}, nil},
		{"string prefix", []string{"Patient"}, []store.Cond{store.String("Patient", "family", store.StringPrefix, "smith", "smith")}, []string{"a", "b"}},
		{"string exact", []string{"Patient"}, []store.Cond{store.String("Patient", "family", store.StringExact, "smith", "smith")}, []string{"a"}},
		{"string contains", []string{"Patient"}, []store.Cond{store.String("Patient", "family", store.StringContains, "ne", "ne")}, []string{"c"}},
		{"chain", O, []store.Cond{store.Chain("Observation", "patient", "Patient", store.String("Patient", "family", store.StringPrefix, "smithe", "smithe"))}, []string{"o3"}},
		{"has", []string{"Patient"}, []store.Cond{store.Has("Patient", "Observation", "patient", store.Token("Observation", "code", store.TokenValue{Code: "3"}))}, []string{"c"}},
		{"compartment all types", nil, []store.Cond{store.InCompartment("a")}, []string{"a", "o1", "o2"}},
		{"ids", O, []store.Cond{store.IDs("Observation", "o4", "o1")}, []string{"o1", "o4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := s.Search(ctx, store.Query{Types: tc.types, Where: tc.where, Limit: 100, Count: true})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range p.Resources {
				got = append(got, r.ID)
			}
			if !slices.Equal(got, tc.want) || p.Total != len(tc.want) {
				t.Errorf("got %v (total %d), want %v", got, p.Total, tc.want)
			}
		})
	}
	// Keyset paging walks every row once, forwards and back.
	var seen []string
	var after int64
	for {
		p, err := s.Search(ctx, store.Query{Types: O, Limit: 3, After: after})
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, ids(p.Resources)...)
		if !p.More {
			break
		}
		after = p.Resources[len(p.Resources)-1].RowID
	}
	if fmt.Sprint(seen) != "[Observation/o1 Observation/o2 Observation/o3 Observation/o4]" {
		t.Errorf("paging: %v", seen)
	}
	// An update replaces the index rows; a delete removes them.
	err = s.Tx(ctx, func(tx *store.Tx) error {
		o := obs("o1", "b", "9", 0, 1)
		o.Resource.Version = 2
		if _, err := tx.PutIndexed(ctx, o.Resource, &o.Index); err != nil {
			return err
		}
		d := obs("o2", "a", "2", 0, 1)
		d.Resource.Version, d.Resource.Deleted = 2, true
		_, err := tx.PutIndexed(ctx, d.Resource, &d.Index)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := s.Search(ctx, store.Query{Types: O, Where: []store.Cond{store.InCompartment("a")}, Limit: 10})
	if len(p.Resources) != 0 {
		t.Errorf("after update and delete, compartment a still has %v", ids(p.Resources))
	}
	p, _ = s.Search(ctx, store.Query{Types: O, Where: []store.Cond{store.Token("Observation", "code", store.TokenValue{Code: "9"})}, Limit: 10})
	if len(p.Resources) != 1 || p.Resources[0].Version != 2 {
		t.Errorf("updated index not found: %v", ids(p.Resources))
	}
	// Include and revinclude follow the reference index.
	o3, _ := s.ReadResource(ctx, "Observation", "o3")
	inc, err := s.Included(ctx, []int64{o3.RowID}, "patient", "Patient")
	if err != nil || len(inc) != 1 || inc[0].ID != "b" {
		t.Errorf("include: %v %v", ids(inc), err)
	}
	rev, err := s.RevIncluded(ctx, []store.Resource{{Type: "Patient", ID: "b"}}, "Observation", "patient")
	if err != nil || len(rev) != 2 {
		t.Errorf("revinclude: %v %v", ids(rev), err)
	}
	// A rolled back write leaves no index rows.
	_ = s.Tx(ctx, func(tx *store.Tx) error {
		o := obs("o9", "zz", "1", 0, 1)
		if _, err := tx.PutIndexed(ctx, o.Resource, &o.Index); err != nil {
			return err
		}
		return fmt.Errorf("roll back")
	})
	p, _ = s.Search(ctx, store.Query{Where: []store.Cond{store.InCompartment("zz")}, Limit: 10, Count: true})
	if p.Total != 0 {
		t.Errorf("rolled back resource found: %d", p.Total)
	}
}

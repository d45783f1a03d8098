package fhirio

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/valet-sandbox/valet/synth"
)

// agree checks quickCheck against checkResource's full check on valid JSON: whatever the quick check
// accepts, the full check accepts with the same entry (same bytes); it may give up on anything.
func agree(t *testing.T, b []byte) (quick bool) {
	t.Helper()
	q, ok := quickCheck(b)
	if !ok {
		return false
	}
	full, err := checkResource(b, "", false)
	if err != nil {
		t.Fatalf("quick check accepted what the full check refuses (%v): %s", err, b)
	}
	if !reflect.DeepEqual(q, full) {
		t.Fatalf("quick check %+v, full check %+v: %s", q, full, b)
	}
	return true
}

// Every generated resource, compact and indented, passes the quick check with the full check's result.
func TestQuickCheckAcceptsGeneratedResources(t *testing.T) {
	n := 0
	err := synth.Generate(context.Background(), synth.Options{Patients: 20, Seed: 5, Personas: true}, func(rs []synth.Resource) error {
		for _, r := range rs {
			var ind bytes.Buffer
			json.Indent(&ind, r.JSON, "", "  ")
			for _, b := range [][]byte{r.JSON, ind.Bytes()} {
				if !agree(t, b) {
					t.Fatalf("quick check gave up on a generated %s: %s", r.Type, b)
				}
				n++
			}
		}
		return nil
	}, nil)
	if err != nil || n == 0 {
		t.Fatal(n, err)
	}
}

// What the full check refuses, the quick check gives up on; where it gives up on something valid, the
// full check decides.
func TestQuickCheckGivesUpOnWhatItCannotBeSureOf(t *testing.T) {
	for _, tc := range []struct {
		json         string
		quick, valid bool
	}{
		{`{"resourceType":"Patient","id":"p1","name":[{"family":"O\"Brien","given":["Ann"]}]}`, true, true},
		{"{\"resourceType\" : \"Patient\",\n \"active\": true, \"multipleBirthInteger\": 2}", true, true},
		{`{"resourceType":"Patient","name":[{"family":"李"}],"note":"\ud83d\ude00","x":"\u00e9","y":"\/"}`, true, true},
		{`{"resourceType":"Patient","gender":null}`, false, false},
		{`{"resourceType":"Patient","name":[{"given":["A",null]}]}`, false, true}, // a placeholder: the full check decides
		{`{"resourceType":"Patient","gender":""}`, false, false},
		{`{"resourceType":"Patient","gender":"  \t"}`, false, false},
		{`{"resourceType":"Patient","gender":"\u0020"}`, false, false},
		{`{"resourceType":"Patient","gender":"\u00a0\u3000"}`, false, false},
		{"{\"resourceType\":\"Patient\",\"gender\":\"\u2003\"}", false, false},
		{`{"resourceType":"Patient","gender":"\b"}`, false, true},
		{`{"resourceType":"Patient","name":[]}`, false, false},
		{`{"resourceType":"Patient","name":[{}]}`, false, false},
		{`{"resourceType":"Patient","name":[ { } ]}`, false, false},
		{`{"resourceType":"Patient","id":5}`, false, false},
		{`{"resourceType":"Patient","id":{"a":"b"}}`, false, false},
		{`{"resourceType":"Patient","id":"bad id"}`, false, false},
		{`{"resourceType":"Patient","id":"p\u0031"}`, false, true},
		{`{"resourceType":"Pat\u0069ent"}`, false, true},
		{`{"resourceType":"Patientx"}`, false, false},
		{`{"id":"p1"}`, false, false},
		{`{"resourceType":"Patient","contained":[{"resourceType":"","id":"c"}]}`, false, true},
		{`["resourceType"]`, false, false},
		{`"Patient"`, false, false},
		{`{"resourceType":"Patient","extension":[{"url":"u","valueInteger":-1.5e3}]}`, true, true},
	} {
		b := []byte(tc.json)
		if got := agree(t, b); got != tc.quick {
			t.Errorf("quick check ok = %v, want %v: %s", got, tc.quick, b)
		}
		if _, err := checkResource(b, "", true); (err == nil) != tc.valid {
			t.Errorf("checkResource: %v, want valid %v: %s", err, tc.valid, b)
		}
	}
}

func FuzzQuickCheck(f *testing.F) {
	f.Add([]byte(`{"resourceType":"Patient","id":"p1","name":[{"family":"O\"Brien","given":["Ann",null]}],"active":true}`))
	f.Add([]byte("{\n  \"resourceType\": \"Observation\",\n  \"valueQuantity\": {\"value\": 1.5}\n}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if json.Valid(b) {
			agree(t, b)
		}
	})
}

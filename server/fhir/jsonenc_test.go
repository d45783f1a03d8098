package fhir

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strconv"
	"testing"

	"github.com/valet-sandbox/valet/synth"
)

// encodeStd is encode as it was written on encoding/json: the reference appendJSON must match byte for byte.
func encodeStd(m object) []byte {
	rt, _ := m["resourceType"].(string)
	delete(m, "resourceType")
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(m)
	m["resourceType"] = rt
	body := bytes.TrimRight(buf.Bytes(), "\n")
	out := append([]byte(`{"resourceType":`), strconv.Quote(rt)...)
	if len(body) > 2 {
		out = append(out, ',')
	}
	return append(out, body[1:]...)
}

func TestEncodeMatchesEncodingJSON(t *testing.T) {
	check := func(name string, body []byte) {
		t.Helper()
		m, o := decode(body)
		if o != nil {
			t.Fatalf("%s: %v", name, o)
		}
		if got, want := encode(m), encodeStd(m); !bytes.Equal(got, want) {
			t.Fatalf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
	for i, s := range []string{
		`{"resourceType":"Patient"}`,
		`{"id":"x"}`,
		`{"resourceType":"Basic","text":{"div":"<div>a &amp; b \u003c\u2028\u2029 \u0001\u0008\u000c\n\r\t\"\\ é 中 \ud83d\ude00</div>"}}`,
		"{\"resourceType\":\"Basic\",\"x\":\"bad \xff utf8 \xc3\",\"\xfek\":1}",
		`{"resourceType":"Observation","valueQuantity":{"value":1.50,"unit":"mg"},"n":[-0,1e5,2E-3,0.0],"b":[true,false,null],"e":{},"a":[]}`,
		`{"resourceType":"Patient","z":1,"a":{"y":[{"b":2,"a":1}],"x":"\u007f"},"A":0,"_a":null}`,
	} {
		check("case "+strconv.Itoa(i), []byte(s))
	}
	n := 0
	err := synth.Generate(context.Background(), synth.Options{Patients: 3, Seed: 5, Personas: true, Years: 2}, func(rs []synth.Resource) error {
		for _, r := range rs {
			if r.Type == "Observation" && n > 3000 {
				continue // the 5,000-Observation persona adds nothing new
			}
			n++
			check(r.Type+"/"+r.ID, r.JSON)
		}
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
}

func FuzzEncode(f *testing.F) {
	for _, s := range []string{`{"resourceType":"Patient","name":[{"given":["Zoë"]}]}`, `{"a":"\u2028<>&","b":[1.0,{"c":null}]}`, "{\"\xff\":\"\x01\"}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, o := decode(b)
		if o != nil {
			return
		}
		if got, want := encode(m), encodeStd(m); !bytes.Equal(got, want) {
			t.Fatalf("got %s\nwant %s", got, want)
		}
	})
}

func TestParseObjectMatchesEncodingJSON(t *testing.T) {
	check := func(name string, body []byte) {
		t.Helper()
		want, wo := decodeStd(body)
		for variant, parse := range map[string]func([]byte) (object, bool){"": parseObject, " (shared)": parseObjectShared} {
			got, ok := parse(body)
			if !ok {
				if wo == nil {
					t.Errorf("%s%s: the fast path refused what encoding/json accepts: %s", name, variant, body)
				}
				continue
			}
			if wo != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("%s%s: fast %#v, encoding/json %#v (%v)", name, variant, got, want, wo)
			}
		}
	}
	for i, s := range []string{`{}`, ` {"a":1} `, `{"a":1,"a":2}`, `{"s":"\u00e9\ud83d\ude00\ud800x\udc00\u0041\/\b\f\n\r\t\"\\"}`,
		"{\"bad\":\"\xff\xc3(\"}", `{"n":[-0,1.5e+10,2E-3,0.10]}`, `{"x":[true,false,null,{},[]]}`,
		`[]`, `null`, `{"a":01}`, `{"a":1}x`, `{"a":"` + "\x01" + `"}`, `{"a" 1}`, `{"a":tru}`, `{"a":-}`, `{"a":1.}`} {
		check("case "+strconv.Itoa(i), []byte(s))
	}
	err := synth.Generate(context.Background(), synth.Options{Patients: 2, Seed: 3, Personas: true, Years: 2}, func(rs []synth.Resource) error {
		for _, r := range rs {
			check(r.Type+"/"+r.ID, r.JSON)
		}
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
}

func FuzzParseObject(f *testing.F) {
	for _, s := range []string{`{"resourceType":"Patient","name":[{"given":["Zoë"]}]}`, `{"a":"\ud800\u0041","b":[1.0,{"c":null}]}`, "{\"\xff\":\"x\"}", `{"a":1e5}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want, wo := decodeStd(b)
		for _, parse := range []func([]byte) (object, bool){parseObject, parseObjectShared} {
			got, ok := parse(b)
			if ok && (wo != nil || !reflect.DeepEqual(got, want)) {
				t.Fatalf("fast %#v, encoding/json %#v (%v)", got, want, wo)
			}
			if !ok && wo == nil {
				t.Fatalf("fast path refused valid input")
			}
		}
	})
}

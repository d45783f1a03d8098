package fhir

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server/fhir/search"
	"github.com/valet-sandbox/valet/server/fhir/spec"
)

func FuzzSearchParams(f *testing.F) {
	for _, s := range []string{"patient=p1&category=laboratory", "date=ge2020-01-01T00:00:00+02:00", "code:text=a,b\\,c",
		"_has:Observation:patient:code=1", "patient.name=x", "value-quantity=ap5.5|http://u|mg", "_sort=-date,_id", "_include=Observation:patient:iterate"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		vals, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		_, _ = search.Parse("Observation", vals, search.Options{Base: "http://x/fhir", Now: time.Unix(0, 0)})
	})
}

func FuzzValidate(f *testing.F) {
	for _, s := range []string{`{"resourceType":"Patient","birthDate":"2020"}`, `{"resourceType":"Observation","status":"final","code":{}}`,
		`{"resourceType":"Patient","contained":[{"resourceType":"X"}],"_given":[null]}`,
		`{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1.5},"component":[{"code":{},"valueString":"a"}]}`,
		`{"resourceType":"Patient","name":[{"given":["a",null],"_given":[null,{"id":"x"}]}],"_gender":{"extension":[{"url":"u","valueCode":"c"}]}}`,
		`{"resourceType":"Observation","contained":[{"resourceType":"Patient","id":"p","contained":[]}],"subject":{"reference":"#p"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, o := decode(b)
		if o != nil {
			return
		}
		typ, _ := m["resourceType"].(string)
		if typ == "" {
			typ = "Patient"
		}
		o = validate(m, typ, false)
		if o == nil {
			encode(m)
			return
		}
		// Every problem is reported with an expression and a 400 or 422.
		if o.Status != 400 && o.Status != 422 || len(o.Issues) == 0 {
			t.Fatalf("status %d with %d issues", o.Status, len(o.Issues))
		}
		for _, is := range o.Issues {
			if len(is.Expression) == 0 || !strings.HasPrefix(is.Expression[0], typ) {
				t.Fatalf("issue without an expression rooted at %s: %+v", typ, is)
			}
		}
	})
}

// FuzzSearchHTTP drives searches built from the fuzzer's bytes — parameters of the type and of others,
// made-up names, modifiers, chains, _has, prefixes, comma lists, repetitions, _sort, _include, _count,
// cursors — through the real handler onto a small store: by GET, by POST _search, or as the conditional
// reference of a transaction (via 0, 1, 2). No answer is a 500, and every 4xx is an OperationOutcome with
// its issues coded.
func FuzzSearchHTTP(f *testing.F) {
	types := spec.SearchableTypes()
	obs := uint8(slices.Index(types, "Observation"))
	// The searches SQLite refused in issue #13, as raw queries.
	f.Add(obs, "_sort="+repeat(101, ",", same("date")), []byte{}, uint8(0))
	f.Add(obs, "code="+repeat(501, ",", numbered("c")), []byte{}, uint8(0))
	f.Add(obs, repeat(491, "&", numbered("patient=p")), []byte{}, uint8(1))
	// The same, generated: _sort of 101 keys; code=p1 and 500 values more; patient=p1 and 492 repetitions.
	f.Add(obs, "", []byte{opSort, 101}, uint8(0))
	f.Add(obs, "", []byte{opCriterion, 0, 2 * 4, 0, 0, 0, opValues, 125}, uint8(0))
	f.Add(obs, "", []byte{opCriterion, 0, 10 * 4, 0, 0, 0, opRepeat, 123}, uint8(1))
	f.Add(uint8(slices.Index(types, "Patient")), "identifier="+repeat(501, ",", numbered("urn:mrn|MRN")), []byte{}, uint8(2))
	// Within the values and criteria limits, but past SQLite's 32,766 parameters without search.MaxTerms:
	// target reaches every type with an identifier.
	f.Add(uint8(slices.Index(types, "Provenance")), repeat(5, "&", same("target.identifier="+repeat(200, ",", numbered("i")))), []byte{}, uint8(0))
	for _, q := range []string{"patient=p1&category=laboratory", "date=ge2020-01-01T00:00:00+02:00", "code:text=a,b\\,c",
		"_has:Observation:patient:code=1", "patient.name=x", "value-quantity=ap5.5|http://u|mg", "_sort=-date,_id",
		"_include=Observation:patient:iterate", "subject:identifier=urn:mrn|MRN1", "_profile:above=http://x/a/b",
		"name:contains=%25_%25", "_count=0&_total=accurate", "_after=abc&_sort=date", "performer.identifier=x"} {
		f.Add(obs, q, []byte{}, uint8(0))
	}
	f.Add(uint8(3), "", []byte{opCriterion, 7, 3, 1, 4, 9, 9, 9, 9, opHas, 2, 9, 1, 0, 3, opInclude, 4, 1, 1, 0, 1,
		opSort, 3, 1, 7, 0, 8, 1, 9, opCount, 200, opCursor, 9, opChain, 1, 4, 40, 2, 1, 9}, uint8(1))

	e := newEnv(f)
	if err := e.s.Ingest(context.Background(), dataset(2)); err != nil {
		f.Fatal(err)
	}
	h := e.srv.Config.Handler
	f.Fuzz(func(t *testing.T, typ uint8, raw string, prog []byte, via uint8) {
		rt := types[int(typ)%len(types)]
		q := raw
		if gen := genQuery(rt, types, prog); gen != "" {
			if q != "" {
				q += "&"
			}
			q += gen
		}
		var req *http.Request
		switch via % 3 {
		case 0:
			req = httptest.NewRequest("GET", "/fhir/"+rt, nil)
			req.URL.RawQuery = q
		case 1:
			req = httptest.NewRequest("POST", "/fhir/"+rt+"/_search", strings.NewReader(q))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		default:
			// One resource, updated by every input, so the store does not grow with the fuzzing.
			b, _ := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": []any{map[string]any{
				"resource": map[string]any{"resourceType": "Observation", "id": "fuzz", "status": "final", "code": map[string]any{"text": "x"},
					"subject": map[string]any{"reference": rt + "?" + q}},
				"request": map[string]any{"method": "PUT", "url": "Observation/fuzz"}}}})
			req = httptest.NewRequest("POST", "/fhir", bytes.NewReader(b))
			req.Header.Set("Content-Type", "application/fhir+json")
		}
		req.Header.Set("Authorization", "Bearer admin")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var body struct {
			ResourceType string  `json:"resourceType"`
			Issue        []Issue `json:"issue"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &body)
		switch {
		case rec.Code >= 500:
			t.Fatalf("%s %s?%.2000s: %d %s", req.Method, rt, q, rec.Code, rec.Body)
		case rec.Code >= 400:
			if body.ResourceType != "OperationOutcome" || len(body.Issue) == 0 {
				t.Fatalf("%s?%.2000s: %d without an OperationOutcome: %.500s", rt, q, rec.Code, rec.Body)
			}
			for _, is := range body.Issue {
				if is.Severity == "" || is.Code == "" || is.Diagnostics == "" {
					t.Fatalf("%s?%.2000s: %d with an issue uncoded: %+v", rt, q, rec.Code, is)
				}
			}
		case rec.Code != 200 && rec.Code != 201 || body.ResourceType != "Bundle":
			t.Fatalf("%s?%.2000s: %d %.500s", rt, q, rec.Code, rec.Body)
		}
	})
}

// The operations of genQuery's program, one byte each, followed by their operands.
const (
	opCriterion = iota // type, param, modifier, value count: a criterion
	opValues           // n, value: the last criterion gets 4n more values
	opRepeat           // n: the last parameter is repeated 4n times
	opSort             // n, then n (param, direction) pairs: _sort
	opInclude          // kind, source type, param, target, iterate: _include or _revinclude
	opHas              // source type, param, then a criterion: _has
	opCount            // n: _count, _total, _summary or _elements
	opCursor           // n: _after or _before
	opChain            // target, then a criterion: a chained parameter
	numOps
)

var (
	fuzzMods   = []string{"", "", "", ":missing", ":exact", ":contains", ":text", ":not", ":identifier", ":above", ":below", ":Patient", ":Practitioner", ":in", ":x"}
	fuzzValues = []string{"p1", "Patient/p1", "http://valet.test/fhir/Patient/p2", "http://loinc.org|8867-4", "|8867-4", "http://loinc.org|",
		"|", "laboratory", "final", "ge2020", "lt2022-02-12T09:30:00Z", "2021-01", "ap2021-01-11", "sa2022", "ne80", "gt100", "140|http://unitsofmeasure.org|mg/dL",
		"1.4e2", "1e400", "NaN", "-0", "true", "false", "garcia", "müller", "%", "_", "\\,", "\\", "a\\,b", "urn:uuid:1", "http://x/a/b/", "x/y/z",
		"", " ", "ü", "\x00", strings.Repeat("a", 300), strings.Repeat("%_", 100)}
	fuzzNames = []string{"_id", "_lastUpdated", "_tag", "_security", "_profile", "_text", "_content", "_list", "_query", "_filter", "_type",
		"_format", "_pretty", "_elements", "x", "", "."}
)

// genQuery builds a search query over typ from prog, a tiny program of the ops above: the fuzzer's
// mutations of the bytes become searches with structure, not just noise.
func genQuery(typ string, types []string, prog []byte) string {
	i := 0
	next := func() int {
		if i >= len(prog) {
			return 0
		}
		i++
		return int(prog[i-1])
	}
	pick := func(xs []string) string { return xs[next()%len(xs)] }
	param := func(t string) string {
		ps := spec.Params(t)
		n := next()
		if n%4 == 3 || len(ps) == 0 {
			return fuzzNames[n/4%len(fuzzNames)]
		}
		return ps[n/4%len(ps)].Name
	}
	values := func(n int) string {
		vs := make([]string, max(n, 1))
		for k := range vs {
			vs[k] = pick(fuzzValues)
		}
		return strings.Join(vs, ",")
	}
	// The query grows to a little past search.MaxQueryLength at most: long enough for every limit, and
	// repetitions of repetitions stay within memory.
	const most = search.MaxQueryLength + 4<<10
	var parts []string
	size := 0
	add := func(k, v string) {
		parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
		size += len(parts[len(parts)-1]) + 1
	}
	criterion := func(t string) (string, string) {
		if t == "" {
			t = types[next()%len(types)]
		}
		return param(t) + pick(fuzzMods), values(next() % 8)
	}
	for i < len(prog) && size < most {
		switch next() % numOps {
		case opCriterion:
			add(criterion(pick(append([]string{typ, typ, typ}, types...))))
		case opValues:
			n := 4 * next()
			if len(parts) > 0 {
				more := ("," + url.QueryEscape(pick(fuzzValues)))
				more = strings.Repeat(more, min(n, (most-size)/len(more)+1))
				parts[len(parts)-1] += more
				size += len(more)
			}
		case opRepeat:
			n := 4 * next()
			if len(parts) > 0 {
				last := parts[len(parts)-1]
				for k := 0; k < n && size < most; k++ {
					parts = append(parts, last)
					size += len(last) + 1
				}
			}
		case opSort:
			keys := make([]string, next())
			for k := range keys {
				keys[k] = []string{"", "-"}[next()%2] + param(typ)
			}
			add("_sort", strings.Join(keys, ","))
		case opInclude:
			kind := []string{"_include", "_revinclude"}[next()%2]
			src := types[next()%len(types)]
			v := src + ":" + param(src)
			if n := next(); n%3 == 1 {
				v += ":" + types[n%len(types)]
			} else if n%3 == 2 {
				v += ":*"
			}
			if next()%2 == 1 {
				v += ":iterate"
			}
			add(kind, v)
		case opHas:
			src := types[next()%len(types)]
			k, v := criterion(src)
			add("_has:"+src+":"+param(src)+":"+k, v)
		case opCount:
			n := next()
			switch n % 4 {
			case 0:
				add("_count", strconv.Itoa(n*7-50))
			case 1:
				add("_total", pick([]string{"accurate", "estimate", "none", "x"}))
			case 2:
				add("_summary", pick([]string{"true", "false", "count", "data", "text", "x"}))
			default:
				add("_elements", param(typ)+","+param(typ))
			}
		case opCursor:
			add(pick([]string{"_after", "_before"}), pick([]string{"1", "0", "-1", "abc", "eyJzIjoiZGF0ZSIsImsiOltudWxsXSwiciI6MX0", "99999999999999999999"}))
		case opChain:
			target := ""
			if n := next(); n%2 == 1 {
				target = ":" + types[n%len(types)]
			}
			k, v := criterion("")
			add(param(typ)+target+"."+k, v)
		}
	}
	return strings.Join(parts, "&")
}

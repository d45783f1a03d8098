package load

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/valet-sandbox/valet/synth/fhirio"
)

// bundleBody writes the file's entries as a transaction Bundle by hand; it must say what encoding/json
// would: every request field, resources as read, strings escaped.
func TestBundleBodyIsTheFileAsATransaction(t *testing.T) {
	f := &fhirio.File{Entries: []fhirio.Entry{
		{FullURL: "urn:uuid:6f1c2b0e-3c55-4a43-9d1e-2c3f4a5b6c7d", ResourceType: "Patient",
			Resource: json.RawMessage(`{"resourceType":"Patient","name":[{"family":"Ó\"Brien <b>"}]}`), Method: "POST", URL: "Patient"},
		{ResourceType: "Organization", Resource: json.RawMessage(`{"resourceType":"Organization","name":"A & B"}`), Method: "POST", URL: "Organization",
			IfNoneExist: "identifier=https://github.com/synthetichealth/synthea|org-1&name=A%20B"},
		{ResourceType: "Observation", ID: "o1", Resource: json.RawMessage(`{"resourceType":"Observation","id":"o1"}`)}, // NDJSON: PUT by id
		{Method: "DELETE", URL: "Observation/old-1", IfMatch: `W/"2"`, IfNoneMatch: "*", IfModifiedSince: "2024-01-01T00:00:00Z"},
	}}
	var got any
	if err := json.Unmarshal(bundleBody(f), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, bundleBody(f))
	}
	req := func(kv ...string) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	res := func(s string) any {
		var v any
		json.Unmarshal([]byte(s), &v)
		return v
	}
	want := map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": []any{
		map[string]any{"fullUrl": "urn:uuid:6f1c2b0e-3c55-4a43-9d1e-2c3f4a5b6c7d", "resource": res(string(f.Entries[0].Resource)), "request": req("method", "POST", "url", "Patient")},
		map[string]any{"resource": res(string(f.Entries[1].Resource)), "request": req("method", "POST", "url", "Organization", "ifNoneExist", f.Entries[1].IfNoneExist)},
		map[string]any{"resource": res(string(f.Entries[2].Resource)), "request": req("method", "PUT", "url", "Observation/o1")},
		map[string]any{"request": req("method", "DELETE", "url", "Observation/old-1", "ifMatch", `W/"2"`, "ifNoneMatch", "*", "ifModifiedSince", "2024-01-01T00:00:00Z")},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}

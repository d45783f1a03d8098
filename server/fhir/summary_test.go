package fhir

import (
	"encoding/json"
	"testing"
)

// TestSummaryTrue: _summary=true keeps R4's summary elements (isSummary), also inside backbone elements,
// and tags the result SUBSETTED.
func TestSummaryTrue(t *testing.T) {
	obs := []byte(`{"resourceType":"Observation","id":"o1","meta":{"versionId":"1"},"text":{"status":"generated","div":"<div>x</div>"},
		"status":"final","category":[{"text":"vital-signs"}],"code":{"text":"BP"},"subject":{"reference":"Patient/p1"},
		"effectiveDateTime":"2020-01-01","interpretation":[{"text":"H"}],"note":[{"text":"n"}],
		"referenceRange":[{"text":"normal"}],
		"component":[{"code":{"text":"sys"},"valueQuantity":{"value":120},"interpretation":[{"text":"N"}]}]}`)
	var got map[string]any
	if err := json.Unmarshal(subset(obs, "true", nil), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "meta", "status", "code", "subject", "effectiveDateTime", "component"} {
		if got[k] == nil {
			t.Errorf("summary lost %s", k)
		}
	}
	for _, k := range []string{"text", "category", "interpretation", "note", "referenceRange"} { // R4: category is not a summary element
		if got[k] != nil {
			t.Errorf("summary kept %s", k)
		}
	}
	comp := got["component"].([]any)[0].(map[string]any)
	if comp["code"] == nil || comp["valueQuantity"] == nil || comp["interpretation"] != nil {
		t.Errorf("component summary: %v", comp)
	}
	tags := got["meta"].(map[string]any)["tag"].([]any)
	if tags[0].(map[string]any)["code"] != "SUBSETTED" {
		t.Errorf("tag: %v", tags)
	}
	pat := []byte(`{"resourceType":"Patient","id":"p","name":[{"family":"X"}],"gender":"male","photo":[{"url":"http://x"}],"contact":[{"name":{"family":"Y"}}],"maritalStatus":{"text":"M"}}`)
	got = nil
	_ = json.Unmarshal(subset(pat, "true", nil), &got)
	if got["name"] == nil || got["gender"] == nil || got["photo"] != nil || got["contact"] != nil || got["maritalStatus"] != nil {
		t.Errorf("Patient summary: %v", got)
	}
}

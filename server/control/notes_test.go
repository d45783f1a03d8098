package control

import (
	"encoding/base64"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/valet-sandbox/valet/server/store"
)

func TestSummarizeNote(t *testing.T) {
	text := "Progress note. Reason for visit: follow-up of type 2 diabetes mellitus. Café au lait."
	b64 := base64.StdEncoding.EncodeToString([]byte(text))
	long := strings.Repeat("é", maxNoteText) // two bytes each: the cut must not split one
	cases := []struct {
		name, json string
		want       Note
	}{
		{"DocumentReference with inline text", `{"resourceType":"DocumentReference","id":"n1","status":"current","date":"2025-03-04T10:00:00Z",
			"type":{"coding":[{"system":"http://loinc.org","code":"11506-3","display":"Progress note"}]},
			"content":[{"attachment":{"contentType":"text/plain","data":"` + b64 + `"}}]}`,
			Note{ID: "n1", Type: "DocumentReference", Status: "current", Date: "2025-03-04T10:00:00Z", Title: "Progress note", ContentType: "text/plain", Text: text}},
		{"the text attachment among others", `{"resourceType":"DocumentReference","id":"n2","status":"current","type":{"text":"Discharge summary"},
			"content":[{"attachment":{"contentType":"application/pdf","url":"http://example.org/n2.pdf"}},{"attachment":{"contentType":"text/plain; charset=utf-8","data":"` + b64 + `"}}]}`,
			Note{ID: "n2", Type: "DocumentReference", Status: "current", Title: "Discharge summary", ContentType: "text/plain; charset=utf-8", Text: text}},
		{"a note only by URL", `{"resourceType":"DocumentReference","id":"n3","status":"current","type":{"coding":[{"code":"18842-5"}]},
			"content":[{"attachment":{"contentType":"application/pdf","url":"http://example.org/n3.pdf"}}]}`,
			Note{ID: "n3", Type: "DocumentReference", Status: "current", Title: "18842-5", ContentType: "application/pdf", URL: "http://example.org/n3.pdf"}},
		{"a radiology report's presentedForm", `{"resourceType":"DiagnosticReport","id":"r1","status":"final","effectiveDateTime":"2025-01-02T08:00:00Z",
			"code":{"coding":[{"system":"http://loinc.org","code":"24627-2","display":"Chest CT"}]},"presentedForm":[{"contentType":"text/plain","data":"` + b64 + `"}]}`,
			Note{ID: "r1", Type: "DiagnosticReport", Status: "final", Date: "2025-01-02T08:00:00Z", Title: "Chest CT", ContentType: "text/plain", Text: text}},
		{"data that is not base64", `{"resourceType":"DocumentReference","id":"n4","status":"current","content":[{"attachment":{"contentType":"text/plain","data":"not base64!"}}]}`,
			Note{ID: "n4", Type: "DocumentReference", Status: "current", ContentType: "text/plain"}},
	}
	for _, c := range cases {
		if got := SummarizeNote([]byte(c.json)); got != c.want {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
	big := SummarizeNote([]byte(`{"resourceType":"DocumentReference","id":"big","content":[{"attachment":{"contentType":"text/plain","data":"` +
		base64.StdEncoding.EncodeToString([]byte(long)) + `"}}]}`))
	if !big.Truncated || len(big.Text) > maxNoteText || len(big.Text) < maxNoteText-1 || !utf8.ValidString(big.Text) {
		t.Errorf("a long note: truncated %v, %d bytes, valid UTF-8 %v", big.Truncated, len(big.Text), utf8.ValidString(big.Text))
	}
}

func TestProfileRows(t *testing.T) {
	rows := ProfileRows([]store.ProfileCount{
		{Type: "Observation", Profile: "http://hl7.org/fhir/us/core/StructureDefinition/us-core-heart-rate", Count: 3},
		{Type: "Patient", Profile: "http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient", Count: 1},
		{Type: "Observation", Profile: "http://hl7.org/fhir/us/core/StructureDefinition/us-core-observation-lab", Count: 40},
		{Type: "Observation", Profile: "http://example.org/StructureDefinition/mine", Count: 3},
	})
	var got []string
	for _, r := range rows {
		got = append(got, r.Type+"|"+r.Title)
	}
	want := "Observation|US Core Laboratory Result Observation Profile,Observation|,Observation|US Core Heart Rate Profile,Patient|US Core Patient Profile"
	if strings.Join(got, ",") != want {
		t.Errorf("rows %v, want %s", got, want)
	}
}

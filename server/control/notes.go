package control

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/valet-sandbox/valet/internal/uscore"
	"github.com/valet-sandbox/valet/server/store"
)

// ProfileRow is one line of the patient chart's profile breakdown: how many of the record's resources of a
// type claim a profile; US Core profiles carry their title.
type ProfileRow struct {
	Type    string `json:"type"`
	Profile string `json:"profile"`
	Title   string `json:"title"`
	Count   int    `json:"count"`
}

// ProfileRows orders profile counts by resource type, then by count (most first), then by URL.
func ProfileRows(counts []store.ProfileCount) []ProfileRow {
	out := make([]ProfileRow, 0, len(counts))
	for _, c := range counts {
		row := ProfileRow{Type: c.Type, Profile: c.Profile, Count: c.Count}
		if p, ok := uscore.ByURL(c.Profile); ok {
			row.Title = p.Title
		}
		out = append(out, row)
	}
	slices.SortFunc(out, func(a, b ProfileRow) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(b.Count, a.Count), cmp.Compare(a.Profile, b.Profile))
	})
	return out
}

// Note is a clinical note of the patient chart: a DocumentReference or a report-and-note DiagnosticReport,
// with its text decoded when the content is inline text.
type Note struct {
	ID          string `json:"id"`
	Type        string `json:"resource_type"` // DocumentReference or DiagnosticReport
	Date        string `json:"date"`
	Title       string `json:"title"`  // the note's type (LOINC display or text)
	Status      string `json:"status"` // the resource's status
	ContentType string `json:"content_type"`
	// Text is the inline text/* content, decoded (at most maxNoteText bytes, Truncated then set); "" when
	// the content is not inline text (a URL, or another media type, named by ContentType and URL).
	Text      string `json:"text"`
	Truncated bool   `json:"truncated"`
	URL       string `json:"url"`
}

// maxNoteText bounds the text one note sends to the panel; the FHIR API has the whole of it.
const maxNoteText = 64 << 10

func (a *API) patientNotes(w http.ResponseWriter, r *http.Request) {
	if a.Patients == nil {
		writeError(w, http.StatusNotImplemented, "this server has no directory")
		return
	}
	count, err := intParam(r.URL.Query().Get("count"), 50, 1, 200)
	if err != nil {
		writeError(w, http.StatusBadRequest, "count must be 1–200: "+err.Error())
		return
	}
	docs, reports, err := a.Patients.Notes(r.Context(), r.PathValue("id"), count)
	if err != nil {
		internalError(w, r, err)
		return
	}
	notes := make([]Note, 0, len(docs)+len(reports))
	for _, d := range docs {
		notes = append(notes, SummarizeNote(d))
	}
	for _, d := range reports {
		notes = append(notes, SummarizeNote(d))
	}
	// Most recent first across both kinds; RFC 3339 dates of one sandbox compare as strings closely enough
	// for a list (offsets differ only for imported data).
	slices.SortStableFunc(notes, func(a, b Note) int { return cmp.Compare(b.Date, a.Date) })
	if len(notes) > count {
		notes = notes[:count]
	}
	writeJSON(w, http.StatusOK, map[string]any{"notes": notes})
}

// SummarizeNote reads a DocumentReference (content.attachment) or DiagnosticReport (presentedForm) for the
// chart; the first attachment with inline text gives the text.
func SummarizeNote(raw []byte) Note {
	type attachment struct {
		ContentType string `json:"contentType"`
		Data        string `json:"data"`
		URL         string `json:"url"`
	}
	type coded struct {
		Coding []struct{ Code, Display string } `json:"coding"`
		Text   string                           `json:"text"`
	}
	var res struct {
		ResourceType      string `json:"resourceType"`
		ID                string `json:"id"`
		Status            string `json:"status"`
		Date              string `json:"date"`
		EffectiveDateTime string `json:"effectiveDateTime"`
		EffectivePeriod   struct {
			Start string `json:"start"`
		} `json:"effectivePeriod"`
		Issued  string `json:"issued"`
		Type    coded  `json:"type"`
		Code    coded  `json:"code"`
		Content []struct {
			Attachment attachment `json:"attachment"`
		} `json:"content"`
		PresentedForm []attachment `json:"presentedForm"`
	}
	_ = json.Unmarshal(raw, &res) // a stored resource is valid JSON; a broken one still gets a row
	n := Note{ID: res.ID, Type: res.ResourceType, Status: res.Status, Date: cmp.Or(res.Date, res.EffectiveDateTime, res.EffectivePeriod.Start, res.Issued)}
	kind := res.Type
	atts := res.PresentedForm
	if res.ResourceType == "DocumentReference" {
		for _, c := range res.Content {
			atts = append(atts, c.Attachment)
		}
	} else {
		kind = res.Code
	}
	n.Title = kind.Text
	for _, c := range kind.Coding {
		if n.Title == "" {
			n.Title = cmp.Or(c.Display, c.Code)
		}
	}
	for _, att := range atts {
		if n.ContentType == "" {
			n.ContentType, n.URL = att.ContentType, att.URL
		}
		if !strings.HasPrefix(att.ContentType, "text/") || att.Data == "" {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(att.Data)
		if err != nil || !utf8.Valid(b) {
			continue
		}
		n.ContentType, n.URL = att.ContentType, att.URL
		if len(b) > maxNoteText {
			b, n.Truncated = b[:maxNoteText], true
			for !utf8.Valid(b) {
				b = b[:len(b)-1]
			}
		}
		n.Text = string(b)
		break
	}
	return n
}

package synth

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Each persona is present, alone or in the default population, with its defining property.
func TestPersonasHaveTheirDefiningProperty(t *testing.T) {
	pop := generate(t, Options{Seed: 4, Personas: true})
	if len(pop) != 2+len(personaCatalog) {
		t.Fatalf("%d batches, want pool + %d personas + groups", len(pop), len(personaCatalog))
	}
	ref := DefaultReference
	for i, def := range personaCatalog {
		g := pop[i+1]
		c := chartOf(t, g)
		pt := c.patient
		n := func(typ string) int { return len(c.byType[typ]) }
		fail := func(format string, args ...any) { t.Errorf(def.Name+": "+format, args...) }
		if !strings.HasSuffix(g.batch[0].ID, "-"+def.Name) {
			fail("first resource %s/%s is not the persona's Patient", g.batch[0].Type, g.batch[0].ID)
		}
		switch def.Name {
		case "newborn":
			if ref.Sub(c.birth) > 5*24*time.Hour || len(c.values(loincHeadCirc)) == 0 || n("Immunization") == 0 {
				fail("born %v, %d head circumferences, %d immunizations", c.birth, len(c.values(loincHeadCirc)), n("Immunization"))
			}
		case "centenarian":
			if years(c.birth, ref) < 100 || n("Encounter") < 3 {
				fail("age %d", years(c.birth, ref))
			}
		case "deceased":
			if c.death.IsZero() {
				fail("no deceasedDateTime")
			}
			checkTimeline(t, def.Name, c, ref)
		case "no-clinical-data":
			if len(g.batch) != 1 {
				fail("%d resources, want only the Patient", len(g.batch))
			}
		case "many-observations":
			if n("Observation") < 5000 {
				fail("%d observations", n("Observation"))
			}
		case "diacritics-name":
			if !strings.ContainsAny(str(pt, "name", "text"), "ëïÅú") {
				fail("name %q", str(pt, "name", "text"))
			}
		case "non-latin-name":
			if str(pt, "name", "text") != "王秀英" {
				fail("name %q", str(pt, "name", "text"))
			}
		case "long-name":
			if utf8.RuneCountInString(str(pt, "name", "text")) < 60 {
				fail("name %q is short", str(pt, "name", "text"))
			}
		case "same-name-birthdate":
			pts := c.byType["Patient"]
			if len(pts) != 2 || str(pts[0], "name", "text") != str(pts[1], "name", "text") ||
				str(pts[0], "birthDate") != str(pts[1], "birthDate") || str(pts[0], "identifier", "value") == str(pts[1], "identifier", "value") {
				fail("want two patients with one name and birth date and different MRNs")
			}
		case "merged-identity":
			pts := c.byType["Patient"]
			if len(pts) != 2 || len(get(pts[0], "identifier")) < 4 || str(pts[0], "link", "type") != "replaces" || str(pts[1], "link", "type") != "replaced-by" {
				fail("want a patient with 4+ identifiers replacing an inactive one")
			}
		case "coverage-only":
			if len(g.batch) != 2 || n("Coverage") != 1 {
				fail("%d resources", len(g.batch))
			}
		case "allergy-conflict":
			var codes []any
			for _, a := range c.byType["AllergyIntolerance"] {
				codes = append(codes, get(a, "code", "coding", "code")...)
			}
			if !containsString(codes, noKnownAllergy.Code) || len(codes) < 2 {
				fail("allergy codes %v", codes)
			}
		case "non-binary":
			if str(pt, "gender") != "other" || !containsString(get(pt, "extension", "url"), extGenderIdentity) {
				fail("gender %q", str(pt, "gender"))
			}
		case "restricted-data":
			labelled := 0
			for _, list := range c.byType {
				for _, m := range list {
					if hasSecurity(m, "R") {
						labelled++
					}
				}
			}
			if labelled < 3 || !strings.Contains(string(g.batch[0].JSON), "portal-user") {
				fail("%d restricted resources", labelled)
			}
		default:
			fail("no test for this persona")
		}
	}
}

func hasSecurity(m map[string]any, code string) bool {
	for _, s := range get(m, "meta", "security") {
		if str(s, "code") == code {
			return true
		}
	}
	return false
}

func TestPortalUsersTagged(t *testing.T) {
	pop := generate(t, Options{Patients: 5, Seed: 4})
	for i, g := range records(t, pop) {
		tagged := strings.Contains(string(g.batch[0].JSON), `"code":"portal-user"`)
		if tagged != (i < portalUsers) {
			t.Errorf("patient %d: portal-user tag %v", i, tagged)
		}
	}
}

func TestOptionsValidation(t *testing.T) {
	for _, opt := range []Options{{Patients: -1}, {Patients: MaxPatients + 1}, {Years: 101}, {OnlyPersonas: []string{"nobody"}}} {
		if _, err := opt.normalized(); err == nil {
			t.Errorf("%+v accepted", opt)
		}
	}
	_, err := Options{OnlyPersonas: []string{"nobody"}}.normalized()
	if !errors.Is(err, ErrUnknownPersona) {
		t.Errorf("unknown persona error = %v", err)
	}
	d := DefaultOptions()
	if d.Patients != 25 || !d.Personas || d.Reference != DefaultReference {
		t.Errorf("DefaultOptions = %+v", d)
	}
	if len(Personas()) < 14 {
		t.Errorf("personas: %v", Personas())
	}
}

func TestOnlyPersonasAndProgress(t *testing.T) {
	var last Progress
	var batches int
	err := Generate(t.Context(), Options{Seed: 1, OnlyPersonas: []string{"deceased", "newborn"}}, func(b []Resource) error {
		batches++
		return nil
	}, func(p Progress) { last = p })
	if err != nil {
		t.Fatal(err)
	}
	if batches != 4 || last.Done != 2 || last.Total != 2 || last.Resources == 0 {
		t.Errorf("batches %d, progress %+v", batches, last)
	}
}

func TestEmitErrorAndCancelStopGeneration(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := Generate(t.Context(), Options{Patients: 100, Seed: 1}, func(b []Resource) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	}, nil)
	if !errors.Is(err, stop) || n != 3 {
		t.Errorf("err %v after %d batches", err, n)
	}
	ctx, cancel := context.WithCancel(t.Context())
	n = 0
	err = Generate(ctx, Options{Patients: 100, Seed: 1}, func(b []Resource) error {
		n++
		if n == 2 {
			cancel()
		}
		return nil
	}, nil)
	if !errors.Is(err, context.Canceled) || n > 3 {
		t.Errorf("err %v after %d batches", err, n)
	}
}

func TestPersonaPatientsTagged(t *testing.T) {
	pop := generate(t, Options{Patients: 2, Seed: 4, Personas: true})
	tagged := map[string]int{}
	for _, g := range records(t, pop) {
		for _, r := range g.batch {
			if r.Type != "Patient" {
				continue
			}
			for _, name := range Personas() {
				if strings.Contains(string(r.JSON), `"code":"persona-`+name+`"`) {
					tagged[name]++
				}
			}
			if randomPatientID.MatchString(r.ID) && strings.Contains(string(r.JSON), `"persona-`) {
				t.Errorf("random patient %s carries a persona tag", r.ID)
			}
		}
	}
	for _, name := range Personas() {
		if tagged[name] == 0 {
			t.Errorf("persona %s: no Patient tagged persona-%s", name, name)
		}
	}
}

var randomPatientID = regexp.MustCompile(`-p\d{6}$`)

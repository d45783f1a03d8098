package synth

import (
	"math/rand/v2"
	"testing"
)

func TestCatalogSizesAndIntegrity(t *testing.T) {
	if n := len(conditionCatalog); n < 40 {
		t.Errorf("%d conditions, want at least 40", n)
	}
	if n := len(analyteCatalog) + len(vitalCatalog); n < 40 {
		t.Errorf("%d lab and vital codes, want at least 40", n)
	}
	if n := len(medicationCatalog); n < 40 {
		t.Errorf("%d medications, want at least 40", n)
	}
	if n := len(vaccineCatalog); n < 12 {
		t.Errorf("%d vaccines", n)
	}
	codes := map[string]bool{}
	for _, c := range conditionCatalog {
		if c.Code == "" || c.Display == "" || codes[c.Code] {
			t.Errorf("condition %s: empty or duplicate code", c.Key)
		}
		codes[c.Code] = true
		for _, m := range c.Meds {
			if medicationByCode[m] == nil {
				t.Errorf("condition %s: medication %s not in the catalog", c.Key, m)
			}
		}
		if c.Chronic && c.Plan == "" {
			t.Errorf("chronic condition %s has no care plan text", c.Key)
		}
	}
	meds := map[string]bool{}
	for _, m := range medicationCatalog {
		if m.Code == "" || m.Display == "" || m.Text == "" || meds[m.Code] {
			t.Errorf("medication %s: empty field or duplicate", m.Code)
		}
		meds[m.Code] = true
	}
	for _, p := range panelCatalog {
		for _, a := range p.Analytes {
			if analyteByKey[a] == nil {
				t.Errorf("panel %s: unknown analyte %s", p.Key, a)
			}
		}
	}
	for k, effects := range conditionLabEffects {
		if conditionByKey[k] == nil {
			t.Errorf("lab effects for unknown condition %s", k)
		}
		for _, e := range effects {
			if analyteByKey[e.Analyte] == nil {
				t.Errorf("condition %s affects unknown analyte %s", k, e.Analyte)
			}
		}
	}
	for k, panels := range conditionPanels {
		if conditionByKey[k] == nil {
			t.Errorf("panels for unknown condition %s", k)
		}
		for _, p := range panels {
			if panelByKey[p] == nil {
				t.Errorf("condition %s orders unknown panel %s", k, p)
			}
		}
	}
}

// NPIs carry a valid Luhn check digit over the 80840 prefix (CMS rule); 1234567893 is CMS's example.
func TestNPICheckDigit(t *testing.T) {
	if luhnCheck("80840"+"123456789") != 3 {
		t.Fatal("luhn check of the CMS example NPI 1234567893 is wrong")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100 {
		n := npi(rng)
		if len(n) != 10 || luhnCheck("80840"+n[:9]) != int(n[9]-'0') {
			t.Fatalf("invalid NPI %s", n)
		}
	}
}

func TestDecimal(t *testing.T) {
	for _, c := range []struct {
		d    Dec
		want string
	}{{Dec{5, 0}, "5"}, {Dec{75, 3}, "0.075"}, {Dec{70, 1}, "7.0"}, {Dec{-5, 2}, "-0.05"}, {Dec{12345, 2}, "123.45"}} {
		if got := c.d.String(); got != c.want {
			t.Errorf("%v = %q, want %q", c.d, got, c.want)
		}
	}
}

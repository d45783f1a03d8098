package auth

import (
	"strings"
	"testing"

	"github.com/valet-sandbox/valet/server/scope"
)

func TestExplainInPlainLanguage(t *testing.T) {
	for raw, want := range map[string]string{
		"patient/Observation.rs": "read, search Observation records of the patient in context",
		"user/*.cruds":           "create, read, update, delete, search all kinds of records you can access",
		"user/Basic.cruds?code=https://app.example|prefs":   "the settings this app saves in the record (SMART app state)",
		"patient/Condition.rs?category=encounter-diagnosis": "limited to category=encounter-diagnosis",
		"offline_access": "keep access after you close the app",
		"launch/patient": "know which patient you choose",
	} {
		sc, err := scope.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := explain(sc); !strings.Contains(got, want) {
			t.Errorf("explain(%q) = %q, want it to contain %q", raw, got, want)
		}
	}
}

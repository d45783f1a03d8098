package scope

import (
	"fmt"
	"github.com/valet-sandbox/valet/server/ref"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Scope
	}{
		{"patient/Observation.rs", Scope{Kind: Resource, Context: "patient", Type: "Observation", Perms: Read | Search}},
		{"user/*.cruds", Scope{Kind: Resource, Context: "user", Type: "*", Perms: All}},
		{"system/Patient.r", Scope{Kind: Resource, Context: "system", Type: "Patient", Perms: Read}},
		{"patient/Condition.cud", Scope{Kind: Resource, Context: "patient", Type: "Condition", Perms: Create | Update | Delete}},
		{"patient/Observation.read", Scope{Kind: Resource, Context: "patient", Type: "Observation", Perms: Read | Search, V1: true}},
		{"user/*.write", Scope{Kind: Resource, Context: "user", Type: "*", Perms: Create | Update | Delete, V1: true}},
		{"user/*.*", Scope{Kind: Resource, Context: "user", Type: "*", Perms: All, V1: true}},
		{"patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory",
			Scope{Kind: Resource, Context: "patient", Type: "Observation", Perms: Read | Search,
				Query: url.Values{"category": {"http://terminology.hl7.org/CodeSystem/observation-category|laboratory"}}}},
		{"patient/Condition.rs?category=encounter-diagnosis&clinical-status=active",
			Scope{Kind: Resource, Context: "patient", Type: "Condition", Perms: Read | Search,
				Query: url.Values{"category": {"encounter-diagnosis"}, "clinical-status": {"active"}}}},
		{"launch", Scope{Kind: Launch}},
		{"launch/patient", Scope{Kind: Launch, LaunchType: "patient"}},
		{"launch/encounter", Scope{Kind: Launch, LaunchType: "encounter"}},
		{"openid", Scope{Kind: OpenID}},
		{"fhirUser", Scope{Kind: FHIRUser}},
		{"profile", Scope{Kind: Profile}},
		{"offline_access", Scope{Kind: OfflineAccess}},
		{"online_access", Scope{Kind: OnlineAccess}},
		{"email", Scope{Kind: Other}},
		{"https://example.org/custom", Scope{Kind: Other}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			tt.want.Raw = tt.in
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	for in, wantMsg := range map[string]string{
		"":                             "empty",
		"patient/Observation":          "expected patient/Type.permissions",
		"patient/Observation.":         "no permissions",
		"patient/Observation.sr":       "order",
		"patient/Observation.rr":       "order",
		"patient/Observation.rx":       "not a permission letter",
		"patient/Observation.Read":     "not a permission letter",
		"patient/obs-ervation.rs":      "not a resource type",
		"patient/Observation.read?a=b": "need v2 permissions",
		"patient/Observation.rs?":      "param=value",
		"patient/Observation.rs?a=":    "has no value",
		"admin/Observation.rs":         "context must be patient, user or system",
		"launch/":                      "launch/ must be followed",
		"launch/Patient":               "lower-case",
	} {
		_, err := Parse(in)
		if err == nil || !strings.Contains(err.Error(), wantMsg) {
			t.Errorf("Parse(%q) = %v, want an error containing %q", in, err, wantMsg)
		}
	}
}

func TestPermsString(t *testing.T) {
	if got := (Read | Search | Create).String(); got != "crs" {
		t.Errorf("got %q", got)
	}
}

func mustList(t *testing.T, s string) Set {
	t.Helper()
	set, err := ParseList(s)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestParseListDedupsAndKeepsOrder(t *testing.T) {
	set := mustList(t, "  openid  patient/*.rs openid launch/patient ")
	if set.String() != "openid patient/*.rs launch/patient" {
		t.Errorf("got %q", set.String())
	}
	if !set.Has("patient/*.rs") || set.Has("patient/*.read") || !set.HasKind(Launch) || set.HasKind(OfflineAccess) {
		t.Error("Has/HasKind wrong")
	}
	if len(set.Resource()) != 1 {
		t.Errorf("Resource() = %v", set.Resource())
	}
	if _, err := ParseList("openid patient/Observation.xx"); err == nil {
		t.Error("a bad scope in the list must fail the list")
	}
	// Long lists (past the short-list lookup) dedup the same way.
	var long []string
	for i := range 40 {
		long = append(long, fmt.Sprintf("patient/T%d.rs", i%25))
	}
	if set := mustList(t, strings.Join(long, " ")); len(set) != 25 || set[24].Raw != "patient/T24.rs" {
		t.Errorf("long list: %d scopes, last %q; want 25, patient/T24.rs", len(set), set[len(set)-1].Raw)
	}
	if set := mustList(t, "  "); set != nil {
		t.Errorf("blank list: %v, want nil", set)
	}
}

func TestGrantsAndPermits(t *testing.T) {
	set := mustList(t, "patient/Observation.rs?category=laboratory patient/Observation.r user/Patient.read system/*.s patient/Condition.c")
	cases := []struct {
		ctx  Context
		typ  string
		p    Perms
		want int
	}{
		{"patient", "Observation", Read, 2},
		{"patient", "Observation", Search, 1},
		{"patient", "Observation", Read | Search, 1},
		{"patient", "Observation", Update, 0},
		{"user", "Observation", Read, 0},
		{"user", "Patient", Search, 1},
		{"system", "Encounter", Search, 1},
		{"system", "Encounter", Read, 0},
		{"patient", "Condition", Create, 1},
		{"patient", "Condition", Read, 0},
	}
	for _, c := range cases {
		if got := len(set.Permits(c.ctx, c.typ, c.p)); got != c.want {
			t.Errorf("Permits(%s, %s, %s) = %d scopes, want %d", c.ctx, c.typ, c.p, got, c.want)
		}
	}
}

func TestWithin(t *testing.T) {
	p := func(s string) Scope {
		sc, err := Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return sc
	}
	cases := []struct {
		req, allowed string
		want         bool
	}{
		{"patient/Observation.rs", "patient/*.cruds", true},
		{"patient/Observation.rs", "patient/Observation.read", true},
		{"patient/Observation.rs", "patient/Observation.r", false},
		{"patient/Observation.rs", "user/Observation.rs", false},
		{"patient/*.rs", "patient/Observation.rs", false},
		{"patient/Observation.rs?category=laboratory", "patient/Observation.rs", true},
		{"patient/Observation.rs", "patient/Observation.rs?category=laboratory", false},
		{"patient/Observation.rs?category=laboratory&status=final", "patient/Observation.rs?category=laboratory", true},
		{"patient/Observation.rs?category=vital-signs", "patient/Observation.rs?category=laboratory", false},
		{"launch/patient", "launch/patient", true},
		{"launch/patient", "launch", false},
		{"openid", "openid", true},
		{"email", "profile", false},
	}
	for _, c := range cases {
		if got := p(c.req).Within(p(c.allowed)); got != c.want {
			t.Errorf("%q within %q = %v, want %v", c.req, c.allowed, got, c.want)
		}
	}
	if !p("patient/Observation.r").WithinAny(mustList(t, "openid patient/*.read")) {
		t.Error("WithinAny missed a covering scope")
	}
}

// FuzzParse: Parse never panics, and whatever it accepts re-parses to the same meaning from its Raw text.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"patient/Observation.rs?category=laboratory", "user/*.cruds", "launch/patient", "openid", "patient/x.read", "system/*.*", "a/b.c?d=e&f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sc, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(sc.Raw)
		if err != nil || !reflect.DeepEqual(sc, again) {
			t.Fatalf("Parse(%q) not stable: %+v vs %+v (%v)", s, sc, again, err)
		}
		if sc.Kind == Resource && (sc.Perms == 0 || sc.Perms&^All != 0 || sc.Type == "") {
			t.Fatalf("Parse(%q) accepted a resource scope with perms %b type %q", s, sc.Perms, sc.Type)
		}
	})
}

func TestDerivedScopes(t *testing.T) {
	user := mustList(t, "user/Observation.rs user/Condition.read patient/Observation.rs?category=a")
	for i, want := range []string{"patient/Observation.rs", "patient/Condition.read", "patient/Observation.rs?category=a"} {
		got := user[i].InContext(Patient)
		back, err := Parse(got.Raw)
		if err != nil || got.Raw != want || got.Context != Patient || got.Perms != back.Perms || got.V1 != back.V1 || got.Query.Encode() != back.Query.Encode() {
			t.Errorf("InContext(%s) = %+v, want %s as Parse reads it (%+v)", user[i].Raw, got, want, back)
		}
	}
	for _, tc := range []struct{ scope, query, want string }{
		{"patient/Observation.rs", "category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory",
			"patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory"},
		{"user/Condition.read", "category=x", "user/Condition.rs?category=x"},
		{"patient/Observation.rs?category=a", "code=b", "patient/Observation.rs?category=a&code=b"},
	} {
		sc, _ := Parse(tc.scope)
		got, err := sc.Narrow(tc.query)
		back, perr := Parse(tc.want)
		if err != nil || perr != nil || got.Raw != tc.want || got.Query.Encode() != back.Query.Encode() || got.V1 || got.Perms != back.Perms {
			t.Errorf("Narrow(%s, %s) = %+v, %v; want %s", tc.scope, tc.query, got, err, tc.want)
		}
		if sc.Query.Get("code") != "" {
			t.Errorf("Narrow changed its receiver: %v", sc.Query)
		}
	}
	if _, err := mustList(t, "openid")[0].Narrow("a=b"); err == nil {
		t.Error("narrowed a non-resource scope")
	}
}

func TestCompartment(t *testing.T) {
	patientUser, _ := ref.ParseUser("Patient/me")
	doctor, _ := ref.ParseUser("Practitioner/dr")
	for _, tc := range []struct {
		scope   string
		user    ref.Reference
		patient string
		id      string
		ok      bool
	}{
		{"patient/Observation.rs", doctor, "p1", "p1", true},
		{"patient/Observation.rs", doctor, "", "", false}, // no patient in context: nothing
		{"user/Observation.rs", doctor, "p1", "", true},
		{"user/Observation.rs", patientUser, "", "me", true}, // a patient's user/ is their own record
		{"system/Observation.rs", ref.Reference{}, "", "", true},
	} {
		sc, _ := Parse(tc.scope)
		if id, ok := sc.Compartment(tc.user, tc.patient); id != tc.id || ok != tc.ok {
			t.Errorf("%s for %v with patient %q: %q %v, want %q %v", tc.scope, tc.user, tc.patient, id, ok, tc.id, tc.ok)
		}
	}
}

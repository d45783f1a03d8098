package server_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/valet-sandbox/valet/server/store"
)

// When the database fails, the client learns that something broke and where to look, never the
// database's own words (SQL, file paths): those go to the log under the id the answer names.
func TestDatabaseTextNeverReachesAClient(t *testing.T) {
	base, _, db := startSandbox(t, func(db *store.DB, base string) { seed(t, db, base) })
	db.Close() // every query from now on fails inside the driver
	form := url.Values{"grant_type": {"authorization_code"}, "code": {"c"}, "client_id": {"some-client"}, "code_verifier": {"v"}}
	for _, tc := range []struct{ method, path, body, ctype string }{
		{"GET", "/api/status", "", ""},
		{"GET", "/api/clients", "", ""},
		{"GET", "/api/patients?q=smart", "", ""},
		{"GET", "/api/patients/p1", "", ""},
		{"GET", "/api/events", "", ""},
		{"POST", "/auth/token", form.Encode(), "application/x-www-form-urlencoded"},
		{"POST", "/auth/register", `{"client_name":"x","redirect_uris":["https://a.example/cb"]}`, "application/json"},
	} {
		h := map[string]string{}
		if tc.ctype != "" {
			h["Content-Type"] = tc.ctype
		}
		code, _, body := call(t, tc.method, base+tc.path, tc.body, h)
		if code != 500 || !strings.Contains(body, "error id") {
			t.Errorf("%s %s: %d %s, want 500 naming an error id", tc.method, tc.path, code, body)
		}
		for _, leak := range []string{"sql", "database", "closed", "valet.db"} {
			if strings.Contains(strings.ToLower(body), leak) {
				t.Errorf("%s %s: the answer %s says %q", tc.method, tc.path, body, leak)
			}
		}
	}
}

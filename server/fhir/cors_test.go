package fhir

import (
	"net/http"
	"strings"
	"testing"
)

// TestCORS: a browser app at another origin may preflight (no token) and read the answers, including a
// 401's WWW-Authenticate.
func TestCORS(t *testing.T) {
	e := newEnv(t)
	req, _ := http.NewRequest(http.MethodOptions, e.srv.URL+"/fhir/Patient/1", nil)
	req.Header.Set("Origin", "http://app.example")
	req.Header.Set("Access-Control-Request-Method", "PUT")
	req.Header.Set("Access-Control-Request-Headers", "authorization, if-match")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	h := resp.Header
	if resp.StatusCode != 204 || h.Get("Access-Control-Allow-Origin") != "http://app.example" ||
		!strings.Contains(h.Get("Access-Control-Allow-Headers"), "Authorization") ||
		!strings.Contains(h.Get("Access-Control-Allow-Headers"), "If-Match") ||
		!strings.Contains(h.Get("Access-Control-Allow-Methods"), "PUT") {
		t.Errorf("preflight: %d %v", resp.StatusCode, h)
	}
	r := e.do("GET", "/Patient/1", "", nil, "Origin", "http://app.example")
	if r.status != 401 || r.header.Get("Access-Control-Allow-Origin") != "http://app.example" ||
		!strings.Contains(r.header.Get("Access-Control-Expose-Headers"), "WWW-Authenticate") {
		t.Errorf("401: %d %v", r.status, r.header)
	}
	r = e.do("GET", "/metadata", "", nil, "Origin", "http://app.example")
	if r.header.Get("Access-Control-Allow-Origin") != "http://app.example" || r.header.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("metadata: %v", r.header)
	}
}

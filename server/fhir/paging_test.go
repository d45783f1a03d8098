package fhir

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

// link returns the path (below /fhir) and query of a Bundle link, "" when there is none.
func (r result) link(rel string) string {
	ls, _ := r.body["link"].([]any)
	for _, l := range ls {
		if m := l.(map[string]any); m["relation"] == rel {
			u, _ := url.Parse(m["url"].(string))
			return strings.TrimPrefix(u.Path, "/fhir") + "?" + u.RawQuery
		}
	}
	return ""
}

// walk follows rel links from start and returns the match entries of every page in the order walked
// (each page's entries in page order).
func (e *env) walk(start, rel string) (pages [][]string) {
	e.t.Helper()
	for next := start; next != ""; {
		r := e.do("GET", next, "admin", nil)
		if r.status != 200 {
			e.t.Fatalf("%s: %d %s", next, r.status, r.raw)
		}
		pages = append(pages, r.entryIDs("match"))
		next = r.link(rel)
		if len(pages) > 1000 {
			e.t.Fatalf("%s: no end to the %s links", start, rel)
		}
	}
	return pages
}

// TestSortedPaging: walking a sorted search page by page, forwards through next links and backwards
// through previous links, yields exactly the order of the search on one page — for each kind of sort
// key, both directions, several keys, and resources without a value (last in both directions).
func TestSortedPaging(t *testing.T) {
	e := loaded(t, 4)
	// Observations without a date and without a value, to sort last.
	for i := range 3 {
		o := map[string]any{"resourceType": "Observation", "id": fmt.Sprintf("nodate%d", i), "status": "final",
			"code": map[string]any{"text": "x"}, "subject": map[string]any{"reference": "Patient/p1"}}
		if r := e.do("PUT", "/Observation/nodate"+fmt.Sprint(i), "admin", o); r.status != 201 {
			t.Fatalf("create: %d %s", r.status, r.raw)
		}
	}
	for _, tc := range []struct{ sort string }{
		{"date"}, {"-date"}, {"value-quantity"}, {"-value-quantity"}, {"code,-date"}, {"-status,value-quantity,_id"},
		{"_id"}, {"-_id"}, {"_lastUpdated"}, {"-_lastUpdated"}, {"patient,-date"}, {"encounter"},
	} {
		t.Run(tc.sort, func(t *testing.T) {
			q := "/Observation?_sort=" + tc.sort
			want := e.do("GET", q+"&_count=1000", "admin", nil).entryIDs("match")
			if len(want) != 39 {
				t.Fatalf("one page: %d entries", len(want))
			}
			pages := e.walk(q+"&_count=4", "next")
			if got := slices.Concat(pages...); !slices.Equal(got, want) {
				t.Fatalf("forward:\n got %v\nwant %v", got, want)
			}
			last := e.do("GET", q+"&_count=4", "admin", nil)
			for p := last.link("next"); p != ""; p = last.link("next") {
				last = e.do("GET", p, "admin", nil)
			}
			back := e.walk(last.link("self"), "previous")
			slices.Reverse(back)
			if got := slices.Concat(back...); !slices.Equal(got, want) {
				t.Fatalf("backward:\n got %v\nwant %v", got, want)
			}
		})
	}
	r := e.do("GET", "/Observation?_sort=date&_count=4", "admin", nil)
	next := strings.Replace(r.link("next"), "_sort=date", "_sort=-date", 1)
	if r := e.do("GET", next, "admin", nil); r.status != 400 || !strings.Contains(string(r.raw), "_after") {
		t.Errorf("a cursor under another _sort: %d %s", r.status, r.raw)
	}
	if r := e.do("GET", "/Observation?_sort=date&_after=nonsense", "admin", nil); r.status != 400 {
		t.Errorf("a bad cursor: %d %s", r.status, r.raw)
	}
}

// TestSortedPagingStableUnderWrites pages through sorted searches while another goroutine creates
// resources that sort before and after the cursor (and without a value) and updates resources on both
// sides of it without changing their sort values: every resource that existed before the first page
// appears exactly once, nothing appears twice, and the walk stays in sort order.
func TestSortedPagingStableUnderWrites(t *testing.T) {
	e := loaded(t, 5)
	for _, sort := range []string{"date", "-date", "value-quantity,-_id", "-status,date"} {
		t.Run(sort, func(t *testing.T) {
			before := e.do("GET", "/Observation?_count=1000&_sort="+sort, "admin", nil).entryIDs("match")
			var wg sync.WaitGroup
			stop := make(chan struct{})
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Bounded: pages sorted by date end with the newest writes, so a walk that a faster writer kept
				// ahead of would never end (it did under -race).
				for i := 0; i < 25; i++ {
					select {
					case <-stop:
						return
					default:
					}
					for _, d := range []string{"2019-01-01T00:00:00Z", "2030-01-01T00:00:00Z", ""} {
						o := map[string]any{"resourceType": "Observation", "status": "final", "code": map[string]any{"text": "x"}}
						if d != "" {
							o["effectiveDateTime"] = d
							o["valueQuantity"] = map[string]any{"value": i % 300}
						}
						e.do("POST", "/Observation", "admin", o)
					}
					// p1-enc1-hr sorts early and p5-enc3-glu late by date; neither's sort values change.
					for _, id := range []string{"p1-enc1-hr", "p5-enc3-glu"} {
						r := e.do("GET", "/Observation/"+id, "admin", nil)
						r.body["code"] = map[string]any{"text": fmt.Sprint("round ", i)}
						e.do("PUT", "/Observation/"+id, "admin", r.body)
					}
				}
			}()
			pages := e.walk("/Observation?_count=6&_sort="+sort, "next")
			close(stop)
			wg.Wait()
			seen := map[string]int{}
			for _, id := range slices.Concat(pages...) {
				seen[id]++
				if seen[id] > 1 {
					t.Errorf("%s seen twice", id)
				}
			}
			for _, id := range before {
				if seen[id] != 1 {
					t.Errorf("%s seen %d times", id, seen[id])
				}
			}
			// The resources that were there before keep their relative order.
			var order []string
			for _, id := range slices.Concat(pages...) {
				if slices.Contains(before, id) {
					order = append(order, id)
				}
			}
			if !slices.Equal(order, before) {
				t.Errorf("order changed:\n got %v\nwant %v", order, before)
			}
		})
	}
}

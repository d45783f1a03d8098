package fhir

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// versionIDs lists Type/id/_history/n of a history Bundle's entries (deletions included), in order.
func (r result) versionIDs() []string {
	var out []string
	es, _ := r.body["entry"].([]any)
	for _, e := range es {
		m := e.(map[string]any)
		resp := m["response"].(map[string]any)
		v := resp["etag"]
		if v == nil {
			v = "deleted"
		}
		out = append(out, fmt.Sprintf("%s@%v", m["fullUrl"], v))
	}
	return out
}

func (e *env) walkHistory(start, rel string) (pages [][]string) {
	e.t.Helper()
	for next := start; next != ""; {
		r := e.do("GET", next, "admin", nil)
		if r.status != 200 {
			e.t.Fatalf("%s: %d %s", next, r.status, r.raw)
		}
		pages = append(pages, r.versionIDs())
		next = r.link(rel)
		if len(pages) > 1000 {
			e.t.Fatalf("%s: no end to the %s links", start, rel)
		}
	}
	return pages
}

// TestHistoryPaging: type and instance history walked page by page (forwards through next, backwards
// through previous) while another goroutine creates, updates and deletes resources: every version that
// existed before the first page appears exactly once, in the newest-first order of the one-page answer,
// and no version appears twice. The test clock is pinned, so every version has the same lastUpdated and
// the order rests on the row id and version alone — the hardest case for an offset.
func TestHistoryPaging(t *testing.T) {
	e := loaded(t, 3)
	for i := range 12 {
		r := e.do("GET", "/Observation/p2-enc2-hr", "admin", nil)
		r.body["code"] = map[string]any{"text": fmt.Sprint("v", i)}
		if r := e.do("PUT", "/Observation/p2-enc2-hr", "admin", r.body); r.status != 200 {
			t.Fatalf("update: %d %s", r.status, r.raw)
		}
	}
	e.do("DELETE", "/Observation/p3-enc1-bp", "admin", nil)
	for _, tc := range []struct{ path string }{{"/Observation/_history"}, {"/Observation/p2-enc2-hr/_history"}} {
		t.Run(tc.path, func(t *testing.T) {
			want := e.do("GET", tc.path+"?_count=1000", "admin", nil).versionIDs()
			if len(want) < 13 {
				t.Fatalf("one page: %d entries", len(want))
			}
			var wg sync.WaitGroup
			stop := make(chan struct{})
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 25; i++ { // bounded: new rows land ahead of the walk
					select {
					case <-stop:
						return
					default:
					}
					o := map[string]any{"resourceType": "Observation", "status": "final", "code": map[string]any{"text": "new"}}
					c := e.do("POST", "/Observation", "admin", o)
					// Updates of resources stored first and last, and of the one whose history is walked.
					for _, id := range []string{"p1-enc1-bp", "p3-enc3-glu", "p2-enc2-hr"} {
						r := e.do("GET", "/Observation/"+id, "admin", nil)
						r.body["code"] = map[string]any{"text": fmt.Sprint("round ", i)}
						e.do("PUT", "/Observation/"+id, "admin", r.body)
					}
					if id, ok := c.body["id"].(string); ok && i%2 == 0 {
						e.do("DELETE", "/Observation/"+id, "admin", nil)
					}
				}
			}()
			pages := e.walkHistory(tc.path+"?_count=4", "next")
			// And back from the last page, still under writes. The walk starts from the last page as it
			// was served: fetched again through its self link, it may hold versions written since (with
			// the pinned clock, an update of the first-stored resource sorts just before its version 1),
			// which push the oldest version onto a page after it, where a backward walk never goes.
			last := e.do("GET", tc.path+"?_count=4", "admin", nil)
			for p := last.link("next"); p != ""; p = last.link("next") {
				last = e.do("GET", p, "admin", nil)
			}
			back := [][]string{last.versionIDs()}
			if p := last.link("previous"); p != "" {
				back = append(back, e.walkHistory(p, "previous")...)
			}
			close(stop)
			wg.Wait()
			slices.Reverse(back)
			for name, walked := range map[string][]string{"forward": slices.Concat(pages...), "backward": slices.Concat(back...)} {
				seen := map[string]int{}
				var order []string
				for _, v := range walked {
					if seen[v]++; seen[v] == 2 {
						t.Errorf("%s: %s seen twice", name, v)
					}
					if slices.Contains(want, v) {
						order = append(order, v)
					}
				}
				if !slices.Equal(order, want) {
					t.Errorf("%s: the versions that were there before:\n got %v\nwant %v", name, order, want)
				}
			}
		})
	}
	if r := e.do("GET", "/Observation/_history?_after=zz", "admin", nil); r.status != 400 {
		t.Errorf("bad cursor: %d %s", r.status, r.raw)
	}
}

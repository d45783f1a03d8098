package events

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/valet-sandbox/valet/server/store"
)

// The writer keeps its JSON buffer from batch to batch: every batch, of small and of large events, must be
// stored as it was recorded.
func TestBatchesStoredAsRecorded(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, store.Memory, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l := New(db, nil)
	defer l.Close()
	want := map[string]string{}
	for b, size := range []int{3, 1, 40, 2, 300} {
		for i := range size {
			flow := fmt.Sprintf("f%d-%d", b, i)
			payload := strings.Repeat(string(rune('a'+b)), (i*37)%500)
			want[flow] = payload
			l.Record(Event{Kind: "test", FlowID: flow, Request: map[string]any{"p": payload, "i": i}})
		}
		l.Flush()
	}
	got, err := l.List(ctx, store.EventFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d events stored, want %d", len(got), len(want))
	}
	for _, e := range got {
		if p, ok := want[e.FlowID]; !ok || e.Request["p"] != p || e.ID == 0 {
			t.Errorf("event %d of flow %s: %v, want payload of %d bytes", e.ID, e.FlowID, e.Request, len(p))
		}
	}
}

package control

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/valet-sandbox/valet/server/events"
	"github.com/valet-sandbox/valet/server/store"
)

// EventSource is the flow event log.
type EventSource interface {
	List(ctx context.Context, f store.EventFilter) ([]events.Event, error)
	Subscribe() (<-chan events.Event, func())
}

func eventFilter(r *http.Request) (store.EventFilter, error) {
	q := r.URL.Query()
	f := store.EventFilter{LaunchID: q.Get("launch"), FlowID: q.Get("flow"), ClientID: q.Get("client")}
	if s := q.Get("since"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return f, fmt.Errorf("since must be an RFC 3339 time: %v", err)
		}
		f.Since = t
	}
	if s := q.Get("after"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return f, fmt.Errorf("after must be an event id")
		}
		f.AfterID = n
	}
	if s := q.Get("limit"); s != "" {
		f.Limit, _ = strconv.Atoi(s)
	}
	return f, nil
}

// listEvents is GET /api/events?launch=&flow=&client=&since=&after=&limit=.
func (a *AuthAPI) listEvents(w http.ResponseWriter, r *http.Request) {
	f, err := eventFilter(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	evs, err := a.Events.List(r.Context(), f)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, evs)
}

// streamEvents is GET /api/events/stream (Server-Sent Events), with the same filters. Each event's id is
// its SSE id, so a reconnecting EventSource resumes with Last-Event-ID.
func (a *AuthAPI) streamEvents(w http.ResponseWriter, r *http.Request) {
	f, err := eventFilter(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if id, err := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64); err == nil {
		f.AfterID = id
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeError(w, http.StatusInternalServerError, "streaming unsupported")
		return
	}
	live, cancel := a.Events.Subscribe()
	defer cancel()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	last := f.AfterID
	send := func(e events.Event) {
		if e.ID <= last || (f.LaunchID != "" && e.LaunchID != f.LaunchID) || (f.ClientID != "" && e.ClientID != f.ClientID) ||
			(f.FlowID != "" && e.FlowID != f.FlowID) {
			return
		}
		body, _ := json.Marshal(e)
		fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", e.ID, e.Kind, body)
		last = e.ID
	}
	if r.URL.Query().Get("replay") != "0" {
		past, err := a.Events.List(r.Context(), f)
		if err == nil {
			for _, e := range past {
				send(e)
			}
		}
	}
	flusher.Flush()
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-a.Stopping:
			return
		case e := <-live:
			send(e)
			flusher.Flush()
		case <-ping.C:
			fmt.Fprint(w, ": ping\n\n")
			flusher.Flush()
		}
	}
}

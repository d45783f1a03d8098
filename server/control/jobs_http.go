package control

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

func (a *API) mountJobs(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/jobs", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"jobs": a.Jobs.List()})
	})
	mux.HandleFunc("GET /api/jobs/{id}", func(w http.ResponseWriter, r *http.Request) {
		job, ok := a.Jobs.Get(r.PathValue("id"))
		if !ok {
			writeError(w, http.StatusNotFound, "no job "+r.PathValue("id"))
			return
		}
		writeJSON(w, http.StatusOK, job)
	})
	mux.HandleFunc("DELETE /api/jobs/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !a.Jobs.Cancel(r.PathValue("id")) {
			writeError(w, http.StatusNotFound, "no job "+r.PathValue("id"))
			return
		}
		job, _ := a.Jobs.Get(r.PathValue("id"))
		writeJSON(w, http.StatusAccepted, job)
	})
	mux.HandleFunc("GET /api/jobs/{id}/events", a.jobEvents)
}

// startJob answers a request that starts long work: 202 with the job and its URL, or 409 while another runs.
func (a *API) startJob(w http.ResponseWriter, kind string, fn JobFunc) {
	job, err := a.Jobs.Start(kind, fn)
	if errors.Is(err, ErrJobRunning) {
		writeJSON(w, http.StatusConflict, map[string]any{
			"error": fmt.Sprintf("a %s job is running (%s): wait for it or cancel it with DELETE /api/jobs/%s", job.Kind, job.ID, job.ID),
			"job":   job,
		})
		return
	}
	w.Header().Set("Location", "/api/jobs/"+job.ID)
	writeJSON(w, http.StatusAccepted, job)
}

// jobEvents streams a job as server-sent events: a "progress" event per snapshot, then one "end" event with
// the final state. A client that connects after the end gets the "end" event at once.
func (a *API) jobEvents(w http.ResponseWriter, r *http.Request) {
	job, updates, unsubscribe, ok := a.Jobs.Subscribe(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, "no job "+r.PathValue("id"))
		return
	}
	defer unsubscribe()
	flusher, _ := w.(http.Flusher)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(event string, j Job) {
		body, _ := json.Marshal(j)
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, body)
		if flusher != nil {
			flusher.Flush()
		}
	}
	last := job
	if last.State == JobRunning {
		send("progress", last)
	}
	keepAlive := time.NewTicker(15 * time.Second)
	defer keepAlive.Stop()
	for {
		select {
		case j, open := <-updates:
			if !open {
				final, _ := a.Jobs.Get(last.ID)
				send("end", final)
				return
			}
			last = j
			if j.State == JobRunning {
				send("progress", j)
			}
		case <-keepAlive.C:
			fmt.Fprint(w, ": keep-alive\n\n")
			if flusher != nil {
				flusher.Flush()
			}
		case <-r.Context().Done():
			return
		case <-a.Stopping:
			return
		}
	}
}

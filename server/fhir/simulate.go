package fhir

import (
	"net/http"
	"strconv"
	"time"

	"github.com/valet-sandbox/valet/server/events"
	"github.com/valet-sandbox/valet/server/sim"
)

// simulate acts out the FHIR simulations that fire on r (server/sim): delays first, then the first
// simulated failure, answered as a real failure of its kind would be. It reports whether it answered;
// after a delay alone the request goes on as usual. Called only while a FHIR simulation is set.
func (s *Service) simulate(w http.ResponseWriter, r *request) bool {
	acc := r.acc
	fired := s.cfg.Simulations.Match(r.ctx(), sim.FHIR, sim.Request{ClientID: acc.ClientID, Grant: acc.GrantID,
		Applies: func(sm *sim.Simulation) bool {
			if sm.Kind != sim.FHIRPatientNotFound {
				return true
			}
			// A read of the patient: the one named, else the one in context, else (backend services) any.
			id := r.PathValue("id")
			if r.PathValue("type") != "Patient" || id == "" || r.Method != http.MethodGet {
				return false
			}
			want := sm.Patient
			if want == "" {
				want = acc.Patient
			}
			return want == "" || want == id
		}})
	if len(fired.Sims) == 0 {
		return false
	}
	ev := func(sm sim.Simulation, decision string, resp map[string]any) {
		if s.cfg.Events == nil {
			return
		}
		s.cfg.Events.Record(events.Event{Kind: "fhir.simulated", ClientID: acc.ClientID, LaunchID: fired.Launch, FlowID: fired.Flow,
			Request: map[string]any{"method": r.Method, "url": r.URL.RequestURI()}, Decision: decision, Response: resp, Simulated: sm.Mark()})
	}
	if d := fired.Delay(); d > 0 {
		for _, sm := range fired.Sims {
			if sim.Slow(sm.Kind) {
				ev(sm, "delayed "+strconv.Itoa(sm.DelayMS)+" ms", nil)
			}
		}
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.ctx().Done():
			t.Stop()
		}
	}
	sm, ok := fired.First()
	if !ok {
		return false
	}
	o := s.simulatedOutcome(sm, r)
	resp := map[string]any{"status": o.Status}
	for k, v := range o.Header {
		resp[k] = v[0]
	}
	ev(sm, strconv.Itoa(o.Status)+" "+o.Error(), resp)
	s.finish(w, r, nil, o)
	return true
}

// simulatedOutcome is the answer a simulated failure gets: the same status, headers and OperationOutcome
// code as the real failure, its diagnostics saying that it is simulated.
func (s *Service) simulatedOutcome(sm sim.Simulation, r *request) *Outcome {
	note := " (simulated by Valet: " + sm.Label() + ")"
	retry := func(o *Outcome) *Outcome {
		o.Header = http.Header{"Retry-After": {strconv.Itoa(sm.RetryAfter)}}
		return o
	}
	switch sm.Kind {
	case sim.FHIRInvalidToken:
		return s.invalidToken("invalid token: not a token this server issued" + note)
	case sim.FHIRExpiredToken:
		return s.invalidToken("invalid token: expired" + note)
	case sim.FHIRRevokedToken:
		return s.invalidToken("invalid token: revoked" + note)
	case sim.FHIRInsufficient:
		return s.insufficientScope("", forbidden("the access token has no scope for this interaction%s", note))
	case sim.FHIRRateLimited:
		return retry(outcome(http.StatusTooManyRequests, "throttled", "too many requests; retry after %d s%s", sm.RetryAfter, note))
	case sim.FHIRUnavailable:
		return retry(outcome(http.StatusServiceUnavailable, "transient", "the server is unavailable; retry after %d s%s", sm.RetryAfter, note))
	case sim.FHIRPatientNotFound:
		o := notFound("Patient", r.PathValue("id"))
		o.Issues[0].Diagnostics += note
		return o
	}
	return outcome(http.StatusInternalServerError, "exception", "internal error%s", note)
}

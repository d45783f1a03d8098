package fhir

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/valet-sandbox/valet/server/fhir/spec"
	"github.com/valet-sandbox/valet/server/store"
)

// auditLog records an AuditEvent for every FHIR request. Writing each in the request's own transaction
// would cost as much as the read it describes, so events are queued and written in batches by one
// goroutine; close flushes what is queued, so nothing is lost on shutdown.
type auditLog struct {
	s     *Service
	ch    chan store.Indexed
	done  chan struct{}
	once  sync.Once
	every time.Duration
}

const auditBatch = 512

func newAuditLog(s *Service, every time.Duration) *auditLog {
	a := &auditLog{s: s, ch: make(chan store.Indexed, 8*auditBatch), done: make(chan struct{}), every: every}
	go a.run()
	return a
}

var actions = map[string]string{"create": "C", "read": "R", "vread": "R", "update": "U", "delete": "D",
	"search-type": "E", "history-type": "R", "history-instance": "R", "batch": "E", "operation": "E"}

// record queues the AuditEvent of a finished request (http://hl7.org/fhir/R4/auditevent.html).
func (a *auditLog) record(r *request, status int) {
	s := a.s
	now := s.now()
	id := s.ids.next(now)
	outcome := "0"
	switch {
	case status >= 500:
		outcome = "8"
	case status >= 400:
		outcome = "4"
	}
	agent := object{"requestor": true, "type": object{"coding": []any{object{
		"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "IRCP", "display": "information recipient"}}}}
	if r.acc != nil {
		agent["altId"] = r.acc.ClientID
		if r.acc.FHIRUser != "" {
			agent["who"] = object{"reference": r.acc.FHIRUser}
		} else {
			agent["who"] = object{"identifier": object{"system": "urn:valet:client", "value": r.acc.ClientID}}
		}
		if r.acc.Subject != "" {
			agent["name"] = r.acc.Subject
		}
	} else {
		agent["who"] = object{"display": "anonymous"}
	}
	ev := object{
		"resourceType": "AuditEvent",
		"type":         object{"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest", "display": "RESTful Operation"},
		"subtype":      []any{object{"system": "http://hl7.org/fhir/restful-interaction", "code": r.interaction}},
		"action":       actions[r.interaction],
		"recorded":     now.UTC().Format(time.RFC3339Nano),
		"outcome":      outcome,
		"outcomeDesc":  strconv.Itoa(status) + " " + http.StatusText(status),
		"agent":        []any{agent},
		"source": object{"site": s.base, "observer": object{"display": "Valet FHIR server"},
			"type": []any{object{"system": "http://terminology.hl7.org/CodeSystem/security-source-type", "code": "3", "display": "Web Server"}}},
	}
	entity := object{"name": r.Method + " " + r.URL.RequestURI()}
	if r.auditType != "" && r.auditID != "" && spec.ValidID(r.auditID) {
		entity["what"] = object{"reference": r.auditType + "/" + r.auditID}
	} else if r.acc != nil && r.acc.Patient != "" {
		entity["what"] = object{"reference": "Patient/" + r.acc.Patient}
	}
	ev["entity"] = []any{entity}
	stamp(ev, id, 1, now)
	ix := spec.Extract("AuditEvent", id, ev, s.base)
	a.ch <- store.Indexed{
		Resource: store.Resource{Type: "AuditEvent", ID: id, Version: 1, LastUpdated: now, JSON: encode(ev)},
		Index:    ix,
	}
}

func (a *auditLog) run() {
	defer close(a.done)
	tick := time.NewTicker(a.every)
	defer tick.Stop()
	var batch []store.Indexed
	flush := func() {
		if len(batch) == 0 {
			return
		}
		err := a.s.cfg.Store.Tx(context.Background(), func(tx *store.Tx) error {
			_, err := tx.PutIndexedBatch(context.Background(), batch)
			return err
		})
		if err != nil {
			slog.Error("write audit events", "count", len(batch), "err", err)
		}
		batch = batch[:0]
	}
	for {
		select {
		case ev, ok := <-a.ch:
			if !ok {
				flush()
				return
			}
			batch = append(batch, ev)
			if len(batch) >= auditBatch {
				flush()
			}
		case <-tick.C:
			flush()
		}
	}
}

// Flush waits until every AuditEvent queued so far is written (tests and /api/audit use it).
func (s *Service) Flush() {
	done := make(chan struct{})
	go func() {
		for len(s.audit.ch) > 0 {
			time.Sleep(time.Millisecond)
		}
		close(done)
	}()
	<-done
	time.Sleep(2 * s.audit.every)
}

func (a *auditLog) close() error {
	a.once.Do(func() { close(a.ch) })
	<-a.done
	return nil
}

// AuditEvents returns the newest AuditEvents (most recent first), up to limit, for the control API.
func (s *Service) AuditEvents(ctx context.Context, limit int) ([]json.RawMessage, error) {
	page, err := s.cfg.Store.Search(ctx, store.Query{Types: []string{"AuditEvent"},
		Sort: []store.SortKey{{Param: "_lastUpdated", Desc: true}}, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]json.RawMessage, len(page.Resources))
	for i, r := range page.Resources {
		out[i] = r.JSON
	}
	return out, nil
}

package fhir

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/valet-sandbox/valet/server/fhir/spec"
	"github.com/valet-sandbox/valet/server/store"
)

// auditLog records every FHIR request. A full AuditEvent resource per request (encoded JSON, a history
// row and a dozen index rows) would cost more than the read it describes, so the request path only
// queues a narrow store.AuditRecord; one goroutine appends the queue to the lean audit_log table in
// batches (multi-row INSERTs on the writer connection, never holding a read connection), and the rows
// become AuditEvent resources when something asks for AuditEvents (materialiseAudit). close flushes what
// is queued, so nothing is lost on shutdown; pending rows survive restarts.
//
// The queue is a slice under a mutex, not a channel: a send to a writer parked on a channel would wake
// it, and another thread, on every request. Requests wake the writer once per auditBatch records; its
// ticker writes whatever is queued in between.
//
// Batches are large and infrequent because every commit on the database, this one included, makes each
// read connection drop its page cache at its next read (SQLite cannot tell which pages a WAL commit
// changed), and the mapped read connections unmap the whole file. auditBatch is large enough that at
// the read rates a sandbox serves, the ticker (Config.AuditFlush), not the queue's length, decides when
// the writer commits. A request that asks for AuditEvents first writes the records queued before it
// (queued), so it still sees every request that finished before it.
type auditLog struct {
	s      *Service
	mu     sync.Mutex
	queue  []store.AuditRecord
	room   sync.Cond // the writer took the queue: requests waiting at auditMax may go on
	closed bool      // the writer has stopped; later records are written by their request
	wake   chan struct{}
	flush  chan chan struct{}
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once
	every  time.Duration
	mat    sync.Mutex // one materialisation at a time (the others find nothing left to do)
}

const (
	auditBatch = 16384          // queued records that wake the writer before its next tick
	auditMax   = 4 * auditBatch // queued records beyond which requests wait for the writer
)

func newAuditLog(s *Service, every time.Duration) *auditLog {
	a := &auditLog{s: s, wake: make(chan struct{}, 1), flush: make(chan chan struct{}), stop: make(chan struct{}),
		done: make(chan struct{}), every: every}
	a.room.L = &a.mu
	go a.run()
	return a
}

var actions = map[string]string{"create": "C", "read": "R", "vread": "R", "update": "U", "delete": "D",
	"search-type": "E", "history-type": "R", "history-instance": "R", "batch": "E", "operation": "E"}

// record queues the audit record of a finished request.
func (a *auditLog) record(r *request, status int) {
	s := a.s
	now := s.now()
	rec := store.AuditRecord{ID: s.ids.next(now), Recorded: now, Interaction: r.interaction, Status: status,
		Request: r.Method + " " + r.URL.RequestURI()}
	if r.acc != nil {
		rec.Authenticated, rec.Client, rec.FHIRUser, rec.Subject = true, r.acc.ClientID, r.acc.User.String(), r.acc.Subject
	}
	switch {
	case r.auditType != "" && r.auditID != "" && spec.ValidID(r.auditID):
		rec.Entity = r.auditType + "/" + r.auditID
	case r.acc != nil && r.acc.Patient != "":
		rec.Entity = "Patient/" + r.acc.Patient
	}
	if p, ok := strings.CutPrefix(rec.Entity, "Patient/"); ok {
		rec.Patient = p // the AuditEvent compartment follows entity.what
	}
	a.mu.Lock()
	for len(a.queue) >= auditMax && !a.closed {
		a.room.Wait()
	}
	if a.closed {
		a.mu.Unlock()
		a.write([]store.AuditRecord{rec})
		return
	}
	a.queue = append(a.queue, rec)
	n := len(a.queue)
	a.mu.Unlock()
	if n == auditBatch {
		select {
		case a.wake <- struct{}{}:
		default: // a wake is already pending
		}
	}
}

// queued reports whether records wait in the queue: any, or (patient set) one in that patient's
// compartment.
func (a *auditLog) queued(patient string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if patient == "" {
		return len(a.queue) > 0
	}
	for _, rec := range a.queue {
		if rec.Patient == patient {
			return true
		}
	}
	return false
}

// take empties the queue, handing its records to the writer (and its backing array to the next records).
func (a *auditLog) take(spare []store.AuditRecord, closing bool) []store.AuditRecord {
	a.mu.Lock()
	batch := a.queue
	a.queue, a.closed = spare[:0], closing
	a.room.Broadcast()
	a.mu.Unlock()
	return batch
}

func (a *auditLog) write(batch []store.AuditRecord) {
	if len(batch) == 0 {
		return
	}
	if err := a.s.audits().AppendAudit(context.Background(), batch); err != nil {
		slog.Error("write audit records", "count", len(batch), "err", err)
	}
}

func (a *auditLog) run() {
	defer close(a.done)
	tick := time.NewTicker(a.every)
	defer tick.Stop()
	var spare []store.AuditRecord // the last batch written: its array holds the next queue
	writeQueue := func() {
		batch := a.take(spare, false)
		a.write(batch)
		spare = batch
	}
	for {
		select {
		case <-a.stop:
			a.write(a.take(nil, true))
			return
		case ack := <-a.flush:
			writeQueue()
			close(ack)
		case <-a.wake:
			writeQueue()
		case <-tick.C:
			writeQueue()
		}
	}
}

// Flush waits until every audit record queued so far is written (tests and /api/audit use it).
func (s *Service) Flush() {
	ack := make(chan struct{})
	select {
	case s.audit.flush <- ack:
		<-ack
	case <-s.audit.done:
	}
}

func (a *auditLog) close() error {
	a.once.Do(func() { close(a.stop) })
	<-a.done
	return nil
}

// audits is the store's audit log; a Store without one (a test double) keeps no audit.
func (s *Service) audits() store.AuditLog {
	if l, ok := s.cfg.Store.(store.AuditLog); ok {
		return l
	}
	return discardAudit{}
}

type discardAudit struct{}

func (discardAudit) AppendAudit(context.Context, []store.AuditRecord) error { return nil }
func (discardAudit) PendingAudit(context.Context, string) (bool, error)     { return false, nil }

// materialiseChunk rows become AuditEvents per transaction, so the writer is never held for long.
const materialiseChunk = 2000

// materialiseAudit turns the pending audit rows into AuditEvent resources (all of them, or none when
// patient is set and no pending row is in that patient's compartment), so that whatever asks for
// AuditEvents next finds every request finished so far: records still queued are written first. Rows
// leave the log in the transaction that stores their AuditEvents.
func (s *Service) materialiseAudit(ctx context.Context, patient string) error {
	if s.audit.queued(patient) {
		s.Flush()
	}
	log := s.audits()
	if ok, err := log.PendingAudit(ctx, patient); err != nil || !ok {
		return err
	}
	s.audit.mat.Lock()
	defer s.audit.mat.Unlock()
	for {
		n := 0
		err := s.cfg.Store.Tx(ctx, func(tx *store.Tx) error {
			recs, err := tx.TakeAudit(ctx, materialiseChunk)
			if err != nil || len(recs) == 0 {
				return err
			}
			n = len(recs)
			batch := make([]store.Indexed, len(recs))
			for i, rec := range recs {
				batch[i] = s.auditEvent(rec)
			}
			_, err = tx.PutIndexedBatch(ctx, batch)
			return err
		})
		if err != nil || n < materialiseChunk {
			return err
		}
	}
}

// auditEvent builds the AuditEvent of one request (http://hl7.org/fhir/R4/auditevent.html).
func (s *Service) auditEvent(rec store.AuditRecord) store.Indexed {
	outcome := "0"
	switch {
	case rec.Status >= 500:
		outcome = "8"
	case rec.Status >= 400:
		outcome = "4"
	}
	agent := object{"requestor": true, "type": object{"coding": []any{object{
		"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "IRCP", "display": "information recipient"}}}}
	if rec.Authenticated {
		agent["altId"] = rec.Client
		if rec.FHIRUser != "" {
			agent["who"] = object{"reference": rec.FHIRUser}
		} else {
			agent["who"] = object{"identifier": object{"system": "urn:valet:client", "value": rec.Client}}
		}
		if rec.Subject != "" {
			agent["name"] = rec.Subject
		}
	} else {
		agent["who"] = object{"display": "anonymous"}
	}
	ev := object{
		"resourceType": "AuditEvent",
		"type":         object{"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest", "display": "RESTful Operation"},
		"subtype":      []any{object{"system": "http://hl7.org/fhir/restful-interaction", "code": rec.Interaction}},
		"action":       actions[rec.Interaction],
		"recorded":     rec.Recorded.UTC().Format(time.RFC3339Nano),
		"outcome":      outcome,
		"outcomeDesc":  strconv.Itoa(rec.Status) + " " + http.StatusText(rec.Status),
		"agent":        []any{agent},
		"source": object{"site": s.base, "observer": object{"display": "Valet FHIR server"},
			"type": []any{object{"system": "http://terminology.hl7.org/CodeSystem/security-source-type", "code": "3", "display": "Web Server"}}},
	}
	entity := object{"name": rec.Request}
	if rec.Entity != "" {
		entity["what"] = object{"reference": rec.Entity}
	}
	ev["entity"] = []any{entity}
	stamp(ev, rec.ID, 1, rec.Recorded)
	return store.Indexed{
		Resource: store.Resource{Type: "AuditEvent", ID: rec.ID, Version: 1, LastUpdated: rec.Recorded, JSON: encode(ev)},
		Index:    spec.Extract("AuditEvent", rec.ID, ev, s.base),
	}
}

// mentionsAudit reports whether a request could read AuditEvents: its type, a query or form parameter
// (_type, _revinclude, _has, …) or a Bundle body names them.
func mentionsAudit(r *request) bool {
	const name = "AuditEvent"
	if r.PathValue("type") == name || strings.Contains(r.URL.RawQuery, name) || bytes.Contains(r.body, []byte(name)) {
		return true
	}
	if r.Method == http.MethodPost && isForm(r.Request) && bytes.IndexByte(r.body, '%') >= 0 {
		// The name spelled with escapes (%41uditEvent).
		form, _ := url.ParseQuery(string(r.body))
		for k, vs := range form {
			if strings.Contains(k, name) || strings.Contains(strings.Join(vs, ","), name) {
				return true
			}
		}
	}
	return false
}

// AuditEvents returns the newest AuditEvents (most recent first), up to limit, for the control API.
func (s *Service) AuditEvents(ctx context.Context, limit int) ([]json.RawMessage, error) {
	s.Flush()
	if err := s.materialiseAudit(ctx, ""); err != nil {
		return nil, err
	}
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

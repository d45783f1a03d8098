package store

import (
	"context"
	"time"
)

// Event is one recorded protocol step; JSON is the whole event as served.
type Event struct {
	ID       int64
	At       time.Time
	Kind     string
	LaunchID string
	FlowID   string
	ClientID string
	JSON     []byte
}

// EventFilter selects events; zero fields do not filter.
type EventFilter struct {
	LaunchID, FlowID, ClientID string
	Since                      time.Time
	AfterID                    int64
	Limit                      int
}

// Events stores flow events.
type Events interface {
	AppendEvents(ctx context.Context, evs []Event) ([]Event, error)
	ListEvents(ctx context.Context, f EventFilter) ([]Event, error)
}

// AppendEvents writes a batch of events in one transaction and returns them with their ids.
func (db *DB) AppendEvents(ctx context.Context, evs []Event) ([]Event, error) {
	err := db.Tx(ctx, func(tx *Tx) error {
		for i := range evs {
			e := &evs[i]
			res, err := tx.exec(ctx, insEvent, Micros(e.At), e.Kind, e.LaunchID, e.FlowID, e.ClientID, e.JSON)
			if err != nil {
				return err
			}
			if e.ID, err = res.LastInsertId(); err != nil {
				return err
			}
		}
		return nil
	})
	return evs, err
}

// ListEvents returns matching events, oldest first.
func (db *DB) ListEvents(ctx context.Context, f EventFilter) ([]Event, error) {
	q := `SELECT id, at, kind, launch_id, flow_id, client_id, json FROM events WHERE id > ?`
	args := []any{f.AfterID}
	if f.LaunchID != "" {
		q += ` AND launch_id = ?`
		args = append(args, f.LaunchID)
	}
	if f.FlowID != "" {
		q += ` AND flow_id = ?`
		args = append(args, f.FlowID)
	}
	if f.ClientID != "" {
		q += ` AND client_id = ?`
		args = append(args, f.ClientID)
	}
	if !f.Since.IsZero() {
		q += ` AND at >= ?`
		args = append(args, Micros(f.Since))
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	q += ` ORDER BY id LIMIT ?`
	args = append(args, f.Limit)
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Kind, &e.LaunchID, &e.FlowID, &e.ClientID, &e.JSON); err != nil {
			return nil, err
		}
		e.At = FromMicros(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

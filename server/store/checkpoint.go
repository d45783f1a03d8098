package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// checkpointer copies the WAL into the main database file from a connection of its own, so that the
// writer never does it. Left to SQLite, the commit that takes the WAL past its threshold runs the
// checkpoint itself: it copies the WAL's pages and waits for the file's fsync while holding the only
// write connection, and every other write waits with it. A PASSIVE
// checkpoint from another connection runs beside the writer (it never blocks it, nor readers); the
// writer's own automatic checkpoint stays, at a higher threshold, in case this one falls behind.
type checkpointer struct {
	conn    *sql.DB
	every   time.Duration
	kick    chan struct{}
	done    chan struct{}
	stopped chan struct{}
	once    sync.Once
	err     error
}

// checkpointEvery is how long the checkpointer lets commits gather after a write: a page rewritten by
// many transactions in that time (the tail of an index, a counter) is copied to the file once.
const checkpointEvery = time.Second

func newCheckpointer(conn *sql.DB, every time.Duration) *checkpointer {
	c := &checkpointer{conn: conn, every: every, kick: make(chan struct{}, 1), done: make(chan struct{}),
		stopped: make(chan struct{})}
	go c.run()
	return c
}

// wrote tells the checkpointer that a transaction committed. It never blocks; c may be nil.
func (c *checkpointer) wrote() {
	if c == nil {
		return
	}
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer close(c.stopped)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-c.kick:
		}
		timer.Reset(c.every)
		select {
		case <-c.done:
			timer.Stop()
			return
		case <-timer.C:
		}
		// Errors leave the pages in the WAL for the next round or the writer's own checkpoint.
		_, _ = c.conn.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
	}
}

// close stops the checkpointer and closes its connection; c may be nil, and close may run again.
func (c *checkpointer) close() error {
	if c == nil {
		return nil
	}
	c.once.Do(func() {
		close(c.done)
		<-c.stopped
		c.err = c.conn.Close()
	})
	return c.err
}

package store

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Group commit. SQLite has one writer, so write transactions queue for it; the requests that queued
// while a transaction ran are then committed together, each in a savepoint of one SQLite transaction.
// A commit is the costly part of a small write (its WAL frames are written page by page, the write lock
// taken and released with system calls), and the requests of a group share it: many clients sending
// transaction Bundles, or token requests writing their grants, pay for one commit between them instead of
// one each. A lone request runs in a plain transaction, without savepoints.
//
// Each request keeps its own outcome. A function that fails is rolled back to its savepoint and gets its
// error; the others commit. DB.Tx returns only after the commit that made a request's writes durable (or
// its failure), so nothing a caller does after Tx returns can see an uncommitted write. The writer's
// connection never interrupts a statement when a caller's context is cancelled (conn.go): an
// interrupted write would roll the whole group's transaction back.

// maxGroup bounds the requests committed together, and so the wait of the last one.
const maxGroup = 64

// txRequest is one call of DB.Tx waiting for, or in, a group.
type txRequest struct {
	ctx      context.Context
	fn       func(tx *Tx) error
	err      error
	panicked any // what fn panicked with (re-raised in the caller's goroutine)
	done     chan struct{}
}

// writeQueue holds the requests waiting for the writer, and the writer itself: a goroutine holding the
// token in writer runs the queued requests (its own among them, or not).
type writeQueue struct {
	mu      sync.Mutex
	pending []*txRequest
	writer  chan struct{}
	// For WriteStats: commits, the requests they committed, and the time the writer was held.
	commits, committed, busy atomic.Int64
}

// WriteStats counts the writes since Open.
type WriteStats struct {
	Commits int64         // SQLite transactions committed
	Calls   int64         // DB.Tx calls they committed (Calls / Commits is the mean size of a group)
	Busy    time.Duration // time the writer spent running transactions, committed or not
}

// WriteStats says how much the single writer has done since Open.
func (db *DB) WriteStats() WriteStats {
	return WriteStats{db.wq.commits.Load(), db.wq.committed.Load(), time.Duration(db.wq.busy.Load())}
}

func (q *writeQueue) push(r *txRequest) {
	q.mu.Lock()
	q.pending = append(q.pending, r)
	q.mu.Unlock()
}

// take removes up to n requests from the head of the queue.
func (q *writeQueue) take(n int) []*txRequest {
	q.mu.Lock()
	defer q.mu.Unlock()
	n = min(n, len(q.pending))
	group := slices.Clone(q.pending[:n])
	q.pending = slices.Delete(q.pending, 0, n)
	return group
}

// remove takes r out of the queue; false when a writer already took it.
func (q *writeQueue) remove(r *txRequest) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	i := slices.Index(q.pending, r)
	if i < 0 {
		return false
	}
	q.pending = slices.Delete(q.pending, i, i+1)
	return true
}

// Tx runs fn in a write transaction: its writes are committed when fn returns nil and rolled back
// otherwise; Tx returns after that. fn may run on another caller's goroutine, committed together with
// other callers' functions (group commit, above), and must not call Tx itself.
func (db *DB) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	db.prepareWrites(ctx)
	r := &txRequest{ctx: ctx, fn: fn, done: make(chan struct{})}
	db.wq.push(r)
	for {
		select {
		case <-r.done:
			return r.result()
		case <-ctx.Done():
			if db.wq.remove(r) {
				return ctx.Err()
			}
			<-r.done // a writer has it: its statements stop at the next one that checks ctx
			return r.result()
		case db.wq.writer <- struct{}{}:
			db.runQueued()
		}
	}
}

func (r *txRequest) result() error {
	if r.panicked != nil {
		panic(r.panicked)
	}
	return r.err
}

// runQueued commits the group at the head of the queue; the caller holds the writer token, which this
// gives back.
func (db *DB) runQueued() {
	group := db.wq.take(maxGroup)
	if len(group) == 0 {
		<-db.wq.writer
		return
	}
	release := db.cores.Acquire()
	t0 := time.Now()
	defer func() {
		db.wq.busy.Add(int64(time.Since(t0)))
		release()
		<-db.wq.writer
		for _, r := range group {
			close(r.done)
		}
	}()
	db.commitGroup(group)
}

// commitGroup runs group's functions in one transaction and commits it, leaving each request's outcome
// in its err.
func (db *DB) commitGroup(group []*txRequest) {
	live := group[:0:0]
	for _, r := range group {
		if r.err = r.ctx.Err(); r.err == nil {
			live = append(live, r)
		}
	}
	if len(live) == 0 {
		return
	}
	sqlTx, err := db.w.BeginTx(context.Background(), nil)
	if err != nil {
		for _, r := range live {
			r.err = err
		}
		return
	}
	tx := &Tx{tx: sqlTx, now: db.now, db: db}
	if len(live) == 1 {
		r := live[0]
		if r.err = r.run(tx); r.err != nil {
			_ = sqlTx.Rollback()
			return
		}
		if r.err = sqlTx.Commit(); r.err == nil {
			db.committed(1)
		}
		return
	}
	var ok []*txRequest
	for i, r := range live {
		var spErr error
		r.err, spErr = tx.within(context.Background(), groupSavepoint, func() error { return r.run(tx) })
		if spErr != nil {
			db.abortGroup(sqlTx, append(ok, r), spErr, live[i+1:]) // r keeps its own error, if it has one
			return
		}
		if r.err == nil {
			ok = append(ok, r)
		}
	}
	if len(ok) == 0 {
		_ = sqlTx.Rollback()
		return
	}
	if err := sqlTx.Commit(); err != nil {
		for _, r := range ok {
			r.err = err
		}
		return
	}
	db.committed(len(ok))
}

func (db *DB) committed(calls int) {
	db.wq.commits.Add(1)
	db.wq.committed.Add(int64(calls))
	db.ck.wrote()
}

// abortGroup rolls back a group whose transaction SQLite ended (an I/O error, a full disk): the requests
// whose writes it held fail with the cause, the ones not yet run get a transaction of their own.
func (db *DB) abortGroup(sqlTx interface{ Rollback() error }, lost []*txRequest, cause error, rest []*txRequest) {
	_ = sqlTx.Rollback()
	for _, r := range lost {
		if r.err == nil {
			r.err = fmt.Errorf("store: the write transaction was rolled back: %w", cause)
		}
	}
	db.commitGroup(rest)
}

// errPanicked stands for a function's panic in the group; its caller re-raises the panic.
var errPanicked = errors.New("store: the transaction's function panicked")

// run calls the request's function, catching a panic so that it is raised in the caller's goroutine
// (with the stack where it happened) instead of the writer's.
func (r *txRequest) run(tx *Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			r.panicked = fmt.Sprintf("%v\n\n[store: raised in DB.Tx's function]\n%s", p, debug.Stack())
			err = errPanicked
		}
	}()
	return r.fn(tx)
}

package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"slices"

	"modernc.org/sqlite"
)

// pooledConn wraps each of the store's SQLite connections for two jobs.
//
// On the read pools it keeps the statements driverStmts prepares on it, and finalizes them before it
// closes. database/sql closes a connection on its own — one whose statement was interrupted when its
// request went away, or the whole pool on Close — and SQLite keeps a closed connection's memory (its
// page cache and map among it) until its last statement is finalized; a statement finalized after the
// close would use the driver's freed state.
//
// On the writer (uninterrupted) it hides the caller's cancellation from the driver. modernc.org/sqlite
// answers a cancelled context by interrupting the running statement, and SQLite answers an interrupted
// write inside a transaction by rolling the whole transaction back — which, with the writes of several
// requests committed together (group.go), would undo the other requests' work too. database/sql still
// checks the caller's context before each statement, so a cancelled request stops at its next one.
//
// The wrapper forwards every optional interface the driver's connections implement
// (modernc.org/sqlite's NewConnector says which).
type pooledConn struct {
	driver.Conn
	stmts         map[string]driver.Stmt // used only by whoever holds the connection
	busy          map[driver.Stmt]bool   // the writer's kept statements whose rows are open
	uninterrupted bool
}

// connStmtsMax bounds the statements a connection keeps (a search's SQL depends only on the shape
// of the query, so a sandbox sees a few hundred texts at most); beyond it a statement is prepared for one
// run. None is evicted, so none is closed under a running query.
const connStmtsMax = 1000

// openPool opens a pool of pooledConns on dsn; uninterrupted for the writer.
func openPool(dsn string, uninterrupted bool) (*sql.DB, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(poolConnector{c, uninterrupted}), nil
}

type poolConnector struct {
	driver.Connector
	uninterrupted bool
}

func (c poolConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pooledConn{Conn: conn, stmts: map[string]driver.Stmt{}, uninterrupted: c.uninterrupted}, nil
}

// ctx is the context the driver sees.
func (c *pooledConn) ctx(ctx context.Context) context.Context {
	if c.uninterrupted {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

func (c *pooledConn) Close() error {
	for q, st := range c.stmts {
		_ = st.Close()
		delete(c.stmts, q)
	}
	return c.Conn.Close()
}

func (c *pooledConn) Unwrap() driver.Conn { return c.Conn }

func (c *pooledConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(c.ctx(ctx), opts)
}

func (c *pooledConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	st, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(c.ctx(ctx), q)
	if err != nil || !c.uninterrupted {
		return st, err
	}
	return &uninterruptedStmt{Stmt: st}, nil
}

func (c *pooledConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.(driver.ExecerContext).ExecContext(c.ctx(ctx), q, args)
}

// stmt returns q prepared on c: the statement c keeps for it, else a new one that c keeps while under
// connStmtsMax, else (once) one prepared for one run, which the caller closes. A kept statement whose rows
// are still open on the writer is not handed out again.
func (c *pooledConn) stmt(ctx context.Context, q string) (st driver.Stmt, once bool, err error) {
	if st, ok := c.stmts[q]; ok && !c.busy[st] {
		return st, false, nil
	}
	if st, err = c.PrepareContext(ctx, q); err != nil {
		return nil, false, err
	}
	if _, taken := c.stmts[q]; taken || len(c.stmts) >= connStmtsMax {
		return st, true, nil
	}
	c.stmts[q] = st
	return st, false, nil
}

// QueryContext runs a query; on the writer, with a statement the connection keeps. The queries a write
// transaction runs are searches (a transaction Bundle's conditional references and creates, checked again
// inside it) whose SQL depends only on the query's shape, and preparing such a statement costs more than
// running it. A kept statement still busy with an earlier query's rows is not shared: that query gets a
// statement of its own, closed with its rows.
func (c *pooledConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	if !c.uninterrupted {
		return c.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
	}
	st, once, err := c.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	rows, err := st.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		if once {
			st.Close()
		}
		return nil, err
	}
	if c.busy == nil {
		c.busy = map[driver.Stmt]bool{}
	}
	c.busy[st] = true
	return &stmtRows{Rows: rows, done: func() {
		delete(c.busy, st)
		if once {
			st.Close()
		}
	}}, nil
}

// stmtRows are the rows of a statement the writer keeps; closing them frees the statement.
type stmtRows struct {
	driver.Rows
	done func()
}

func (r *stmtRows) Close() error {
	err := r.Rows.Close()
	if r.done != nil {
		r.done()
		r.done = nil
	}
	return err
}

func (c *pooledConn) Ping(ctx context.Context) error { return c.Conn.(driver.Pinger).Ping(ctx) }

func (c *pooledConn) ResetSession(ctx context.Context) error {
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *pooledConn) IsValid() bool { return c.Conn.(driver.Validator).IsValid() }

// uninterruptedStmt is a statement prepared on the writer's connection. It also takes a multi-row
// INSERT's values as one rowArgs argument.
type uninterruptedStmt struct {
	driver.Stmt
	nv []driver.NamedValue // rowArgs expanded; a statement runs on one goroutine at a time
}

// rowArgs carries a multi-row INSERT's values (int64, float64, string, []byte or nil each) through
// database/sql as one argument: database/sql would check and convert them one by one, on the single
// writer's time, though they need neither.
type rowArgs []any

func (s *uninterruptedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	args, err := s.expand(args)
	if err != nil {
		return nil, err
	}
	defer clear(s.nv) // keep no values alive
	return s.Stmt.(driver.StmtExecContext).ExecContext(context.WithoutCancel(ctx), args)
}

func (s *uninterruptedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	args, err := s.expand(args)
	if err != nil {
		return nil, err
	}
	return s.Stmt.(driver.StmtQueryContext).QueryContext(context.WithoutCancel(ctx), args)
}

// NumInput is -1 (not checked by database/sql) because one rowArgs stands for all the values; SQLite
// still refuses a missing one.
func (s *uninterruptedStmt) NumInput() int { return -1 }

// CheckNamedValue lets rowArgs through database/sql untouched; every other value is converted as usual.
func (s *uninterruptedStmt) CheckNamedValue(nv *driver.NamedValue) error {
	if _, ok := nv.Value.(rowArgs); ok {
		return nil
	}
	return driver.ErrSkip
}

func (s *uninterruptedStmt) expand(args []driver.NamedValue) ([]driver.NamedValue, error) {
	if len(args) != 1 {
		return args, nil
	}
	rows, ok := args[0].Value.(rowArgs)
	if !ok {
		return args, nil
	}
	s.nv = slices.Grow(s.nv[:0], len(rows))
	for i, v := range rows {
		switch v.(type) {
		case int64, float64, string, []byte, nil:
		default:
			var err error
			if v, err = driver.DefaultParameterConverter.ConvertValue(v); err != nil {
				return nil, fmt.Errorf("argument %d: %w", i+1, err)
			}
		}
		s.nv = append(s.nv, driver.NamedValue{Ordinal: i + 1, Value: v})
	}
	return s.nv, nil
}

var (
	_ driver.ConnBeginTx        = (*pooledConn)(nil)
	_ driver.ConnPrepareContext = (*pooledConn)(nil)
	_ driver.ExecerContext      = (*pooledConn)(nil)
	_ driver.QueryerContext     = (*pooledConn)(nil)
	_ driver.Pinger             = (*pooledConn)(nil)
	_ driver.SessionResetter    = (*pooledConn)(nil)
	_ driver.Validator          = (*pooledConn)(nil)
	_ driver.StmtExecContext    = (*uninterruptedStmt)(nil)
	_ driver.StmtQueryContext   = (*uninterruptedStmt)(nil)
	_ driver.NamedValueChecker  = (*uninterruptedStmt)(nil)
)

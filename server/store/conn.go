package store

import (
	"context"
	"database/sql"
	"database/sql/driver"

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
	return uninterruptedStmt{st}, nil
}

func (c *pooledConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.(driver.ExecerContext).ExecContext(c.ctx(ctx), q, args)
}

func (c *pooledConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.(driver.QueryerContext).QueryContext(c.ctx(ctx), q, args)
}

func (c *pooledConn) Ping(ctx context.Context) error { return c.Conn.(driver.Pinger).Ping(ctx) }

func (c *pooledConn) ResetSession(ctx context.Context) error {
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *pooledConn) IsValid() bool { return c.Conn.(driver.Validator).IsValid() }

// uninterruptedStmt is a statement prepared on an uninterrupted connection.
type uninterruptedStmt struct{ driver.Stmt }

func (s uninterruptedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.Stmt.(driver.StmtExecContext).ExecContext(context.WithoutCancel(ctx), args)
}

func (s uninterruptedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.Stmt.(driver.StmtQueryContext).QueryContext(context.WithoutCancel(ctx), args)
}

var (
	_ driver.ConnBeginTx        = (*pooledConn)(nil)
	_ driver.ConnPrepareContext = (*pooledConn)(nil)
	_ driver.ExecerContext      = (*pooledConn)(nil)
	_ driver.QueryerContext     = (*pooledConn)(nil)
	_ driver.Pinger             = (*pooledConn)(nil)
	_ driver.SessionResetter    = (*pooledConn)(nil)
	_ driver.Validator          = (*pooledConn)(nil)
	_ driver.StmtExecContext    = uninterruptedStmt{}
	_ driver.StmtQueryContext   = uninterruptedStmt{}
)

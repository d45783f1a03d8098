package store

import (
	"context"
	"database/sql"
	"database/sql/driver"

	"modernc.org/sqlite"
)

// readConn is a connection of the read pool that keeps the statements driverStmts prepares on it, and
// finalizes them before it closes. database/sql closes a connection on its own — one whose statement
// was interrupted when its request went away, or the whole pool on Close — and SQLite keeps a closed
// connection's memory (its page cache and map among it) until its last statement is finalized; a
// statement finalized after the close would use the driver's freed state. The wrapper forwards every
// optional interface the driver's connections implement (modernc.org/sqlite's NewConnector says which).
type readConn struct {
	driver.Conn
	stmts map[string]driver.Stmt // used only by whoever holds the connection
}

// readConnStmtsMax bounds the statements a connection keeps (a search's SQL depends only on the shape
// of the query, so a sandbox sees a few hundred texts at most); beyond it a statement is prepared for one
// run. None is evicted, so none is closed under a running query.
const readConnStmtsMax = 1000

// openReads opens a pool of readConns on dsn.
func openReads(dsn string) (*sql.DB, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(readConnector{c}), nil
}

type readConnector struct{ driver.Connector }

func (c readConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &readConn{Conn: conn, stmts: map[string]driver.Stmt{}}, nil
}

func (c *readConn) Close() error {
	for q, st := range c.stmts {
		_ = st.Close()
		delete(c.stmts, q)
	}
	return c.Conn.Close()
}

func (c *readConn) Unwrap() driver.Conn { return c.Conn }

func (c *readConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *readConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, q)
}

func (c *readConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, q, args)
}

func (c *readConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
}

func (c *readConn) Ping(ctx context.Context) error { return c.Conn.(driver.Pinger).Ping(ctx) }

func (c *readConn) ResetSession(ctx context.Context) error {
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *readConn) IsValid() bool { return c.Conn.(driver.Validator).IsValid() }

var (
	_ driver.ConnBeginTx        = (*readConn)(nil)
	_ driver.ConnPrepareContext = (*readConn)(nil)
	_ driver.ExecerContext      = (*readConn)(nil)
	_ driver.QueryerContext     = (*readConn)(nil)
	_ driver.Pinger             = (*readConn)(nil)
	_ driver.SessionResetter    = (*readConn)(nil)
	_ driver.Validator          = (*readConn)(nil)
)

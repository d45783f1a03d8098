package store

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"io"
	"sync"
)

// driverStmts runs the read pool's hottest statements on the driver connection itself, each prepared once
// per connection. Through database/sql a read by id cost twice SQLite's own work (a Go benchmark on
// 100,000 resources: ~47 µs of CPU with a request's context, ~17 µs this way). A context that can be
// cancelled makes database/sql and the driver each start a goroutine per query to watch it — waking
// another thread on every read — and database/sql copies each []byte the driver has already copied out of
// SQLite.
//
// The statements run here are bounded: they read a known number of rows through an index, so they run
// without a watcher, and a cancelled request stops before its next statement instead of inside one. The
// request's context still bounds the wait for a connection.
type driverStmts struct {
	db *sql.DB
	mu sync.Mutex
	m  map[connStmt]driver.Stmt
}

type connStmt struct {
	conn  any // the driver connection, as database/sql hands it to Conn.Raw
	query string
}

// query runs q on a connection of the pool and calls row with each result row's values, which row may
// keep (the driver returns fresh strings and []byte).
func (s *driverStmts) query(ctx context.Context, q string, args []driver.NamedValue, row func(v []driver.Value) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		st, err := s.stmt(dc, q)
		if err != nil {
			return err
		}
		rows, err := st.(driver.StmtQueryContext).QueryContext(context.WithoutCancel(ctx), args)
		if err != nil {
			return err
		}
		v := make([]driver.Value, len(rows.Columns()))
		for err == nil {
			if err = rows.Next(v); err == nil {
				err = row(v)
			}
		}
		if err == io.EOF {
			err = nil
		}
		return cmp.Or(err, rows.Close())
	})
}

// stmt returns q prepared on the driver connection dc. Read connections live as long as the pool, so
// the map holds a few statements per connection; Close finalizes them.
func (s *driverStmts) stmt(dc any, q string) (driver.Stmt, error) {
	k := connStmt{dc, q}
	s.mu.Lock()
	st, ok := s.m[k]
	s.mu.Unlock()
	if ok {
		return st, nil
	}
	st, err := dc.(driver.ConnPrepareContext).PrepareContext(context.Background(), q)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.m == nil {
		s.m = map[connStmt]driver.Stmt{}
	}
	s.m[k] = st
	s.mu.Unlock()
	return st, nil
}

// close finalizes the statements; the pool must be idle.
func (s *driverStmts) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	for k, st := range s.m {
		err = cmp.Or(err, st.Close())
		delete(s.m, k)
	}
	return err
}

// bytesValue is a BLOB (or TEXT) column's value as bytes.
func bytesValue(v driver.Value) []byte {
	switch x := v.(type) {
	case []byte:
		return x
	case string:
		return []byte(x)
	}
	return nil
}

package store

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
)

// driverStmts runs the read pool's hottest statements on the driver connection itself, each prepared once
// per connection, because database/sql adds more to a read by id than SQLite's own work: a context that
// can be cancelled makes database/sql and the driver each start a goroutine per query to watch it —
// waking another thread on every read — and database/sql copies each []byte the driver has already
// copied out of SQLite.
//
// A bounded statement (one row by primary key; a search starting from one patient's rows or from ids)
// runs without a watcher: a cancelled request stops before its next statement instead of inside one.
// It runs on the pool that reads the file through a memory map (store.go, mappedConn). Other statements
// keep the driver's watcher, which interrupts SQLite when the request ends, and the page cache. The
// request's context always bounds the wait for a connection. Each connection keeps its statements
// (pooledConn).
type driverStmts struct {
	db     *sql.DB // the read pool
	mapped *sql.DB // the bounded reads' pool
}

// query runs q and calls row with each result row's values, which row may keep (the driver returns
// fresh strings and []byte). A bounded query runs on the mapped pool without a watcher; the others hand
// ctx to the driver, which then interrupts the statement when ctx ends.
func (s driverStmts) query(ctx context.Context, bounded bool, q string, args []driver.NamedValue, row func(v []driver.Value) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	pool, qctx := s.db, ctx
	if bounded {
		pool, qctx = s.mapped, context.WithoutCancel(ctx)
	}
	conn, err := pool.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		st, once, err := stmt(dc, q)
		if err != nil {
			return err
		}
		if once {
			defer st.Close()
		}
		rows, err := st.(driver.StmtQueryContext).QueryContext(qctx, args)
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

// stmt returns q prepared on the connection dc and kept with it, or (once true) prepared for one run,
// which the caller closes.
func stmt(dc any, q string) (st driver.Stmt, once bool, err error) {
	if c, ok := dc.(*pooledConn); ok {
		return c.stmt(context.Background(), q)
	}
	st, err = dc.(driver.ConnPrepareContext).PrepareContext(context.Background(), q)
	return st, err == nil, err
}

// each runs q with database/sql-style arguments and calls row with each result row: the read pool's
// side of querier (search.go).
func (s driverStmts) each(ctx context.Context, bounded bool, q string, args []any, row func(rowScanner) error) error {
	nv := make([]driver.NamedValue, len(args))
	for i, a := range args {
		v, err := driver.DefaultParameterConverter.ConvertValue(a)
		if err != nil {
			return fmt.Errorf("store: argument %d: %w", i+1, err)
		}
		nv[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return s.query(ctx, bounded, q, nv, func(v []driver.Value) error { return row(values(v)) })
}

// values is one result row as the driver returns it. Scan stores it into the kinds of destination the
// store scans into, as database/sql would, and refuses any other (or a NULL in a number or a string).
type values []driver.Value

func (v values) Scan(dest ...any) error {
	if len(dest) != len(v) {
		return fmt.Errorf("store: scan of %d columns into %d values", len(v), len(dest))
	}
	for i, d := range dest {
		ok := true
		switch p := d.(type) {
		case *any:
			*p = v[i]
		case *int64:
			*p, ok = v[i].(int64)
		case *int:
			var n int64
			n, ok = v[i].(int64)
			*p = int(n)
		case *string:
			switch x := v[i].(type) {
			case string:
				*p = x
			case []byte:
				*p = string(x)
			default:
				ok = false
			}
		case *[]byte:
			switch x := v[i].(type) {
			case []byte:
				*p = x
			case string:
				*p = []byte(x)
			case nil:
				*p = nil
			default:
				ok = false
			}
		default:
			ok = false
		}
		if !ok {
			return fmt.Errorf("store: cannot scan column %d (%T) into %T", i, v[i], d)
		}
	}
	return nil
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

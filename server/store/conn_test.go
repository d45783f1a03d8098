package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A read connection that database/sql closes (here: the pool may keep none idle) finalizes the
// statements it kept first, and the pool goes on with fresh connections.
func TestReadConnFinalizesItsStatementsOnClose(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "valet.db"), Options{ReadConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Tx(ctx, func(tx *Tx) error {
		_, err := tx.Put(ctx, Resource{Type: "Patient", ID: "p1", Version: 1, LastUpdated: time.Unix(1, 0), JSON: []byte(`{}`)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	read := func() {
		t.Helper()
		if _, err := db.ReadResource(ctx, "Patient", "p1"); err != nil {
			t.Fatal(err)
		}
		if p, err := db.Search(ctx, Query{Types: []string{"Patient"}, Where: []Cond{IDs("Patient", "p1")}, Limit: 10}); err != nil || len(p.Resources) != 1 {
			t.Fatalf("search: %v %v", p, err)
		}
	}
	read()
	var conns []*pooledConn
	conn, err := db.rm.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.Raw(func(dc any) error { conns = append(conns, dc.(*pooledConn)); return nil })
	conn.Close()
	if len(conns[0].stmts) != 2 {
		t.Fatalf("the connection keeps %d statements, want 2", len(conns[0].stmts))
	}
	db.rm.SetMaxIdleConns(0) // database/sql closes the idle connections now
	if n := len(conns[0].stmts); n != 0 {
		t.Errorf("a closed connection still holds %d statements", n)
	}
	read()
	if err := db.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
}

// Queries beyond connStmtsMax distinct texts run on statements prepared for one run.
func TestReadConnKeepsAtMostItsBound(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "valet.db"), Options{ReadConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range connStmtsMax + 5 {
		q := fmt.Sprintf("SELECT %d", i)
		n := 0
		if err := db.hot.each(ctx, true, q, nil, func(s rowScanner) error { return s.Scan(&n) }); err != nil || n != i {
			t.Fatalf("%s: %d, %v", q, n, err)
		}
	}
	conn, _ := db.rm.Conn(ctx)
	defer conn.Close()
	_ = conn.Raw(func(dc any) error {
		if n := len(dc.(*pooledConn).stmts); n != connStmtsMax {
			t.Errorf("the connection keeps %d statements, want %d", n, connStmtsMax)
		}
		return nil
	})
}

// A multi-row INSERT's values go through database/sql as one rowArgs; values database/sql would
// convert are converted, and one it would refuse is refused, named.
func TestWriterTakesRowArgs(t *testing.T) {
	ctx := context.Background()
	db := openDiskDB(t)
	const q = `INSERT INTO settings (key, value) VALUES (?, ?), (?, ?)`
	err := db.Tx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, q, rowArgs{"a", 42, "b", "text"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"a": "42", "b": "text"} {
		if got, err := db.Setting(ctx, k); err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", k, got, err, want)
		}
	}
	err = db.Tx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, q, rowArgs{"c", "x", "d", struct{}{}})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "argument 4") {
		t.Errorf("a value database/sql refuses: %v", err)
	}
}

// The writer keeps the statements of the queries its transactions run, across transactions; a query
// whose kept statement still has rows open (the same search inside a loop over its own results) gets a
// statement of its own, and both read all their rows.
func TestWriterKeepsQueryStatements(t *testing.T) {
	ctx := context.Background()
	db := openDiskDB(t)
	const q = `SELECT value FROM json_each(?)`
	ints := func(tx *Tx, arg string) ([]int64, error) {
		rows, err := tx.tx.QueryContext(ctx, q, arg)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var n int64
			if err := rows.Scan(&n); err != nil {
				return nil, err
			}
			out = append(out, n)
		}
		return out, rows.Err()
	}
	kept := func() (n int) {
		conn, err := db.w.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.Raw(func(dc any) error {
			if _, ok := dc.(*pooledConn).stmts[q]; ok {
				n++
			}
			return nil
		})
		return n
	}
	for round := range 2 {
		var got []string
		err := db.Tx(ctx, func(tx *Tx) error {
			rows, err := tx.tx.QueryContext(ctx, q, `[1,2,3]`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var n int64
				if err := rows.Scan(&n); err != nil {
					return err
				}
				inner, err := ints(tx, fmt.Sprintf("[%d,%d]", 10*n, 10*n+1))
				if err != nil {
					return err
				}
				got = append(got, fmt.Sprint(n, inner))
			}
			return rows.Err()
		})
		if want := []string{"1 [10 11]", "2 [20 21]", "3 [30 31]"}; err != nil || strings.Join(got, ";") != strings.Join(want, ";") {
			t.Errorf("round %d: %v %v, want %v", round, got, err, want)
		}
		if n := kept(); n != 1 {
			t.Errorf("round %d: the writer keeps %d statements for the query, want 1", round, n)
		}
	}
}

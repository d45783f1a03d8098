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

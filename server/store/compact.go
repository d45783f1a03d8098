package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"
)

// ErrInUse is Compact's answer when another program has the database open (a running Valet).
var ErrInUse = errors.New("the database is in use")

// Compact rewrites the database at path without its free pages (SQLite's VACUUM INTO a new file, which
// then takes the old one's place), and turns on the incremental vacuum that lets retention give space
// back from then on. It needs the database to itself: it answers ErrInUse while another program has it
// open. progress hears how many bytes of about how many the new file has.
func Compact(ctx context.Context, path string, progress func(done, total int64)) (before, after int64, err error) {
	if err := checkHeader(path); err != nil {
		return 0, 0, err
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(0)")
	q.Add("_pragma", "locking_mode(EXCLUSIVE)")
	conn, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return 0, 0, err
	}
	conn.SetMaxOpenConns(1)
	defer conn.Close()
	// The exclusive lock is taken by the first read, and refused while another connection has the file.
	var pages, free, size int64
	if err := conn.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		if strings.Contains(err.Error(), "locked") || strings.Contains(err.Error(), "busy") {
			return 0, 0, ErrInUse
		}
		return 0, 0, err
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return 0, 0, classifyBusy(err)
	}
	_ = conn.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&free)
	_ = conn.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&size)
	if st, err := os.Stat(path); err == nil {
		before = st.Size()
	}
	tmp := path + ".compact"
	_ = os.Remove(tmp)
	if _, err := conn.ExecContext(ctx, `PRAGMA auto_vacuum = INCREMENTAL`); err != nil {
		return before, 0, err
	}
	done := make(chan error, 1)
	go func() {
		_, err := conn.ExecContext(ctx, `VACUUM INTO ?`, tmp)
		done <- err
	}()
	total := (pages - free) * size
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for waiting := true; waiting; {
		select {
		case err = <-done:
			waiting = false
		case <-tick.C:
			if st, serr := os.Stat(tmp); serr == nil && progress != nil {
				progress(min(st.Size(), total), total)
			}
		}
	}
	if err != nil {
		os.Remove(tmp)
		return before, 0, err
	}
	if err := syncFile(tmp); err != nil {
		os.Remove(tmp)
		return before, 0, err
	}
	if err := conn.Close(); err != nil {
		os.Remove(tmp)
		return before, 0, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return before, 0, err
	}
	for _, side := range []string{path + "-wal", path + "-shm"} {
		if err := os.Remove(side); err != nil && !os.IsNotExist(err) {
			return before, 0, fmt.Errorf("remove %s: %w", side, err)
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		return before, 0, err
	}
	if progress != nil {
		progress(total, total)
	}
	return before, st.Size(), nil
}

func classifyBusy(err error) error {
	if strings.Contains(err.Error(), "locked") || strings.Contains(err.Error(), "busy") {
		return ErrInUse
	}
	return err
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

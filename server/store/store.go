// Package store persists Valet's state in one SQLite file through modernc.org/sqlite (pure Go, no cgo).
//
// The database runs in WAL mode with foreign keys on and a busy timeout. Writes go through a single
// connection (SQLite has one writer; queueing in Go is cheaper than retrying SQLITE_BUSY), reads through a
// pool of read-only connections that never wait for writers. Each area of the server keeps its tables in
// numbered migrations under migrations/ and its queries in a file of its own in this package.
package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Sentinel errors; callers test them with errors.Is.
var (
	ErrNotFound        = errors.New("not found")
	ErrAlreadyExists   = errors.New("already exists")
	ErrVersionConflict = errors.New("version conflict")
	ErrNotDatabase     = errors.New("not a SQLite database")
	ErrSchemaTooNew    = errors.New("database was written by a newer version of Valet")
)

// DB is the SQLite-backed store. It is safe for concurrent use.
type DB struct {
	path string
	w    *sql.DB          // the single writer connection
	r    *sql.DB          // read-only pool (the writer itself for in-memory databases)
	rm   *sql.DB          // read-only pool for bounded reads, through a memory map (the writer in memory)
	now  func() time.Time // the sandbox clock: base plus the offset (clock.go)
	base func() time.Time // Options.Now
	// offset is the sandbox clock's offset in nanoseconds (clock.go), read on every call of now.
	offset atomic.Int64
	hot    driverStmts // reads by id and searches, prepared once per read connection (driverstmt.go)
	// wprep holds the bulk write statements, prepared once on the writer connection (batch.go).
	wprepOnce sync.Once
	wprep     map[string]*sql.Stmt
	// bulkLoads counts the bulk loads under way (bulk.go).
	bulkMu    sync.Mutex
	bulkLoads int
	// auditPrep holds the audit log's INSERTs by row count, prepared once on the writer (audit.go).
	auditOnce sync.Once
	auditPrep map[int]*sql.Stmt
	ck        *checkpointer // copies the WAL into the file beside the writer (checkpoint.go); nil in memory
	wq        writeQueue    // write transactions waiting for the writer (group.go)
	cores     Cores         // CPU work admitted beside the writer (cpuadmission.go)
}

// Options tune Open. The zero value is ready to use.
type Options struct {
	// Now is the clock used for lastUpdated stamps; time.Now when nil.
	Now func() time.Time
	// ReadConns bounds the read pool; 2×GOMAXPROCS when zero.
	ReadConns int
	// CheckpointEvery is how long commits gather before the background checkpoint; one second when zero.
	CheckpointEvery time.Duration
	// Upgrading, when set, is called before each migration applied to an existing database (one with
	// tables): some build indexes over every row, which takes seconds to a minute on a large sandbox.
	Upgrading func(migration string)
}

// Memory is the path that opens a private in-memory database (for tests and throwaway sandboxes).
const Memory = ":memory:"

// Open opens (creating when missing) the database at path and applies pending migrations.
// It never overwrites a file that is not a SQLite database, and refuses a database whose schema is
// newer than this binary knows (ErrSchemaTooNew).
func Open(ctx context.Context, path string, opt Options) (*DB, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if path != Memory {
		if err := checkHeader(path); err != nil {
			return nil, err
		}
	}
	db := &DB{path: path, base: opt.Now, wq: writeQueue{writer: make(chan struct{}, 1)}, cores: newCores()}
	var err error
	if path == Memory {
		// An in-memory database lives in one connection; readers share it with the writer.
		if db.w, err = openPool("file::memory:?"+pragmas(writerConn), true); err != nil {
			return nil, err
		}
		db.w.SetMaxOpenConns(1)
		db.r, db.rm = db.w, db.w
	} else {
		if db.w, err = openPool(dsn(path, writerConn), true); err != nil {
			return nil, err
		}
		db.w.SetMaxOpenConns(1)
		if db.r, err = openPool(dsn(path, readerConn), false); err != nil {
			db.w.Close()
			return nil, err
		}
		if db.rm, err = openPool(dsn(path, mappedConn), false); err != nil {
			db.r.Close()
			db.w.Close()
			return nil, err
		}
		ck, err := sql.Open("sqlite", dsn(path, checkpointConn))
		if err != nil {
			db.Close()
			return nil, err
		}
		ck.SetMaxOpenConns(1)
		every := opt.CheckpointEvery
		if every <= 0 {
			every = checkpointEvery
		}
		db.ck = newCheckpointer(ck, every)
		n := opt.ReadConns
		if n <= 0 {
			n = 2 * runtime.GOMAXPROCS(0)
		}
		for _, p := range []*sql.DB{db.r, db.rm} {
			p.SetMaxOpenConns(n)
			p.SetMaxIdleConns(n)
		}
	}
	db.now = db.sandboxNow
	db.hot = driverStmts{db: db.r, mapped: db.rm}
	db.w.SetConnMaxIdleTime(0)
	db.w.SetMaxIdleConns(1)
	if err := db.migrate(ctx, opt.Upgrading); err != nil {
		db.Close()
		return nil, describeOpenError(path, err)
	}
	if err := db.loadClockOffset(ctx); err != nil {
		db.Close()
		return nil, describeOpenError(path, err)
	}
	// A bulk load cut short (the process stopped) left its indexes to build.
	if err := db.buildDeferredIndexes(ctx); err != nil {
		db.Close()
		return nil, describeOpenError(path, err)
	}
	return db, nil
}

// Path is the database file, or ":memory:".
func (db *DB) Path() string { return db.path }

// Now is the sandbox clock (Options.Now shifted by the clock offset, clock.go): the time every expiry
// check, stamp and issued token of the sandbox follows.
func (db *DB) Now() time.Time { return db.now() }

// Close checkpoints the WAL and closes every connection.
func (db *DB) Close() error {
	errs := []error{db.ck.close()}
	for _, st := range db.wprep {
		errs = append(errs, st.Close())
	}
	for _, st := range db.auditPrep {
		errs = append(errs, st.Close())
	}
	for _, p := range []*sql.DB{db.r, db.rm} {
		if p != nil && p != db.w {
			errs = append(errs, p.Close())
		}
	}
	if db.w != nil {
		// Fold the WAL back into the main file so a closed database is one self-contained file.
		_, _ = db.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		errs = append(errs, db.w.Close())
	}
	return errors.Join(errs...)
}

// Checkpoint copies the WAL's pages into the main file (PASSIVE: it waits for no reader). After a bulk
// load, reads then come from the main file instead of a large WAL, where every page read is first looked
// up frame by frame.
func (db *DB) Checkpoint(ctx context.Context) error {
	if db.path == Memory {
		return nil
	}
	_, err := db.w.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
	return err
}

// Tx is a write transaction. It must not be used after the function given to DB.Tx returns.
type Tx struct {
	tx    *sql.Tx
	now   func() time.Time
	db    *DB
	stmts map[string]*sql.Stmt // statements bound to this transaction (batch.go)
}

// Savepoint runs fn inside tx so that its writes are rolled back, and tx goes on, when it fails.
func (tx *Tx) Savepoint(ctx context.Context, fn func() error) error {
	err, spErr := tx.within(ctx, txSavepoint, fn)
	return errors.Join(err, spErr)
}

// savepoint is the SQL of one named savepoint.
type savepoint struct{ begin, rollback, release string }

// The savepoints of Tx.Savepoint and of a group commit (group.go), which nests them.
var (
	txSavepoint    = savepoint{`SAVEPOINT tx`, `ROLLBACK TO tx`, `RELEASE tx`}
	groupSavepoint = savepoint{`SAVEPOINT grp`, `ROLLBACK TO grp`, `RELEASE grp`}
)

// within runs fn inside savepoint sp, rolled back to it when fn fails: err is fn's, spErr the
// savepoint's own (fn did not run, or its writes may have stayed; the transaction cannot go on).
func (tx *Tx) within(ctx context.Context, sp savepoint, fn func() error) (err, spErr error) {
	if _, spErr = tx.exec(ctx, sp.begin); spErr != nil {
		return nil, spErr
	}
	if err = fn(); err != nil {
		if _, spErr = tx.exec(ctx, sp.rollback); spErr != nil {
			return err, spErr
		}
	}
	_, spErr = tx.exec(ctx, sp.release)
	return err, spErr
}

// SQL exposes the underlying transaction to the other files of this package.
func (tx *Tx) SQL() *sql.Tx { return tx.tx }

// connKind is what a connection is for; each kind has its own PRAGMAs.
type connKind int

const (
	writerConn     connKind = iota
	readerConn              // the read pool: searches that may scan, and everything else
	mappedConn              // the bounded reads' pool (driverstmt.go): a row by key, one patient's rows
	checkpointConn          // the background checkpointer (checkpoint.go)
)

func pragmas(kind connKind) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	switch kind {
	case readerConn:
		q.Add("_pragma", "query_only(1)")
		// 16 MB per read connection (SQLite's default is 2 MB), so that the index pages a
		// patient-compartment search seeks through stay cached. The cache fills only as pages are read.
		q.Add("_pragma", "cache_size(-16384)")
	case mappedConn:
		q.Add("_pragma", "query_only(1)")
		// The database file's pages are read through a memory map (up to 1 GB; beyond it, through the
		// page cache) instead of being copied into the connection's page cache, which every commit (the
		// audit log's included) empties, and which each connection fills with the same pages again. A
		// mapped page is set up again on every visit, though: the map suits bounded reads, which visit a
		// few pages once, and not a sorted search that visits the same index pages over and over, which
		// stays on the read pool. The map shares the kernel's page cache; touched pages count as
		// resident, file-backed and reclaimable; WAL frames still come through the page cache. When
		// retention shrinks the file (incremental vacuum), the checkpoint truncates it only once no reader's
		// snapshot still reaches past the new end (SQLite's WAL read locks), so no mapped page a reader
		// uses goes away under it.
		q.Add("_pragma", "mmap_size(1073741824)")
	case checkpointConn:
		// Nothing but PRAGMA wal_checkpoint runs here; synchronous(NORMAL) above makes it fsync the file.
	default:
		// Bulk writes (generation, import): a 32 MB cache keeps the index pages being appended to. The
		// checkpointer copies the WAL into the file in the background; the writer checkpoints itself
		// only past ~80 MB of WAL, should that fall behind. Durability is unchanged (WAL,
		// synchronous=NORMAL).
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "cache_size(-32768)")
		q.Add("_pragma", "wal_autocheckpoint(20000)")
		q.Add("_pragma", "temp_store(MEMORY)")
		q.Set("_txlock", "immediate")
	}
	return q.Encode()
}

func dsn(path string, kind connKind) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + pragmas(kind)
}

// checkHeader refuses anything at path that is not empty and not a SQLite database, so that a mistyped
// --data never turns someone's file into a database.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot read database file %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("cannot read database file %s: %w", path, err)
	}
	if st.IsDir() {
		return fmt.Errorf("database path %s is a directory: %w", path, ErrNotDatabase)
	}
	head := make([]byte, 16)
	n, err := io.ReadFull(f, head)
	if n == 0 && (err == io.EOF) {
		return nil // an empty file is a new database
	}
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("cannot read database file %s: %w", path, err)
	}
	if !bytes.Equal(head[:n], []byte("SQLite format 3\x00")) {
		return fmt.Errorf("%s: %w", path, ErrNotDatabase)
	}
	return nil
}

func describeOpenError(path string, err error) error {
	if errors.Is(err, ErrSchemaTooNew) || errors.Is(err, ErrNotDatabase) {
		return fmt.Errorf("%s: %w", path, err)
	}
	return fmt.Errorf("open database %s: %w", path, err)
}

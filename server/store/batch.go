package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Bulk writes. Storing a resource version touches the resources and history tables and ~10 index rows;
// one Exec per row through database/sql costs more than SQLite's own work, so a batch's rows go into
// multi-row INSERTs, grouped per table, whose statements are prepared once per writer connection.

// rowInsert is a multi-row INSERT into one table.
type rowInsert struct {
	head  string // "INSERT … INTO t (cols) VALUES "
	tail  string // after the VALUES list ("" or an ON CONFLICT clause)
	cols  int
	texts *[len(chunkSizes)]string // the statement for each chunk size, built once (sql)
}

// chunkSizes are the row counts the multi-row statements are prepared for: a batch of any size is a
// sequence of them (largest first), so each table needs only len(chunkSizes) statement texts.
var chunkSizes = [...]int{64, 16, 4, 1}

// sql is the statement inserting rows rows, one of chunkSizes.
func (ri rowInsert) sql(rows int) string {
	for i, n := range chunkSizes {
		if n == rows {
			return ri.texts[i]
		}
	}
	return ri.build(rows)
}

// withTexts builds ri's statements for every chunk size once: writers look them up for every chunk of
// every batch, on the single writer's time.
func (ri rowInsert) withTexts() rowInsert {
	ri.texts = new([len(chunkSizes)]string)
	for i, n := range chunkSizes {
		ri.texts[i] = ri.build(n)
	}
	return ri
}

func (ri rowInsert) build(rows int) string {
	var b strings.Builder
	row := "(" + strings.Repeat("?, ", ri.cols-1) + "?)"
	b.WriteString(ri.head)
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	b.WriteString(ri.tail)
	return b.String()
}

var (
	insResources = rowInsert{head: `INSERT INTO resources (rid, type, id, version, last_updated, deleted, json) VALUES `,
		tail: ` ON CONFLICT (type, id) DO NOTHING`, cols: 7}.withTexts()
	insHistory = rowInsert{head: `INSERT INTO resource_history (rid, version, last_updated, deleted, json) VALUES `, cols: 5}.withTexts()
	insToken   = rowInsert{head: `INSERT OR IGNORE INTO idx_token (rid, type, param, system, code, text) VALUES `, cols: 6}.withTexts()
	insString  = rowInsert{head: `INSERT OR IGNORE INTO idx_string (rid, type, param, norm, exact) VALUES `, cols: 5}.withTexts()
	insDate    = rowInsert{head: `INSERT OR IGNORE INTO idx_date (rid, type, param, lo, hi) VALUES `, cols: 5}.withTexts()
	insRef     = rowInsert{head: `INSERT OR IGNORE INTO idx_ref (rid, type, param, target_type, target_id) VALUES `, cols: 5}.withTexts()
	insNumber  = rowInsert{head: `INSERT OR IGNORE INTO idx_number (rid, type, param, value, system, code) VALUES `, cols: 6}.withTexts()
	insComp    = rowInsert{head: `INSERT OR IGNORE INTO compartment (rid, patient) VALUES `, cols: 2}.withTexts()
	// addCounts adds created resources to resource_counts, one row per type (migration 0008).
	addCounts = rowInsert{head: `INSERT INTO resource_counts (type, live) VALUES `,
		tail: ` ON CONFLICT (type) DO UPDATE SET live = live + excluded.live`, cols: 2}.withTexts()
	rowInserts = []rowInsert{insResources, insHistory, insToken, insString, insDate, insRef, insNumber, insComp, addCounts}

	// insTokPat fills idx_token_patient for a range of row ids from their idx_token and compartment rows,
	// just inserted (so after them): the same rows the search reads, without sending each value to
	// SQLite a second time — binding text arguments is among the writer's largest costs, and these rows
	// repeat values it has just bound. The condition is patientTokenParam's.
	insTokPat = `INSERT OR IGNORE INTO idx_token_patient (patient, type, param, code, system, rid)
		SELECT c.patient, t.type, t.param, t.code, t.system, t.rid FROM compartment c JOIN idx_token t ON t.rid = c.rid
		WHERE c.rid BETWEEN ? AND ? AND t.code <> '' AND substr(t.param, 1, 1) <> '_'`

	indexTables = []string{"idx_token", "idx_string", "idx_date", "idx_ref", "idx_number", "compartment"}
	// delTokPat removes a resource's idx_token_patient rows, found from its idx_token and compartment
	// rows (so it runs before those are deleted): one primary-key seek per row.
	delTokPat = `DELETE FROM idx_token_patient WHERE (patient, type, param, code, system, rid) IN
		(SELECT c.patient, t.type, t.param, t.code, t.system, t.rid FROM compartment c JOIN idx_token t ON t.rid = c.rid WHERE c.rid = ?)`

	updResource = `UPDATE resources SET version = ?, last_updated = ?, deleted = ?, json = ?
		WHERE type = ? AND id = ? AND version = ? RETURNING rid`
	maxRowID = `SELECT COALESCE(MAX(rid), 0) FROM resources`
)

// writeStatements lists every statement the bulk path runs, prepared on the writer connection the
// first time a transaction starts (a statement cannot be prepared on the single writer connection
// while a transaction holds it).
func writeStatements() []string {
	qs := append([]string{updResource, maxRowID, keepReplacedJSON, delTokPat, insTokPat, currentQuery, headsQuery,
		groupSavepoint.begin, groupSavepoint.rollback, groupSavepoint.release,
		txSavepoint.begin, txSavepoint.rollback, txSavepoint.release}, authStatements...)
	for _, ri := range rowInserts {
		for _, n := range chunkSizes {
			qs = append(qs, ri.sql(n))
		}
	}
	for _, t := range indexTables {
		qs = append(qs, `DELETE FROM `+t+` WHERE rid = ?`)
	}
	return qs
}

// prepareWrites prepares writeStatements on the writer connection once. A failure is not fatal: the
// statements are then prepared inside each transaction.
func (db *DB) prepareWrites(ctx context.Context) {
	ctx = context.WithoutCancel(ctx) // one caller's cancellation must not leave every later one unprepared
	db.wprepOnce.Do(func() {
		m := map[string]*sql.Stmt{}
		for _, q := range writeStatements() {
			st, err := db.w.PrepareContext(ctx, q)
			if err != nil {
				for _, st := range m {
					st.Close()
				}
				return
			}
			m[q] = st
		}
		db.wprep = m
	})
}

// stmt returns q ready to run in the transaction: the writer connection's prepared statement when
// there is one, else one prepared for this transaction (closed with it).
func (tx *Tx) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := tx.stmts[q]; ok {
		return st, nil
	}
	var st *sql.Stmt
	var err error
	if p, ok := tx.writerStmt(q); ok {
		st = tx.tx.StmtContext(ctx, p)
	} else if st, err = tx.tx.PrepareContext(ctx, q); err != nil {
		return nil, err
	}
	if tx.stmts == nil {
		tx.stmts = map[string]*sql.Stmt{}
	}
	tx.stmts[q] = st
	return st, nil
}

func (tx *Tx) writerStmt(q string) (*sql.Stmt, bool) {
	if tx.db == nil { // a read transaction (grants.go)
		return nil, false
	}
	st, ok := tx.db.wprep[q]
	return st, ok
}

// insertRows runs ri over args (rows × ri.cols values) in chunks, returning the rows each chunk
// affected in order.
func (tx *Tx) insertRows(ctx context.Context, ri rowInsert, args []any, affected func(first, n int, res sql.Result) error) error {
	rows := len(args) / ri.cols
	for done := 0; done < rows; {
		n := chunkSizes[len(chunkSizes)-1]
		for _, c := range chunkSizes {
			if c <= rows-done {
				n = c
				break
			}
		}
		st, err := tx.stmt(ctx, ri.sql(n))
		if err != nil {
			return err
		}
		res, err := st.ExecContext(ctx, rowArgs(args[done*ri.cols:(done+n)*ri.cols]))
		if err != nil {
			return err
		}
		if affected != nil {
			if err := affected(done, n, res); err != nil {
				return err
			}
		}
		done += n
	}
	return nil
}

// PutIndexed stores r like Put and replaces its index rows with ix, in the same transaction.
func (tx *Tx) PutIndexed(ctx context.Context, r Resource, ix *Index) (Resource, error) {
	out, err := tx.PutIndexedBatch(ctx, []Indexed{{Resource: r, Index: *ix}})
	if err != nil {
		return r, err
	}
	return out[0], nil
}

// PutIndexedBatch stores many resource versions with their index rows: the bulk path for transaction
// Bundles and the generator. Each version follows Put's rules (version 1 creates, n+1 replaces n, else
// ErrVersionConflict). On error the caller's transaction must be rolled back (DB.Tx does): rows written
// before the error stay in it.
func (tx *Tx) PutIndexedBatch(ctx context.Context, batch []Indexed) ([]Resource, error) {
	out := make([]Resource, len(batch))
	// New resources get their row ids here, after the current maximum (what SQLite would pick), so that
	// they can be inserted many rows per statement and their index rows written without a round trip.
	var next int64 = -1
	var creates []any
	var created []int
	for i := range batch {
		r := batch[i].Resource
		if r.Type == "" || r.ID == "" || r.Version < 1 {
			return nil, fmt.Errorf("store: Put needs type, id and version ≥ 1 (got %q/%q v%d)", r.Type, r.ID, r.Version)
		}
		if r.Version != 1 {
			continue
		}
		if next < 0 {
			st, err := tx.stmt(ctx, maxRowID)
			if err != nil {
				return nil, err
			}
			if err := st.QueryRowContext(ctx).Scan(&next); err != nil {
				return nil, err
			}
		}
		next++
		r.RowID = next
		out[i] = r
		creates = append(creates, r.RowID, r.Type, r.ID, int64(1), Micros(r.LastUpdated), boolInt(r.Deleted), r.JSON)
		created = append(created, i)
	}
	err := tx.insertRows(ctx, insResources, creates, func(first, n int, res sql.Result) error {
		if k, err := res.RowsAffected(); err != nil || k == int64(n) {
			return err
		}
		return tx.conflictIn(ctx, out, created[first:first+n])
	})
	if err != nil {
		return nil, err
	}
	if err := tx.countCreated(ctx, out, created); err != nil {
		return nil, err
	}
	// Replacements, in batch order (a batch may hold several versions of one resource).
	upd, err := tx.stmt(ctx, updResource)
	if err != nil {
		return nil, err
	}
	keep, err := tx.stmt(ctx, keepReplacedJSON)
	if err != nil {
		return nil, err
	}
	last := map[int64]int{} // rid → the batch item whose index rows it keeps
	for i := range batch {
		r := batch[i].Resource
		if r.Version > 1 {
			if _, err := keep.ExecContext(ctx, r.Type, r.ID, r.Version-1); err != nil {
				return nil, err
			}
			err := upd.QueryRowContext(ctx, r.Version, Micros(r.LastUpdated), boolInt(r.Deleted), r.JSON, r.Type, r.ID, r.Version-1).Scan(&r.RowID)
			if errors.Is(err, sql.ErrNoRows) {
				return nil, fmt.Errorf("%s/%s: %w", r.Type, r.ID, ErrVersionConflict)
			}
			if err != nil {
				return nil, err
			}
			if err := tx.deleteIndex(ctx, r.RowID); err != nil {
				return nil, fmt.Errorf("index %s/%s: %w", r.Type, r.ID, err)
			}
			out[i] = r
		}
		last[out[i].RowID] = i
	}
	// History rows: the full JSON only for versions this batch already superseded; the current one's
	// JSON is in resources (see currentJSON).
	var history []any
	for i := range batch {
		r := batch[i].Resource
		body := r.JSON
		if last[out[i].RowID] == i {
			body = currentJSON
		}
		history = append(history, out[i].RowID, r.Version, Micros(r.LastUpdated), boolInt(r.Deleted), body)
	}
	if err := tx.insertRows(ctx, insHistory, history, nil); err != nil {
		return nil, err
	}
	var rows indexRows
	rows.reserve(batch)
	for i := range batch {
		r := out[i]
		if last[r.RowID] != i || r.Deleted {
			continue // superseded in this batch, or deleted (a deleted resource matches no search)
		}
		if batch[i].args != nil {
			rows.addPrepared(r.RowID, batch[i].args)
		} else {
			rows.add(r.RowID, r.Type, &batch[i].Index)
		}
	}
	if err := rows.insert(ctx, tx); err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	return out, nil
}

// countCreated adds the live resources among the created items of out to resource_counts.
func (tx *Tx) countCreated(ctx context.Context, out []Resource, created []int) error {
	var types []string
	live := map[string]int64{}
	for _, i := range created {
		if r := out[i]; !r.Deleted {
			if live[r.Type] == 0 {
				types = append(types, r.Type)
			}
			live[r.Type]++
		}
	}
	args := make([]any, 0, 2*len(types))
	for _, t := range types {
		args = append(args, t, live[t])
	}
	return tx.insertRows(ctx, addCounts, args, nil)
}

// conflictIn names the first of the items (just inserted with ON CONFLICT DO NOTHING) that was not
// inserted because its type/id exists.
func (tx *Tx) conflictIn(ctx context.Context, out []Resource, items []int) error {
	for _, i := range items {
		var rid int64
		err := tx.tx.QueryRowContext(ctx, `SELECT rid FROM resources WHERE type = ? AND id = ?`, out[i].Type, out[i].ID).Scan(&rid)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if rid != out[i].RowID {
			return fmt.Errorf("%s/%s: %w", out[i].Type, out[i].ID, ErrVersionConflict)
		}
	}
	return fmt.Errorf("store: a resource insert was ignored: %w", ErrVersionConflict)
}

func (tx *Tx) deleteIndex(ctx context.Context, rid int64) error {
	st, err := tx.stmt(ctx, delTokPat)
	if err != nil {
		return err
	}
	if _, err := st.ExecContext(ctx, rid); err != nil {
		return err
	}
	for _, t := range indexTables {
		st, err := tx.stmt(ctx, `DELETE FROM `+t+` WHERE rid = ?`)
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(ctx, rid); err != nil {
			return err
		}
	}
	return nil
}

// indexRows gathers a batch's index rows per table, as flat argument lists, and the row ids they are
// for (idx_token_patient's rows are made from them by insTokPat).
type indexRows struct {
	token, str, date, ref, num, comp []any
	rids                             []int64
}

// add appends ix's rows for the resource rid of type t; rid is nil when Indexed.Prepare builds them
// ahead of the row id.
func (x *indexRows) add(rid any, t string, ix *Index) {
	for _, k := range ix.Tokens {
		x.token = append(x.token, rid, t, k.Param, k.System, k.Code, k.Text)
	}
	for _, k := range ix.Strings {
		x.str = append(x.str, rid, t, k.Param, k.Norm, k.Exact)
	}
	for _, k := range ix.Dates {
		x.date = append(x.date, rid, t, k.Param, k.Lo, k.Hi)
	}
	for _, k := range ix.Refs {
		x.ref = append(x.ref, rid, t, k.Param, k.TargetType, k.TargetID)
	}
	for _, k := range ix.Numbers {
		x.num = append(x.num, rid, t, k.Param, k.Value, k.System, k.Code)
	}
	for _, p := range ix.Patients {
		x.comp = append(x.comp, rid, p)
	}
	if id, ok := rid.(int64); ok {
		x.rids = append(x.rids, id)
	}
}

// addPrepared appends rows made by Indexed.Prepare, filling in the row id (boxed once for all of them).
func (x *indexRows) addPrepared(rid int64, p *indexRows) {
	id := any(rid)
	x.token = withRowID(x.token, p.token, insToken.cols, 0, id)
	x.str = withRowID(x.str, p.str, insString.cols, 0, id)
	x.date = withRowID(x.date, p.date, insDate.cols, 0, id)
	x.ref = withRowID(x.ref, p.ref, insRef.cols, 0, id)
	x.num = withRowID(x.num, p.num, insNumber.cols, 0, id)
	x.comp = withRowID(x.comp, p.comp, insComp.cols, 0, id)
	x.rids = append(x.rids, rid)
}

// reserve sizes x for the prepared rows of batch, so that adding them copies each row once.
func (x *indexRows) reserve(batch []Indexed) {
	var token, str, date, ref, num, comp int
	for i := range batch {
		if p := batch[i].args; p != nil {
			token, str, date, ref = token+len(p.token), str+len(p.str), date+len(p.date), ref+len(p.ref)
			num, comp = num+len(p.num), comp+len(p.comp)
		}
	}
	x.token, x.str, x.date, x.ref = make([]any, 0, token), make([]any, 0, str), make([]any, 0, date), make([]any, 0, ref)
	x.num, x.comp, x.rids = make([]any, 0, num), make([]any, 0, comp), make([]int64, 0, len(batch))
}

// withRowID appends the rows of src (cols values each) to dst with the value at column col set to id.
func withRowID(dst, src []any, cols, col int, id any) []any {
	n := len(dst)
	dst = append(dst, src...)
	for i := n + col; i < len(dst); i += cols {
		dst[i] = id
	}
	return dst
}

func (x *indexRows) insert(ctx context.Context, tx *Tx) error {
	for _, t := range []struct {
		ri   rowInsert
		args []any
	}{{insToken, x.token}, {insString, x.str}, {insDate, x.date}, {insRef, x.ref}, {insNumber, x.num}, {insComp, x.comp}} {
		if err := tx.insertRows(ctx, t.ri, t.args, nil); err != nil {
			return err
		}
	}
	if len(x.comp) == 0 {
		return nil
	}
	// One statement per run of consecutive row ids: a batch of new resources is one run.
	slices.Sort(x.rids)
	for i := 0; i < len(x.rids); {
		j := i + 1
		for j < len(x.rids) && x.rids[j] <= x.rids[j-1]+1 {
			j++
		}
		if _, err := tx.exec(ctx, insTokPat, x.rids[i], x.rids[j-1]); err != nil {
			return err
		}
		i = j
	}
	return nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
)

// Bulk loads. Every index row inserted also goes into its table's value index, at a random place in a
// large B-tree; a load that multiplies the data (generating a population into a new sandbox) is faster
// when those indexes are dropped first and built once at the end from sorted rows. The tables keyed by
// row id, the unique (type, id) index and idx_token_patient stay, so writes keep their rules; searches
// stay correct meanwhile, only slower.

// valueIndexes are the indexes a bulk load may defer: each serves searches that start from a value, and
// takes a load's rows at random places. The lastUpdated indexes of resources and resource_history stay:
// a load's rows arrive in lastUpdated order and are appended to them, which costs less than building
// them afterwards on the single writer.
var valueIndexes = []string{"idx_token_value", "idx_string_value", "idx_ref_target", "compartment_patient", "idx_date_value"}

// BeginBulkLoad drops the value indexes, but those named in keep, until the matching EndBulkLoad (loads
// may overlap: the first to begin decides what is dropped, the last to end rebuilds it). Their
// definitions are saved in the same transaction, so if the process stops first, the next Open rebuilds
// them. An import keeps idx_token_value: its files' conditional references search by identifier.
func (db *DB) BeginBulkLoad(ctx context.Context, keep ...string) error {
	db.bulkMu.Lock()
	defer db.bulkMu.Unlock()
	if db.bulkLoads++; db.bulkLoads > 1 || db.path == Memory {
		return nil
	}
	err := db.Tx(ctx, func(tx *Tx) error {
		for _, name := range valueIndexes {
			if slices.Contains(keep, name) {
				continue
			}
			var ddl string
			err := tx.tx.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`, name).Scan(&ddl)
			if errors.Is(err, sql.ErrNoRows) {
				continue // already deferred by a load that did not finish
			}
			if err != nil {
				return err
			}
			if _, err := tx.tx.ExecContext(ctx, `INSERT OR REPLACE INTO deferred_indexes (name, sql) VALUES (?, ?)`, name, ddl); err != nil {
				return err
			}
			if _, err := tx.tx.ExecContext(ctx, `DROP INDEX `+name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.bulkLoads--
	}
	return err
}

// EndBulkLoad ends a load begun with BeginBulkLoad; the last one to end builds the deferred indexes,
// one transaction each (other writers get their turn in between). It runs even when ctx is cancelled.
func (db *DB) EndBulkLoad(ctx context.Context) error {
	db.bulkMu.Lock()
	defer db.bulkMu.Unlock()
	if db.bulkLoads == 0 {
		return errors.New("store: EndBulkLoad without BeginBulkLoad")
	}
	if db.bulkLoads--; db.bulkLoads > 0 {
		return nil
	}
	return db.buildDeferredIndexes(context.WithoutCancel(ctx))
}

// buildDeferredIndexes creates every index listed in deferred_indexes.
func (db *DB) buildDeferredIndexes(ctx context.Context) error {
	rows, err := db.w.QueryContext(ctx, `SELECT name, sql FROM deferred_indexes ORDER BY name`)
	if err != nil {
		return err
	}
	var names, ddls []string
	for rows.Next() {
		var name, ddl string
		if err := rows.Scan(&name, &ddl); err != nil {
			rows.Close()
			return err
		}
		names, ddls = append(names, name), append(ddls, ddl)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i, name := range names {
		err := db.Tx(ctx, func(tx *Tx) error {
			var n int
			if err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?`, name).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				if _, err := tx.tx.ExecContext(ctx, ddls[i]); err != nil {
					return err
				}
			}
			_, err := tx.tx.ExecContext(ctx, `DELETE FROM deferred_indexes WHERE name = ?`, name)
			return err
		})
		if err != nil {
			return fmt.Errorf("store: building index %s: %w", name, err)
		}
	}
	return nil
}

package store

import (
	"context"
	"fmt"
)

// DeleteAllResources removes every FHIR resource, its history and its index rows in one transaction (the
// first step of `valet reset`), and the Bulk Data exports of them (their files, no longer owned by a job,
// go at the exporter's next sweep). Registered apps, keys, settings and the flow log stay.
func (db *DB) DeleteAllResources(ctx context.Context) error {
	return db.Tx(ctx, func(tx *Tx) error {
		rows, err := tx.tx.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'idx\_%' ESCAPE '\' OR name = 'compartment')`)
		if err != nil {
			return err
		}
		var tables []string
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				rows.Close()
				return err
			}
			tables = append(tables, name)
		}
		rows.Close()
		// History first: it refers to resources.
		for _, t := range append(append(tables, "resource_history"), "resources", "bulk_exports") {
			if _, err := tx.tx.ExecContext(ctx, `DELETE FROM "`+t+`"`); err != nil {
				return fmt.Errorf("clear %s: %w", t, err)
			}
		}
		return nil
	})
}

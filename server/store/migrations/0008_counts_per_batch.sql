-- Creates update resource_counts themselves, once per type per batch (Tx.Put and Tx.PutIndexedBatch,
-- the only INSERTs into resources): the insert trigger ran an upsert for every row, which was about a
-- twentieth of a bulk load's writer time. Updates and deletes, rare in bulk, keep their triggers.
DROP TRIGGER IF EXISTS resource_counts_insert;

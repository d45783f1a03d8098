-- events_at served no query. ListEvents always walks events in id order with a LIMIT (paging by id), so
-- SQLite answers `at >= ?` by filtering that walk rather than by range-scanning events_at and sorting
-- (EXPLAIN QUERY PLAN, with and without ANALYZE statistics). Every event paid one more B-tree insert for
-- it, four per authorization-code flow. events_launch and events_client stay: the launch and client
-- filters seek through them.
DROP INDEX IF EXISTS events_at;

-- Search indexes dropped for a bulk load and not yet rebuilt (bulk.go), with the statement that creates
-- each, so a load interrupted by a crash is finished by the next Open.
CREATE TABLE deferred_indexes (
    name TEXT PRIMARY KEY,
    sql  TEXT NOT NULL
) WITHOUT ROWID;

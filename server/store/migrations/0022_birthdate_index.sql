-- idx_date_value holds birth dates only. 0020 indexed every date, but the clinical dates (nine in ten
-- idx_date rows) are written at random places of a value index on every write, the cost 0014 removed,
-- and only an eq birthdate drives a search (Patient?birthdate=1987-11-12: a handful of matches among
-- 10,000 patients, found otherwise only by a walk of every Patient). Date writes the parameter as a
-- literal so that SQLite can use the partial index. Deferred during bulk loads (bulk.go); one a load
-- deferred in 0020's form is built here in this one.
DROP INDEX IF EXISTS idx_date_value;
DELETE FROM deferred_indexes WHERE name = 'idx_date_value';
CREATE INDEX idx_date_value ON idx_date (type, param, lo) WHERE param = 'birthdate';

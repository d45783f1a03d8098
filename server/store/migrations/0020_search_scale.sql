-- Searches whose first page does not grow with the population (issue #17).
--
-- idx_token_value puts the rid before the system: one code's rows of a type and parameter then come in
-- rid order whatever their system, so a search driven by a code walks them in the order of its pages
-- and stops at a page's end (streamed.go) instead of reading and sorting every match for each page
-- (Observation?category=laboratory: 126,000 rows at 10,000 patients). Lookups by code with a system read
-- the system from the same entries (the primary key's columns end every entry). An index a bulk load
-- deferred is built here, in its new form.
DROP INDEX IF EXISTS idx_token_value;
DELETE FROM deferred_indexes WHERE name IN ('idx_token_value', 'idx_date_value');
CREATE INDEX idx_token_value ON idx_token (code, type, param, rid);

-- A type's live rows in rid order: a search that no index condition drives (Encounter?date=ge…,
-- Patient?_has:…) walks them and stops at a page's end, where resources_type_updated (type, last_updated)
-- gave them in another order, all of them sorted for each page. With deleted in the key the walk checks
-- each candidate's conditions on its rid without reading its row. A load appends to each type's range.
CREATE INDEX IF NOT EXISTS resources_type ON resources (type, deleted);

-- Date values, dropped by 0014 when no search read them: an eq date of a day or a month drives a search
-- (Patient?birthdate=1987-11-12 has a handful of matches among 10,000 patients). Deferred during bulk
-- loads like the other value indexes (bulk.go).
CREATE INDEX IF NOT EXISTS idx_date_value ON idx_date (type, param, lo);

-- Date and number conditions never start a search (a range of dates or values alone matches too much
-- to drive one): they are checked per candidate through idx_date's and idx_number's primary keys, which
-- begin with rid. Their value indexes were never read, yet every write paid for them (two B-tree inserts
-- per date and quantity) and a bulk load built them.
DROP INDEX IF EXISTS idx_date_value;
DROP INDEX IF EXISTS idx_number_value;

-- idx_token_value leads with the code instead of the resource type. Every search it drives binds the
-- type, the parameter and the code (store.Token), so lookups are the same; but a bulk load builds this
-- index from sorted rows, and with the type first nearly every comparison of the sort tied on it (and
-- then on the parameter) before reaching the code: with the code first the build of 284,000 rows took
-- ~0.8 s instead of ~1.05 s. An index a bulk load deferred is built here, in its new form.
DROP INDEX IF EXISTS idx_token_value;
DELETE FROM deferred_indexes WHERE name = 'idx_token_value';
CREATE INDEX idx_token_value ON idx_token (code, type, param, system);

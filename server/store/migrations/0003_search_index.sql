-- Search index tables, filled in the same transaction that stores a resource version (Tx.PutIndexed),
-- so a search never scans JSON. Every table is keyed by the resource's rid first (WITHOUT ROWID): replacing
-- a resource's rows and the correlated EXISTS checks of a search are both a seek on that key; the second
-- index serves the searches that start from a value (a patient, a code) and walk to the rids.
-- type is the resource type of rid, repeated so value lookups need no join.

CREATE TABLE idx_token (
    rid    INTEGER NOT NULL,
    type   TEXT    NOT NULL,
    param  TEXT    NOT NULL,
    system TEXT    NOT NULL, -- '' when the coding or identifier has none
    code   TEXT    NOT NULL,
    text   TEXT    NOT NULL, -- display/text, folded for :text
    PRIMARY KEY (rid, param, system, code)
) WITHOUT ROWID;
CREATE INDEX idx_token_value ON idx_token (type, param, code, system);

CREATE TABLE idx_string (
    rid   INTEGER NOT NULL,
    type  TEXT    NOT NULL,
    param TEXT    NOT NULL,
    norm  TEXT    NOT NULL, -- case- and accent-folded, for the default prefix match and :contains
    exact TEXT    NOT NULL, -- as written, for :exact
    PRIMARY KEY (rid, param, exact)
) WITHOUT ROWID;
CREATE INDEX idx_string_value ON idx_string (type, param, norm);

CREATE TABLE idx_date (
    rid   INTEGER NOT NULL,
    type  TEXT    NOT NULL,
    param TEXT    NOT NULL,
    lo    INTEGER NOT NULL, -- Unix microseconds, first instant of the value's range
    hi    INTEGER NOT NULL, -- Unix microseconds, last instant of the value's range (inclusive)
    PRIMARY KEY (rid, param, lo, hi)
) WITHOUT ROWID;
CREATE INDEX idx_date_value ON idx_date (type, param, lo);

CREATE TABLE idx_ref (
    rid         INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    param       TEXT    NOT NULL,
    target_type TEXT    NOT NULL, -- '' for references that are not Type/id (external URLs, contained)
    target_id   TEXT    NOT NULL, -- the id, or the full reference text when target_type is ''
    PRIMARY KEY (rid, param, target_type, target_id)
) WITHOUT ROWID;
-- Serves both "resources of type T whose param points at X" and _revinclude/_has ("who points at X").
CREATE INDEX idx_ref_target ON idx_ref (target_id, target_type, type, param);

CREATE TABLE idx_number (
    rid    INTEGER NOT NULL,
    type   TEXT    NOT NULL,
    param  TEXT    NOT NULL,
    value  REAL    NOT NULL,
    system TEXT    NOT NULL,
    code   TEXT    NOT NULL, -- unit code for quantities, '' for numbers
    PRIMARY KEY (rid, param, value, system, code)
) WITHOUT ROWID;
CREATE INDEX idx_number_value ON idx_number (type, param, value);

-- The Patient compartment: which patients' records each resource belongs to (a Patient belongs to its own).
CREATE TABLE compartment (
    rid     INTEGER NOT NULL,
    patient TEXT    NOT NULL,
    PRIMARY KEY (rid, patient)
) WITHOUT ROWID;
CREATE INDEX compartment_patient ON compartment (patient, rid);

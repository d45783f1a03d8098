-- Token values per patient: the token rows of every resource in a patient's compartment, keyed by that
-- patient first. US Core's most common searches pair a patient with a token (Observation?patient=…&
-- category=…, Condition?patient=…&clinical-status=…); from idx_ref they checked the token on every one of
-- the patient's resources of the type (one index seek each), from here they read one range holding just
-- the matches. A resource in several compartments has its rows once per patient. The resource-level
-- parameters (_profile, _tag, _security: every resource has a profile) are left out. Kept with idx_token by
-- Tx.PutIndexedBatch and deleteIndex; the name starts with idx_ so DeleteAllResources empties it too.
CREATE TABLE idx_token_patient (
    patient TEXT    NOT NULL,
    type    TEXT    NOT NULL,
    param   TEXT    NOT NULL,
    code    TEXT    NOT NULL,
    system  TEXT    NOT NULL,
    rid     INTEGER NOT NULL,
    PRIMARY KEY (patient, type, param, code, system, rid)
) WITHOUT ROWID;

INSERT OR IGNORE INTO idx_token_patient (patient, type, param, code, system, rid)
    SELECT c.patient, t.type, t.param, t.code, t.system, t.rid
    FROM compartment c JOIN idx_token t ON t.rid = c.rid
    WHERE t.code <> '' AND substr(t.param, 1, 1) <> '_';

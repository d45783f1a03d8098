-- The lean audit log: one narrow row per FHIR request, appended in batches off the request path.
-- Turning each request into a full AuditEvent resource (JSON, history, ~12 index rows) cost about twice the
-- read it described, so the row keeps only what the AuditEvent is made of; rows become AuditEvent resources
-- (and leave this table) in the same transaction, when something asks for AuditEvents. A rowid table
-- appended at its end: one B-tree insert per request.
CREATE TABLE audit_log (
    seq           INTEGER PRIMARY KEY,
    id            TEXT    NOT NULL, -- the AuditEvent's id, assigned when the request finished
    recorded      INTEGER NOT NULL, -- Unix microseconds
    interaction   TEXT    NOT NULL, -- restful-interaction code (read, search-type, …)
    status        INTEGER NOT NULL, -- HTTP status answered
    authenticated INTEGER NOT NULL, -- 0: no valid token (client etc. are '')
    client        TEXT    NOT NULL,
    fhir_user     TEXT    NOT NULL,
    subject       TEXT    NOT NULL,
    entity        TEXT    NOT NULL, -- Type/id the request was about, '' when none
    request       TEXT    NOT NULL, -- method and request URI
    patient       TEXT    NOT NULL  -- the patient whose compartment the AuditEvent joins, '' when none
);
-- Patient/{id}/$everything materialises pending rows only when some belong to that patient.
CREATE INDEX audit_log_patient ON audit_log (patient) WHERE patient <> '';

-- Bulk Data exports (server/bulk, FHIR Bulk Data Access 2.0): one row per kick-off. The files live in the
-- data directory under exports/<id>/; a row and its files go together (on DELETE, on expiry, on reset).
CREATE TABLE bulk_exports (
    id          TEXT    PRIMARY KEY,
    client_id   TEXT    NOT NULL,          -- the client that asked: the only one that may poll and download
    request     TEXT    NOT NULL,          -- the kick-off URL, echoed in the manifest
    status      TEXT    NOT NULL,          -- running, complete, failed
    created     INTEGER NOT NULL,          -- the manifest's transactionTime, Unix microseconds
    finished    INTEGER NOT NULL DEFAULT 0,
    expires     INTEGER NOT NULL DEFAULT 0, -- when the job and its files go; 0 while it runs
    exported    INTEGER NOT NULL DEFAULT 0, -- resources written
    manifest    TEXT    NOT NULL DEFAULT '', -- the output and error file lists (JSON) once complete
    error       TEXT    NOT NULL DEFAULT ''  -- why it failed
);
CREATE INDEX bulk_exports_client ON bulk_exports (client_id);

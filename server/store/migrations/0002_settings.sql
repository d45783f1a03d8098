-- Sandbox settings: small named values (JSON or text) that survive restarts.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

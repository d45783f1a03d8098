-- FHIR resources: the current version of each resource, addressed by an integer row id so that
-- index tables stay small and inserts stay fast as the database grows (random text ids as the
-- primary key slow inserts about 5x at a million rows).
CREATE TABLE resources (
    rid          INTEGER PRIMARY KEY,
    type         TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    last_updated INTEGER NOT NULL, -- Unix microseconds, UTC
    deleted      INTEGER NOT NULL DEFAULT 0,
    json         BLOB    NOT NULL,
    UNIQUE (type, id)
);
CREATE INDEX resources_type_updated ON resources (type, last_updated);

-- Every version of every resource, the current one included, for vread and history.
CREATE TABLE resource_history (
    rid          INTEGER NOT NULL REFERENCES resources (rid) ON DELETE CASCADE,
    version      INTEGER NOT NULL,
    last_updated INTEGER NOT NULL,
    deleted      INTEGER NOT NULL,
    json         BLOB    NOT NULL,
    PRIMARY KEY (rid, version)
) WITHOUT ROWID;
CREATE INDEX resource_history_updated ON resource_history (last_updated);

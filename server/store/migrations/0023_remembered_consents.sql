-- Remembered consent (issue #14): "remember my decision for this app" on the consent page stores the scopes
-- a user approved for a client; later authorizations of that client by that user for the same or narrower
-- scopes skip the consent page, until the decision is revoked (which revokes their grants too).
CREATE TABLE remembered_consents (
    client_id  TEXT NOT NULL,
    fhir_user  TEXT NOT NULL,
    scope      TEXT NOT NULL, -- the scopes approved, as granted
    created_at INTEGER NOT NULL,
    PRIMARY KEY (client_id, fhir_user)
) WITHOUT ROWID;

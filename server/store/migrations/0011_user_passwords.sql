-- Optional per-user passwords (off by default: a user without a row signs in by choosing their name).
-- hash is a PHC-format argon2id string; the password itself is never stored.
CREATE TABLE user_passwords (
    fhir_user  TEXT PRIMARY KEY, -- Practitioner/{id} or Patient/{id}
    hash       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Shared mode (server/admin): the admin's sign-in sessions, and the credentials the admin creates in the
-- control panel — API keys for /api (CI) and initial access tokens for dynamic registration (RFC 7591 §3).
-- Only SHA-256 hashes of the random secrets are stored; the secrets are shown once, when created.
CREATE TABLE admin_sessions (
    token_hash BLOB PRIMARY KEY, -- SHA-256 of the session cookie's value
    csrf       TEXT NOT NULL,    -- the session's CSRF token, sent back in X-CSRF-Token on state changes
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE admin_credentials (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('api_key', 'registration')),
    name         TEXT NOT NULL,
    token_hash   BLOB NOT NULL UNIQUE, -- SHA-256 of the secret
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
);

-- Authorization server state. Credentials (client secrets, codes, refresh tokens, session ids) are stored
-- only as SHA-256 hashes, so a copy of the database does not hand out live credentials. Records whose
-- shape evolves with the protocol are JSON; the columns are what queries filter on.

-- Registered apps. secret_hash is empty for clients without a shared secret.
CREATE TABLE clients (
    id          TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL, -- Unix microseconds
    json        TEXT NOT NULL
) WITHOUT ROWID;

-- Signing keys: private JWKs, published in the JWKS until publish_until (0 = active, no end yet).
CREATE TABLE signing_keys (
    kid           TEXT PRIMARY KEY,
    alg           TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    retired_at    INTEGER NOT NULL DEFAULT 0, -- replaced by a newer key; still verifies
    publish_until INTEGER NOT NULL DEFAULT 0, -- 0 while active
    private_jwk   TEXT NOT NULL
) WITHOUT ROWID;

-- EHR launches created through the control API; single use.
CREATE TABLE launches (
    id         TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER NOT NULL DEFAULT 0,
    json       TEXT NOT NULL
) WITHOUT ROWID;

-- Authorization requests waiting on the user (login, pickers, consent).
CREATE TABLE auth_requests (
    id         TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL,
    json       TEXT NOT NULL
) WITHOUT ROWID;

-- Browser sessions of signed-in users; online_access refresh tokens end with them.
CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    fhir_user  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    ended_at   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- A grant is one authorization decision; every code, access token and refresh token issued from it
-- belongs to it, so revoking the grant (code replay, refresh token reuse) revokes all of them.
CREATE TABLE grants (
    id         TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER NOT NULL DEFAULT 0,
    json       TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX grants_client ON grants (client_id);

CREATE TABLE auth_codes (
    hash       TEXT PRIMARY KEY,
    grant_id   TEXT NOT NULL REFERENCES grants (id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER NOT NULL DEFAULT 0,
    json       TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE access_tokens (
    jti        TEXT PRIMARY KEY,
    grant_id   TEXT NOT NULL DEFAULT '', -- '' for client_credentials tokens
    client_id  TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX access_tokens_grant ON access_tokens (grant_id);

CREATE TABLE refresh_tokens (
    hash       TEXT PRIMARY KEY,
    grant_id   TEXT NOT NULL REFERENCES grants (id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER NOT NULL DEFAULT 0, -- rotated away; presenting it again revokes the grant
    revoked_at INTEGER NOT NULL DEFAULT 0,
    json       TEXT NOT NULL
) WITHOUT ROWID;

-- jti values of client assertions seen, per issuer, until their exp (RFC 7523 §3 replay protection).
CREATE TABLE assertion_jtis (
    iss        TEXT NOT NULL,
    jti        TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (iss, jti)
) WITHOUT ROWID;

-- Flow events for the inspector and the audit log.
CREATE TABLE events (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    launch_id TEXT NOT NULL DEFAULT '',
    flow_id   TEXT NOT NULL DEFAULT '',
    client_id TEXT NOT NULL DEFAULT '',
    json      TEXT NOT NULL
);
CREATE INDEX events_launch ON events (launch_id, id);
CREATE INDEX events_client ON events (client_id, id);
CREATE INDEX events_at ON events (at);

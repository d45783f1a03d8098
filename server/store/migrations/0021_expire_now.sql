-- The sandbox clock and "expire now" (issue #14). Sign-in sessions get a lifetime (0: none, as every session
-- before this migration), so a session can expire between sign-in and consent, by time or on demand; an
-- online_access refresh token ends with it. An access token expired on demand is recorded like a revoked
-- one, marked expired, so that the FHIR server and introspection answer as for a token past its exp.
ALTER TABLE sessions ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE revoked_access_tokens ADD COLUMN expired INTEGER NOT NULL DEFAULT 0;

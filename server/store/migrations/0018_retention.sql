-- Retention (server/store/retention.go) removes records once nothing can use them.
-- A flow's events go together: pruning finds the rest of a flow through events_flow. Events without a
-- flow (registrations, launches created, password changes) are not in it.
CREATE INDEX IF NOT EXISTS events_flow ON events (flow_id, id) WHERE flow_id <> '';
-- Revoking or pruning a grant reaches its rotated refresh tokens through their grant (without this, every
-- revocation scanned the whole table).
CREATE INDEX IF NOT EXISTS refresh_tokens_grant ON refresh_tokens (grant_id);

-- A grant's first refresh token (the one its code exchange issues) is kept in the grant's own row rather
-- than in refresh_tokens: every code exchange inserted a refresh_tokens row under a random key (the
-- token's hash), one more B-tree insert and WAL page per flow, splitting pages all over that table. The
-- token names its grant ("<grant id>.<secret>"), so it is found by the grant's primary key. Tokens from
-- later rotations, and every token issued before this migration, stay in refresh_tokens.
ALTER TABLE grants ADD COLUMN refresh_hash TEXT NOT NULL DEFAULT '';          -- '' : no token kept here
ALTER TABLE grants ADD COLUMN refresh_expires_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE grants ADD COLUMN refresh_used_at INTEGER NOT NULL DEFAULT 0;     -- rotated away; reuse revokes
ALTER TABLE grants ADD COLUMN refresh_online INTEGER NOT NULL DEFAULT 0;      -- online_access token

-- Access tokens are JWTs signed by Valet: the signature already proves which tokens were issued, so a row
-- per issued token (one more B-tree insert, index insert and two WAL pages on every token response) is
-- replaced by a row per revoked token. A token names its grant (claim valet_grant), so revoking the grant
-- (code replay, refresh token reuse, client deletion) still ends every token issued from it; client
-- credentials tokens get a grant of their own for the same reason.
CREATE TABLE revoked_access_tokens (
    jti        TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL -- the token's exp; the row is forgotten after it
) WITHOUT ROWID;

INSERT INTO revoked_access_tokens (jti, expires_at) SELECT jti, expires_at FROM access_tokens WHERE revoked_at != 0;

-- access_tokens keeps the tokens issued before this migration, whose JWTs have no valet_grant claim: it
-- is only read, by jti, to find their grant. Nothing looks rows up by grant any more.
DROP INDEX IF EXISTS access_tokens_grant;

-- Authorization codes live in the authorization server's memory (server/auth/codes.go): they last 60
-- seconds and are used once, so writing each to disk cost a WAL transaction per flow for nothing a
-- restart needs. A grant is now stored when its code is exchanged, with its first tokens.
DROP TABLE IF EXISTS auth_codes;

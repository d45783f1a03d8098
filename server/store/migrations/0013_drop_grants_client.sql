-- grants_client served only DeleteClient, a rare control-panel action that already scans access_tokens
-- (a larger table) by client_id. Every code exchange paid for it: one more B-tree insert and one more WAL
-- page per grant. DeleteClient now scans grants too.
DROP INDEX IF EXISTS grants_client;

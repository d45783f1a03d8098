-- Live resources per type, for GET /api/status (the Dashboard polls it): COUNT(*) GROUP BY type read
-- every row of a 100,000-resource database. Triggers keep the counts in the statement that changes
-- resources, so they are right under every write path, rollback (the triggers' writes roll back with
-- it) and DeleteAllResources (each deleted row decrements).
CREATE TABLE resource_counts (
    type TEXT PRIMARY KEY,
    live INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO resource_counts (type, live)
    SELECT type, COUNT(*) FROM resources WHERE deleted = 0 GROUP BY type;

CREATE TRIGGER resource_counts_insert AFTER INSERT ON resources WHEN new.deleted = 0 BEGIN
    INSERT INTO resource_counts (type, live) VALUES (new.type, 1)
        ON CONFLICT (type) DO UPDATE SET live = live + 1;
END;

-- A resource's type never changes; deleting and re-creating it flips deleted.
CREATE TRIGGER resource_counts_update AFTER UPDATE OF deleted ON resources WHEN old.deleted <> new.deleted BEGIN
    INSERT INTO resource_counts (type, live) VALUES (new.type, CASE WHEN new.deleted = 0 THEN 1 ELSE -1 END)
        ON CONFLICT (type) DO UPDATE SET live = live + excluded.live;
END;

CREATE TRIGGER resource_counts_delete AFTER DELETE ON resources WHEN old.deleted = 0 BEGIN
    UPDATE resource_counts SET live = live - 1 WHERE type = old.type;
END;

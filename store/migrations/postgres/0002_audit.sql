-- The append-only, hash-chained audit log (package audit). Each row holds
-- one entry: seq numbers the entries 1, 2, 3, ... without gaps; hash is the
-- SHA-256 over the entry and prev_hash (the hash of entry seq - 1), so a
-- changed or removed row breaks the chain where `netbank audit verify` can
-- name it. details is canonical JSON (an object of strings, keys sorted).
-- Times are Unix microseconds (UTC).
--
-- seq comes from the head row, read under its row lock in the appending
-- transaction: no sequence (whose order and gaps prove nothing), no
-- advisory lock.
CREATE TABLE audit_log (
    seq         BIGINT PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor       TEXT NOT NULL DEFAULT '',
    actor_kind  TEXT NOT NULL,
    action      TEXT NOT NULL,
    subject     TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT '',
    details     TEXT NOT NULL DEFAULT '{}',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);

-- The back office reads the newest entries first, by actor, by subject or
-- by time.
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_subject ON audit_log (subject, seq);
CREATE INDEX audit_log_at ON audit_log (at);

-- The head: the newest entry (seq and hash), one row, locked (SELECT ...
-- FOR UPDATE) and updated by every append. The lock serializes appends
-- across every instance; the row reveals the removal of the newest
-- entries, which no later entry could.
CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   BIGINT NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Append-only, also for code that means well: the bank never changes or
-- deletes an entry. (Someone with the rights to drop this trigger can still
-- edit the table; the hash chain is what catches that.) Row triggers only,
-- which the PostgreSQL-wire distributed engines also run; a TRUNCATE is
-- caught by the head.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only (% on %)', TG_OP, TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- API keys (package apikey): bearer tokens of the JSON API. A customer key
-- acts as the net bank user who made it; a partner key (clearing,
-- creditor) belongs to a system outside the bank. The token is never
-- stored: only its SHA-256 (token_hash) and its first characters (prefix)
-- to tell keys apart. Times are Unix microseconds (0: never).
CREATE TABLE api_keys (
    id            TEXT PRIMARY KEY,                 -- apk_…
    kind          TEXT NOT NULL,                    -- customer | clearing | creditor
    name          TEXT NOT NULL,
    prefix        TEXT NOT NULL,                    -- nbk_ + 8 characters, not secret
    token_hash    TEXT NOT NULL UNIQUE,             -- hex SHA-256 of the token
    customer_id   TEXT NOT NULL DEFAULT '',         -- customer keys
    user_id       TEXT NOT NULL DEFAULT '',         -- customer keys
    creditors     TEXT NOT NULL DEFAULT '',         -- creditor keys: creditor numbers, comma-separated
    created_by    TEXT NOT NULL,                    -- user or staff id
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    last_used_at  BIGINT NOT NULL DEFAULT 0,
    revoked_at    BIGINT NOT NULL DEFAULT 0,
    revoked_by    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX api_keys_user ON api_keys (user_id, created_at);
CREATE INDEX api_keys_kind ON api_keys (kind, created_at);

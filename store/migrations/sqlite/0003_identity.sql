-- Identity: customers, their users, staff, sessions, login challenges,
-- signed documents (proof of what was signed), messages and contracts.
-- Times are Unix microseconds; secrets are stored only as hashes or
-- encrypted (CPR numbers: AES-GCM under a key from the bank's secret).

CREATE TABLE customers (
    id             TEXT PRIMARY KEY,
    kind           TEXT NOT NULL,              -- private | business
    name           TEXT NOT NULL,
    cpr_encrypted  TEXT NOT NULL DEFAULT '',   -- private: AES-GCM, base64
    cpr_hash       TEXT NOT NULL DEFAULT '',   -- private: keyed hash, for look-up
    birth_date     TEXT NOT NULL DEFAULT '',   -- YYYY-MM-DD
    cvr            TEXT NOT NULL DEFAULT '',   -- business
    mobile         TEXT NOT NULL DEFAULT '',
    address        TEXT NOT NULL DEFAULT '',
    postcode       TEXT NOT NULL DEFAULT '',
    city           TEXT NOT NULL DEFAULT '',
    email          TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL
);
CREATE INDEX customers_cpr ON customers (cpr_hash);
CREATE INDEX customers_cvr ON customers (cvr);

-- A user logs in. Private users have an 11-digit user number and a
-- signature key; business users a user id, a password and key cards or a
-- key app.
CREATE TABLE users (
    id                 TEXT PRIMARY KEY,
    customer_id        TEXT NOT NULL REFERENCES customers (id),
    kind               TEXT NOT NULL,                -- private | business
    login              TEXT NOT NULL UNIQUE,         -- user number or business user id
    name               TEXT NOT NULL,
    status             TEXT NOT NULL,                -- pin_issued | active | signature_blocked | self_blocked | disabled
    pin_hash           TEXT NOT NULL DEFAULT '',
    pin_expires_at     BIGINT NOT NULL DEFAULT 0,
    public_key         TEXT NOT NULL DEFAULT '',     -- base64 Ed25519, private users
    key_created_at     BIGINT NOT NULL DEFAULT 0,
    password_hash      TEXT NOT NULL DEFAULT '',     -- argon2id, business users
    profile            TEXT NOT NULL DEFAULT '',     -- business: comma list of view,create,approve,admin
    totp_secret        TEXT NOT NULL DEFAULT '',     -- key app, encrypted
    totp_last_step     BIGINT NOT NULL DEFAULT 0,
    failed_attempts    INTEGER NOT NULL DEFAULT 0,
    blocked_at         BIGINT NOT NULL DEFAULT 0,
    blocked_reason     TEXT NOT NULL DEFAULT '',
    created_at         BIGINT NOT NULL
);
CREATE INDEX users_customer ON users (customer_id);

CREATE TABLE key_cards (
    serial       TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    status       TEXT NOT NULL,          -- active | replaced
    issued_at    BIGINT NOT NULL
);
CREATE INDEX key_cards_user ON key_cards (user_id, status);

CREATE TABLE key_card_codes (
    serial       TEXT NOT NULL REFERENCES key_cards (serial),
    key_number   TEXT NOT NULL,
    code_hash    TEXT NOT NULL,          -- HMAC with the bank's pepper
    used_at      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (serial, key_number)
);

CREATE TABLE staff (
    id               TEXT PRIMARY KEY,
    username         TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    password_hash    TEXT NOT NULL,
    totp_secret      TEXT NOT NULL,      -- encrypted
    totp_last_step   BIGINT NOT NULL DEFAULT 0,
    roles            TEXT NOT NULL,      -- comma list
    failed_attempts  INTEGER NOT NULL DEFAULT 0,
    blocked          INTEGER NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL
);

-- Server-side sessions, shared by every instance. The cookie holds a
-- random token; only its SHA-256 is stored.
CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    principal     TEXT NOT NULL,        -- user id or staff id
    kind          TEXT NOT NULL,        -- private | business | staff
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    ended_at      BIGINT NOT NULL DEFAULT 0,
    end_reason    TEXT NOT NULL DEFAULT '',   -- logout | timeout | replaced | blocked
    ip            TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_principal ON sessions (principal, ended_at);

-- One-time challenges and multi-step login state (PIN accepted, key number
-- asked), each usable once and short-lived.
CREATE TABLE login_challenges (
    id           TEXT PRIMARY KEY,
    principal    TEXT NOT NULL,
    purpose      TEXT NOT NULL,       -- login | enroll | keycard | sign
    challenge    TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX login_challenges_principal ON login_challenges (principal, purpose);

-- Per-address rate limiting of login steps: one row per address and window.
CREATE TABLE rate_limits (
    bucket       TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits         INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

-- Proof of every financially binding action (SIGN-2): the canonical
-- document, its checksum, the signature and who signed when.
CREATE TABLE signed_documents (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    kind         TEXT NOT NULL,
    document     TEXT NOT NULL,
    checksum     TEXT NOT NULL UNIQUE,
    method       TEXT NOT NULL,       -- signature-file | keycard | keyapp
    signature    TEXT NOT NULL,
    signed_at    BIGINT NOT NULL
);
CREATE INDEX signed_documents_user ON signed_documents (user_id, signed_at);

CREATE TABLE messages (
    id           TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers (id),
    thread_id    TEXT NOT NULL,
    sender       TEXT NOT NULL,       -- customer | bank | system
    author       TEXT NOT NULL DEFAULT '',
    subject      TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    read_at      BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX messages_customer ON messages (customer_id, created_at);

CREATE TABLE contracts (
    id               TEXT PRIMARY KEY,
    customer_id      TEXT NOT NULL REFERENCES customers (id),
    title            TEXT NOT NULL,
    body             TEXT NOT NULL,
    kind             TEXT NOT NULL,       -- distance | credit | pension | capital_market
    status           TEXT NOT NULL,       -- pending | approved | withdrawn
    published_by     TEXT NOT NULL,
    published_at     BIGINT NOT NULL,
    informed_at      BIGINT NOT NULL DEFAULT 0,
    approved_at      BIGINT NOT NULL DEFAULT 0,
    approved_by      TEXT NOT NULL DEFAULT '',
    signed_document  TEXT NOT NULL DEFAULT '',
    withdrawn_at     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX contracts_customer ON contracts (customer_id, status);

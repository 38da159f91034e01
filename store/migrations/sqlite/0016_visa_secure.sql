-- Visa Secure (package card, RULE CARD-11): the bank's access control
-- server's authentications, and the SMS outbox. Neither the one-time code
-- nor the CAVV is stored: code_hash is the code's keyed hash (HMAC-SHA256
-- bound to the id), cavv_hash the issued CAVV's SHA-256 ('' until the
-- right code came back). merchant_id is field 42 as the 0100 carries it
-- (15 characters, padded with spaces); amount is in minor units of
-- currency (ISO 4217 alphabetic). Times are Unix microseconds (0: never).
CREATE TABLE visa_secure_authentications (
    id               TEXT PRIMARY KEY,                  -- vsa_…
    card_id          TEXT NOT NULL REFERENCES cards (id),
    pan_hash         TEXT NOT NULL,
    amount           BIGINT NOT NULL,
    currency         TEXT NOT NULL,
    merchant_id      TEXT NOT NULL,
    merchant_name    TEXT NOT NULL,
    requester        TEXT NOT NULL DEFAULT '',          -- the merchant's API key (apk_…)
    status           TEXT NOT NULL,                     -- challenge_sent | authenticated | used | locked
    code_hash        TEXT NOT NULL,
    tries            INTEGER NOT NULL DEFAULT 0,        -- wrong codes
    created_at       BIGINT NOT NULL,
    code_expires_at  BIGINT NOT NULL,
    completed_at     BIGINT NOT NULL DEFAULT 0,
    cavv_hash        TEXT NOT NULL DEFAULT '',
    cavv_expires_at  BIGINT NOT NULL DEFAULT 0,
    used_at          BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX visa_secure_authentications_card ON visa_secure_authentications (card_id, created_at);
CREATE UNIQUE INDEX visa_secure_authentications_cavv ON visa_secure_authentications (cavv_hash) WHERE cavv_hash <> '';

-- Every SMS the bank sends, written before a gateway (if any) gets it;
-- staff read it in the back office (/backoffice/sms).
CREATE TABLE sms_outbox (
    id           TEXT PRIMARY KEY,                      -- sms_…
    to_number    TEXT NOT NULL,                         -- +45…
    body         TEXT NOT NULL,
    purpose      TEXT NOT NULL,                         -- visa_secure
    reference    TEXT NOT NULL DEFAULT '',              -- what it belongs to (vsa_…)
    customer_id  TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,                         -- outbox | sent | failed
    created_at   BIGINT NOT NULL,
    sent_at      BIGINT NOT NULL DEFAULT 0,
    error        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sms_outbox_created ON sms_outbox (created_at);

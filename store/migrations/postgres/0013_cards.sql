-- Visa Debit cards (package card): the cards, their wallet tokens, the
-- shared block register and the authorizations the authorization engine
-- decides. The card number is never stored in clear: pan_sealed is it
-- under AES-256-GCM, pan_hash its keyed look-up hash; CVV2 and PIN are not
-- stored at all (pin_hash is a keyed PIN verification value). Times are
-- Unix microseconds (0: never); dates 'YYYY-MM-DD'; amounts øre.
CREATE TABLE cards (
    id                       TEXT PRIMARY KEY,                  -- crd_…
    customer_id              TEXT NOT NULL REFERENCES customers (id),  -- the account's owner
    account_id               TEXT NOT NULL REFERENCES accounts (id),
    holder_customer_id       TEXT NOT NULL REFERENCES customers (id),
    holder_name              TEXT NOT NULL,
    holder_birth_date        TEXT NOT NULL,
    proxy                    BOOLEAN NOT NULL DEFAULT FALSE,   -- the holder is not the owner (CARD-12)
    type                     TEXT NOT NULL,                     -- visa_debit | visa_flex | visa_basis | visa_1217 | visa_junior
    pan_sealed               TEXT NOT NULL,
    pan_hash                 TEXT NOT NULL UNIQUE,
    last4                    TEXT NOT NULL,
    bin                      TEXT NOT NULL,
    expiry                   TEXT NOT NULL,                     -- YYMM as printed
    expires_at               BIGINT NOT NULL,                   -- first moment no longer valid
    status                   TEXT NOT NULL,                     -- ordered | active | blocked | expired | replaced | terminated
    block_reason             TEXT NOT NULL DEFAULT '',
    blocked_at               BIGINT NOT NULL DEFAULT 0,
    blocked_by               TEXT NOT NULL DEFAULT '',
    pin_hash                 TEXT NOT NULL DEFAULT '',          -- '' : the predecessor's PIN (a renewal)
    pin_tries                INTEGER NOT NULL DEFAULT 0,
    pin_locked               BOOLEAN NOT NULL DEFAULT FALSE,
    mobile                   TEXT NOT NULL DEFAULT '',          -- Visa Secure one-time codes (CARD-11)
    visa_secure              BOOLEAN NOT NULL DEFAULT FALSE,
    replaced_by              TEXT NOT NULL DEFAULT '',
    replaces                 TEXT NOT NULL DEFAULT '',
    annual_fee               BIGINT NOT NULL DEFAULT 0,
    annual_fee_paid_until    BIGINT NOT NULL DEFAULT 0,
    agreement_start          BIGINT NOT NULL,
    termination_requested_at BIGINT NOT NULL DEFAULT 0,
    terminates_at            BIGINT NOT NULL DEFAULT 0,
    terminated_by_holder     BOOLEAN NOT NULL DEFAULT FALSE,
    issued_at                BIGINT NOT NULL,
    issued_by                TEXT NOT NULL DEFAULT '',
    activated_at             BIGINT NOT NULL DEFAULT 0,
    ended_at                 BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX cards_customer ON cards (customer_id, issued_at);
CREATE INDEX cards_holder ON cards (holder_customer_id, issued_at);
CREATE INDEX cards_account ON cards (account_id, issued_at);
CREATE INDEX cards_expiry ON cards (status, expires_at);
CREATE INDEX cards_fee ON cards (status, annual_fee_paid_until);
CREATE INDEX cards_termination ON cards (terminates_at);

-- Wallet tokens: a card registered in a digital wallet; they die with the
-- card (CARD-13, CARD-17).
CREATE TABLE card_tokens (
    id          TEXT PRIMARY KEY,                  -- tok_…
    card_id     TEXT NOT NULL REFERENCES cards (id),
    wallet      TEXT NOT NULL,
    device      TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL,                     -- active | ended
    created_at  BIGINT NOT NULL,
    ended_at    BIGINT NOT NULL DEFAULT 0,
    end_reason  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX card_tokens_card ON card_tokens (card_id, created_at);

-- The shared block register (CARD-16): every block, by the card number's
-- look-up hash; lifted_at is set when staff lift a block.
CREATE TABLE card_blocks (
    id          TEXT PRIMARY KEY,                  -- blk_…
    card_id     TEXT NOT NULL REFERENCES cards (id),
    pan_hash    TEXT NOT NULL,
    reason      TEXT NOT NULL,
    blocked_at  BIGINT NOT NULL,
    blocked_by  TEXT NOT NULL DEFAULT '',
    lifted_at   BIGINT NOT NULL DEFAULT 0,
    lifted_by   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX card_blocks_pan ON card_blocks (pan_hash, lifted_at, blocked_at);
CREATE INDEX card_blocks_card ON card_blocks (card_id);

-- Authorizations the card network sends (ISO 8583 0100/0200/0220/0400)
-- and the bank's decision, with its reasons: written by the authorization
-- engine, deleted after the current year + 5 years (CARD-20). card_id is
-- '' for a request naming no card of the bank. amount is in minor units of
-- currency (ISO 4217 alphabetic); amount_dkk the kroner held or debited;
-- rate the reference rate used (pricing.RateScale units, 0 for kroner).
CREATE TABLE card_authorizations (
    id                TEXT PRIMARY KEY,            -- aut_…
    card_id           TEXT NOT NULL DEFAULT '',
    account_id        TEXT NOT NULL DEFAULT '',
    mti               TEXT NOT NULL,               -- 0100 | 0200 | 0220 | 0400
    stan              TEXT NOT NULL,               -- field 11
    rrn               TEXT NOT NULL,               -- field 37
    transmitted       TEXT NOT NULL DEFAULT '',    -- field 7, MMDDhhmmss
    terminal_id       TEXT NOT NULL DEFAULT '',    -- field 41
    merchant_id       TEXT NOT NULL DEFAULT '',    -- field 42
    merchant_name     TEXT NOT NULL DEFAULT '',    -- field 43
    merchant_city     TEXT NOT NULL DEFAULT '',
    merchant_country  TEXT NOT NULL DEFAULT '',
    mcc               TEXT NOT NULL DEFAULT '',    -- field 18
    entry_mode        TEXT NOT NULL DEFAULT '',    -- field 22
    pos_condition     TEXT NOT NULL DEFAULT '',    -- field 25
    processing_code   TEXT NOT NULL DEFAULT '',    -- field 3
    amount            BIGINT NOT NULL DEFAULT 0,   -- field 4
    currency          TEXT NOT NULL DEFAULT '',    -- field 49
    amount_dkk        BIGINT NOT NULL DEFAULT 0,
    rate              BIGINT NOT NULL DEFAULT 0,
    response_code     TEXT NOT NULL,               -- field 39
    reasons           TEXT NOT NULL DEFAULT '',    -- why, in words
    auth_code         TEXT NOT NULL DEFAULT '',    -- field 38
    hold_transfer_id  TEXT NOT NULL DEFAULT '',    -- the ledger hold or debit
    hold_expires_at   BIGINT NOT NULL DEFAULT 0,
    status            TEXT NOT NULL,               -- approved | declined | reversed | completed | expired
    original_id       TEXT NOT NULL DEFAULT '',    -- field 90: the authorization this one completes or reverses
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX card_authorizations_card ON card_authorizations (card_id, created_at);
CREATE INDEX card_authorizations_trace ON card_authorizations (rrn, stan, terminal_id);
CREATE INDEX card_authorizations_created ON card_authorizations (created_at);

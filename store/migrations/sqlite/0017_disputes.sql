-- Cardholders' disputes of card transactions (package card, dispute.go;
-- RULES DISP-1…DISP-4) and the staff's decisions with the cardholder's
-- liability for misuse (LIAB-1…LIAB-5). A transaction is disputed once:
-- id is derived from authorization_id. The transaction's facts are copied
-- here, as card_authorizations rows are deleted after the retention period
-- (CARD-20) while the dispute stays the bank's record of a claim, so there
-- is no foreign key to them. Times are Unix microseconds (0: not yet);
-- dates 'YYYY-MM-DD'; amounts øre.
CREATE TABLE card_disputes (
    id                   TEXT PRIMARY KEY,                         -- dsp_…
    authorization_id     TEXT NOT NULL UNIQUE,                     -- the debited 0200 or 0220
    card_id              TEXT NOT NULL REFERENCES cards (id),
    account_id           TEXT NOT NULL REFERENCES accounts (id),
    card_type            TEXT NOT NULL,
    card_last4           TEXT NOT NULL,
    owner_customer_id    TEXT NOT NULL REFERENCES customers (id),  -- the account's owner
    holder_customer_id   TEXT NOT NULL REFERENCES customers (id),  -- the card's holder
    filed_by             TEXT NOT NULL,                            -- the customer who filed it (owner or holder)
    filed_by_user        TEXT NOT NULL DEFAULT '',                 -- the user (audit actor)
    dispute_case         TEXT NOT NULL,                            -- unknown_amount | distance_purchase | not_approved
    description          TEXT NOT NULL DEFAULT '',
    merchant_contacted   INTEGER NOT NULL DEFAULT 0,               -- DISP-2: the merchant was tried first
    aware_at             BIGINT NOT NULL DEFAULT 0,                -- DISP-2: when the cardholder became aware
    debited_at           BIGINT NOT NULL,
    last_day             TEXT NOT NULL,                            -- the last day of the case's period
    amount               BIGINT NOT NULL,                          -- debited in kroner, disputed
    original_amount      BIGINT NOT NULL DEFAULT 0,
    original_currency    TEXT NOT NULL DEFAULT '',
    merchant_name        TEXT NOT NULL DEFAULT '',
    merchant_city        TEXT NOT NULL DEFAULT '',
    merchant_country     TEXT NOT NULL DEFAULT '',
    mcc                  TEXT NOT NULL DEFAULT '',
    status               TEXT NOT NULL,                            -- open | deciding | founded | unfounded
    opened_at            BIGINT NOT NULL,
    credit_transfer_id   TEXT NOT NULL,                            -- DISP-4: the credit while investigated
    credited_at          BIGINT NOT NULL DEFAULT 0,
    outcome              TEXT NOT NULL DEFAULT '',                 -- founded | unfounded
    decided_at           BIGINT NOT NULL DEFAULT 0,
    decided_by           TEXT NOT NULL DEFAULT '',                 -- staff id
    note                 TEXT NOT NULL DEFAULT '',                 -- the reason given to the cardholder
    facts                TEXT NOT NULL DEFAULT '',                 -- liability.Facts as JSON (DISP-3, founded)
    liability_clause     TEXT NOT NULL DEFAULT '',                 -- LIAB-1 … LIAB-5
    liability_reason     TEXT NOT NULL DEFAULT '',
    liability_amount     BIGINT NOT NULL DEFAULT 0,
    interest             BIGINT NOT NULL DEFAULT 0,                -- unfounded: interest for the period
    interest_bp          INTEGER NOT NULL DEFAULT 0,
    interest_days        INTEGER NOT NULL DEFAULT 0,
    fee                  BIGINT NOT NULL DEFAULT 0,                -- unfounded: the receipt-copy fee
    debit                BIGINT NOT NULL DEFAULT 0,                -- what the decision debits in all
    decision_transfer_id TEXT NOT NULL DEFAULT '',
    booked_at            BIGINT NOT NULL DEFAULT 0,
    updated_at           BIGINT NOT NULL
);
CREATE INDEX card_disputes_owner ON card_disputes (owner_customer_id, opened_at);
CREATE INDEX card_disputes_holder ON card_disputes (holder_customer_id, opened_at);
CREATE INDEX card_disputes_card ON card_disputes (card_id, opened_at);
CREATE INDEX card_disputes_status ON card_disputes (status, opened_at);

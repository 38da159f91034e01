-- Payments (package payment): transfers and payment slips, from creation
-- awaiting signature through approval (four-eyes), execution and clearing.
-- Dates are civil dates 'YYYY-MM-DD'; times Unix microseconds; amounts øre.
CREATE TABLE payments (
    id                 TEXT PRIMARY KEY,                    -- pay_…
    customer_id        TEXT NOT NULL REFERENCES customers (id),
    client_id          TEXT NOT NULL,                       -- the client's idempotency key
    request_hash       TEXT NOT NULL,
    created_by         TEXT NOT NULL,
    kind               TEXT NOT NULL,                       -- own | internal | domestic | slip
    from_account       TEXT NOT NULL,
    to_reg             TEXT NOT NULL DEFAULT '',
    to_account         TEXT NOT NULL DEFAULT '',
    to_account_id      TEXT NOT NULL DEFAULT '',            -- the payee's account id when in this bank
    to_name            TEXT NOT NULL DEFAULT '',
    slip_type          TEXT NOT NULL DEFAULT '',
    slip_payment_id    TEXT NOT NULL DEFAULT '',
    slip_creditor      TEXT NOT NULL DEFAULT '',
    slip_giro_account  TEXT NOT NULL DEFAULT '',
    amount             BIGINT NOT NULL CHECK (amount > 0),
    currency           TEXT NOT NULL,
    text_to_self       TEXT NOT NULL DEFAULT '',
    text_to_recipient  TEXT NOT NULL DEFAULT '',
    instant            INTEGER NOT NULL DEFAULT 0,
    requested_date     TEXT NOT NULL,
    execution_date     TEXT NOT NULL,
    status             TEXT NOT NULL,  -- awaiting_signature | awaiting_approval | scheduled | executing | in_clearing | settled | cancelled | rejected
    signed_document    TEXT NOT NULL DEFAULT '',
    signed_by          TEXT NOT NULL DEFAULT '',
    confirmed_at       BIGINT NOT NULL DEFAULT 0,
    approval_required  INTEGER NOT NULL DEFAULT 0,
    approved_by        TEXT NOT NULL DEFAULT '',
    approval_document  TEXT NOT NULL DEFAULT '',
    approved_at        BIGINT NOT NULL DEFAULT 0,
    clearing           TEXT NOT NULL DEFAULT '',            -- '' | instant | intraday | sum
    clearing_cycle     TEXT NOT NULL DEFAULT '',            -- the cycle's run key, e.g. 2026-05-18T12:00
    clearing_at        BIGINT NOT NULL DEFAULT 0,
    lease_owner        TEXT NOT NULL DEFAULT '',            -- an execution in progress
    lease_until        BIGINT NOT NULL DEFAULT 0,
    created_at         BIGINT NOT NULL,
    executed_at        BIGINT NOT NULL DEFAULT 0,
    settled_at         BIGINT NOT NULL DEFAULT 0,
    cancelled_at       BIGINT NOT NULL DEFAULT 0,
    cancelled_by       TEXT NOT NULL DEFAULT '',
    failure_reason     TEXT NOT NULL DEFAULT '',
    UNIQUE (customer_id, client_id)
);
CREATE INDEX payments_customer ON payments (customer_id, created_at);
CREATE INDEX payments_due ON payments (status, execution_date);
CREATE INDEX payments_clearing ON payments (status, clearing_at);

-- Four-eyes: payments above a business customer's limit need a second
-- user's approval.
CREATE TABLE payment_approval_limits (
    customer_id  TEXT PRIMARY KEY REFERENCES customers (id),
    amount       BIGINT NOT NULL CHECK (amount >= 0),
    updated_at   BIGINT NOT NULL,
    updated_by   TEXT NOT NULL DEFAULT ''
);

-- Payments from other banks (Danish and SWIFT), booked or returned.
CREATE TABLE incoming_payments (
    id            TEXT PRIMARY KEY,                    -- inc_…
    source        TEXT NOT NULL,                       -- sending bank: reg or BIC
    reference     TEXT NOT NULL,                       -- the sender's reference
    request_hash  TEXT NOT NULL,
    swift         INTEGER NOT NULL DEFAULT 0,
    from_name     TEXT NOT NULL DEFAULT '',
    from_account  TEXT NOT NULL DEFAULT '',
    to_reg        TEXT NOT NULL,
    to_account    TEXT NOT NULL,
    to_iban       TEXT NOT NULL DEFAULT '',
    amount        BIGINT NOT NULL CHECK (amount > 0),
    currency      TEXT NOT NULL,
    text          TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,                       -- received | booked | returned
    account_id    TEXT NOT NULL DEFAULT '',
    customer_id   TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    received_at   BIGINT NOT NULL,
    booked_at     BIGINT NOT NULL DEFAULT 0,
    UNIQUE (source, reference)
);
CREATE INDEX incoming_payments_customer ON incoming_payments (customer_id, booked_at);

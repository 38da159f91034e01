-- Payment agreements (package agreement, RULE PAY-8): Betalingsservice
-- (direct debit) and electronic payment slips, the collections creditors
-- announce under the former and the bills they send under the latter.
-- Dates are civil dates 'YYYY-MM-DD'; times Unix microseconds; amounts øre.
CREATE TABLE payment_agreements (
    id               TEXT PRIMARY KEY,                    -- agr_…
    customer_id      TEXT NOT NULL REFERENCES customers (id),
    client_id        TEXT NOT NULL,                       -- the sign-up's idempotency key
    request_hash     TEXT NOT NULL,
    kind             TEXT NOT NULL,                       -- betalingsservice | einvoice
    creditor_number  TEXT NOT NULL,                       -- PBS number or FI creditor number
    debtor_group     TEXT NOT NULL DEFAULT '',            -- Betalingsservice only
    customer_number  TEXT NOT NULL,                       -- the customer's number with the creditor
    creditor_name    TEXT NOT NULL DEFAULT '',
    account_id       TEXT NOT NULL,
    status           TEXT NOT NULL,                       -- awaiting_signature | active | cancelled
    created_by       TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    signed_document  TEXT NOT NULL DEFAULT '',
    signed_by        TEXT NOT NULL DEFAULT '',
    activated_at     BIGINT NOT NULL DEFAULT 0,
    cancelled_at     BIGINT NOT NULL DEFAULT 0,
    cancelled_by     TEXT NOT NULL DEFAULT '',
    UNIQUE (customer_id, client_id)
);
CREATE INDEX payment_agreements_customer ON payment_agreements (customer_id, created_at);
-- A creditor's customer number names one payer: one active agreement each.
CREATE UNIQUE INDEX payment_agreements_active ON payment_agreements (kind, creditor_number, debtor_group, customer_number)
    WHERE status = 'active';
CREATE INDEX payment_agreements_drafts ON payment_agreements (status, created_at);

-- Betalingsservice collections announced by creditors.
CREATE TABLE agreement_collections (
    id                  TEXT PRIMARY KEY,                 -- col_…
    agreement_id        TEXT NOT NULL REFERENCES payment_agreements (id),
    customer_id         TEXT NOT NULL,
    creditor_number     TEXT NOT NULL,
    debtor_group        TEXT NOT NULL,
    customer_number     TEXT NOT NULL,
    creditor_name       TEXT NOT NULL DEFAULT '',
    account_id          TEXT NOT NULL,
    reference           TEXT NOT NULL,                    -- the creditor's reference
    request_hash        TEXT NOT NULL,
    amount              BIGINT NOT NULL CHECK (amount > 0),
    currency            TEXT NOT NULL,
    text                TEXT NOT NULL DEFAULT '',
    requested_due_date  TEXT NOT NULL,
    due_date            TEXT NOT NULL,                    -- a bank day
    status              TEXT NOT NULL,                    -- announced | collecting | paid | failed | rejected | cancelled | withdrawn
    payment_id          TEXT NOT NULL DEFAULT '',         -- the payment that paid it
    reason              TEXT NOT NULL DEFAULT '',
    announced_at        BIGINT NOT NULL,
    rejected_at         BIGINT NOT NULL DEFAULT 0,
    rejected_by         TEXT NOT NULL DEFAULT '',
    finished_at         BIGINT NOT NULL DEFAULT 0,
    UNIQUE (creditor_number, reference)
);
CREATE INDEX agreement_collections_due ON agreement_collections (status, due_date);
CREATE INDEX agreement_collections_customer ON agreement_collections (customer_id, status, due_date);
CREATE INDEX agreement_collections_agreement ON agreement_collections (agreement_id, status);

-- Bills (electronic payment slips) sent by creditors.
CREATE TABLE agreement_invoices (
    id                TEXT PRIMARY KEY,                   -- inv_…
    agreement_id      TEXT NOT NULL REFERENCES payment_agreements (id),
    customer_id       TEXT NOT NULL,
    creditor_number   TEXT NOT NULL,
    customer_number   TEXT NOT NULL,
    creditor_name     TEXT NOT NULL DEFAULT '',
    account_id        TEXT NOT NULL,
    slip_type         TEXT NOT NULL,                      -- 71 | 73 | 75
    slip_payment_id   TEXT NOT NULL DEFAULT '',
    amount            BIGINT NOT NULL CHECK (amount > 0),
    currency          TEXT NOT NULL,
    due_date          TEXT NOT NULL,
    text              TEXT NOT NULL DEFAULT '',
    reference         TEXT NOT NULL,                      -- the creditor's reference
    request_hash      TEXT NOT NULL,
    status            TEXT NOT NULL,                      -- pending | approved | rejected
    approved_payment  TEXT NOT NULL DEFAULT '',           -- the payment made of it
    reason            TEXT NOT NULL DEFAULT '',
    received_at       BIGINT NOT NULL,
    decided_at        BIGINT NOT NULL DEFAULT 0,
    decided_by        TEXT NOT NULL DEFAULT '',
    UNIQUE (creditor_number, reference)
);
CREATE INDEX agreement_invoices_customer ON agreement_invoices (customer_id, status, due_date);

-- Payment files (package payment, batch.go; RULE PAY-6): a loaded file,
-- its payments and the lines that could not be paid, signed once as a
-- whole. Times are Unix microseconds; amounts minor units.
CREATE TABLE payment_batches (
    id               TEXT PRIMARY KEY,                    -- bat_…
    customer_id      TEXT NOT NULL REFERENCES customers (id),
    created_by       TEXT NOT NULL,
    file_name        TEXT NOT NULL,
    file_hash        TEXT NOT NULL,                       -- SHA-256 of the file's bytes, hex
    format           TEXT NOT NULL,                       -- pain.001.001.03 | pain.001.001.09 | erh | csv
    default_from     TEXT NOT NULL DEFAULT '',            -- account id for lines that name none
    line_count       INTEGER NOT NULL,                    -- payment lines of the file, good and bad
    totals           TEXT NOT NULL DEFAULT '',            -- sum per currency as the file gives it: DKK:123456,EUR:1000
    status           TEXT NOT NULL,                       -- awaiting_signature | signed | cancelled
    signed_document  TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    signed_at        BIGINT NOT NULL DEFAULT 0,
    cancelled_at     BIGINT NOT NULL DEFAULT 0,
    cancelled_by     TEXT NOT NULL DEFAULT ''
);
-- One batch per customer and file that is not cancelled: loading the same
-- file again finds it, and two loads at once cannot both store one.
CREATE UNIQUE INDEX payment_batches_active ON payment_batches (customer_id, file_hash) WHERE status <> 'cancelled';
CREATE INDEX payment_batches_customer ON payment_batches (customer_id, created_at);

-- The lines of a batch in file order: a payment (payment_id) or an error
-- (field, message). note is why signing did not confirm the payment, if
-- it did not.
CREATE TABLE payment_batch_lines (
    batch_id    TEXT NOT NULL REFERENCES payment_batches (id),
    seq         INTEGER NOT NULL,
    line_no     INTEGER NOT NULL,
    payment_id  TEXT NOT NULL DEFAULT '',
    field       TEXT NOT NULL DEFAULT '',
    message     TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (batch_id, seq)
);

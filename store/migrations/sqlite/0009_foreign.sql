-- Foreign transfers (package payment, RULE PAY-5): the payee abroad, the
-- quote the customer saw and signed, and the outbound pacs.008 message.
-- Amounts in minor units (fx_amount in the currency's, fee øre); rates are
-- kroner per 100 units of the currency in pricing's fixed-point unit.
ALTER TABLE payments ADD COLUMN to_iban TEXT NOT NULL DEFAULT '';
ALTER TABLE payments ADD COLUMN to_bic TEXT NOT NULL DEFAULT '';
ALTER TABLE payments ADD COLUMN to_address TEXT NOT NULL DEFAULT '';
ALTER TABLE payments ADD COLUMN to_country TEXT NOT NULL DEFAULT '';
ALTER TABLE payments ADD COLUMN charge_bearer TEXT NOT NULL DEFAULT '';      -- '' | SHAR | DEBT
ALTER TABLE payments ADD COLUMN amount_in_dkk INTEGER NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN fx_currency TEXT NOT NULL DEFAULT '';        -- what the payee's bank receives
ALTER TABLE payments ADD COLUMN fx_amount BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN fx_reference_rate BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN fx_customer_rate BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN fx_margin_bp INTEGER NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN fee BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN fee_key TEXT NOT NULL DEFAULT '';            -- the price the fee came from
ALTER TABLE payments ADD COLUMN fx_rate_date TEXT NOT NULL DEFAULT '';       -- the reference rate's date
ALTER TABLE payments ADD COLUMN quoted_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN rate_fixed INTEGER NOT NULL DEFAULT 0;          -- the money moves at this quote

-- The interbank messages the bank wrote for payments (the pacs.008 of a
-- foreign transfer), one per payment, kept as written.
CREATE TABLE outbound_messages (
    payment_id   TEXT PRIMARY KEY REFERENCES payments (id),
    customer_id  TEXT NOT NULL,
    format       TEXT NOT NULL,                       -- pacs.008.001.08
    message_id   TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX outbound_messages_created ON outbound_messages (created_at);

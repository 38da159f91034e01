-- Incoming SWIFT payments in a foreign currency (package payment, RULE
-- PAY-7): the amount and currency the sending bank sent, and the bank's
-- buying rate it was converted at. amount/currency of the row stay what
-- was booked to the account (the kroner of a converted payment). Rates are
-- kroner per 100 units of the currency in pricing's fixed-point unit;
-- original_amount is in minor units of original_currency. All zero/empty
-- for a payment that was not converted.
ALTER TABLE incoming_payments ADD COLUMN original_currency TEXT NOT NULL DEFAULT '';
ALTER TABLE incoming_payments ADD COLUMN original_amount BIGINT NOT NULL DEFAULT 0;
ALTER TABLE incoming_payments ADD COLUMN fx_rate BIGINT NOT NULL DEFAULT 0;            -- the customer's (buying) rate, margin included
ALTER TABLE incoming_payments ADD COLUMN fx_reference_rate BIGINT NOT NULL DEFAULT 0;
ALTER TABLE incoming_payments ADD COLUMN fx_margin_bp INTEGER NOT NULL DEFAULT 0;

-- The authorization engine's own columns on card_authorizations (package
-- card, authorize.go): what an identical retry is compared with, the
-- flags the limits are summed by (RULES CARD-5, CARD-6), the customer rate
-- and margin of a foreign-currency amount (CARD-8), the cash fee, and how
-- long a card-not-present order may be claimed (CARD-7). Times are Unix
-- microseconds (0: never); amounts øre.
ALTER TABLE card_authorizations ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';         -- hash of the request's content (not the PAN)
ALTER TABLE card_authorizations ADD COLUMN customer_rate BIGINT NOT NULL DEFAULT 0;      -- reference rate ± margin (pricing.RateScale)
ALTER TABLE card_authorizations ADD COLUMN margin_bp INTEGER NOT NULL DEFAULT 0;
ALTER TABLE card_authorizations ADD COLUMN fee_dkk BIGINT NOT NULL DEFAULT 0;            -- the cash fee debited with it
ALTER TABLE card_authorizations ADD COLUMN limit_dkk BIGINT NOT NULL DEFAULT 0;          -- counted towards the limits (CARD-5); 0 once reversed
ALTER TABLE card_authorizations ADD COLUMN cash BOOLEAN NOT NULL DEFAULT FALSE;          -- a cash withdrawal (processing code 01)
ALTER TABLE card_authorizations ADD COLUMN pin_verified BOOLEAN NOT NULL DEFAULT FALSE;  -- the right PIN came with it (CARD-6 starts counting again)
ALTER TABLE card_authorizations ADD COLUMN contactless_no_pin BOOLEAN NOT NULL DEFAULT FALSE; -- contactless without PIN (CARD-6)
ALTER TABLE card_authorizations ADD COLUMN card_not_present BOOLEAN NOT NULL DEFAULT FALSE;-- internet, mail or phone order (CARD-7)
ALTER TABLE card_authorizations ADD COLUMN claim_until BIGINT NOT NULL DEFAULT 0;        -- the merchant may complete it until then
CREATE INDEX card_authorizations_original ON card_authorizations (terminal_id, stan, transmitted);
CREATE INDEX card_authorizations_group ON card_authorizations (original_id);

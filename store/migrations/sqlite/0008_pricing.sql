-- The price list and the exchange rates (package pricing, RULES PAY-5,
-- CARD-5, CARD-6, CARD-8, CARD-19). Times are Unix microseconds, dates
-- 'YYYY-MM-DD', amounts in their unit (øre, basis points or a count).

-- Every version of every rate: kroner per 100 units of the currency in
-- 1/10000 DKK (EUR 746,1200 = 7461200). The highest version is current.
CREATE TABLE fx_rates (
    currency    TEXT NOT NULL,
    version     BIGINT NOT NULL CHECK (version > 0),
    rate        BIGINT NOT NULL CHECK (rate > 0),
    rate_date   TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT NOT NULL,
    PRIMARY KEY (currency, version)
);

-- The price list: one row per known key (pricing.Definitions).
CREATE TABLE prices (
    price_key   TEXT PRIMARY KEY,
    amount      BIGINT NOT NULL CHECK (amount >= 0),
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT NOT NULL
);

-- A fresh bank quotes at once: reference rates of November 2026, stamped
-- with the time of the migration (staff keep them current; a rate older
-- than pricing.DefaultMaxAge stops quoting). JPY has no decimals, but its
-- rate is per 100 yen with four decimals like every other.
INSERT INTO fx_rates (currency, version, rate, rate_date, updated_at, updated_by)
SELECT c, 1, r, date('now'), CAST(strftime('%s', 'now') AS INTEGER) * 1000000, 'system' FROM (
    SELECT 'EUR' AS c, 7461000 AS r UNION ALL
    SELECT 'USD', 6434500 UNION ALL
    SELECT 'GBP', 8575500 UNION ALL
    SELECT 'SEK', 678000 UNION ALL
    SELECT 'NOK', 637500 UNION ALL
    SELECT 'CHF', 7979000 UNION ALL
    SELECT 'PLN', 1759500 UNION ALL
    SELECT 'JPY', 42330
) AS seed;

-- The defaults of pricing.Definitions (a test keeps the two in step).
INSERT INTO prices (price_key, amount, updated_at, updated_by)
SELECT k, a, CAST(strftime('%s', 'now') AS INTEGER) * 1000000, 'system' FROM (
    SELECT 'foreign_transfer_fee' AS k, 5000 AS a UNION ALL
    SELECT 'foreign_transfer_fee_eu_eur', 0 UNION ALL
    SELECT 'fx_margin_bp', 100 UNION ALL
    SELECT 'card_annual_fee_visa_debit', 25000 UNION ALL
    SELECT 'card_replacement_fee', 15000 UNION ALL
    SELECT 'card_fx_margin_bp', 100 UNION ALL
    SELECT 'card_cash_fee', 2500 UNION ALL
    SELECT 'card_cash_daily_limit', 1000000 UNION ALL
    SELECT 'card_total_30day_limit', 6000000 UNION ALL
    SELECT 'card_contactless_limit', 35000 UNION ALL
    SELECT 'card_contactless_cumulative_limit', 111900 UNION ALL
    SELECT 'card_contactless_count', 5 UNION ALL
    SELECT 'card_receipt_copy_fee', 5000 UNION ALL
    SELECT 'card_early_termination_fee', 10000
) AS seed;

-- Customer accounts: what the customer sees (registration and account
-- number, IBAN, name, product) over a ledger account with the same id.
CREATE TABLE accounts (
    id           TEXT PRIMARY KEY,              -- "<reg>-<10-digit number>", also the ledger account id
    customer_id  TEXT NOT NULL REFERENCES customers (id),
    reg          TEXT NOT NULL,
    number       TEXT NOT NULL,
    iban         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    product      TEXT NOT NULL,
    currency     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    closed_at    BIGINT NOT NULL DEFAULT 0,
    UNIQUE (reg, number)
);
CREATE INDEX accounts_customer ON accounts (customer_id);

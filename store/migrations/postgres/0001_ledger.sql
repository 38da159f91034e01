-- The double-entry ledger (TigerBeetle semantics in SQL).
-- Times are Unix microseconds (UTC); amounts are minor units.

CREATE TABLE ledger_accounts (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL,
    currency         TEXT NOT NULL,
    overdraft_limit  BIGINT NOT NULL DEFAULT 0 CHECK (overdraft_limit >= 0),
    unconstrained    BOOLEAN NOT NULL DEFAULT FALSE,
    debits_pending   BIGINT NOT NULL DEFAULT 0,
    debits_posted    BIGINT NOT NULL DEFAULT 0,
    credits_pending  BIGINT NOT NULL DEFAULT 0,
    credits_posted   BIGINT NOT NULL DEFAULT 0,
    entry_seq        BIGINT NOT NULL DEFAULT 0,
    last_entry_at    BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL
) WITH (fillfactor = 70); -- room for HOT updates: balances change on every transfer

CREATE INDEX ledger_accounts_kind ON ledger_accounts (kind, currency);

-- Transfers are immutable once written. kind is single, pending, post,
-- void or expire; post/void/expire name the pending transfer they resolve.
-- The two append-only tables (transfers, entries) carry no foreign keys and
-- no secondary indexes beyond what reads need: the ledger validates every
-- account under its row lock, the invariant check proves the references,
-- and each avoided index or per-row trigger is throughput (BENCHMARKS.md).
CREATE TABLE ledger_transfers (
    id                 TEXT PRIMARY KEY,
    debit_account_id   TEXT NOT NULL,
    credit_account_id  TEXT NOT NULL,
    amount             BIGINT NOT NULL CHECK (amount > 0),
    currency           TEXT NOT NULL,
    kind               TEXT NOT NULL,
    pending_id         TEXT,
    code               TEXT NOT NULL,
    text               TEXT NOT NULL,
    expires_at         BIGINT NOT NULL DEFAULT 0,
    created_at         BIGINT NOT NULL,
    request_hash       TEXT NOT NULL
);

-- The state of each pending transfer (hold): open until posted, voided or
-- expired. Changed only while its debit account's row is locked.
CREATE TABLE ledger_pending (
    transfer_id        TEXT PRIMARY KEY REFERENCES ledger_transfers (id),
    debit_account_id   TEXT NOT NULL REFERENCES ledger_accounts (id),
    credit_account_id  TEXT NOT NULL REFERENCES ledger_accounts (id),
    amount             BIGINT NOT NULL,
    status             TEXT NOT NULL,
    expires_at         BIGINT NOT NULL DEFAULT 0,
    resolved_at        BIGINT NOT NULL DEFAULT 0,
    resolved_by        TEXT
);

CREATE INDEX ledger_pending_expiry ON ledger_pending (status, expires_at);
CREATE INDEX ledger_pending_debit ON ledger_pending (debit_account_id, status);

-- One row per posted effect on an account, numbered per account, with the
-- posted balance after it: statements and balance-at-time read only this.
CREATE TABLE ledger_entries (
    account_id   TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    transfer_id  TEXT NOT NULL,
    amount       BIGINT NOT NULL,
    balance      BIGINT NOT NULL,
    posted_at    BIGINT NOT NULL,
    PRIMARY KEY (account_id, seq)
);

CREATE INDEX ledger_entries_time ON ledger_entries (account_id, posted_at);

-- Scheduled job runs. One row per run of a job (e.g. the 09:00 clearing
-- cycle of a bank day); any instance may plan it (idempotent insert) and
-- the first to take the lease runs it. A run whose lease lapses (a crashed
-- instance) is taken over; jobs make their effects idempotent, so a re-run
-- never pays twice.
CREATE TABLE job_runs (
    job          TEXT NOT NULL,
    run_key      TEXT NOT NULL,
    due_at       BIGINT NOT NULL,
    state        TEXT NOT NULL,          -- pending | done | failed
    lease_owner  TEXT NOT NULL DEFAULT '',
    lease_until  BIGINT NOT NULL DEFAULT 0,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    done_at      BIGINT NOT NULL DEFAULT 0,
    done_by      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (job, run_key)
);
CREATE INDEX job_runs_due ON job_runs (state, due_at);

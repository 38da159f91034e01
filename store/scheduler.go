package store

import (
	"context"
	"time"

	"github.com/netbank/netbank/scheduler"
)

// Scheduler is the SQL implementation of scheduler.Store.
type Scheduler struct{ db *DB }

// Scheduler returns the scheduler store over db.
func (db *DB) Scheduler() *Scheduler { return &Scheduler{db: db} }

var _ scheduler.Store = (*Scheduler)(nil)

const runColumns = `job, run_key, due_at, state, lease_owner, lease_until, attempts, last_error, done_at, done_by`

func scanRun(s scanner) (scheduler.Run, error) {
	var r scheduler.Run
	var due, lease, done int64
	err := s.Scan(&r.Job, &r.Key, &due, &r.State, &r.LeaseOwner, &lease, &r.Attempts, &r.LastError, &done, &r.DoneBy)
	r.DueAt, r.LeaseUntil, r.DoneAt = fromMicros(due), fromMicros(lease), fromMicros(done)
	return r, err
}

// Plan implements scheduler.Store.
func (s *Scheduler) Plan(ctx context.Context, r scheduler.Run) error {
	_, err := s.db.Exec(ctx, `INSERT INTO job_runs (job, run_key, due_at, state) VALUES (?, ?, ?, ?)
		ON CONFLICT (job, run_key) DO NOTHING`, r.Job, r.Key, micros(r.DueAt), r.State)
	return classify(err)
}

func (s *Scheduler) runs(ctx context.Context, q string, args ...any) ([]scheduler.Run, error) {
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []scheduler.Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, classify(rows.Err())
}

// Due implements scheduler.Store.
func (s *Scheduler) Due(ctx context.Context, now time.Time, limit int) ([]scheduler.Run, error) {
	return s.runs(ctx, "SELECT "+runColumns+` FROM job_runs
		WHERE state = 'pending' AND due_at <= ? AND lease_until < ? ORDER BY due_at, job, run_key LIMIT ?`,
		micros(now), micros(now), limit)
}

// Claim implements scheduler.Store: one conditional UPDATE, so of several
// instances exactly one gets a free lease.
func (s *Scheduler) Claim(ctx context.Context, job, key, owner string, now, until time.Time) (bool, error) {
	res, err := s.db.Exec(ctx, `UPDATE job_runs SET lease_owner = ?, lease_until = ?, attempts = attempts + 1
		WHERE job = ? AND run_key = ? AND state = 'pending' AND lease_until < ?`, owner, micros(until), job, key, micros(now))
	if err != nil {
		return false, classify(err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Finish implements scheduler.Store. Only the lease holder can finish.
func (s *Scheduler) Finish(ctx context.Context, job, key, owner string, at time.Time, errText string, maxAttempts int) error {
	var err error
	if errText == "" {
		_, err = s.db.Exec(ctx, `UPDATE job_runs SET state = 'done', done_at = ?, done_by = ?, lease_until = 0, last_error = ''
			WHERE job = ? AND run_key = ? AND lease_owner = ? AND state = 'pending'`, micros(at), owner, job, key, owner)
	} else {
		_, err = s.db.Exec(ctx, `UPDATE job_runs SET last_error = ?, lease_until = 0,
			state = CASE WHEN attempts >= ? THEN 'failed' ELSE 'pending' END
			WHERE job = ? AND run_key = ? AND lease_owner = ? AND state = 'pending'`, errText, maxAttempts, job, key, owner)
	}
	return classify(err)
}

// Runs implements scheduler.Store.
func (s *Scheduler) Runs(ctx context.Context, job string, limit int) ([]scheduler.Run, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	return s.runs(ctx, "SELECT "+runColumns+" FROM job_runs WHERE job = ? ORDER BY due_at DESC, run_key DESC LIMIT ?", job, limit)
}

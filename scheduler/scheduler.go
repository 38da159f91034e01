// Package scheduler runs the bank's time-driven work — due payments,
// clearing cycles, Betalingsservice collections, expiry of holds — from
// inside every instance, correctly when several instances share one
// database.
//
// Each run of a job has a key (say "2026-11-23T09:00"). Runs are planned
// idempotently, so every instance may plan the same run; an instance runs
// it only after taking its lease in the database, so one instance runs it
// at a time; a run is marked done in the database when it finishes, so it
// runs once. If an instance dies mid-run, the lease lapses and another
// instance runs it again: jobs must make their effects idempotent (ledger
// transfer ids derived from the run make that natural), so a resumed run
// never pays twice. Time is injected: tests run a month of cycles in
// seconds by moving a clock and calling Tick.
package scheduler

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/netbank/netbank"
)

// Run is one planned run of a job.
type Run struct {
	Job        string
	Key        string
	DueAt      time.Time
	State      string // pending | done | failed
	LeaseOwner string
	LeaseUntil time.Time
	Attempts   int
	LastError  string
	DoneAt     time.Time
	DoneBy     string
}

// The states of a run.
const (
	Pending = "pending"
	Done    = "done"
	Failed  = "failed"
)

// Store is what the scheduler needs from persistence. Package store
// implements it; each method is its own short transaction.
type Store interface {
	// Plan inserts the run unless it exists (idempotent).
	Plan(ctx context.Context, r Run) error
	// Due lists pending runs due at or before now whose lease is free.
	Due(ctx context.Context, now time.Time, limit int) ([]Run, error)
	// Claim takes the lease of a pending run if it is free (or expired)
	// and counts an attempt; it reports whether this owner got it.
	Claim(ctx context.Context, job, key, owner string, now, until time.Time) (bool, error)
	// Finish marks a run done (err == "") or records the error and frees
	// the lease; after maxAttempts failures the run is marked failed.
	Finish(ctx context.Context, job, key, owner string, at time.Time, errText string, maxAttempts int) error
	Runs(ctx context.Context, job string, limit int) ([]Run, error)
}

// Job is a kind of scheduled work.
type Job struct {
	// Name identifies the job, e.g. "clearing".
	Name string
	// Plan returns the run keys and due times of this job in the window
	// (from, to]. It is called on every tick; it must be deterministic.
	Plan func(from, to time.Time) []Planned
	// Run does the work of one run. It must be idempotent: it may run
	// again after a crash.
	Run func(ctx context.Context, key string, due time.Time) error
	// MaxAttempts bounds retries of a failing run (default 5).
	MaxAttempts int
	// Lookback, when set, bounds how far before this instance's start the
	// job's missed runs are caught up (default: the scheduler's Lookback).
	// Clearing cycles catch up a week of downtime; housekeeping need not.
	Lookback time.Duration
}

// Planned is one run a job plans.
type Planned struct {
	Key   string
	DueAt time.Time
}

// Scheduler plans and runs jobs.
type Scheduler struct {
	store Store
	clock netbank.Clock
	owner string
	lease time.Duration
	log   *slog.Logger
	onRun func(job string, took time.Duration, err error)

	mu       sync.Mutex
	jobs     map[string]Job
	started  time.Time
	lastPlan time.Time
}

// Config tunes a scheduler.
type Config struct {
	Clock netbank.Clock
	// Owner names this instance in leases (default: random).
	Owner string
	// Lease is how long a run may take before another instance may take
	// it over (default 5 minutes).
	Lease time.Duration
	// Lookback is how far back the first plan reaches (default 7 days), so
	// runs missed while every instance was down are caught up.
	Lookback time.Duration
	Logger   *slog.Logger
	// OnRun, when set, is told about every run this instance makes: the
	// job, how long the run took and its error (nil: done). Operations
	// count runs with it (package metrics); it must be quick.
	OnRun func(job string, took time.Duration, err error)
}

// New returns a scheduler.
func New(store Store, cfg Config) *Scheduler {
	if cfg.Clock == nil {
		cfg.Clock = netbank.SystemClock{}
	}
	if cfg.Owner == "" {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		cfg.Owner = "instance-" + hex.EncodeToString(b)
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 5 * time.Minute
	}
	if cfg.Lookback <= 0 {
		cfg.Lookback = 7 * 24 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Scheduler{store: store, clock: cfg.Clock, owner: cfg.Owner, lease: cfg.Lease, log: cfg.Logger, onRun: cfg.OnRun,
		jobs: map[string]Job{}, started: cfg.Clock.Now(), lastPlan: cfg.Clock.Now().Add(-cfg.Lookback)}
}

// Register adds a job.
func (s *Scheduler) Register(j Job) {
	if j.MaxAttempts <= 0 {
		j.MaxAttempts = 5
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobs[j.Name] = j
}

// Tick plans every job's runs up to now and runs every due run whose lease
// this instance gets. It returns how many runs it completed.
func (s *Scheduler) Tick(ctx context.Context) (int, error) {
	s.mu.Lock()
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	from := s.lastPlan
	jobs := make([]Job, 0, len(s.jobs))
	for _, j := range s.jobs {
		jobs = append(jobs, j)
	}
	s.mu.Unlock()
	sort.Slice(jobs, func(i, k int) bool { return jobs[i].Name < jobs[k].Name })
	for _, j := range jobs {
		jobFrom := from
		if j.Lookback > 0 && jobFrom.Before(s.started.Add(-j.Lookback)) {
			jobFrom = s.started.Add(-j.Lookback)
		}
		for _, p := range j.Plan(jobFrom, now) {
			if err := s.store.Plan(ctx, Run{Job: j.Name, Key: p.Key, DueAt: p.DueAt.UTC().Truncate(time.Microsecond), State: Pending}); err != nil {
				return 0, err
			}
		}
	}
	s.mu.Lock()
	if now.After(s.lastPlan) {
		s.lastPlan = now
	}
	s.mu.Unlock()
	done := 0
	for {
		due, err := s.store.Due(ctx, now, 100)
		if err != nil {
			return done, err
		}
		progressed := false
		for _, r := range due {
			s.mu.Lock()
			j, ok := s.jobs[r.Job]
			s.mu.Unlock()
			if !ok {
				continue // another version's job; leave it to an instance that knows it
			}
			got, err := s.store.Claim(ctx, r.Job, r.Key, s.owner, s.clock.Now().UTC(), s.clock.Now().UTC().Add(s.lease))
			if err != nil {
				return done, err
			}
			if !got {
				continue
			}
			progressed = true
			started := time.Now()
			runErr := s.safeRun(ctx, j, r)
			if s.onRun != nil {
				s.onRun(r.Job, time.Since(started), runErr)
			}
			errText := ""
			if runErr != nil {
				errText = runErr.Error()
				s.log.Error("scheduled run failed", "job", r.Job, "run", r.Key, "attempt", r.Attempts+1, "err", runErr)
			}
			if err := s.store.Finish(ctx, r.Job, r.Key, s.owner, s.clock.Now().UTC(), errText, j.MaxAttempts); err != nil {
				return done, err
			}
			if runErr == nil {
				done++
			}
		}
		if !progressed || len(due) < 100 {
			return done, nil
		}
	}
}

// safeRun runs a job, turning a panic into an error.
func (s *Scheduler) safeRun(ctx context.Context, j Job, r Run) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return j.Run(ctx, r.Key, r.DueAt)
}

// Loop ticks every interval until ctx ends.
func (s *Scheduler) Loop(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.Tick(ctx); err != nil && !errors.Is(err, context.Canceled) {
			s.log.Error("scheduler tick", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Runs lists the recent runs of a job, newest first (for operators).
func (s *Scheduler) Runs(ctx context.Context, job string, limit int) ([]Run, error) {
	return s.store.Runs(ctx, job, limit)
}

// Daily plans one run per day at the given Copenhagen wall-clock time on the
// days accepted by keep (nil: every day), keyed "2006-01-02T15:04".
func Daily(hour, minute int, keep func(day time.Time) bool) func(from, to time.Time) []Planned {
	cph, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		panic(err)
	}
	return func(from, to time.Time) []Planned {
		var out []Planned
		// Walk the Copenhagen calendar dates the window touches; comparing
		// instants (not dates) keeps runs between Copenhagen and UTC
		// midnight, such as 01:30.
		f, t := from.In(cph), to.In(cph)
		last := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		for d := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, time.UTC); !d.After(last); d = d.AddDate(0, 0, 1) {
			at := time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, cph)
			if !at.After(from) || at.After(to) {
				continue
			}
			if keep != nil && !keep(d) {
				continue
			}
			out = append(out, Planned{Key: at.Format("2006-01-02T15:04"), DueAt: at})
		}
		return out
	}
}

package scheduler_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/scheduler"
	"github.com/netbank/netbank/store"
)

// TestOnRunSeesEveryRun: the OnRun hook hears of each run this instance
// makes, with the job's name and its error: a failing run each time it is
// tried, a good run once, and nothing for a run another instance holds.
func TestOnRunSeesEveryRun(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := testkit.NewClock(time.Date(2026, 5, 4, 6, 0, 0, 0, time.UTC))
		var mu sync.Mutex
		seen := map[string]int{}
		s := scheduler.New(db.Scheduler(), scheduler.Config{Clock: clock, Owner: "i1", Lookback: time.Hour, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			OnRun: func(job string, took time.Duration, err error) {
				mu.Lock()
				defer mu.Unlock()
				if took < 0 {
					t.Errorf("run of %s took %v", job, took)
				}
				seen[job+" "+map[bool]string{true: "ok", false: "failed"}[err == nil]]++
			}})
		s.Register(scheduler.Job{Name: "good", Plan: scheduler.Daily(9, 0, nil),
			Run: func(ctx context.Context, key string, due time.Time) error { return nil }})
		s.Register(scheduler.Job{Name: "bad", Plan: scheduler.Daily(9, 0, nil), MaxAttempts: 2,
			Run: func(ctx context.Context, key string, due time.Time) error { return errors.New("no") }})
		for range 3 { // the 09:00 runs of 4 May, then two retries
			clock.Advance(4 * time.Hour)
			if _, err := s.Tick(ctx); err != nil {
				t.Fatal(err)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		want := map[string]int{"good ok": 1, "bad failed": 2} // two attempts, then the run is failed for good
		if len(seen) != len(want) || seen["good ok"] != 1 || seen["bad failed"] != 2 {
			t.Fatalf("OnRun saw %v, want %v", seen, want)
		}
	})
}

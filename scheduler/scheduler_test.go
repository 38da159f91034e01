package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/netbank/netbank/calendar"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/scheduler"
	"github.com/netbank/netbank/store"
)

var cph, _ = time.LoadLocation("Europe/Copenhagen")

// TestExactlyOnceAcrossInstances: three instances share one database and
// tick concurrently through a simulated month; every planned run of the
// 09:00 bank-day job runs exactly once.
func TestExactlyOnceAcrossInstances(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		start := time.Date(2026, 5, 1, 0, 0, 0, 0, cph)
		clock := testkit.NewClock(start)
		var mu sync.Mutex
		ran := map[string]int{}
		job := scheduler.Job{Name: "clearing-0900", Plan: scheduler.Daily(9, 0, calendar.IsBankDay),
			Run: func(ctx context.Context, key string, due time.Time) error {
				mu.Lock()
				ran[key]++
				mu.Unlock()
				return nil
			}}
		var instances []*scheduler.Scheduler
		for i := 0; i < 3; i++ {
			s := scheduler.New(db.Scheduler(), scheduler.Config{Clock: clock, Owner: fmt.Sprintf("i%d", i), Lookback: time.Hour})
			s.Register(job)
			instances = append(instances, s)
		}
		for step := 0; step < 31*6; step++ { // every 4 hours through May
			clock.Advance(4 * time.Hour)
			var wg sync.WaitGroup
			for _, s := range instances {
				wg.Add(1)
				go func(s *scheduler.Scheduler) {
					defer wg.Done()
					if _, err := s.Tick(ctx); err != nil {
						t.Error(err)
					}
				}(s)
			}
			wg.Wait()
		}
		// RULE CAL-1: May 2026 has 18 bank days (Ascension Thursday 14th and
		// the Friday after, Whit Monday 25th are not; weekends are not).
		if len(ran) != 18 {
			t.Fatalf("%d runs, want 18 bank days: %v", len(ran), ran)
		}
		for key, n := range ran {
			if n != 1 {
				t.Errorf("run %s ran %d times", key, n)
			}
		}
		for _, k := range []string{"2026-05-14T09:00", "2026-05-15T09:00", "2026-05-25T09:00"} {
			if ran[k] != 0 {
				t.Errorf("run on a non-bank day %s", k)
			}
		}
		runs, _ := instances[0].Runs(ctx, "clearing-0900", 100)
		for _, r := range runs {
			if r.State != scheduler.Done || r.Attempts != 1 {
				t.Errorf("run %+v", r)
			}
		}
	})
}

// TestCrashedRunIsTakenOver: an instance claims a run and dies; after the
// lease lapses another instance runs it; the job's idempotency key keeps
// the effect single.
func TestCrashedRunIsTakenOver(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := testkit.NewClock(time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC))
		effects := map[string]bool{} // what an idempotent job writes, keyed by run
		runs := 0
		job := scheduler.Job{Name: "collect", Plan: func(from, to time.Time) []scheduler.Planned {
			due := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
			if due.After(from) && !due.After(to) {
				return []scheduler.Planned{{Key: "2026-06-01", DueAt: due}}
			}
			return nil
		}, Run: func(ctx context.Context, key string, due time.Time) error {
			runs++
			effects[key] = true
			return nil
		}}
		st := db.Scheduler()
		a := scheduler.New(st, scheduler.Config{Clock: clock, Owner: "a", Lease: time.Minute})
		b := scheduler.New(st, scheduler.Config{Clock: clock, Owner: "b", Lease: time.Minute})
		a.Register(job)
		b.Register(job)
		clock.Advance(2 * time.Hour)
		if _, err := b.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		if runs != 1 {
			t.Fatalf("runs %d", runs)
		}
		// Another run: instance a claims it and crashes before finishing.
		if err := st.Plan(ctx, scheduler.Run{Job: "collect", Key: "2026-06-02", DueAt: clock.Now(), State: scheduler.Pending}); err != nil {
			t.Fatal(err)
		}
		if ok, err := st.Claim(ctx, "collect", "2026-06-02", "a", clock.Now(), clock.Now().Add(time.Minute)); err != nil || !ok {
			t.Fatalf("claim %v %v", ok, err)
		}
		if _, err := b.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		if effects["2026-06-02"] {
			t.Fatal("b ran a run whose lease a still holds")
		}
		clock.Advance(2 * time.Minute) // a's lease lapses
		if _, err := b.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		if !effects["2026-06-02"] {
			t.Fatal("the crashed run was not taken over")
		}
		// A late finish by the crashed owner changes nothing.
		if err := st.Finish(ctx, "collect", "2026-06-02", "a", clock.Now(), "", 5); err != nil {
			t.Fatal(err)
		}
		rs, _ := b.Runs(ctx, "collect", 10)
		for _, r := range rs {
			if r.Key == "2026-06-02" && (r.State != scheduler.Done || r.DoneBy != "b") {
				t.Fatalf("run %+v", r)
			}
		}
	})
}

func TestFailingRunRetriesThenFails(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := testkit.NewClock(time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC))
		attempts := 0
		s := scheduler.New(db.Scheduler(), scheduler.Config{Clock: clock, Owner: "a", Logger: nil})
		s.Register(scheduler.Job{Name: "flaky", MaxAttempts: 3, Plan: func(from, to time.Time) []scheduler.Planned {
			return []scheduler.Planned{{Key: "only", DueAt: time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)}}
		}, Run: func(ctx context.Context, key string, due time.Time) error {
			attempts++
			if attempts == 2 {
				panic("boom")
			}
			return errors.New("database down")
		}})
		for i := 0; i < 6; i++ {
			if _, err := s.Tick(ctx); err != nil {
				t.Fatal(err)
			}
			clock.Advance(time.Minute)
		}
		rs, _ := s.Runs(ctx, "flaky", 10)
		if attempts != 3 || len(rs) != 1 || rs[0].State != scheduler.Failed || rs[0].LastError == "" {
			t.Fatalf("attempts %d runs %+v", attempts, rs)
		}
	})
}

// TestDailyNearMidnight: a run between Copenhagen midnight and UTC midnight
// (01:30 in summer is 23:30 UTC the day before) is planned in a window
// around it, and only once across consecutive windows.
func TestDailyNearMidnight(t *testing.T) {
	plan := scheduler.Daily(1, 30, nil)
	at := func(d, h, m int) time.Time { return time.Date(2026, 6, d, h, m, 0, 0, cph) }
	cases := []struct {
		name     string
		from, to time.Time
		want     []string
	}{
		{"short window around 01:30", at(2, 1, 22), at(2, 1, 37), []string{"2026-06-02T01:30"}},
		{"window across midnight", at(1, 23, 22), at(2, 1, 37), []string{"2026-06-02T01:30"}},
		{"window before", at(2, 0, 0), at(2, 1, 29), nil},
		{"two days", at(1, 0, 0), at(3, 0, 0), []string{"2026-06-01T01:30", "2026-06-02T01:30"}},
		{"window ends on the run", at(2, 1, 0), at(2, 1, 30), []string{"2026-06-02T01:30"}},
		{"window starts on the run", at(2, 1, 30), at(2, 2, 0), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, p := range plan(c.from.UTC(), c.to.UTC()) {
				got = append(got, p.Key)
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Fatalf("planned %v, want %v", got, c.want)
			}
		})
	}
}

package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/scheduler"
)

// TestHousekeepingIsScheduled: the bank's scheduler runs the nightly
// identity housekeeping once per day.
func TestHousekeepingIsScheduled(t *testing.T) {
	ctx := context.Background()
	clock := testkit.NewClock(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))
	a, err := app.New(ctx, app.Config{DataDir: t.TempDir(), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for i := 0; i < 4; i++ { // to 23.11.2026 13.00 in Copenhagen
		clock.Advance(12 * time.Hour)
		if _, err := a.Scheduler.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	runs, err := a.Scheduler.Runs(ctx, "identity-housekeeping", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].Key != "2026-11-23T03:30" || runs[0].State != scheduler.Done {
		t.Fatalf("runs %+v", runs)
	}
}

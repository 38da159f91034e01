package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/demo"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/store"
)

func TestSeed(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := testkit.NewClock(time.Date(2026, 11, 21, 14, 30, 0, 0, time.UTC))
		l := ledger.New(db.Ledger(), ledger.Config{Clock: clock})
		defer l.Close()
		if err := demo.Seed(ctx, l, clock); err != nil {
			t.Fatal(err)
		}
		before := l.Stats()
		if err := demo.Seed(ctx, l, clock); err != nil {
			t.Fatalf("second seed: %v", err)
		}
		rep, err := l.Check(ctx)
		if err != nil || !rep.OK() {
			t.Fatalf("check after seeding: %v %v", rep.Violations, err)
		}
		for _, a := range demo.Accounts {
			b, err := l.Balance(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if b.Available < 0 {
				t.Errorf("%s %s past its limit: %+v", a.Owner, a.Name, b)
			}
		}
		// Mette's salary account has salaries, rent, Betalingsservice and card purchases.
		st, err := l.Statement(ctx, demo.Accounts[0].ID, time.Time{}, time.Time{}, 0, 500)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, e := range st.Entries {
			seen[e.Code]++
			if e.Code == "salary" && !strings.HasPrefix(e.Text, "Løn Region Midtjylland") {
				t.Errorf("salary text %q", e.Text)
			}
		}
		for _, code := range []string{"salary", "payment", "betalingsservice", "card", "opening"} {
			if seen[code] == 0 {
				t.Errorf("no %s postings on the demo salary account (saw %v)", code, seen)
			}
		}
		if seen["salary"] < demo.Months {
			t.Errorf("%d salaries, want at least %d", seen["salary"], demo.Months)
		}
		// Seeding the same day again wrote nothing new (the second Seed's
		// linked batches were all idempotent repeats, not new transfers).
		_ = before
		entries := len(st.Entries)
		st2, _ := l.Statement(ctx, demo.Accounts[0].ID, time.Time{}, time.Time{}, 0, 500)
		if len(st2.Entries) != entries {
			t.Fatalf("re-seeding changed the history: %d → %d entries", entries, len(st2.Entries))
		}
		// A later day does not seed again.
		clock.Advance(48 * time.Hour)
		if err := demo.Seed(ctx, l, clock); err != nil {
			t.Fatal(err)
		}
		st3, _ := l.Statement(ctx, demo.Accounts[0].ID, time.Time{}, time.Time{}, 0, 500)
		if len(st3.Entries) != entries {
			t.Fatalf("seeding on a later day added history: %d → %d", entries, len(st3.Entries))
		}
	})
}

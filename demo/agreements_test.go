package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/netbank/netbank/agreement"
	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/demo"
	"github.com/netbank/netbank/internal/testkit"
)

// RULE PAY-8, CAL-1: the demo customers have Betalingsservice agreements
// with one collection announced for the first bank day of next month, or
// of the month after when that one could no longer be rejected: seeded on
// Saturday 28 November 2026, Tuesday 1 December can still be rejected on
// Monday 30 November; seeded on Sunday 31 January 2027, Monday 1 February
// could be rejected only until Friday 29 January, so 1 March it is. Mette
// has an e-invoice waiting under "Ikke godkendte". Seeding again repeats
// nothing, also after a tester cancelled an agreement.
func TestSeedAgreements_PAY8(t *testing.T) {
	for _, tc := range []struct {
		name string
		now  time.Time
		due  time.Time
	}{
		{"Saturday 28 November", time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)},
		{"Sunday 31 January", time.Date(2027, 1, 31, 10, 0, 0, 0, time.UTC), time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			clock := testkit.NewClock(tc.now)
			dir := t.TempDir()
			a, err := app.New(ctx, app.Config{DataDir: dir, Clock: clock, Demo: true})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			mette := customerID(t, a, "Mette Kjær Nielsen")
			list, err := a.Agreements.List(ctx, mette)
			if err != nil || len(list) != 3 {
				t.Fatalf("Mette's agreements %+v %v", list, err)
			}
			up, err := a.Agreements.Upcoming(ctx, mette)
			if err != nil || len(up) != 2 {
				t.Fatalf("Mette's upcoming collections %+v %v", up, err)
			}
			for _, c := range up {
				if !c.DueDate.Equal(tc.due) || c.AccountID != demo.Accounts[0].ID || !c.Rejectable(clock.Now()) {
					t.Errorf("collection %+v", c)
				}
			}
			bills, err := a.Agreements.Invoices(ctx, mette)
			if err != nil || len(bills) != 1 || bills[0].CreditorName != "Aarhus Vand A/S" {
				t.Fatalf("Mette's bills %+v %v", bills, err)
			}
			lars := customerID(t, a, "Lars Bo Jensen")
			if up, _ := a.Agreements.Upcoming(ctx, lars); len(up) != 2 {
				t.Fatalf("Lars's upcoming collections %+v", up)
			}

			// A tester cancels one; the seeding runs again (the same day).
			if _, err := a.Agreements.Cancel(ctx, mette, up[0].AgreementID, "tester"); err != nil {
				t.Fatal(err)
			}
			if err := demo.SeedAgreements(ctx, a.Agreements, a.Identity, clock); err != nil {
				t.Fatalf("seeding again: %v", err)
			}
			if again, _ := a.Agreements.Upcoming(ctx, mette); len(again) != 1 {
				t.Fatalf("after seeding again %+v", again)
			}
			if again, _ := a.Agreements.Invoices(ctx, mette); len(again) != 1 || again[0].ID != bills[0].ID {
				t.Fatalf("bills after seeding again %+v", again)
			}
			if list, _ := a.Agreements.List(ctx, mette); len(list) != 3 || list[2].Status != agreement.Cancelled {
				t.Fatalf("agreements after seeding again %+v", list)
			}
		})
	}
}

func customerID(t *testing.T, a *app.App, name string) string {
	t.Helper()
	found, err := a.Identity.FindCustomers(context.Background(), name, 2)
	if err != nil || len(found) != 1 {
		t.Fatalf("%s: %v %v", name, found, err)
	}
	return found[0].ID
}

package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/demo"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/payment"
)

// TestRejectedPaymentIsNotified: the bank wires payments to the scheduler
// and tells the customer, in the messages, when a future payment cannot be
// made on its date (no money left by then).
func TestRejectedPaymentIsNotified(t *testing.T) {
	ctx := context.Background()
	clock := testkit.NewClock(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)) // Monday
	a, err := app.New(ctx, app.Config{DataDir: t.TempDir(), Clock: clock, Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	sofie := demo.Accounts[4] // Sofie Andersen's salary account
	found, err := a.Identity.FindCustomers(ctx, sofie.Owner, 1)
	if err != nil || len(found) != 1 {
		t.Fatal(found, err)
	}
	cust := found[0]
	users, _ := a.Identity.UsersOfCustomer(ctx, cust.ID)
	bal, _ := a.Ledger.Balance(ctx, sofie.ID)
	// A payment for Wednesday of almost everything she has…
	p, err := a.Payments.Create(ctx, payment.Request{CustomerID: cust.ID, UserID: users[0].ID, ClientID: "t1", FromAccount: sofie.ID,
		ToReg: "5301", ToAccount: "0001234567", ToName: "Kollegiet Kampsax", Amount: bal.Available - 100,
		Date: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Payments.Confirm(ctx, cust.ID, p.ID, "doc_test", users[0].ID); err != nil {
		t.Fatal(err)
	}
	// …and on Tuesday she spends some of it.
	clock.Advance(24 * time.Hour)
	if _, err := a.Ledger.Transfer(ctx, ledger.TransferRequest{ID: "card-tue", DebitAccountID: sofie.ID,
		CreditAccountID: ledger.InternalAccountID(ledger.KindCardSettlement, "DKK"), Amount: 500_00, Text: "Visa/Dankort Netto"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ { // through Wednesday
		clock.Advance(6 * time.Hour)
		if _, err := a.Scheduler.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got, err := a.Payments.Get(ctx, cust.ID, p.ID)
	if err != nil || got.Status != payment.Rejected {
		t.Fatalf("payment %+v %v, want rejected", got.Status, err)
	}
	threads, err := a.Inbox.Threads(ctx, cust.ID)
	if err != nil || len(threads) != 1 || !strings.Contains(threads[0].Subject, "Betaling afvist") ||
		!strings.Contains(threads[0].Messages[0].Body, "Kollegiet Kampsax") {
		t.Fatalf("messages %+v %v", threads, err)
	}
	if rep, err := a.Ledger.Check(ctx); err != nil || !rep.OK() {
		t.Fatalf("ledger %v %v", rep.Violations, err)
	}
}

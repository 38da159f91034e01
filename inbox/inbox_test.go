package inbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/inbox"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/store"
)

var (
	mette = inbox.Actor{ID: "usr_mette", Kind: "customer", Name: "Mette Kjær Nielsen"}
	staff = inbox.Actor{ID: "stf_kasper", Kind: "staff", Name: "Kasper Thomsen"}
)

func setup(t *testing.T, db *store.DB, at time.Time) (*inbox.Service, *testkit.Clock) {
	t.Helper()
	for _, id := range []string{"cus_a", "cus_b"} {
		if _, err := db.Exec(context.Background(), "INSERT INTO customers (id, kind, name, created_at) VALUES (?, 'private', ?, 1)", id, id); err != nil {
			t.Fatal(err)
		}
	}
	clock := testkit.NewClock(at)
	t.Cleanup(func() {
		if _, err := db.Audit().Verify(context.Background()); err != nil {
			t.Errorf("audit chain: %v", err)
		}
	})
	return inbox.New(db.Inbox(), clock), clock
}

func TestMessages(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in, clock := setup(t, db, time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
		// RULE MSG-1: a secure two-way channel inside the net bank.
		m, err := in.Write(ctx, "cus_a", "", "Spørgsmål om mit kort", "Hej, hvornår kommer mit nye kort?", mette)
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Hour)
		if _, err := in.Answer(ctx, "cus_a", m.ThreadID, "Det er sendt i går og er hos dig inden fredag.", staff); err != nil {
			t.Fatal(err)
		}
		threads, err := in.Threads(ctx, "cus_a")
		if err != nil || len(threads) != 1 || len(threads[0].Messages) != 2 || threads[0].Unread != 1 || !threads[0].Answered {
			t.Fatalf("threads %+v %v", threads, err)
		}
		// Reading marks the bank's message read.
		if _, err := in.Thread(ctx, "cus_a", m.ThreadID, inbox.FromCustomer); err != nil {
			t.Fatal(err)
		}
		if n, _ := in.Unread(ctx, "cus_a"); n != 0 {
			t.Fatalf("unread %d after reading", n)
		}
		// Another customer sees nothing of it, and cannot write into it.
		if _, err := in.Thread(ctx, "cus_b", m.ThreadID, inbox.FromCustomer); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("other customer read the thread: %v", err)
		}
		if _, err := in.Write(ctx, "cus_b", m.ThreadID, "", "Hej", mette); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("other customer wrote into the thread: %v", err)
		}
		if th, _ := in.Threads(ctx, "cus_b"); len(th) != 0 {
			t.Fatalf("customer b sees %d threads", len(th))
		}
		// The staff queue holds threads whose last word is the customer's.
		clock.Advance(time.Hour)
		in.Write(ctx, "cus_a", m.ThreadID, "", "Tak! Og hvad med PIN-koden?", mette)
		open, err := in.OpenThreads(ctx, 10)
		if err != nil || len(open) != 1 || open[0].ID != m.ThreadID {
			t.Fatalf("open threads %+v %v", open, err)
		}
		// RULE MSG-2: system messages (e.g. a card block with reason and time); they cannot be answered.
		sys, err := in.Notify(ctx, "cus_a", "Dit kort er spærret", "Dit Visa Debit-kort ****1234 blev spærret 21.11.2026 kl. 11.00. Årsag: bortkommet.")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := in.Write(ctx, "cus_a", sys.ThreadID, "", "Svar", mette); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Fatalf("answering a system message: %v", err)
		}
		for _, bad := range []struct{ subject, body string }{{"", "x"}, {"x", ""}, {string(make([]rune, 201)), "x"}} {
			if _, err := in.Write(ctx, "cus_a", "", bad.subject, bad.body, mette); netbank.ErrorCodeOf(err) != netbank.EINVALID {
				t.Fatalf("bad message accepted: %v", err)
			}
		}
	})
}

func TestContracts(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// Published and approved on Friday 1 May 2026: +14 days = Friday 15 May,
		// the Friday after Ascension, which is not a bank day.
		in, clock := setup(t, db, time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC))
		c, err := in.Publish(ctx, "cus_a", "Aftale om Visa Debit", "Vilkår …", inbox.Distance, staff)
		if err != nil {
			t.Fatal(err)
		}
		// RULE CONTR-1: a pending contract closes the rest of the net bank.
		if p, _ := in.HasPending(ctx, "cus_a"); !p {
			t.Fatal("pending contract not reported")
		}
		if p, _ := in.HasPending(ctx, "cus_b"); p {
			t.Fatal("another customer has a pending contract")
		}
		if _, err := in.Approve(ctx, "cus_b", c.ID, "doc_x", mette); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("another customer approved it: %v", err)
		}
		c, err = in.Approve(ctx, "cus_a", c.ID, "doc_1", mette)
		if err != nil {
			t.Fatal(err)
		}
		if p, _ := in.HasPending(ctx, "cus_a"); p {
			t.Fatal("still pending after approval")
		}
		if _, err := in.Approve(ctx, "cus_a", c.ID, "doc_2", mette); netbank.ErrorCodeOf(err) != netbank.ECONFLICT {
			t.Fatalf("approved twice: %v", err)
		}
		// RULE CONTR-2: the deadline moves from Friday 15 May to Monday 18 May.
		d, ok := c.WithdrawalDeadline()
		if !ok || d != time.Date(2026, 5, 18, 0, 0, 0, 0, time.UTC) {
			t.Fatalf("deadline %v %v, want 2026-05-18", d, ok)
		}
		// A credit agreement's deadline never moves.
		cr, _ := in.Publish(ctx, "cus_a", "Kreditaftale", "Vilkår …", inbox.Credit, staff)
		cr, _ = in.Approve(ctx, "cus_a", cr.ID, "doc_3", mette)
		if d, _ := cr.WithdrawalDeadline(); d != time.Date(2026, 5, 15, 0, 0, 0, 0, time.UTC) {
			t.Fatalf("credit deadline %v, want 2026-05-15", d)
		}
		// RULE CONTR-3: no right of withdrawal when the price follows the capital market.
		cm, _ := in.Publish(ctx, "cus_a", "Køb af obligationer", "Vilkår …", inbox.CapitalMarket, staff)
		cm, _ = in.Approve(ctx, "cus_a", cm.ID, "doc_4", mette)
		if _, ok := cm.WithdrawalDeadline(); ok {
			t.Fatal("capital-market contract has a withdrawal deadline")
		}
		if _, err := in.Withdraw(ctx, "cus_a", cm.ID, mette); netbank.ErrorCodeOf(err) != netbank.EFORBIDDEN {
			t.Fatalf("withdrew a capital-market contract: %v", err)
		}
		// Withdrawal on the last day (Monday 18 May, late evening Danish time) works; the day after, not.
		clock.Set(time.Date(2026, 5, 18, 21, 30, 0, 0, time.UTC)) // 23.30 in Copenhagen
		if _, err := in.Withdraw(ctx, "cus_a", c.ID, mette); err != nil {
			t.Fatalf("withdraw on the last day: %v", err)
		}
		clock.Set(time.Date(2026, 5, 15, 22, 30, 0, 0, time.UTC)) // 16 May 00.30 in Copenhagen
		if _, err := in.Withdraw(ctx, "cus_a", cr.ID, mette); netbank.ErrorCodeOf(err) != netbank.EFORBIDDEN {
			t.Fatalf("credit contract withdrawn after its deadline: %v", err)
		}
	})
}

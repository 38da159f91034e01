package payment_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/payment"
	"github.com/netbank/netbank/scheduler"
	"github.com/netbank/netbank/store"
)

var cph, _ = time.LoadLocation("Europe/Copenhagen")

// at is a Copenhagen wall-clock time.
func at(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, cph) }

// date is a civil date as package calendar represents it.
func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

var (
	clearingAccount   = ledger.InternalAccountID(ledger.KindInterbankClearing, "DKK")
	settlementAccount = ledger.InternalAccountID(ledger.KindSettlement, "DKK")
	suspenseAccount   = ledger.InternalAccountID(ledger.KindSuspense, "DKK")
)

// Accounts of the fixture (reg 9070).
const (
	annaSalary   = "9070-0000001001" // private customer cus_anna, 10.000 kr.
	annaSavings  = "9070-0000001002" // cus_anna, 0 kr.
	bentSalary   = "9070-0000002001" // private customer cus_bent, 1.000 kr.
	carlOverdraw = "9070-0000003001" // cus_carl: 0 kr. with a 1.000 kr. overdraft
	bizAccount   = "9070-0000004001" // business cus_biz, 1.000.000 kr.
	bentEUR      = "9070-0000002002" // cus_bent, a EUR account
)

type fixture struct {
	t        *testing.T
	ctx      context.Context
	db       *store.DB
	clock    *testkit.Clock
	ledger   *ledger.Service
	accounts *account.Service
	svc      *payment.Service
	sched    *scheduler.Scheduler

	mu       sync.Mutex
	notified []payment.Payment
	n        int
}

// newFixture opens a bank at start with the fixture's customers and
// accounts, the payment service and a scheduler with its jobs. When the
// test ends, the ledger's invariants must hold.
func newFixture(t *testing.T, db *store.DB, start time.Time) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), db: db, clock: testkit.NewClock(start)}
	for _, c := range [][2]string{{"cus_anna", "private"}, {"cus_bent", "private"}, {"cus_carl", "private"}, {"cus_biz", "business"}} {
		if _, err := db.Exec(f.ctx, "INSERT INTO customers (id, kind, name, created_at) VALUES (?, ?, ?, 1)", c[0], c[1], c[0]); err != nil {
			t.Fatal(err)
		}
	}
	f.ledger = ledger.New(db.Ledger(), ledger.Config{Clock: f.clock})
	t.Cleanup(func() {
		rep, err := f.ledger.Check(f.ctx)
		if err != nil || !rep.OK() {
			t.Errorf("ledger check: %v %v", rep.Violations, err)
		}
		f.ledger.Close()
	})
	if err := f.ledger.EnsureInternalAccounts(f.ctx, "DKK", "EUR"); err != nil {
		t.Fatal(err)
	}
	f.accounts = account.New(db.Accounts(), f.ledger, dk.NetbankReg, f.clock)
	for _, a := range []struct {
		customer  string
		number    string
		currency  string
		overdraft int64
		deposit   int64
	}{
		{"cus_anna", "0000001001", "DKK", 0, 10_000_00},
		{"cus_anna", "0000001002", "DKK", 0, 0},
		{"cus_bent", "0000002001", "DKK", 0, 1_000_00},
		{"cus_bent", "0000002002", "EUR", 0, 0},
		{"cus_carl", "0000003001", "DKK", 1_000_00, 0},
		{"cus_biz", "0000004001", "DKK", 0, 1_000_000_00},
	} {
		acc, err := f.accounts.Open(f.ctx, a.customer, account.Salary, "", a.currency, a.number, a.overdraft)
		if err != nil {
			t.Fatal(err)
		}
		if a.deposit > 0 {
			f.mustTransfer(ledger.TransferRequest{ID: "deposit:" + acc.ID, DebitAccountID: settlementAccount, CreditAccountID: acc.ID,
				Amount: a.deposit, Code: "deposit", Text: "Indskud"})
		}
	}
	f.svc = payment.New(db.Payments(), f.ledger, f.accounts, payment.Config{Clock: f.clock,
		Notify: func(ctx context.Context, p payment.Payment) {
			f.mu.Lock()
			f.notified = append(f.notified, p)
			f.mu.Unlock()
		}})
	f.sched = scheduler.New(db.Scheduler(), scheduler.Config{Clock: f.clock, Owner: "test", Lookback: time.Hour})
	f.svc.RegisterJobs(f.sched)
	return f
}

func (f *fixture) mustTransfer(r ledger.TransferRequest) {
	f.t.Helper()
	if _, err := f.ledger.Transfer(f.ctx, r); err != nil {
		f.t.Fatal(err)
	}
}

// transfer is a request for a transfer from one of customer's accounts.
func (f *fixture) transfer(customer, user, from, toReg, toAccount string, amount int64) payment.Request {
	f.n++
	return payment.Request{CustomerID: customer, UserID: user, ClientID: fmt.Sprintf("form-%d", f.n), FromAccount: from,
		ToReg: toReg, ToAccount: toAccount, Amount: amount}
}

// anna is a transfer by Anna from her salary account.
func (f *fixture) anna(toReg, toAccount string, amount int64) payment.Request {
	return f.transfer("cus_anna", "usr_anna", annaSalary, toReg, toAccount, amount)
}

func (f *fixture) create(r payment.Request) payment.Payment {
	f.t.Helper()
	p, err := f.svc.Create(f.ctx, r)
	if err != nil {
		f.t.Fatalf("create %+v: %v", r, err)
	}
	if p.Status != payment.AwaitingSignature {
		f.t.Fatalf("created payment is %s", p.Status)
	}
	return p
}

// pay creates a payment and confirms it as signed by its creator.
func (f *fixture) pay(r payment.Request) payment.Payment {
	f.t.Helper()
	p := f.create(r)
	p, err := f.svc.Confirm(f.ctx, r.CustomerID, p.ID, "doc_"+r.ClientID, r.UserID)
	if err != nil {
		f.t.Fatalf("confirm: %v", err)
	}
	return p
}

func (f *fixture) get(customer, id string) payment.Payment {
	f.t.Helper()
	p, err := f.svc.Get(f.ctx, customer, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

// posted is an account's posted balance.
func (f *fixture) posted(id string) int64 {
	f.t.Helper()
	b, err := f.ledger.Balance(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return b.Posted
}

// runUntil moves the clock in steps of step to until, ticking the
// scheduler after each step, as a running bank would.
func (f *fixture) runUntil(until time.Time, step time.Duration) {
	f.t.Helper()
	for f.clock.Now().Before(until) {
		next := f.clock.Now().Add(step)
		if next.After(until) {
			next = until
		}
		f.clock.Set(next)
		if _, err := f.sched.Tick(f.ctx); err != nil {
			f.t.Fatalf("tick at %s: %v", next, err)
		}
	}
}

// transfers counts the ledger transfers with this id (0 or 1).
func (f *fixture) hasTransfer(id string) bool {
	f.t.Helper()
	_, err := f.ledger.GetTransfer(f.ctx, id)
	if err != nil && netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
		f.t.Fatal(err)
	}
	return err == nil
}

func (f *fixture) countTransfers(code string) int {
	f.t.Helper()
	var n int
	if err := f.db.QueryRow(f.ctx, "SELECT COUNT(*) FROM ledger_transfers WHERE code = ?", code).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func wantCode(t *testing.T, err error, code netbank.ErrorCode) {
	t.Helper()
	if netbank.ErrorCodeOf(err) != code {
		t.Fatalf("got error %v, want code %s", err, code)
	}
}

package agreement_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/agreement"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/payment"
	"github.com/netbank/netbank/scheduler"
	"github.com/netbank/netbank/store"
)

var cph, _ = time.LoadLocation("Europe/Copenhagen")

// at is a Copenhagen wall-clock time.
func at(y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, cph)
}

// date is a civil date as package calendar represents it.
func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

var (
	clearingAccount   = ledger.InternalAccountID(ledger.KindInterbankClearing, "DKK")
	settlementAccount = ledger.InternalAccountID(ledger.KindSettlement, "DKK")
)

// Accounts of the fixture (reg 9070).
const (
	annaSalary = "9070-0000001001" // cus_anna, 10.000 kr.
	annaEUR    = "9070-0000001002" // cus_anna, a EUR account
	bentSalary = "9070-0000002001" // cus_bent, 100 kr.
)

// Creditors of the fixture.
const (
	orsted     = "02631445" // a PBS number (Betalingsservice)
	debGroup   = "00001"
	aarhusVand = "81234567" // an FI creditor number (e-invoice)
)

type fixture struct {
	t        *testing.T
	ctx      context.Context
	db       *store.DB
	clock    *testkit.Clock
	ledger   *ledger.Service
	accounts *account.Service
	payments *payment.Service
	svc      *agreement.Service
	sched    *scheduler.Scheduler

	mu       sync.Mutex
	notified []payment.Payment
	n        int
}

// newFixture opens a bank at start with two private customers, the
// payment and agreement services and a scheduler with their jobs. When the
// test ends, the ledger's invariants must hold.
func newFixture(t *testing.T, db *store.DB, start time.Time) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), db: db, clock: testkit.NewClock(start)}
	for _, c := range []string{"cus_anna", "cus_bent"} {
		if _, err := db.Exec(f.ctx, "INSERT INTO customers (id, kind, name, created_at) VALUES (?, 'private', ?, 1)", c, c); err != nil {
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
		customer, number, currency string
		deposit                    int64
	}{
		{"cus_anna", "0000001001", "DKK", 10_000_00},
		{"cus_anna", "0000001002", "EUR", 0},
		{"cus_bent", "0000002001", "DKK", 100_00},
	} {
		acc, err := f.accounts.Open(f.ctx, a.customer, account.Salary, "", a.currency, a.number, 0)
		if err != nil {
			t.Fatal(err)
		}
		if a.deposit > 0 {
			if _, err := f.ledger.Transfer(f.ctx, ledger.TransferRequest{ID: "deposit:" + acc.ID, DebitAccountID: settlementAccount,
				CreditAccountID: acc.ID, Amount: a.deposit, Code: "deposit", Text: "Indskud"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	f.payments = payment.New(db.Payments(), f.ledger, f.accounts, payment.Config{Clock: f.clock,
		Notify: func(ctx context.Context, p payment.Payment) {
			f.mu.Lock()
			f.notified = append(f.notified, p)
			f.mu.Unlock()
		}})
	f.svc = agreement.New(db.Agreements(), f.payments, f.accounts, agreement.Config{Clock: f.clock})
	f.sched = f.instance("test")
	return f
}

// instance is one more bank instance's scheduler on the same database,
// with the payment and agreement jobs.
func (f *fixture) instance(owner string) *scheduler.Scheduler {
	s := scheduler.New(f.db.Scheduler(), scheduler.Config{Clock: f.clock, Owner: owner, Lookback: time.Hour})
	f.payments.RegisterJobs(s)
	f.svc.RegisterJobs(s)
	return s
}

func (f *fixture) clientID() string {
	f.n++
	return fmt.Sprintf("form-%d", f.n)
}

// betalingsservice is Anna's sign-up to Ørsted from her salary account.
func (f *fixture) betalingsservice(customerNumber string) agreement.Request {
	return agreement.Request{CustomerID: "cus_anna", UserID: "usr_anna", ClientID: f.clientID(), Kind: agreement.Betalingsservice,
		AccountID: annaSalary, CreditorNumber: orsted, DebtorGroup: debGroup, CustomerNumber: customerNumber,
		CreditorName: "Ørsted Salg & Service A/S"}
}

// signUp creates a Betalingsservice agreement and confirms it as signed.
func (f *fixture) signUp(r agreement.Request) agreement.Agreement {
	f.t.Helper()
	a, err := f.svc.Create(f.ctx, r)
	if err != nil {
		f.t.Fatalf("create %+v: %v", r, err)
	}
	if a, err = f.svc.Confirm(f.ctx, r.CustomerID, a.ID, "doc_"+r.ClientID, r.UserID); err != nil {
		f.t.Fatalf("confirm: %v", err)
	}
	return a
}

// announce is Ørsted's announcement of amount for customerNumber due on due.
func announcement(customerNumber, reference string, amount int64, due time.Time) agreement.Announcement {
	return agreement.Announcement{CreditorNumber: orsted, DebtorGroup: "1", CustomerNumber: customerNumber, Amount: amount,
		DueDate: due, Text: "Elregning", CreditorReference: reference}
}

func (f *fixture) announce(an agreement.Announcement) agreement.Collection {
	f.t.Helper()
	c, err := f.svc.Announce(f.ctx, an)
	if err != nil {
		f.t.Fatalf("announce %+v: %v", an, err)
	}
	return c
}

func (f *fixture) collection(customer, id string) agreement.Collection {
	f.t.Helper()
	c, err := f.svc.Collection(f.ctx, customer, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
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

// countTransfers counts the ledger transfers with this code.
func (f *fixture) countTransfers(code string) int {
	f.t.Helper()
	var n int
	if err := f.db.QueryRow(f.ctx, "SELECT COUNT(*) FROM ledger_transfers WHERE code = ?", code).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// runUntil moves the clock in steps to until, ticking every scheduler
// given (default: the fixture's) after each step, as running banks would.
func (f *fixture) runUntil(until time.Time, step time.Duration, scheds ...*scheduler.Scheduler) {
	f.t.Helper()
	if len(scheds) == 0 {
		scheds = []*scheduler.Scheduler{f.sched}
	}
	for f.clock.Now().Before(until) {
		next := f.clock.Now().Add(step)
		if next.After(until) {
			next = until
		}
		f.clock.Set(next)
		for _, s := range scheds {
			if _, err := s.Tick(f.ctx); err != nil {
				f.t.Fatalf("tick at %s: %v", next, err)
			}
		}
	}
}

func wantCode(t *testing.T, err error, code netbank.ErrorCode) {
	t.Helper()
	if netbank.ErrorCodeOf(err) != code {
		t.Fatalf("got error %v, want code %s", err, code)
	}
}

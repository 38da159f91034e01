package card_test

import (
	"context"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/cardsec"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/pricing"
	"github.com/netbank/netbank/scheduler"
	"github.com/netbank/netbank/store"
)

var cph = func() *time.Location {
	l, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		panic(err)
	}
	return l
}()

// at is a moment in Danish time.
func at(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, cph) }

// The fixture's customers and accounts.
const (
	anna    = "cus_anna" // adult, owner of annaSalary, mobile known
	bent    = "cus_bent" // adult, no mobile: a proxy holder on Anna's account
	carl    = "cus_carl" // a stranger
	freja   = "cus_freja"
	biz     = "cus_biz"
	annaAcc = dk.NetbankReg + "-0000001001"
	annaEUR = dk.NetbankReg + "-0000001002"
	carlAcc = dk.NetbankReg + "-0000003001"
	poorAcc = dk.NetbankReg + "-0000003002"
	fees    = "bank:fees:DKK"
	staffID = "stf_kasper"
)

var staff = card.Actor{ID: staffID, Kind: audit.ActorStaff, IP: "10.0.0.1"}

func customerActor(id string) card.Actor {
	return card.Actor{ID: "usr_" + strings.TrimPrefix(id, "cus_"), Kind: audit.ActorCustomer, IP: "192.0.2.1"}
}

// message is one message the service sent.
type message struct{ customer, subject, body string }

// fakeCustomers is identity's customer records for the holders.
type fakeCustomers map[string]identity.Customer

func (f fakeCustomers) Customer(ctx context.Context, id string) (identity.Customer, error) {
	c, ok := f[id]
	if !ok {
		return identity.Customer{}, netbank.Errorf(netbank.ENOTFOUND, "customer not found")
	}
	return c, nil
}

type fixture struct {
	t        *testing.T
	ctx      context.Context
	db       *store.DB
	clock    *testkit.Clock
	ledger   *ledger.Service
	accounts *account.Service
	pricing  *pricing.Service
	svc      *card.Service
	zpk      []byte

	mu       sync.Mutex
	messages []message
}

func newFixture(t *testing.T, db *store.DB, start time.Time) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), db: db, clock: testkit.NewClock(start)}
	people := fakeCustomers{
		anna:  {ID: anna, Kind: identity.PrivateCustomer, Name: "Anna Berg", BirthDate: time.Date(1985, 3, 15, 0, 0, 0, 0, time.UTC), Mobile: "+4520456789"},
		bent:  {ID: bent, Kind: identity.PrivateCustomer, Name: "Bent Berg", BirthDate: time.Date(1982, 7, 2, 0, 0, 0, 0, time.UTC)},
		carl:  {ID: carl, Kind: identity.PrivateCustomer, Name: "Carl Dam", BirthDate: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), Mobile: "+4531224466"},
		freja: {ID: freja, Kind: identity.PrivateCustomer, Name: "Freja Berg", BirthDate: time.Date(2013, 9, 23, 0, 0, 0, 0, time.UTC), Mobile: "+4542189012"},
		biz:   {ID: biz, Kind: identity.BusinessCustomer, Name: "Berg ApS", CVR: "25313763"},
	}
	for id, c := range people {
		if _, err := db.Exec(f.ctx, "INSERT INTO customers (id, kind, name, created_at) VALUES (?, ?, ?, 1)", id, string(c.Kind), c.Name); err != nil {
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
		{anna, "0000001001", "DKK", 10_000_00},
		{anna, "0000001002", "EUR", 0},
		{carl, "0000003001", "DKK", 5_000_00},
		{carl, "0000003002", "DKK", 100_00},
	} {
		acc, err := f.accounts.Open(f.ctx, a.customer, account.Salary, "", a.currency, a.number, 0)
		if err != nil {
			t.Fatal(err)
		}
		if a.deposit > 0 {
			f.mustTransfer(ledger.TransferRequest{ID: "deposit:" + acc.ID, DebitAccountID: "bank:settlement:DKK", CreditAccountID: acc.ID,
				Amount: a.deposit, Code: "deposit", Text: "Indskud"})
		}
	}
	f.pricing = pricing.New(db.Pricing(), pricing.Config{Clock: f.clock})
	zpk, err := cardsec.ParseKey(cardsec.DemoZPK)
	if err != nil {
		t.Fatal(err)
	}
	f.zpk = zpk
	cvk, _ := hex.DecodeString("0123456789ABCDEFFEDCBA9876543210")
	f.svc, err = card.New(db.Cards(), card.Config{Clock: f.clock, Keys: card.Keys{PANKey: []byte(strings.Repeat("p", 32)), CVK: cvk,
		PINKey: []byte(strings.Repeat("k", 32)), ZPK: zpk}, Prices: f.pricing, Ledger: f.ledger, Accounts: f.accounts,
		Customers: people, Notify: func(ctx context.Context, customerID, subject, body string) {
			f.mu.Lock()
			f.messages = append(f.messages, message{customerID, subject, body})
			f.mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) mustTransfer(r ledger.TransferRequest) {
	f.t.Helper()
	if _, err := f.ledger.Transfer(f.ctx, r); err != nil {
		f.t.Fatal(err)
	}
}

// issue issues a card and fails the test on an error.
func (f *fixture) issue(req card.IssueRequest) card.Issued {
	f.t.Helper()
	if req.By.ID == "" {
		req.By = staff
	}
	if req.Type == "" {
		req.Type = card.VisaDebit
	}
	iss, err := f.svc.Issue(f.ctx, req)
	if err != nil {
		f.t.Fatalf("issue %+v: %v", req, err)
	}
	return iss
}

// active issues a Visa Debit to Anna on her account and activates it.
func (f *fixture) active() card.Issued {
	f.t.Helper()
	iss := f.issue(card.IssueRequest{CustomerID: anna, AccountID: annaAcc})
	c, err := f.svc.Activate(f.ctx, anna, iss.Card.ID, customerActor(anna))
	if err != nil {
		f.t.Fatal(err)
	}
	iss.Card = c
	return iss
}

func (f *fixture) card(id string) card.Card {
	f.t.Helper()
	c, err := f.svc.Card(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func (f *fixture) posted(id string) int64 {
	f.t.Helper()
	b, err := f.ledger.Balance(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return b.Posted
}

// sent returns the messages sent so far and forgets them.
func (f *fixture) sent() []message {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.messages
	f.messages = nil
	return out
}

func wantCode(t *testing.T, err error, code netbank.ErrorCode, what string) {
	t.Helper()
	if netbank.ErrorCodeOf(err) != code {
		t.Fatalf("%s: error %v, want %s", what, err, code)
	}
}

// newScheduler is a scheduler with the card jobs, started at the clock's time.
func newScheduler(f *fixture) *scheduler.Scheduler {
	sch := scheduler.New(f.db.Scheduler(), scheduler.Config{Clock: f.clock, Owner: "test"})
	f.svc.RegisterJobs(sch)
	return sch
}

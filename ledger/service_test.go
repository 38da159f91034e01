package ledger_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/store"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// fixture is a ledger service on a fresh database with a manual clock.
type fixture struct {
	t     *testing.T
	db    *store.DB
	clock *testkit.Clock
	l     *ledger.Service
	ctx   context.Context
}

func newFixture(t *testing.T, db *store.DB, cfg ledger.Config) *fixture {
	t.Helper()
	clock := testkit.NewClock(t0)
	cfg.Clock = clock
	l := ledger.New(db.Ledger(), cfg)
	t.Cleanup(l.Close)
	f := &fixture{t: t, db: db, clock: clock, l: l, ctx: context.Background()}
	t.Cleanup(f.mustCheck)
	return f
}

// mustCheck runs the ledger invariant check.
func (f *fixture) mustCheck() {
	f.t.Helper()
	rep, err := f.l.Check(f.ctx)
	if err != nil {
		f.t.Fatalf("check: %v", err)
	}
	if !rep.OK() {
		f.t.Fatalf("ledger invariants broken: %v", rep.Violations)
	}
}

func (f *fixture) account(id string, kind ledger.AccountKind, overdraft int64) {
	f.t.Helper()
	_, err := f.l.CreateAccount(f.ctx, ledger.NewAccount{ID: id, Name: "Konto " + id, Kind: kind, Currency: "DKK",
		OverdraftLimit: overdraft, Unconstrained: kind != ledger.KindCustomerDeposit})
	if err != nil {
		f.t.Fatalf("create account %s: %v", id, err)
	}
}

func (f *fixture) transfer(r ledger.TransferRequest) ledger.Transfer {
	f.t.Helper()
	tr, err := f.l.Transfer(f.ctx, r)
	if err != nil {
		f.t.Fatalf("transfer %s: %v", r.ID, err)
	}
	return tr
}

func (f *fixture) wantCode(err error, code netbank.ErrorCode) {
	f.t.Helper()
	if netbank.ErrorCodeOf(err) != code {
		f.t.Fatalf("got error %v, want code %s", err, code)
	}
}

func (f *fixture) balance(id string) ledger.Balance {
	f.t.Helper()
	b, err := f.l.Balance(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

func (f *fixture) wantBalance(id string, posted, pending, available int64) {
	f.t.Helper()
	b := f.balance(id)
	if b.Posted != posted || b.Pending != pending || b.Available != available {
		f.t.Fatalf("%s: posted/pending/available = %d/%d/%d, want %d/%d/%d", id, b.Posted, b.Pending, b.Available, posted, pending, available)
	}
}

// setup makes a settlement account "bank" and customers "a" (overdraft 1000)
// and "b" (no overdraft), funds a with 10,000.00 kr.
func setup(t *testing.T, db *store.DB) *fixture {
	f := newFixture(t, db, ledger.Config{})
	f.account("bank", ledger.KindSettlement, 0)
	f.account("a", ledger.KindCustomerDeposit, 1000_00)
	f.account("b", ledger.KindCustomerDeposit, 0)
	f.transfer(ledger.TransferRequest{ID: "fund-a", DebitAccountID: "bank", CreditAccountID: "a", Amount: 10_000_00, Code: "deposit", Text: "Indbetaling"})
	return f
}

func TestTransfersAndLimits(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.wantBalance("a", 10_000_00, 0, 11_000_00)
		f.transfer(ledger.TransferRequest{ID: "t1", DebitAccountID: "a", CreditAccountID: "b", Amount: 2_500_00, Text: "Husleje"})
		f.wantBalance("a", 7_500_00, 0, 8_500_00)
		f.wantBalance("b", 2_500_00, 0, 2_500_00)

		// Overdraft: a may go to -1000.00 but not below.
		f.transfer(ledger.TransferRequest{ID: "t2", DebitAccountID: "a", CreditAccountID: "b", Amount: 8_500_00})
		f.wantBalance("a", -1_000_00, 0, 0)
		_, err := f.l.Transfer(f.ctx, ledger.TransferRequest{ID: "t3", DebitAccountID: "a", CreditAccountID: "b", Amount: 1})
		f.wantCode(err, netbank.EINSUFFICIENT)
		// b has no overdraft.
		_, err = f.l.Transfer(f.ctx, ledger.TransferRequest{ID: "t4", DebitAccountID: "b", CreditAccountID: "a", Amount: 11_000_01})
		f.wantCode(err, netbank.EINSUFFICIENT)
		// The unconstrained settlement account may go anywhere.
		f.transfer(ledger.TransferRequest{ID: "t5", DebitAccountID: "bank", CreditAccountID: "b", Amount: 1_000_000_00})

		// Lowering a's overdraft below its debt is refused; raising works.
		f.wantCode(f.l.SetOverdraft(f.ctx, "a", 500_00), netbank.EINSUFFICIENT)
		if err := f.l.SetOverdraft(f.ctx, "a", 2_000_00); err != nil {
			t.Fatal(err)
		}
		f.wantBalance("a", -1_000_00, 0, 1_000_00)
	})
}

func TestTransferValidation(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		_, err := f.l.CreateAccount(f.ctx, ledger.NewAccount{ID: "eur", Name: "Valutakonto", Kind: ledger.KindCustomerDeposit, Currency: "EUR"})
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name string
			req  ledger.TransferRequest
			code netbank.ErrorCode
		}{
			{"zero amount", ledger.TransferRequest{ID: "v1", DebitAccountID: "a", CreditAccountID: "b", Amount: 0}, netbank.EINVALID},
			{"negative amount", ledger.TransferRequest{ID: "v2", DebitAccountID: "a", CreditAccountID: "b", Amount: -5}, netbank.EINVALID},
			{"same account", ledger.TransferRequest{ID: "v3", DebitAccountID: "a", CreditAccountID: "a", Amount: 5}, netbank.EINVALID},
			{"unknown account", ledger.TransferRequest{ID: "v4", DebitAccountID: "a", CreditAccountID: "zz", Amount: 5}, netbank.ENOTFOUND},
			{"currency mismatch", ledger.TransferRequest{ID: "v5", DebitAccountID: "a", CreditAccountID: "eur", Amount: 5}, netbank.EINVALID},
			{"empty id", ledger.TransferRequest{DebitAccountID: "a", CreditAccountID: "b", Amount: 5}, netbank.EINVALID},
			{"bad id", ledger.TransferRequest{ID: "a b", DebitAccountID: "a", CreditAccountID: "b", Amount: 5}, netbank.EINVALID},
			{"text too long", ledger.TransferRequest{ID: "v6", DebitAccountID: "a", CreditAccountID: "b", Amount: 5, Text: string(make([]byte, 141))}, netbank.EINVALID},
			{"future import", ledger.TransferRequest{ID: "v7", DebitAccountID: "a", CreditAccountID: "b", Amount: 5, Timestamp: t0.Add(time.Hour)}, netbank.EINVALID},
			{"expire on single", ledger.TransferRequest{ID: "v8", DebitAccountID: "a", CreditAccountID: "b", Amount: 5, ExpiresAt: t0.Add(time.Hour)}, netbank.EINVALID},
			{"post without pending id", ledger.TransferRequest{ID: "v9", Kind: ledger.Post}, netbank.EINVALID},
			{"post unknown hold", ledger.TransferRequest{ID: "v10", Kind: ledger.Post, PendingID: "nope"}, netbank.ENOTFOUND},
			{"client expire", ledger.TransferRequest{ID: "v11", Kind: ledger.Expire, PendingID: "x"}, netbank.EINVALID},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := f.l.Transfer(f.ctx, c.req)
				f.wantCode(err, c.code)
			})
		}
		f.wantBalance("a", 10_000_00, 0, 11_000_00)
	})
}

func TestIdempotency(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		req := ledger.TransferRequest{ID: "pay-1", DebitAccountID: "a", CreditAccountID: "b", Amount: 100_00, Text: "Gave"}
		first := f.transfer(req)
		f.clock.Advance(time.Minute)
		again := f.transfer(req)
		if again != first {
			t.Fatalf("retry returned %+v, want the original %+v", again, first)
		}
		f.wantBalance("b", 100_00, 0, 100_00) // paid once
		other := req
		other.Amount = 200_00
		_, err := f.l.Transfer(f.ctx, other)
		f.wantCode(err, netbank.ECONFLICT)
		other = req
		other.Text = "Noget andet"
		_, err = f.l.Transfer(f.ctx, other)
		f.wantCode(err, netbank.ECONFLICT)

		// A failed transfer is not stored: the same id may be used once funds are there.
		big := ledger.TransferRequest{ID: "pay-2", DebitAccountID: "b", CreditAccountID: "a", Amount: 500_00}
		_, err = f.l.Transfer(f.ctx, big)
		f.wantCode(err, netbank.EINSUFFICIENT)
		f.transfer(ledger.TransferRequest{ID: "top-up", DebitAccountID: "bank", CreditAccountID: "b", Amount: 400_00})
		f.transfer(big)

		// Concurrent duplicates (a double-click) pay once.
		var wg sync.WaitGroup
		dup := ledger.TransferRequest{ID: "pay-3", DebitAccountID: "a", CreditAccountID: "b", Amount: 1_00}
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := f.l.Transfer(f.ctx, dup); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		f.wantBalance("b", 1_00, 0, 1_00)
	})
}

func TestHolds(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		// A hold counts against the available amount at once.
		f.transfer(ledger.TransferRequest{ID: "h1", Kind: ledger.PendingKind, DebitAccountID: "a", CreditAccountID: "bank", Amount: 3_000_00, ExpiresAt: t0.Add(48 * time.Hour), Code: "card"})
		f.wantBalance("a", 10_000_00, 3_000_00, 8_000_00)
		_, err := f.l.Transfer(f.ctx, ledger.TransferRequest{ID: "too-much", DebitAccountID: "a", CreditAccountID: "b", Amount: 8_000_01})
		f.wantCode(err, netbank.EINSUFFICIENT)

		// Post part of it: the rest is released.
		f.transfer(ledger.TransferRequest{ID: "h1-post", Kind: ledger.Post, PendingID: "h1", Amount: 2_500_00})
		f.wantBalance("a", 7_500_00, 0, 8_500_00)
		_, err = f.l.Transfer(f.ctx, ledger.TransferRequest{ID: "h1-post2", Kind: ledger.Post, PendingID: "h1"})
		f.wantCode(err, netbank.ECONFLICT)

		// Posting more than held is refused; void releases all.
		f.transfer(ledger.TransferRequest{ID: "h2", Kind: ledger.PendingKind, DebitAccountID: "a", CreditAccountID: "bank", Amount: 100_00})
		_, err = f.l.Transfer(f.ctx, ledger.TransferRequest{ID: "h2-post", Kind: ledger.Post, PendingID: "h2", Amount: 100_01})
		f.wantCode(err, netbank.EINVALID)
		_, err = f.l.Transfer(f.ctx, ledger.TransferRequest{ID: "h2-post", Kind: ledger.Post, PendingID: "h2", DebitAccountID: "b"})
		f.wantCode(err, netbank.EINVALID)
		f.transfer(ledger.TransferRequest{ID: "h2-void", Kind: ledger.Void, PendingID: "h2"})
		f.wantBalance("a", 7_500_00, 0, 8_500_00)
		if h, _ := f.l.GetHold(f.ctx, "h2"); h.Status != ledger.Voided || h.ResolvedBy != "h2-void" {
			t.Fatalf("hold h2 = %+v, want voided by h2-void", h)
		}

		// Expiry: the job releases holds whose time is up, and only those.
		f.transfer(ledger.TransferRequest{ID: "h3", Kind: ledger.PendingKind, DebitAccountID: "a", CreditAccountID: "bank", Amount: 1_000_00, ExpiresAt: t0.Add(time.Hour)})
		f.transfer(ledger.TransferRequest{ID: "h4", Kind: ledger.PendingKind, DebitAccountID: "a", CreditAccountID: "bank", Amount: 2_000_00, ExpiresAt: t0.Add(3 * time.Hour)})
		f.transfer(ledger.TransferRequest{ID: "h5", Kind: ledger.PendingKind, DebitAccountID: "a", CreditAccountID: "bank", Amount: 10_00})
		f.clock.Advance(2 * time.Hour)
		// An expired hold can no longer be posted, even before the job ran.
		_, err = f.l.Transfer(f.ctx, ledger.TransferRequest{ID: "h3-post", Kind: ledger.Post, PendingID: "h3"})
		f.wantCode(err, netbank.ECONFLICT)
		n, err := f.l.ExpireHolds(f.ctx)
		if err != nil || n != 1 {
			t.Fatalf("ExpireHolds = %d, %v; want 1", n, err)
		}
		f.wantBalance("a", 7_500_00, 2_010_00, 6_490_00)
		if n, _ := f.l.ExpireHolds(f.ctx); n != 0 {
			t.Fatalf("second run expired %d, want 0", n)
		}
		f.clock.Advance(2 * time.Hour)
		if n, _ := f.l.ExpireHolds(f.ctx); n != 1 {
			t.Fatalf("later run expired %d, want 1", n)
		}
		f.wantBalance("a", 7_500_00, 10_00, 8_490_00)
		if h, _ := f.l.GetHold(f.ctx, "h3"); h.Status != ledger.Expired {
			t.Fatalf("hold h3 = %+v, want expired", h)
		}
		f.mustCheck()
	})
}

func TestLinked(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.account("fees", ledger.KindFees, 0)
		// A payment and its fee: the fee does not fit, so neither happens.
		_, err := f.l.TransferLinked(f.ctx, []ledger.TransferRequest{
			{ID: "p1", DebitAccountID: "a", CreditAccountID: "b", Amount: 11_000_00},
			{ID: "p1-fee", DebitAccountID: "a", CreditAccountID: "fees", Amount: 1},
		})
		f.wantCode(err, netbank.EINSUFFICIENT)
		f.wantBalance("a", 10_000_00, 0, 11_000_00)
		if _, err := f.l.GetTransfer(f.ctx, "p1"); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("first transfer of a failed chain was written: %v", err)
		}
		// A hold created and voided in the same failed chain leaves nothing.
		_, err = f.l.TransferLinked(f.ctx, []ledger.TransferRequest{
			{ID: "c1", Kind: ledger.PendingKind, DebitAccountID: "a", CreditAccountID: "b", Amount: 5_00},
			{ID: "c2", Kind: ledger.Post, PendingID: "c1"},
			{ID: "c3", DebitAccountID: "b", CreditAccountID: "a", Amount: 1_000_000_00},
		})
		f.wantCode(err, netbank.EINSUFFICIENT)
		f.wantBalance("b", 0, 0, 0)
		out, err := f.l.TransferLinked(f.ctx, []ledger.TransferRequest{
			{ID: "p2", DebitAccountID: "a", CreditAccountID: "b", Amount: 1_000_00},
			{ID: "p2-fee", DebitAccountID: "a", CreditAccountID: "fees", Amount: 5_00},
		})
		if err != nil || len(out) != 2 {
			t.Fatalf("linked = %v, %v", out, err)
		}
		f.wantBalance("a", 8_995_00, 0, 9_995_00)
	})
}

// TestGroupCommit: many concurrent requests share transactions, and a
// failing transfer inside a batch fails alone.
func TestGroupCommit(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, ledger.Config{MaxBatch: 256, MaxWait: 2 * time.Millisecond})
		f.account("bank", ledger.KindSettlement, 0)
		const n = 200
		for i := 0; i < n; i++ {
			f.account(fmt.Sprintf("c%03d", i), ledger.KindCustomerDeposit, 0)
		}
		before := f.l.Stats()
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				amount := int64(100)
				debit, credit := "bank", fmt.Sprintf("c%03d", i)
				if i%10 == 0 { // every tenth tries to spend from an empty account
					debit, credit = credit, "bank"
				}
				_, errs[i] = f.l.Transfer(f.ctx, ledger.TransferRequest{ID: fmt.Sprintf("g%03d", i), DebitAccountID: debit, CreditAccountID: credit, Amount: amount})
			}(i)
		}
		wg.Wait()
		for i, err := range errs {
			if i%10 == 0 {
				f.wantCode(err, netbank.EINSUFFICIENT)
			} else if err != nil {
				t.Fatalf("transfer %d failed with its batch: %v", i, err)
			}
		}
		after := f.l.Stats()
		batches, transfers := after.Batches-before.Batches, after.Transfers-before.Transfers
		if transfers != n-n/10 {
			t.Fatalf("%d transfers committed, want %d", transfers, n-n/10)
		}
		if batches >= transfers/2 {
			t.Fatalf("%d batches for %d transfers: requests were not gathered", batches, transfers)
		}
		t.Logf("%d transfers in %d batches", transfers, batches)
	})
}

func TestStatementAndBalanceAt(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, ledger.Config{})
		f.account("employer", ledger.KindSettlement, 0)
		f.account("m", ledger.KindCustomerDeposit, 0)
		f.account("landlord", ledger.KindSettlement, 0)
		day := func(d int) time.Time { return time.Date(2026, 1, d, 12, 0, 0, 0, time.UTC) }
		// Imported history, then live transfers.
		for i, d := range []int{1, 2, 5, 5, 9} {
			var r ledger.TransferRequest
			if i%2 == 0 {
				r = ledger.TransferRequest{ID: fmt.Sprintf("in%d", i), DebitAccountID: "employer", CreditAccountID: "m", Amount: int64(1000 * (i + 1)), Text: "Løn", Timestamp: day(d)}
			} else {
				r = ledger.TransferRequest{ID: fmt.Sprintf("out%d", i), DebitAccountID: "m", CreditAccountID: "landlord", Amount: int64(100 * (i + 1)), Text: "Husleje", Timestamp: day(d)}
			}
			f.transfer(r)
		}
		// Going back in time on an account is refused.
		_, err := f.l.Transfer(f.ctx, ledger.TransferRequest{ID: "late", DebitAccountID: "employer", CreditAccountID: "m", Amount: 1, Timestamp: day(3)})
		f.wantCode(err, netbank.EINVALID)

		// Balances after: 1000, 800, 3800, 3400, 8400.
		want := []int64{1000, 800, 3800, 3400, 8400}
		st, err := f.l.Statement(f.ctx, "m", time.Time{}, time.Time{}, 0, 2)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for {
			for _, e := range st.Entries {
				got = append(got, e.Balance)
			}
			if st.Next == 0 {
				break
			}
			st, err = f.l.Statement(f.ctx, "m", time.Time{}, time.Time{}, st.Next, 2)
			if err != nil {
				t.Fatal(err)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("running balances %v, want %v", got, want)
		}
		// A period: 2–6 January, opening balance 1000.
		st, err = f.l.Statement(f.ctx, "m", day(2).Add(-time.Hour), day(6), 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if st.Opening != 1000 || len(st.Entries) != 3 || st.Entries[0].Text != "Husleje" || st.Entries[0].CounterpartyID != "landlord" {
			t.Fatalf("period statement = %+v", st)
		}
		for _, c := range []struct {
			at   time.Time
			want int64
		}{{day(1).Add(-time.Second), 0}, {day(1), 1000}, {day(4), 800}, {day(5), 3400}, {day(31), 8400}} {
			if bal, err := f.l.BalanceAt(f.ctx, "m", c.at); err != nil || bal != c.want {
				t.Fatalf("balance at %v = %d, %v; want %d", c.at, bal, err, c.want)
			}
		}
		if _, err := f.l.BalanceAt(f.ctx, "nobody", day(1)); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			t.Fatalf("balance of unknown account: %v", err)
		}
	})
}

func TestCreateAccountIdempotent(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, ledger.Config{})
		n := ledger.NewAccount{ID: "x", Name: "Budgetkonto", Kind: ledger.KindCustomerDeposit, Currency: "DKK"}
		a1, err := f.l.CreateAccount(f.ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Hour)
		a2, err := f.l.CreateAccount(f.ctx, n)
		if err != nil || a2 != a1 {
			t.Fatalf("repeat create = %+v, %v; want %+v", a2, err, a1)
		}
		n.Name = "Andet navn"
		_, err = f.l.CreateAccount(f.ctx, n)
		f.wantCode(err, netbank.ECONFLICT)
		_, err = f.l.CreateAccount(f.ctx, ledger.NewAccount{ID: "y", Name: "Y", Kind: "nonsense", Currency: "DKK"})
		f.wantCode(err, netbank.EINVALID)
		_, err = f.l.CreateAccount(f.ctx, ledger.NewAccount{ID: "y", Name: "Y", Kind: ledger.KindFees, Currency: "XXX"})
		f.wantCode(err, netbank.EINVALID)
	})
}

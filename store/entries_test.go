package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/store"
)

// The entry query's newest-first order, its before-cursor and its amount
// range (for the net bank's search of postings) on both engines.
func TestEntriesNewestFirstAndAmount(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := testkit.NewClock(time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC))
		l := ledger.New(db.Ledger(), ledger.Config{Clock: clock})
		t.Cleanup(l.Close)
		for _, a := range []ledger.NewAccount{
			{ID: "bank", Name: "Bank", Kind: ledger.KindSettlement, Currency: "DKK", Unconstrained: true},
			{ID: "m", Name: "Mette", Kind: ledger.KindCustomerDeposit, Currency: "DKK", OverdraftLimit: 1_000_00},
		} {
			if _, err := l.CreateAccount(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		// Amounts +100, -200, +300, -400, +500 on 1–5 March.
		for i := 1; i <= 5; i++ {
			r := ledger.TransferRequest{ID: fmt.Sprint("t", i), DebitAccountID: "bank", CreditAccountID: "m", Amount: int64(i * 100),
				Text: fmt.Sprint("T", i), Timestamp: time.Date(2026, 3, i, 9, 0, 0, 0, time.UTC)}
			if i%2 == 0 {
				r.DebitAccountID, r.CreditAccountID = "m", "bank"
			}
			if _, err := l.Transfer(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		seqs := func(q ledger.EntryQuery) string {
			t.Helper()
			q.AccountID = "m"
			if q.Limit == 0 {
				q.Limit = 10
			}
			es, err := db.Ledger().Entries(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var s []int64
			for _, e := range es {
				s = append(s, e.Seq)
			}
			return fmt.Sprint(s)
		}
		for _, c := range []struct {
			q    ledger.EntryQuery
			want string
		}{
			{ledger.EntryQuery{}, "[1 2 3 4 5]"},
			{ledger.EntryQuery{Newest: true}, "[5 4 3 2 1]"},
			{ledger.EntryQuery{Newest: true, Limit: 2}, "[5 4]"},
			{ledger.EntryQuery{Newest: true, BeforeSeq: 4}, "[3 2 1]"},
			{ledger.EntryQuery{BeforeSeq: 4, AfterSeq: 1}, "[2 3]"},
			{ledger.EntryQuery{Newest: true, From: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)}, "[4 3 2]"},
			{ledger.EntryQuery{Amount: &ledger.AmountRange{Min: 200, Max: 400, Abs: true}}, "[2 3 4]"},
			{ledger.EntryQuery{Amount: &ledger.AmountRange{Min: 200, Max: 400}}, "[3]"},
			{ledger.EntryQuery{Amount: &ledger.AmountRange{Min: -400, Max: -200}}, "[2 4]"},
			{ledger.EntryQuery{Newest: true, BeforeSeq: 5, Amount: &ledger.AmountRange{Min: 300, Max: 300, Abs: true}}, "[3]"},
		} {
			if got := seqs(c.q); got != c.want {
				t.Errorf("%+v: %s, want %s", c.q, got, c.want)
			}
		}
	})
}

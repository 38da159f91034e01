package ledger_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/ledger"
)

// BenchmarkTransfer measures acknowledged (durably committed) single-phase
// transfers with concurrent clients, on each engine. Run with
//
//	NETBANK_TEST_POSTGRES=postgres://… go test -run '^$' -bench Transfer -benchtime 20000x ./ledger
//
// Each client is one goroutine of b.RunParallel: 32 per GOMAXPROCS (-cpu).
func BenchmarkTransfer(b *testing.B) {
	for _, e := range testkit.Engines {
		b.Run(e.Name, func(b *testing.B) {
			db := e.Open(b)
			l := ledger.New(db.Ledger(), ledger.Config{})
			defer l.Close()
			ctx := context.Background()
			const accounts = 1000
			if err := l.EnsureInternalAccounts(ctx, "DKK"); err != nil {
				b.Fatal(err)
			}
			var opening []ledger.TransferRequest
			for i := 0; i < accounts; i++ {
				id := fmt.Sprintf("acct%04d", i)
				if _, err := l.CreateAccount(ctx, ledger.NewAccount{ID: id, Name: id, Kind: ledger.KindCustomerDeposit, Currency: "DKK"}); err != nil {
					b.Fatal(err)
				}
				opening = append(opening, ledger.TransferRequest{ID: "open-" + id, DebitAccountID: ledger.InternalAccountID(ledger.KindSettlement, "DKK"),
					CreditAccountID: id, Amount: 1_000_000_000})
			}
			if _, err := l.TransferLinked(ctx, opening); err != nil {
				b.Fatal(err)
			}
			var seq atomic.Int64
			b.SetParallelism(32)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					n := seq.Add(1)
					from, to := n%accounts, (n*7+1)%accounts
					if from == to {
						to = (to + 1) % accounts
					}
					_, err := l.Transfer(ctx, ledger.TransferRequest{ID: fmt.Sprintf("b%d", n),
						DebitAccountID: fmt.Sprintf("acct%04d", from), CreditAccountID: fmt.Sprintf("acct%04d", to), Amount: 1})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			st := l.Stats()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transfers/s")
			b.ReportMetric(float64(st.Transfers)/float64(max(st.Batches, 1)), "transfers/batch")
		})
	}
}

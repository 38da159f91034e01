package ledger_test

import (
	"sync"
	"testing"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/store"
)

// batchLog records what the ledger tells its observer.
type batchLog struct {
	mu      sync.Mutex
	batches []int
}

func (b *batchLog) BatchCommitted(transfers int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.batches = append(b.batches, transfers)
}

// TestObserverSeesCommittedBatches: the observer hears of every committed
// batch with the transfers it wrote, so its totals agree with Stats; a
// linked chain counts all its transfers, and a refused one counts none.
func TestObserverSeesCommittedBatches(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		obs := &batchLog{}
		f := newFixture(t, db, ledger.Config{Observer: obs})
		f.account("a", ledger.KindCustomerDeposit, 0)
		f.account("b", ledger.KindCustomerDeposit, 0)
		f.account("bank", ledger.KindSettlement, 0)
		f.transfer(ledger.TransferRequest{ID: "t1", DebitAccountID: "bank", CreditAccountID: "a", Amount: 100})
		if _, err := f.l.TransferLinked(f.ctx, []ledger.TransferRequest{
			{ID: "t2", DebitAccountID: "a", CreditAccountID: "b", Amount: 30},
			{ID: "t3", DebitAccountID: "b", CreditAccountID: "a", Amount: 10},
		}); err != nil {
			t.Fatal(err)
		}
		_, err := f.l.Transfer(f.ctx, ledger.TransferRequest{ID: "t4", DebitAccountID: "b", CreditAccountID: "a", Amount: 1_000})
		f.wantCode(err, netbank.EINSUFFICIENT) // more than b has: refused, nothing written

		obs.mu.Lock()
		defer obs.mu.Unlock()
		total := 0
		for _, n := range obs.batches {
			total += n
		}
		st := f.l.Stats()
		if total != 3 || int64(total) != st.Transfers || int64(len(obs.batches)) != st.Batches {
			t.Fatalf("observer saw batches %v (total %d), ledger stats %+v; want 3 transfers in every committed batch", obs.batches, total, st)
		}
	})
}

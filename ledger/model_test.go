package ledger_test

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/store"
)

// model is a deliberately simple reference ledger: the randomized test
// applies every operation to it and to the real ledger and compares the
// outcome, the balances and the invariants after every step (TigerBeetle's
// testing attitude).
type model struct {
	accounts  map[string]modelAccount
	holds     map[string]modelHold
	transfers map[string]ledger.TransferRequest
}

type modelAccount struct {
	posted, debitsPending, creditsPending, overdraft int64
	unconstrained                                    bool
}

type modelHold struct {
	debit, credit string
	amount        int64
	status        ledger.PendingStatus
	expires       time.Time
}

func (m *model) clone() *model {
	return &model{accounts: maps.Clone(m.accounts), holds: maps.Clone(m.holds), transfers: maps.Clone(m.transfers)}
}

// apply predicts the outcome of one request: "" for success or the error code.
func (m *model) apply(r ledger.TransferRequest, now time.Time) netbank.ErrorCode {
	if prev, ok := m.transfers[r.ID]; ok {
		if prev == r {
			return ""
		}
		return netbank.ECONFLICT
	}
	switch r.Kind {
	case ledger.Single, ledger.PendingKind:
		d, c := m.accounts[r.DebitAccountID], m.accounts[r.CreditAccountID]
		if !d.unconstrained && d.posted-d.debitsPending-r.Amount+d.overdraft < 0 {
			return netbank.EINSUFFICIENT
		}
		if r.Kind == ledger.Single {
			d.posted -= r.Amount
			c.posted += r.Amount
		} else {
			d.debitsPending += r.Amount
			c.creditsPending += r.Amount
			m.holds[r.ID] = modelHold{debit: r.DebitAccountID, credit: r.CreditAccountID, amount: r.Amount, status: ledger.Open, expires: r.ExpiresAt}
		}
		m.accounts[r.DebitAccountID], m.accounts[r.CreditAccountID] = d, c
	case ledger.Post, ledger.Void:
		h, ok := m.holds[r.PendingID]
		if !ok {
			return netbank.ENOTFOUND
		}
		if h.status != ledger.Open || (!h.expires.IsZero() && !h.expires.After(now)) {
			return netbank.ECONFLICT
		}
		amount := r.Amount
		if amount == 0 {
			amount = h.amount
		}
		if amount > h.amount || (r.Kind == ledger.Void && amount != h.amount) {
			return netbank.EINVALID
		}
		d, c := m.accounts[h.debit], m.accounts[h.credit]
		d.debitsPending -= h.amount
		c.creditsPending -= h.amount
		h.status = ledger.Voided
		if r.Kind == ledger.Post {
			d.posted -= amount
			c.posted += amount
			h.status = ledger.Posted
		}
		m.accounts[h.debit], m.accounts[h.credit] = d, c
		m.holds[r.PendingID] = h
	}
	m.transfers[r.ID] = r
	return ""
}

// applyChain predicts a linked chain: all or none.
func (m *model) applyChain(reqs []ledger.TransferRequest, now time.Time) (*model, netbank.ErrorCode) {
	next := m.clone()
	for _, r := range reqs {
		if code := next.apply(r, now); code != "" {
			return m, code
		}
	}
	return next, ""
}

// expire predicts the expiry job.
func (m *model) expire(now time.Time) int {
	n := 0
	for id, h := range m.holds {
		if h.status == ledger.Open && !h.expires.IsZero() && !h.expires.After(now) {
			d, c := m.accounts[h.debit], m.accounts[h.credit]
			d.debitsPending -= h.amount
			c.creditsPending -= h.amount
			m.accounts[h.debit], m.accounts[h.credit] = d, c
			h.status = ledger.Expired
			m.holds[id] = h
			n++
		}
	}
	return n
}

// TestModel replays random operations against the ledger and the model
// and checks outcomes, balances and the ledger invariants after every step.
func TestModel(t *testing.T) {
	steps := 400
	if testing.Short() {
		steps = 100
	}
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		seed := uint64(time.Now().UnixNano())
		if s := os.Getenv("NETBANK_SEED"); s != "" {
			seed, _ = strconv.ParseUint(s, 10, 64)
		}
		t.Logf("seed %d (rerun with NETBANK_SEED=%d)", seed, seed)
		rng := rand.New(rand.NewPCG(seed, 7))
		f := newFixture(t, db, ledger.Config{})
		m := &model{accounts: map[string]modelAccount{}, holds: map[string]modelHold{}, transfers: map[string]ledger.TransferRequest{}}
		var ids []string
		for i, od := range []int64{0, 0, 500_00, 2_000_00, 0} {
			id := fmt.Sprintf("cust%d", i)
			f.account(id, ledger.KindCustomerDeposit, od)
			m.accounts[id] = modelAccount{overdraft: od}
			ids = append(ids, id)
		}
		for _, id := range []string{"settle", "fees"} {
			f.account(id, ledger.KindSettlement, 0)
			m.accounts[id] = modelAccount{unconstrained: true}
			ids = append(ids, id)
		}
		var used []ledger.TransferRequest
		var holdIDs []string
		pick := func() (string, string) {
			d := ids[rng.IntN(len(ids))]
			for {
				c := ids[rng.IntN(len(ids))]
				if c != d {
					return d, c
				}
			}
		}
		newMove := func(n int, kind ledger.TransferKind) ledger.TransferRequest {
			d, c := pick()
			r := ledger.TransferRequest{ID: fmt.Sprintf("s%d-%d", n, rng.IntN(1_000_000)), Kind: kind, DebitAccountID: d, CreditAccountID: c,
				Amount: 1 + rng.Int64N(1_500_00), Code: "test", Text: "model"}
			if kind == ledger.PendingKind && rng.IntN(3) > 0 {
				r.ExpiresAt = f.clock.Now().Add(time.Duration(1+rng.IntN(300)) * time.Minute).UTC().Truncate(time.Microsecond)
			}
			return r
		}
		for step := 0; step < steps; step++ {
			now := f.clock.Now()
			var reqs []ledger.TransferRequest
			switch op := rng.IntN(100); {
			case op < 35:
				reqs = []ledger.TransferRequest{newMove(step, ledger.Single)}
			case op < 50:
				r := newMove(step, ledger.PendingKind)
				holdIDs = append(holdIDs, r.ID)
				reqs = []ledger.TransferRequest{r}
			case op < 65 && len(holdIDs) > 0:
				h := holdIDs[rng.IntN(len(holdIDs))]
				kind := ledger.Post
				if rng.IntN(3) == 0 {
					kind = ledger.Void
				}
				r := ledger.TransferRequest{ID: fmt.Sprintf("r%d", step), Kind: kind, PendingID: h, Code: "test"}
				if kind == ledger.Post && rng.IntN(2) == 0 {
					r.Amount = 1 + rng.Int64N(1_000_00)
				}
				reqs = []ledger.TransferRequest{r}
			case op < 75 && len(used) > 0:
				// A retry of an earlier request, sometimes with changed content.
				r := used[rng.IntN(len(used))]
				if rng.IntN(2) == 0 {
					r.Text = "changed"
				}
				reqs = []ledger.TransferRequest{r}
			case op < 85:
				for i := 0; i < 2+rng.IntN(2); i++ {
					r := newMove(step, ledger.Single)
					r.ID = fmt.Sprintf("l%d-%d", step, i)
					reqs = append(reqs, r)
				}
			case op < 93:
				f.clock.Advance(time.Duration(rng.IntN(120)) * time.Minute)
				want := m.expire(f.clock.Now())
				got, err := f.l.ExpireHolds(f.ctx)
				if err != nil || got != want {
					t.Fatalf("step %d: ExpireHolds = %d, %v; model says %d", step, got, err, want)
				}
			default:
				id := ids[rng.IntN(5)]
				limit := rng.Int64N(3_000_00)
				a := m.accounts[id]
				want := netbank.ErrorCode("")
				if a.posted-a.debitsPending+limit < 0 {
					want = netbank.EINSUFFICIENT
				} else {
					a.overdraft = limit
					m.accounts[id] = a
				}
				if got := netbank.ErrorCodeOf(f.l.SetOverdraft(f.ctx, id, limit)); got != want {
					t.Fatalf("step %d: SetOverdraft(%s, %d) = %q, model says %q", step, id, limit, got, want)
				}
			}
			if len(reqs) > 0 {
				var got error
				var want netbank.ErrorCode
				if len(reqs) == 1 {
					want = m.apply(reqs[0], now)
					_, got = f.l.Transfer(f.ctx, reqs[0])
				} else {
					m, want = m.applyChain(reqs, now)
					_, got = f.l.TransferLinked(f.ctx, reqs)
				}
				if netbank.ErrorCodeOf(got) != want {
					t.Fatalf("step %d: %+v: ledger said %v, model says %q", step, reqs, got, want)
				}
				if want == "" {
					used = append(used, reqs...)
				}
			}
			for id, ma := range m.accounts {
				b := f.balance(id)
				if b.Posted != ma.posted || b.Pending != ma.debitsPending {
					t.Fatalf("step %d: %s posted/pending %d/%d, model %d/%d", step, id, b.Posted, b.Pending, ma.posted, ma.debitsPending)
				}
			}
			f.mustCheck()
			f.clock.Advance(time.Second)
		}
	})
}

// TestBank is Jepsen's bank workload: concurrent clients move money among
// a few accounts (single, linked and hold-then-post transfers) while
// readers take snapshots. The total never changes and no account ever
// breaks its limit.
func TestBank(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, ledger.Config{Committers: 2})
		f.account("settle", ledger.KindSettlement, 0)
		const accounts, initial = 5, 1_000_00
		limits := map[string]int64{}
		for i := 0; i < accounts; i++ {
			id := fmt.Sprintf("acct%d", i)
			limits[id] = int64(i%2) * 300_00
			f.account(id, ledger.KindCustomerDeposit, limits[id])
			f.transfer(ledger.TransferRequest{ID: "open-" + id, DebitAccountID: "settle", CreditAccountID: id, Amount: initial})
		}
		const workers, each = 8, 60
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, refused := 0, 0
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(w), 99))
				for i := 0; i < each; i++ {
					a, b := rng.IntN(accounts), rng.IntN(accounts)
					if a == b {
						continue
					}
					from, to := fmt.Sprintf("acct%d", a), fmt.Sprintf("acct%d", b)
					amount := 1 + rng.Int64N(700_00)
					id := fmt.Sprintf("w%d-%d", w, i)
					var err error
					switch rng.IntN(3) {
					case 0:
						_, err = f.l.Transfer(f.ctx, ledger.TransferRequest{ID: id, DebitAccountID: from, CreditAccountID: to, Amount: amount})
					case 1:
						_, err = f.l.TransferLinked(f.ctx, []ledger.TransferRequest{
							{ID: id + "a", DebitAccountID: from, CreditAccountID: to, Amount: amount},
							{ID: id + "b", DebitAccountID: to, CreditAccountID: from, Amount: amount / 2},
						})
					default:
						_, err = f.l.Transfer(f.ctx, ledger.TransferRequest{ID: id, Kind: ledger.PendingKind, DebitAccountID: from, CreditAccountID: to, Amount: amount})
						if err == nil {
							_, err = f.l.Transfer(f.ctx, ledger.TransferRequest{ID: id + "p", Kind: ledger.Post, PendingID: id, Amount: amount / 3})
							if err != nil {
								t.Errorf("post of own hold failed: %v", err)
							}
						}
					}
					mu.Lock()
					if err == nil {
						ok++
					} else if netbank.ErrorCodeOf(err) == netbank.EINSUFFICIENT {
						refused++
					} else {
						t.Errorf("unexpected error: %v", err)
					}
					mu.Unlock()
				}
			}(w)
		}
		// Readers: every snapshot sums to the initial total (holds are
		// in flight between posted balances only after posting).
		stop := make(chan struct{})
		var readers sync.WaitGroup
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				all, err := f.l.Accounts(f.ctx)
				if err != nil {
					t.Errorf("read: %v", err)
					return
				}
				var total int64
				for _, a := range all {
					if a.Kind != ledger.KindCustomerDeposit {
						continue
					}
					total += a.Posted()
					if a.Available() < 0 {
						t.Errorf("%s past its limit: %+v", a.ID, a)
					}
				}
				if total != accounts*initial {
					t.Errorf("snapshot total %d, want %d", total, accounts*initial)
				}
			}
		}()
		wg.Wait()
		close(stop)
		readers.Wait()
		t.Logf("%d transfers done, %d refused for funds, stats %+v", ok, refused, f.l.Stats())
		if ok == 0 || refused == 0 {
			t.Fatalf("workload did not exercise both paths: ok %d refused %d", ok, refused)
		}
	})
}

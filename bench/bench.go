// Package bench drives load against the bank's parts and measures them:
// throughput and latency percentiles, printed by `netbank bench`. It is a
// load generator, not a test: numbers go into BENCHMARKS.md with the command
// that produced them.
package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/ledger"
)

// LedgerOptions shapes a ledger run.
type LedgerOptions struct {
	// Clients is the number of concurrent clients, each waiting for its
	// transfer to be acknowledged (durably committed) before sending the next.
	Clients int
	// Transfers is the total number of transfers.
	Transfers int
	// Accounts is the number of customer accounts money moves between:
	// fewer accounts means more contention on the same rows.
	Accounts int
	// Run names this run's accounts and transfers, so runs can share a database.
	Run string
}

// Result is what a run measured.
type Result struct {
	Transfers int
	Failed    int
	Elapsed   time.Duration
	P50, P99  time.Duration
	Max       time.Duration
	Batches   int64
}

// PerSecond is the throughput of acknowledged transfers.
func (r Result) PerSecond() float64 { return float64(r.Transfers) / r.Elapsed.Seconds() }

// String renders the result on one line.
func (r Result) String() string {
	avg := 0.0
	if r.Batches > 0 {
		avg = float64(r.Transfers) / float64(r.Batches)
	}
	return fmt.Sprintf("%d transfers in %.2fs: %.0f transfers/s, latency p50 %s p99 %s max %s, %d failed, %d batches (avg %.1f transfers/batch)",
		r.Transfers, r.Elapsed.Seconds(), r.PerSecond(), r.P50.Round(time.Microsecond), r.P99.Round(time.Microsecond),
		r.Max.Round(time.Microsecond), r.Failed, r.Batches, avg)
}

// Ledger moves money between accounts with opts.Clients concurrent
// clients, each transfer a single-phase transfer of a random amount
// between two random accounts, and measures acknowledged transfers.
func Ledger(ctx context.Context, l *ledger.Service, opts LedgerOptions) (Result, error) {
	if opts.Clients <= 0 || opts.Transfers <= 0 || opts.Accounts < 2 {
		return Result{}, netbank.Errorf(netbank.EINVALID, "need clients > 0, transfers > 0 and at least 2 accounts")
	}
	if opts.Run == "" {
		opts.Run = fmt.Sprintf("%x", time.Now().UnixNano())
	}
	if err := l.EnsureInternalAccounts(ctx, "DKK"); err != nil {
		return Result{}, err
	}
	ids := make([]string, opts.Accounts)
	var setup []ledger.TransferRequest
	for i := range ids {
		ids[i] = fmt.Sprintf("bench-%s-%d", opts.Run, i)
		if _, err := l.CreateAccount(ctx, ledger.NewAccount{ID: ids[i], Name: "Benchmark " + ids[i], Kind: ledger.KindCustomerDeposit, Currency: "DKK"}); err != nil {
			return Result{}, err
		}
		setup = append(setup, ledger.TransferRequest{ID: ids[i] + "-open", DebitAccountID: ledger.InternalAccountID(ledger.KindSettlement, "DKK"),
			CreditAccountID: ids[i], Amount: 1_000_000_000_00, Code: "opening"})
	}
	for len(setup) > 0 {
		n := min(len(setup), 500)
		if _, err := l.TransferLinked(ctx, setup[:n]); err != nil {
			return Result{}, err
		}
		setup = setup[n:]
	}
	before := l.Stats()
	latencies := make([][]time.Duration, opts.Clients)
	failed := make([]int, opts.Clients)
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < opts.Clients; c++ {
		n := opts.Transfers / opts.Clients
		if c < opts.Transfers%opts.Clients {
			n++
		}
		wg.Add(1)
		go func(c, n int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), uint64(start.UnixNano())))
			lat := make([]time.Duration, 0, n)
			for i := 0; i < n; i++ {
				a := rng.IntN(len(ids))
				b := (a + 1 + rng.IntN(len(ids)-1)) % len(ids)
				t0 := time.Now()
				_, err := l.Transfer(ctx, ledger.TransferRequest{ID: fmt.Sprintf("bench-%s-c%d-%d", opts.Run, c, i),
					DebitAccountID: ids[a], CreditAccountID: ids[b], Amount: 1 + rng.Int64N(100_00), Code: "bench"})
				if err != nil {
					failed[c]++
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			latencies[c] = lat
		}(c, n)
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	res := Result{Elapsed: elapsed, Batches: l.Stats().Batches - before.Batches}
	for c := range latencies {
		all = append(all, latencies[c]...)
		res.Failed += failed[c]
	}
	res.Transfers = len(all)
	if len(all) > 0 {
		slices.Sort(all)
		res.P50, res.P99, res.Max = percentile(all, 50), percentile(all, 99), all[len(all)-1]
	}
	return res, nil
}

// percentile returns the p-th percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(float64(len(sorted)-1) * p / 100)
	return sorted[i]
}

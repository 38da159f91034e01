package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/cardsec"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/iso8583"
	"github.com/netbank/netbank/ledger"
)

// TestCard is a card the load generator pays with: its number, expiry and
// PIN in clear.
type TestCard struct {
	PAN, Expiry, PIN string
}

// IssueCards makes n active Visa Debit cards for a card run, each on an
// account of its own with 1.000.000 kr. (so runs measure authorizations,
// not contention on one account): one new customer, n accounts, n cards.
func IssueCards(ctx context.Context, ids *identity.Service, accounts *account.Service, l *ledger.Service, cards *card.Service, n int) ([]TestCard, error) {
	if n <= 0 {
		return nil, netbank.Errorf(netbank.EINVALID, "need at least one card")
	}
	if err := l.EnsureInternalAccounts(ctx, "DKK"); err != nil {
		return nil, err
	}
	// A random born-in-the-1900s CPR number, so runs can share a database.
	cpr := fmt.Sprintf("%02d%02d%02d%04d", 1+rand.IntN(28), 1+rand.IntN(12), 50+rand.IntN(40), rand.IntN(4000))
	c, err := ids.CreateCustomer(ctx, identity.Customer{Kind: identity.PrivateCustomer, Name: "Benchmark Kortholder", CPR: cpr}, identity.System)
	if err != nil {
		return nil, err
	}
	out := make([]TestCard, n)
	var mu sync.Mutex
	var firstErr error
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(n, 16) { // issue in parallel: each step is a commit of its own
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				tc, err := issueOne(ctx, c.ID, i, accounts, l, cards)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				out[i] = tc
				mu.Unlock()
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return out, firstErr
}

// issueOne opens account i of customerID with 1.000.000 kr. and issues an
// active card on it.
func issueOne(ctx context.Context, customerID string, i int, accounts *account.Service, l *ledger.Service, cards *card.Service) (TestCard, error) {
	acc, err := accounts.Open(ctx, customerID, account.Salary, fmt.Sprintf("Benchmark %d", i), "DKK", "", 0)
	if err != nil {
		return TestCard{}, err
	}
	if _, err := l.Transfer(ctx, ledger.TransferRequest{ID: "bench-card-open-" + acc.ID, DebitAccountID: ledger.InternalAccountID(ledger.KindSettlement, "DKK"),
		CreditAccountID: acc.ID, Amount: 1_000_000_00, Code: "opening"}); err != nil {
		return TestCard{}, err
	}
	iss, err := cards.Issue(ctx, card.IssueRequest{CustomerID: customerID, AccountID: acc.ID, Type: card.VisaDebit, By: card.System})
	if err != nil {
		return TestCard{}, err
	}
	if _, err := cards.Activate(ctx, customerID, iss.Card.ID, card.System); err != nil {
		return TestCard{}, err
	}
	return TestCard{PAN: iss.PAN, Expiry: iss.Card.Expiry, PIN: iss.PIN}, nil
}

// CardOptions shapes a card run.
type CardOptions struct {
	// Addr is the bank's card network listener.
	Addr string
	// Terminals is the number of concurrent terminals, each on a TCP
	// connection of its own, each waiting for its answer before sending
	// the next request.
	Terminals int
	// Requests is the total number of authorizations.
	Requests int
	// Cards are paid with at random; ZPK encrypts their PIN blocks.
	Cards []TestCard
	ZPK   []byte
	// Contactless sends contactless purchases without PIN (up to 100 kr.,
	// RULE CARD-6 then asks for the PIN every 6th time, 1A) instead of
	// chip + PIN purchases.
	Contactless bool
	// Run makes this run's STANs and RRNs its own, so runs can share a bank.
	Run int
}

// CardResult is what a card run measured: answered requests (any response
// code), their latency as the terminal saw it, and the codes.
type CardResult struct {
	Answered int
	Failed   int
	Elapsed  time.Duration
	P50, P99 time.Duration
	Max      time.Duration
	// Codes counts the answers by response code.
	Codes map[string]int
}

// PerSecond is the throughput of answered authorizations.
func (r CardResult) PerSecond() float64 { return float64(r.Answered) / r.Elapsed.Seconds() }

// String renders the result on one line.
func (r CardResult) String() string {
	codes := make([]string, 0, len(r.Codes))
	for c, n := range r.Codes {
		codes = append(codes, fmt.Sprintf("%s×%d", c, n))
	}
	sort.Strings(codes)
	return fmt.Sprintf("%d authorizations in %.2fs: %.0f authorizations/s, latency p50 %s p99 %s max %s, codes %s, %d failed",
		r.Answered, r.Elapsed.Seconds(), r.PerSecond(), r.P50.Round(time.Microsecond), r.P99.Round(time.Microsecond),
		r.Max.Round(time.Microsecond), strings.Join(codes, " "), r.Failed)
}

// Card sends opts.Requests purchases (0100) from opts.Terminals concurrent
// terminals over real TCP to the bank's card network and measures the
// answers. PIN blocks are made before the clock starts.
func Card(ctx context.Context, opts CardOptions) (CardResult, error) {
	if opts.Terminals <= 0 || opts.Requests <= 0 || len(opts.Cards) == 0 {
		return CardResult{}, netbank.Errorf(netbank.EINVALID, "need terminals > 0, requests > 0 and at least one card")
	}
	if opts.Run == 0 {
		opts.Run = rand.IntN(1_000_000)
	}
	type prepared struct{ msgs []*iso8583.Message }
	work := make([]prepared, opts.Terminals)
	now := time.Now()
	for term := range opts.Terminals {
		n := opts.Requests / opts.Terminals
		if term < opts.Requests%opts.Terminals {
			n++
		}
		rng := rand.New(rand.NewPCG(uint64(term), uint64(opts.Run)))
		for i := range n {
			c := opts.Cards[rng.IntN(len(opts.Cards))]
			seq := (opts.Run%1_000_000)*1_000_000 + i%1_000_000 // with the terminal id: unique in the run
			r := iso8583.Request{MTI: iso8583.MTIAuthorization, PAN: c.PAN, ProcessingCode: "000000", Amount: 1_00 + rng.Int64N(99_00),
				TransmissionTime: now.UTC().Format("0102150405"), STAN: fmt.Sprintf("%06d", seq%1_000_000),
				LocalTime: now.Format("150405"), LocalDate: now.Format("0102"), Expiry: c.Expiry, MCC: "5411", POSEntryMode: "051",
				POSCondition: iso8583.ConditionPresent, RRN: fmt.Sprintf("%012d", seq), TerminalID: fmt.Sprintf("BN%06d", term),
				MerchantID: "BENCHMERCHANT01", Merchant: iso8583.Merchant{Name: "Benchmark Butik", City: "Koebenhavn", Country: "DK"},
				Currency: "208"}
			if opts.Contactless {
				r.POSEntryMode = "071"
			} else {
				block, err := cardsec.EncodePINBlock(c.PIN, c.PAN, opts.ZPK)
				if err != nil {
					return CardResult{}, err
				}
				r.PINBlock = block
			}
			m, err := iso8583.BuildRequest(r)
			if err != nil {
				return CardResult{}, err
			}
			work[term].msgs = append(work[term].msgs, m)
		}
	}
	clients := make([]*iso8583.Client, opts.Terminals)
	for i := range clients {
		c, err := iso8583.Dial(ctx, opts.Addr)
		if err != nil {
			return CardResult{}, err
		}
		defer c.Close()
		clients[i] = c
	}

	latencies := make([][]time.Duration, opts.Terminals)
	codes := make([]map[string]int, opts.Terminals)
	failed := make([]int, opts.Terminals)
	var wg sync.WaitGroup
	start := time.Now()
	for term := range opts.Terminals {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, len(work[term].msgs))
			codes[term] = map[string]int{}
			for _, m := range work[term].msgs {
				t0 := time.Now()
				out, err := clients[term].Send(ctx, m)
				if err != nil {
					failed[term]++
					continue
				}
				resp, err := iso8583.ParseResponse(out)
				if err != nil {
					failed[term]++
					continue
				}
				lat = append(lat, time.Since(t0))
				codes[term][resp.Code]++
			}
			latencies[term] = lat
		}()
	}
	wg.Wait()
	res := CardResult{Elapsed: time.Since(start), Codes: map[string]int{}}
	var all []time.Duration
	for term := range latencies {
		all = append(all, latencies[term]...)
		res.Failed += failed[term]
		for c, n := range codes[term] {
			res.Codes[c] += n
		}
	}
	res.Answered = len(all)
	if len(all) > 0 {
		slices.Sort(all)
		res.P50, res.P99, res.Max = percentile(all, 50), percentile(all, 99), all[len(all)-1]
	}
	return res, nil
}

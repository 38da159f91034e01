package bench

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/ledger"
)

// PageUser is an enrolled net bank user the page benchmark logs in as.
type PageUser struct {
	UserNumber string
	Key        ed25519.PrivateKey
	AccountID  string
}

// SetupPageUsers creates n private customers on the bank at base, each with
// a salary account holding postings postings, and enrols each user (the
// first login with the letter's PIN code) over HTTP.
func SetupPageUsers(ctx context.Context, base string, ids *identity.Service, accounts *account.Service, l *ledger.Service, n, postings int) ([]PageUser, error) {
	if n <= 0 {
		return nil, netbank.Errorf(netbank.EINVALID, "need at least one user")
	}
	if err := l.EnsureInternalAccounts(ctx, "DKK"); err != nil {
		return nil, err
	}
	run := rand.IntN(1_000_000)
	users := make([]PageUser, n)
	for i := range users {
		// A born-in-the-1900s CPR number per user, so runs can share a database.
		cpr := fmt.Sprintf("%02d%02d%02d%04d", 1+rand.IntN(28), 1+rand.IntN(12), 50+rand.IntN(40), rand.IntN(4000))
		c, err := ids.CreateCustomer(ctx, identity.Customer{Kind: identity.PrivateCustomer, Name: fmt.Sprintf("Benchmark Kunde %d", i), CPR: cpr,
			Address: "Nørregade 7", Postcode: "1165", City: "København K"}, identity.System)
		if err != nil {
			return nil, err
		}
		u, pin, err := ids.CreatePrivateUser(ctx, c.ID, "", identity.System)
		if err != nil {
			return nil, err
		}
		acc, err := accounts.Open(ctx, c.ID, account.Salary, "Lønkonto", "DKK", "", 0)
		if err != nil {
			return nil, err
		}
		var reqs []ledger.TransferRequest
		for p := range postings {
			reqs = append(reqs, ledger.TransferRequest{ID: fmt.Sprintf("bench-pages-%d-%d-%d", run, i, p),
				DebitAccountID: ledger.InternalAccountID(ledger.KindSettlement, "DKK"), CreditAccountID: acc.ID,
				Amount: int64(100_00 + p), Code: "bench", Text: fmt.Sprintf("Indbetaling %d", p+1)})
		}
		for len(reqs) > 0 {
			k := min(len(reqs), 500)
			if _, err := l.TransferLinked(ctx, reqs[:k]); err != nil {
				return nil, err
			}
			reqs = reqs[k:]
		}
		key, err := NewNetbankClient(base, nil).Enroll(ctx, u.Login, pin)
		if err != nil {
			return nil, fmt.Errorf("enrolling user %d: %w", i, err)
		}
		users[i] = PageUser{UserNumber: u.Login, Key: key, AccountID: acc.ID}
	}
	return users, nil
}

// PagesOptions shapes a page run.
type PagesOptions struct {
	// Base is the bank's URL.
	Base string
	// Users are the enrolled users the clients log in as. A login ends
	// the user's other sessions, so each client has users of its own
	// (every Clients-th one): at least as many users as clients.
	Users []PageUser
	// Clients is the number of concurrent browsers.
	Clients int
	// Sessions is the total number of sessions: login → overview →
	// postings → logout.
	Sessions int
}

// PagesResult is what a page run measured.
type PagesResult struct {
	Sessions int
	Failed   int
	Elapsed  time.Duration
	// Steps holds the latencies of each step, by name.
	Steps map[string][]time.Duration
	// FirstError is why the first failed session failed.
	FirstError error
}

// pageSteps are the measured steps of a session, in order.
var pageSteps = []string{"login", "overview", "postings", "logout"}

// String renders the result: sessions and page views per second, and each
// step's p50/p99.
func (r PagesResult) String() string {
	var b strings.Builder
	views := 0
	for _, s := range pageSteps {
		views += len(r.Steps[s])
	}
	fmt.Fprintf(&b, "%d sessions in %.2fs: %.0f sessions/s, %.0f page requests/s, %d failed", r.Sessions, r.Elapsed.Seconds(),
		float64(r.Sessions)/r.Elapsed.Seconds(), float64(views)/r.Elapsed.Seconds(), r.Failed)
	if r.FirstError != nil {
		fmt.Fprintf(&b, " (first: %v)", r.FirstError)
	}
	for _, s := range pageSteps {
		lat := slices.Clone(r.Steps[s])
		if len(lat) == 0 {
			continue
		}
		slices.Sort(lat)
		fmt.Fprintf(&b, "\n  %-9s p50 %-9s p99 %-9s max %s", s, percentile(lat, 50).Round(10*time.Microsecond),
			percentile(lat, 99).Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond))
	}
	return b.String()
}

// Pages drives opts.Clients concurrent browsers through opts.Sessions net
// bank sessions. Each step must answer with the page it should: a login
// that does not reach the overview, or a postings page without the
// account's postings, counts as failed.
func Pages(ctx context.Context, opts PagesOptions) (PagesResult, error) {
	if opts.Clients <= 0 || opts.Sessions <= 0 || len(opts.Users) < opts.Clients {
		return PagesResult{}, netbank.Errorf(netbank.EINVALID, "need clients > 0, sessions > 0 and at least as many users as clients")
	}
	transport := &http.Transport{MaxIdleConnsPerHost: opts.Clients}
	defer transport.CloseIdleConnections()
	type clientResult struct {
		steps    map[string][]time.Duration
		failed   int
		firstErr error
	}
	results := make([]clientResult, opts.Clients)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range opts.Clients {
		n := opts.Sessions / opts.Clients
		if c < opts.Sessions%opts.Clients {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := clientResult{steps: map[string][]time.Duration{}}
			var own []PageUser
			for i := c; i < len(opts.Users); i += opts.Clients {
				own = append(own, opts.Users[i])
			}
			for i := range n {
				u := own[i%len(own)]
				if err := session(ctx, NewNetbankClient(opts.Base, transport), u, res.steps); err != nil {
					res.failed++
					if res.firstErr == nil {
						res.firstErr = err
					}
				}
			}
			results[c] = res
		}()
	}
	wg.Wait()
	out := PagesResult{Elapsed: time.Since(start), Steps: map[string][]time.Duration{}}
	for _, r := range results {
		out.Failed += r.failed
		if out.FirstError == nil {
			out.FirstError = r.firstErr
		}
		for s, lat := range r.steps {
			out.Steps[s] = append(out.Steps[s], lat...)
		}
	}
	out.Sessions = opts.Sessions - out.Failed
	return out, nil
}

// session is one customer's visit; it appends each step's latency to steps.
func session(ctx context.Context, c *NetbankClient, u PageUser, steps map[string][]time.Duration) error {
	postings := "/netbank/konti/" + url.PathEscape(u.AccountID)
	for _, step := range pageSteps {
		t0 := time.Now()
		var p Page
		var err error
		switch step {
		case "login":
			p, err = c.Login(ctx, u.UserNumber, u.Key)
		case "overview":
			p, err = c.Get(ctx, "/netbank")
		case "postings":
			p, err = c.Get(ctx, postings)
		case "logout":
			err = c.Logout(ctx)
		}
		if err == nil && step != "logout" && (p.Status != http.StatusOK || (step == "postings" && !strings.Contains(p.Body, "Indbetaling"))) {
			err = fmt.Errorf("%s: status %d", step, p.Status)
		}
		if err != nil {
			return err
		}
		steps[step] = append(steps[step], time.Since(t0))
	}
	return nil
}

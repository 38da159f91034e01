package systemtest

// The load both system tests drive — payments through the JSON API,
// deliveries from the clearing, card authorizations over ISO 8583 — and
// the record of every request and of what the bank answered. check
// compares the record with the database afterwards.

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netbank/netbank/calendar"
	"github.com/netbank/netbank/demo"
	"github.com/netbank/netbank/internal/harness"
	"github.com/netbank/netbank/iso8583"
)

// The demo accounts the load moves money between (demo.Accounts).
var (
	metteSalary  = demo.Accounts[0] // Mette Kjær Nielsen's Lønkonto: her card pays from it, her API key pays from it
	metteSavings = demo.Accounts[1]
	larsBudget   = demo.Accounts[2] // Freja's junior card pays from it
	larsSalary   = demo.Accounts[3] // Lars's card for use abroad pays from it
)

// accountNumber is the account number of a demo account, without the
// registration number.
func accountNumber(a demo.Account) string {
	_, number, _ := strings.Cut(a.ID, "-")
	return number
}

// The demo cards the terminals pay with (indexes of demo.CardCases): the
// active cards on accounts with money.
var loadCards = []int{0, 4, 6} // good, junior_under_15, foreign_use

// workload drives the load and records it. Its methods are safe for
// concurrent use.
type workload struct {
	prefix   string // makes this run's keys and references its own
	api      *harness.API
	customer string             // Mette's API key (demo.json)
	clearing string             // the clearing's partner key
	key      ed25519.PrivateKey // the key of Mette's signature file
	cards    []demo.Card
	zpk      string
	// pace is the pause between two requests of one driver, so a run
	// makes a few thousand requests, not more than the checks need.
	pace time.Duration

	mu       sync.Mutex
	rng      *rand.Rand
	payments []*paymentOp
	auths    []*authOp
	incoming []*incomingOp
	terms    int
	failures []string // answers no correct bank gives
}

// newWorkload prepares the load against the bank behind lb, with the
// credentials of demo.json and Mette's signature key. seed makes the
// amounts and choices repeatable.
func newWorkload(t *testing.T, lb *harness.Balancer, creds demo.Credentials, key ed25519.PrivateKey, seed uint64) *workload {
	t.Helper()
	w := &workload{prefix: fmt.Sprintf("st%x", seed&0xffffff), api: harness.NewAPI(harness.BalancerURL, lb),
		customer: harness.Token(t, creds, "customer"), clearing: harness.Token(t, creds, "clearing"), key: key,
		zpk: creds.ZPK, pace: 10 * time.Millisecond, rng: rand.New(rand.NewPCG(seed, 0x5eed))}
	for _, i := range loadCards {
		c := creds.Cards[i]
		if c.Status != "active" {
			t.Fatalf("demo card %d (%s) is %s, want active", i, demo.CardCases[i], c.Status)
		}
		w.cards = append(w.cards, c)
	}
	for _, tk := range creds.APITokens {
		if tk.Kind == "customer" && tk.UserNumber != creds.Users[0].UserNumber {
			t.Fatalf("the demo's customer API key is user %s's, not the first user's", tk.UserNumber)
		}
	}
	return w
}

// intn draws from the workload's random source.
func (w *workload) intn(n int) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.rng.IntN(n)
}

// failf records an answer no correct bank gives (the test fails).
func (w *workload) failf(format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.failures = append(w.failures, fmt.Sprintf(format, args...))
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// ---- Payments through the API (create, then sign with the signature file) ----

// paymentOp is one payment the load asked for.
type paymentOp struct {
	key    string // the Idempotency-Key: the payment's client id is "api:" + key
	body   map[string]any
	amount int64
	future bool // dated tomorrow: scheduled, not executed, when signed

	id     string // the payment's id, once an answer named it
	status string // the status of the last answer
	acked  bool   // the bank answered that it is settled (scheduled, for a future one)
	sends  int    // how many times the load tried
}

// newPayment makes the next payment: from Mette's salary account to her
// savings or to Lars Bo Jensen (both in this bank, so executed at once when
// signed), or, when future is set, dated tomorrow.
func (w *workload) newPayment(future bool) *paymentOp {
	w.mu.Lock()
	defer w.mu.Unlock()
	op := &paymentOp{key: fmt.Sprintf("%s-p%05d", w.prefix, len(w.payments)), amount: 1_00 + w.rng.Int64N(9_00), future: future}
	op.body = map[string]any{"type": "transfer", "from_account": metteSalary.ID, "to_reg": demo.Reg,
		"to_account": accountNumber(metteSavings), "amount": op.amount, "text_to_self": "Systemtest"}
	if w.rng.IntN(2) == 0 {
		op.body["to_account"], op.body["to_name"], op.body["text_to_recipient"] = accountNumber(larsBudget), larsBudget.Owner, "Fra Mette"
	}
	if future {
		op.body["date"] = calendar.Day(time.Now()).AddDate(0, 0, 1).Format(time.DateOnly)
	}
	w.payments = append(w.payments, op)
	return op
}

// payer pays until ctx ends. The request in flight then is not cut off:
// only the bank (a crash) leaves a request unanswered.
func (w *workload) payer(ctx context.Context) {
	for ctx.Err() == nil {
		w.pay(context.WithoutCancel(ctx), w.newPayment(false))
		sleep(ctx, w.pace)
	}
}

// pay creates the payment (or repeats its creation: the same key returns
// the same payment) and signs it. A request the bank did not answer
// leaves the payment unacknowledged.
func (w *workload) pay(ctx context.Context, op *paymentOp) {
	w.mu.Lock()
	op.sends++
	w.mu.Unlock()
	ans, err := w.api.CreatePayment(ctx, w.customer, op.key, op.body)
	if err != nil || ans.Status >= 500 {
		return
	}
	if ans.Status != http.StatusCreated && ans.Status != http.StatusOK {
		w.failf("payment %s: create answered %d: %s", op.key, ans.Status, ans.Raw)
		return
	}
	signing := ans.Object("signing")
	w.note(op, ans)
	if signing == nil {
		return // signed before: its status is what the answer said
	}
	ans, err = w.api.Sign(ctx, w.customer, signing, w.key)
	if err != nil || ans.Status >= 500 {
		return
	}
	if ans.Status != http.StatusOK {
		w.failf("payment %s (%s): signing answered %d: %s", op.key, op.id, ans.Status, ans.Raw)
		return
	}
	w.note(op, ans)
}

// note records what an answer said of a payment.
func (w *workload) note(op *paymentOp, ans harness.Answer) {
	w.mu.Lock()
	defer w.mu.Unlock()
	p := ans.Object("payment")
	id, _ := p["id"].(string)
	status, _ := p["status"].(string)
	switch {
	case id == "":
		w.failures = append(w.failures, fmt.Sprintf("payment %s: an answer without the payment: %s", op.key, ans.Raw))
		return
	case op.id != "" && id != op.id:
		w.failures = append(w.failures, fmt.Sprintf("payment %s: answered as %s, earlier as %s", op.key, id, op.id))
	}
	op.id, op.status = id, status
	if status == "settled" || op.future && status == "scheduled" {
		op.acked = true
	}
}

// ---- Payments from other banks, delivered by the clearing ----

// incomingOp is one payment the clearing delivered (or tried to).
type incomingOp struct {
	ref    string
	body   map[string]any
	amount int64
	acked  bool // answered booked
	sends  int
}

// clearingSource is the sending bank of the deliveries (a registration number).
const clearingSource = "5301"

// fundedAccounts are the accounts the deliveries go to, in turn: the
// accounts of the load's cards, so long runs do not empty them.
var fundedAccounts = []demo.Account{metteSalary, larsSalary, larsBudget}

// deliverer delivers payments from another bank until ctx ends.
func (w *workload) deliverer(ctx context.Context) {
	for ctx.Err() == nil {
		w.mu.Lock()
		n := len(w.incoming)
		op := &incomingOp{ref: fmt.Sprintf("%s-i%05d", w.prefix, n), amount: 10_00 + w.rng.Int64N(40_00)}
		op.body = map[string]any{"reference": op.ref, "from_bank": clearingSource, "from_name": "Systemtest A/S",
			"to_reg": demo.Reg, "to_account": accountNumber(fundedAccounts[n%len(fundedAccounts)]), "amount": op.amount, "text": "Systemtest"}
		w.incoming = append(w.incoming, op)
		w.mu.Unlock()
		w.deliver(context.WithoutCancel(ctx), op)
		sleep(ctx, w.pace)
	}
}

// deliver sends the delivery (again: the same reference is a retry).
func (w *workload) deliver(ctx context.Context, op *incomingOp) {
	w.mu.Lock()
	op.sends++
	w.mu.Unlock()
	ans, err := w.api.Do(ctx, http.MethodPost, "/api/v1/clearing/incoming", w.clearing, op.body)
	if err != nil || ans.Status >= 500 {
		return
	}
	status, _ := ans.Body["status"].(string)
	if (ans.Status != http.StatusCreated && ans.Status != http.StatusOK) || status != "booked" {
		w.failf("delivery %s: answered %d: %s", op.ref, ans.Status, ans.Raw)
		return
	}
	w.mu.Lock()
	op.acked = true
	w.mu.Unlock()
}

// ---- Card authorizations over ISO 8583 ----

// authOp is one authorization request a terminal sent.
type authOp struct {
	term  *harness.Terminal
	req   iso8583.Request
	code  string // the answer's response code; "" while unanswered
	acked bool
	sends int
}

// key names the request as the bank's retry detection does.
func (a *authOp) key() string { return a.req.TerminalID + "/" + a.req.STAN + "/" + a.req.RRN }

// newTerminal makes the next terminal of the load.
func (w *workload) newTerminal(t *testing.T) *harness.Terminal {
	t.Helper()
	w.mu.Lock()
	w.terms++
	n := w.terms
	w.mu.Unlock()
	term, err := harness.NewTerminal(n, w.zpk)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(term.Close)
	return term
}

// terminal sends chip + PIN purchases of 1–20 kr. with the load's cards
// to the card network at addr() until ctx ends: mostly authorizations
// (0100, a hold), some financial requests (0200, debited at once).
func (w *workload) terminal(ctx context.Context, term *harness.Terminal, addr func() string) {
	for ctx.Err() == nil {
		mti := iso8583.MTIAuthorization
		if w.intn(10) < 3 {
			mti = iso8583.MTIFinancial
		}
		req, err := term.Purchase(mti, w.cards[w.intn(len(w.cards))], int64(1_00+w.intn(19_00)))
		if err != nil {
			w.failf("terminal %s: %v", term.ID(), err)
			return
		}
		op := &authOp{term: term, req: req}
		w.mu.Lock()
		w.auths = append(w.auths, op)
		w.mu.Unlock()
		w.authorize(context.WithoutCancel(ctx), op, addr())
		sleep(ctx, w.pace)
	}
}

// authorize sends the request (again, for a retry: same STAN and RRN).
func (w *workload) authorize(ctx context.Context, op *authOp, addr string) {
	w.mu.Lock()
	op.sends++
	w.mu.Unlock()
	resp, err := op.term.Send(ctx, addr, op.req)
	if err != nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case resp.Code == "96":
		// The bank's own failure: it moved nothing, and the acquirer may
		// send the request again. Not an acknowledgement of the purchase.
		op.code = resp.Code
		return
	case op.acked && resp.Code != op.code:
		w.failures = append(w.failures, fmt.Sprintf("authorization %s: answered %s, earlier %s", op.key(), resp.Code, op.code))
	case resp.Code != "00" && resp.Code != "51" && resp.Code != "61": // approved, or no money left, or over a limit
		w.failures = append(w.failures, fmt.Sprintf("authorization %s (%s, %d øre): answered %s", op.key(), op.req.MTI, op.req.Amount, resp.Code))
	}
	op.code, op.acked = resp.Code, true
}

// ---- Summaries ----

// counts summarises the record.
func (w *workload) counts() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	count := func(n int, acked func(int) bool) string {
		a := 0
		for i := 0; i < n; i++ {
			if acked(i) {
				a++
			}
		}
		return fmt.Sprintf("%d (%d acknowledged)", n, a)
	}
	codes := map[string]int{}
	for _, a := range w.auths {
		if a.acked {
			codes[a.code]++
		}
	}
	return fmt.Sprintf("payments %s, deliveries %s, authorizations %s, codes %v",
		count(len(w.payments), func(i int) bool { return w.payments[i].acked }),
		count(len(w.incoming), func(i int) bool { return w.incoming[i].acked }),
		count(len(w.auths), func(i int) bool { return w.auths[i].acked }), codes)
}

// unanswered lists the requests the bank never answered.
func (w *workload) unanswered() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, op := range w.payments {
		if !op.acked {
			out = append(out, fmt.Sprintf("payment %s (%s): last status %q", op.key, op.id, op.status))
		}
	}
	for _, op := range w.incoming {
		if !op.acked {
			out = append(out, "delivery "+op.ref)
		}
	}
	for _, op := range w.auths {
		if !op.acked {
			out = append(out, fmt.Sprintf("authorization %s (last answer %q)", op.key(), op.code))
		}
	}
	return out
}

// failuresText lists the recorded failures ("" for none).
func (w *workload) failuresText() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(limit(w.failures, 30), "\n")
}

// limit keeps the first n of a long list, saying how many it left out.
func limit(list []string, n int) []string {
	if len(list) <= n {
		return list
	}
	return append(append([]string(nil), list[:n]...), fmt.Sprintf("… and %d more", len(list)-n))
}

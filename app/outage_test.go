package app_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/demo"
	"github.com/netbank/netbank/internal/faultproxy"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/scheduler"
)

// TestDatabaseOutage takes PostgreSQL away from a running bank (a proxy
// between them resets every connection and refuses new ones) while
// browsers, an API program, a card terminal and ledger traffic keep
// coming, and then gives it back (issue 6, "Faults"):
//
//   - while it is away every door fails cleanly and promptly: the card
//     network gets 96, pages the Danish "temporarily unavailable" page with
//     an incident id that is in the log, the API a 503 coded "unavailable",
//     /readyz 503 (/healthz stays 200), the scheduler a coded error, and
//     every ledger caller an EUNAVAILABLE error rather than a hang;
//   - nothing is half-written: a payment signed during the outage is
//     either fully done or not at all, and every ledger transfer either is
//     there in full or not at all;
//   - when it is back the bank recovers by itself, without a restart: the
//     same session, API key and terminal work, a new login works, the
//     ledger's committer takes new batches, the retried transfers land
//     exactly once, scheduled jobs run, and the ledger check passes.
func TestDatabaseOutage(t *testing.T) {
	b, proxy := startBankBehindProxy(t)
	ctx := context.Background()

	// Before: everyone is served.
	mette := b.creds.Users[0]
	web := b.browser()
	key := web.firstLogin(mette.UserNumber, mette.PINCode)
	if p := web.get("/netbank"); p.status != http.StatusOK {
		t.Fatalf("overview before the outage: %d", p.status)
	}
	token := b.customerToken()
	if a := b.api("GET", "/api/v1/accounts", token, nil); a.status != http.StatusOK {
		t.Fatalf("API before the outage: %d %s", a.status, a.raw)
	}
	card := b.creds.Cards[0] // Mette's active Visa Debit
	term := b.terminal("TERM0001")
	if code := term.send(term.purchase(card, 100_00, card.PIN)); code != "00" {
		t.Fatalf("purchase before the outage: %s, want 00", code)
	}
	salary := demo.Accounts[0].ID // Mette's, the payment's source
	created := b.api("POST", "/api/v1/payments", token, map[string]any{"type": "transfer", "from_account": salary,
		"to_reg": "9070", "to_account": "4420001", "to_name": "Lars Bo Jensen", "amount": 250_00, "text_to_self": "Koncert"},
		"Idempotency-Key", "outage-payment")
	if created.status != http.StatusCreated {
		t.Fatalf("create payment: %d %s", created.status, created.raw)
	}
	paymentID := created.body["payment"].(map[string]any)["id"].(string)
	signing := created.body["signing"].(map[string]any)
	proof := signWithKey(signing, key)
	postedBefore := b.posted(salary)

	traffic := startLedgerTraffic(t, b, 4)
	traffic.waitAcks(t, 20)

	proxy.Cut()
	t.Log("database cut")
	traffic.waitEveryWorkerFailed(t)

	t.Run("card network gets 96", func(t *testing.T) {
		if code := term.send(term.purchase(card, 50_00, card.PIN)); code != "96" {
			t.Errorf("purchase during the outage: %s, want 96", code)
		}
	})
	t.Run("pages show the Danish error with an incident id", func(t *testing.T) {
		for _, p := range []page{web.get("/netbank"), b.browser().post("/login/private", url.Values{"user_number": {mette.UserNumber}}, false)} {
			b.wantUnavailablePage(t, p)
		}
	})
	t.Run("the API answers 503 unavailable", func(t *testing.T) {
		for _, a := range []apiAnswer{
			b.api("GET", "/api/v1/accounts", token, nil),
			b.api("POST", "/api/v1/signatures/"+signing["request_id"].(string), token, proof),
		} {
			if a.status != http.StatusServiceUnavailable || a.errorCode() != string(netbank.EUNAVAILABLE) {
				t.Errorf("API during the outage: %d %s, want 503 with code unavailable", a.status, a.raw)
			}
			if a.header.Get("Retry-After") == "" {
				t.Error("no Retry-After on the API's 503")
			}
			// The message is for people (Danish), never the database's error.
			if msg := a.body["error"].(map[string]any)["message"].(string); !strings.Contains(msg, "Prøv igen") ||
				strings.Contains(msg, proxy.Addr()) || strings.Contains(strings.ToLower(msg), "connect") {
				t.Errorf("API message %q", msg)
			}
		}
	})
	t.Run("readyz 503, healthz 200", func(t *testing.T) {
		if p := b.browser().get("/readyz"); p.status != http.StatusServiceUnavailable {
			t.Errorf("/readyz during the outage: %d %s", p.status, p.body)
		}
		if p := b.browser().get("/healthz"); p.status != http.StatusOK {
			t.Errorf("/healthz during the outage: %d", p.status)
		}
	})
	t.Run("the scheduler's tick fails coded", func(t *testing.T) {
		if _, err := b.a.Scheduler.Tick(ctx); netbank.ErrorCodeOf(err) != netbank.EUNAVAILABLE {
			t.Errorf("Tick during the outage: %v, want EUNAVAILABLE", err)
		}
	})

	proxy.Restore()
	t.Log("database restored")
	if proxy.Refused() == 0 {
		t.Error("the bank did not try to reach the database during the outage")
	}
	b.waitReady(t)
	traffic.waitEveryWorkerSucceeded(t) // the ledger's committer lives on
	traffic.stop(t)

	t.Run("the same clients are served again", func(t *testing.T) {
		if p := web.get("/netbank"); p.status != http.StatusOK {
			t.Errorf("the session from before the outage: %d\n%s", p.status, p.text())
		}
		if p := b.browser().login(mette.UserNumber, key); p.status != http.StatusSeeOther || p.header.Get("Location") != "/netbank" {
			t.Errorf("a new login: %d %q\n%s", p.status, p.header.Get("Location"), p.text())
		}
		if a := b.api("GET", "/api/v1/accounts", token, nil); a.status != http.StatusOK {
			t.Errorf("API: %d %s", a.status, a.raw)
		}
		if code := term.send(term.purchase(card, 50_00, card.PIN)); code != "00" {
			t.Errorf("purchase after the outage: %s, want 00", code)
		}
	})
	t.Run("the payment is done once", func(t *testing.T) {
		p := b.api("GET", "/api/v1/payments/"+paymentID, token, nil)
		if st := p.body["status"]; st != "awaiting_signature" && st != "settled" {
			t.Fatalf("payment after the outage: %s: half done?", p.raw)
		}
		if paid := postedBefore - b.posted(salary); paid != 0 && paid != 250_00 {
			t.Fatalf("paid %d during the outage, want nothing or all", paid)
		}
		// The client that lost its answer sends the proof again.
		a := b.api("POST", "/api/v1/signatures/"+signing["request_id"].(string), token, proof)
		if a.status != http.StatusOK || a.body["payment"].(map[string]any)["status"] != "settled" {
			t.Fatalf("signing again after the outage: %d %s", a.status, a.raw)
		}
		if paid := postedBefore - b.posted(salary); paid != 250_00 {
			t.Errorf("paid %d, want 250,00 kr. once", paid)
		}
	})
	t.Run("every ledger transfer is there once", func(t *testing.T) {
		traffic.retryFailed(t)
		traffic.check(t)
	})
	t.Run("scheduled jobs run again", func(t *testing.T) {
		b.clock.Advance(24 * time.Hour) // past Tuesday 03.30
		if _, err := b.a.Scheduler.Tick(ctx); err != nil {
			t.Fatalf("Tick after the outage: %v", err)
		}
		runs, err := b.a.Scheduler.Runs(ctx, "identity-housekeeping", 5)
		if err != nil || len(runs) == 0 || runs[0].Key != "2026-11-24T03:30" || runs[0].State != scheduler.Done {
			t.Errorf("housekeeping runs %+v %v, want Tuesday's done", runs, err)
		}
	})
	if rep, err := b.a.Ledger.Check(ctx); err != nil || !rep.OK() {
		t.Errorf("ledger check after the outage: %v %v", rep.Violations, err)
	}
}

// TestDatabaseStall makes PostgreSQL hang instead of vanish (the proxy
// holds every byte: a server stuck on its disk, a network dropping
// packets), the nastier outage because nothing fails by itself. The card
// network still gets its answer, 96, within the listener's deadline, and
// a ledger caller that gives up is free to go; /readyz says 503. When the
// database answers again the bank recovers by itself: the same terminal
// and card are approved (no lock was left behind), the browser's session
// works, the transfer the caller gave up on is retried and lands once,
// and the ledger check passes.
func TestDatabaseStall(t *testing.T) {
	b, proxy := startBankBehindProxy(t, func(c *app.Config) { c.RequestTimeout = 2 * time.Second })
	ctx := context.Background()
	mette := b.creds.Users[0]
	web := b.browser()
	web.firstLogin(mette.UserNumber, mette.PINCode)
	card := b.creds.Cards[0]
	term := b.terminal("TERM0002")
	traffic := startLedgerTraffic(t, b, 0) // just its accounts
	move := traffic.request("stall-1")
	salary := demo.Accounts[0].ID // the card's account
	pendingBefore := b.balance(salary).Pending

	proxy.Stall()
	t.Log("database stalled")
	if code := term.send(term.purchase(card, 100_00, card.PIN)); code != "96" {
		t.Errorf("purchase during the stall: %s, want 96", code)
	}
	if p := b.browser().get("/readyz"); p.status != http.StatusServiceUnavailable {
		t.Errorf("/readyz during the stall: %d", p.status)
	}
	// A page waits for the database only as long as the request's
	// deadline (RequestTimeout), then says so in Danish with an incident id.
	if p := web.get("/netbank"); p.status != http.StatusServiceUnavailable || !strings.Contains(p.text(), "Fejl-id") {
		t.Errorf("a page during the stall: %d\n%s", p.status, p.text())
	}
	gaveUp, cancel := context.WithTimeout(ctx, time.Second)
	_, err := b.a.Ledger.Transfer(gaveUp, move)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a ledger caller's deadline passed during the stall: %v, want its deadline's error", err)
	}

	proxy.Restore()
	t.Log("database restored")
	b.waitReady(t)
	if code := term.send(term.purchase(card, 100_00, card.PIN)); code != "00" {
		t.Errorf("purchase after the stall: %s, want 00", code)
	}
	if got := b.balance(salary).Pending - pendingBefore; got != 100_00 {
		t.Errorf("reserved %d on the card's account, want only the approved 100,00 kr. (the 96 reserves nothing)", got)
	}
	if p := web.get("/netbank"); p.status != http.StatusOK {
		t.Errorf("the session after the stall: %d\n%s", p.status, p.text())
	}
	// The caller that gave up sends the transfer again: once, in full.
	if _, err := b.a.Ledger.Transfer(ctx, move); err != nil {
		t.Fatalf("retrying the transfer after the stall: %v", err)
	}
	if got := b.posted(traffic.to); got != trafficAmount {
		t.Errorf("%s holds %d after one transfer of %d", traffic.to, got, trafficAmount)
	}
	if rep, err := b.a.Ledger.Check(ctx); err != nil || !rep.OK() {
		t.Errorf("ledger check after the stall: %v %v", rep.Violations, err)
	}
}

// TestDatabaseLockedSQLite is the outage of the embedded engine: another
// process (the sqlite3 shell in a transaction, a second bank started on
// the same data directory) holds the database file's write lock. After
// SQLite's busy timeout (10 s) the page answers cleanly, as on PostgreSQL:
// the Danish 503 page with an incident id. When the lock goes, the same
// browser, API program and terminal are served again. (The card network's and the API's answers in
// an outage do not depend on the engine: TestDatabaseOutage; a purchase
// answered 96 leaves no money moved: card's TestLostLedgerAnswerMovesNoMoney.)
func TestDatabaseLockedSQLite(t *testing.T) {
	b := startLiveBank(t, "")
	mette := b.creds.Users[0]
	web := b.browser()
	web.firstLogin(mette.UserNumber, mette.PINCode)
	token := b.customerToken()
	card := b.creds.Cards[0]
	term := b.terminal("TERM0003")

	lock := lockSQLite(t, filepath.Join(b.dataDir, "netbank.db"))
	b.wantUnavailablePage(t, web.get("/netbank"))

	lock.release()
	if p := web.get("/netbank"); p.status != http.StatusOK {
		t.Errorf("the session after the lock: %d\n%s", p.status, p.text())
	}
	if a := b.api("GET", "/api/v1/accounts", token, nil); a.status != http.StatusOK {
		t.Errorf("API after the lock: %d %s", a.status, a.raw)
	}
	if code := term.send(term.purchase(card, 100_00, card.PIN)); code != "00" {
		t.Errorf("purchase after the lock: %s, want 00", code)
	}
	if rep, err := b.a.Ledger.Check(context.Background()); err != nil || !rep.OK() {
		t.Errorf("ledger check after the lock: %v %v", rep.Violations, err)
	}
}

// sqliteLock is another process's write lock on a SQLite file.
type sqliteLock struct {
	t    *testing.T
	db   *sql.DB
	conn *sql.Conn
}

// lockSQLite takes the write lock of the SQLite file at path, as another
// process would (SQLite's locks work the same between connections of one
// process), until release or the end of the test.
func lockSQLite(t *testing.T, path string) *sqliteLock {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	l := &sqliteLock{t: t, db: db, conn: conn}
	t.Cleanup(l.release)
	return l
}

func (l *sqliteLock) release() {
	if l.conn == nil {
		return
	}
	if _, err := l.conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		l.t.Error(err)
	}
	l.conn.Close()
	l.db.Close()
	l.conn = nil
}

// startBankBehindProxy runs the demo bank on a fresh PostgreSQL database
// that it reaches only through a fault proxy.
func startBankBehindProxy(t *testing.T, mods ...func(*app.Config)) (*liveBank, *faultproxy.Proxy) {
	t.Helper()
	u, err := url.Parse(testkit.FreshPostgresDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := faultproxy.Start(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() }) // after the bank closes (cleanups run last-in first-out)
	u.Host = proxy.Addr()
	return startLiveBank(t, u.String(), mods...), proxy
}

// balance is an account's balance.
func (b *liveBank) balance(id string) ledger.Balance {
	b.t.Helper()
	bal, err := b.a.Ledger.Balance(context.Background(), id)
	if err != nil {
		b.t.Fatal(err)
	}
	return bal
}

// posted is an account's posted balance.
func (b *liveBank) posted(id string) int64 { return b.balance(id).Posted }

var incidentRE = regexp.MustCompile(`id="incident">([0-9a-f]{16})<`)

// wantUnavailablePage checks a page is the Danish 503 page with an
// incident id that the log has with the error.
func (b *liveBank) wantUnavailablePage(t *testing.T, p page) {
	t.Helper()
	if p.status != http.StatusServiceUnavailable || !strings.Contains(p.text(), "Netbanken er midlertidigt utilgængelig") {
		t.Errorf("status %d, want 503 with the Danish text:\n%s", p.status, p.text())
		return
	}
	m := incidentRE.FindStringSubmatch(p.body)
	if m == nil {
		t.Errorf("no incident id on the page:\n%s", p.text())
		return
	}
	if !strings.Contains(b.logs.String(), `"incident":"`+m[1]+`"`) {
		t.Errorf("incident %s is not in the log", m[1])
	}
	if p.header.Get("Retry-After") == "" {
		t.Error("no Retry-After on the 503")
	}
}

// waitReady polls /readyz until the bank says it is ready again; it must
// come back by itself.
func (b *liveBank) waitReady(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if p := b.browser().get("/readyz"); p.status == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("/readyz did not come back within a minute of the database")
		}
	}
}

// ledgerTraffic is a few goroutines making ledger transfers one after the
// other, each with its own id, recording what happened to each.
type ledgerTraffic struct {
	bank     *liveBank
	from, to string
	done     chan struct{}
	wg       sync.WaitGroup
	acks     atomic.Int64

	mu      sync.Mutex
	workers []*trafficWorker
}

type trafficWorker struct {
	failedSince bool // an error since waitEveryWorkerFailed began looking
	okSince     bool // a success since waitEveryWorkerSucceeded began looking
	ok          []string
	failed      map[string]error
}

// trafficAmount is what each transfer moves.
const trafficAmount = 1_00

// startLedgerTraffic opens two accounts and starts n workers moving money
// between them.
func startLedgerTraffic(t *testing.T, b *liveBank, n int) *ledgerTraffic {
	t.Helper()
	ctx := context.Background()
	lt := &ledgerTraffic{bank: b, from: "outage-from", to: "outage-to", done: make(chan struct{})}
	for _, id := range []string{lt.from, lt.to} {
		if _, err := b.a.Ledger.CreateAccount(ctx, ledger.NewAccount{ID: id, Name: id, Kind: ledger.KindSuspense,
			Currency: "DKK", Unconstrained: id == lt.from}); err != nil {
			t.Fatal(err)
		}
	}
	for w := range n {
		tw := &trafficWorker{failed: map[string]error{}}
		lt.workers = append(lt.workers, tw)
		lt.wg.Add(1)
		go lt.run(w, tw)
	}
	return lt
}

func (lt *ledgerTraffic) request(id string) ledger.TransferRequest {
	return ledger.TransferRequest{ID: id, DebitAccountID: lt.from, CreditAccountID: lt.to, Amount: trafficAmount, Text: "outage traffic"}
}

func (lt *ledgerTraffic) run(w int, tw *trafficWorker) {
	defer lt.wg.Done()
	for i := 0; ; i++ {
		select {
		case <-lt.done:
			return
		default:
		}
		id := fmt.Sprintf("outage-w%d-%05d", w, i)
		// A bound far above any commit: a caller left waiting past it is a hang.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		_, err := lt.bank.a.Ledger.Transfer(ctx, lt.request(id))
		cancel()
		lt.mu.Lock()
		if err != nil {
			tw.failed[id], tw.failedSince = err, true
		} else {
			tw.ok, tw.okSince = append(tw.ok, id), true
		}
		lt.mu.Unlock()
		if err != nil {
			time.Sleep(20 * time.Millisecond) // a client backing off
		} else {
			lt.acks.Add(1)
		}
	}
}

// waitAcks waits until n transfers were acknowledged.
func (lt *ledgerTraffic) waitAcks(t *testing.T, n int64) {
	t.Helper()
	lt.waitFor(t, fmt.Sprintf("%d acknowledged transfers", n), func() bool { return lt.acks.Load() >= n })
}

// waitEveryWorkerFailed waits until every worker got an error: no caller
// is left hanging when the database goes away.
func (lt *ledgerTraffic) waitEveryWorkerFailed(t *testing.T) {
	t.Helper()
	lt.reset(func(tw *trafficWorker) { tw.failedSince = false })
	lt.waitFor(t, "an error for every ledger caller", func() bool { return lt.all(func(tw *trafficWorker) bool { return tw.failedSince }) })
}

// waitEveryWorkerSucceeded waits until every worker had a transfer
// committed again.
func (lt *ledgerTraffic) waitEveryWorkerSucceeded(t *testing.T) {
	t.Helper()
	lt.reset(func(tw *trafficWorker) { tw.okSince = false })
	lt.waitFor(t, "a committed transfer for every ledger caller", func() bool { return lt.all(func(tw *trafficWorker) bool { return tw.okSince }) })
}

func (lt *ledgerTraffic) reset(fn func(*trafficWorker)) {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	for _, tw := range lt.workers {
		fn(tw)
	}
}

func (lt *ledgerTraffic) all(fn func(*trafficWorker) bool) bool {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	for _, tw := range lt.workers {
		if !fn(tw) {
			return false
		}
	}
	return true
}

func (lt *ledgerTraffic) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within a minute", what)
		}
	}
}

// stop ends the workers and waits for them.
func (lt *ledgerTraffic) stop(t *testing.T) {
	t.Helper()
	close(lt.done)
	lt.wg.Wait()
}

// retryFailed sends every failed transfer again with its id, as a client
// that got an error must: the ledger makes it happen exactly once. Every
// failure must have been reported as the database being unavailable.
func (lt *ledgerTraffic) retryFailed(t *testing.T) {
	t.Helper()
	for _, tw := range lt.workers {
		for id, err := range tw.failed {
			if netbank.ErrorCodeOf(err) != netbank.EUNAVAILABLE || errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("transfer %s failed with %v, want a coded EUNAVAILABLE", id, err)
			}
			if _, err := lt.bank.a.Ledger.Transfer(context.Background(), lt.request(id)); err != nil {
				t.Errorf("retrying %s after the outage: %v", id, err)
			}
		}
	}
}

// check proves every transfer is there once, in full: the receiving
// account holds exactly one amount per distinct id, and each id's transfer
// has its two entries (the ledger check counts those).
func (lt *ledgerTraffic) check(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	ids := 0
	failed := 0
	for _, tw := range lt.workers {
		ids += len(tw.ok) + len(tw.failed)
		failed += len(tw.failed)
		for _, id := range append(append([]string(nil), tw.ok...), keys(tw.failed)...) {
			if _, err := lt.bank.a.Ledger.GetTransfer(ctx, id); err != nil {
				t.Errorf("transfer %s: %v", id, err)
			}
		}
	}
	if failed == 0 {
		t.Error("no transfer failed: the outage did not hit the ledger")
	}
	if got := lt.bank.posted(lt.to); got != int64(ids)*trafficAmount {
		t.Errorf("%s holds %d after %d distinct transfers of %d", lt.to, got, ids, trafficAmount)
	}
	t.Logf("%d ledger transfers, %d failed during the outage and were retried", ids, failed)
}

func keys(m map[string]error) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

package systemtest

// The scale-out test (issue 6, "Scale out"): three netbank processes on one
// PostgreSQL database, behind a load balancer, act as one bank.

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"fmt"
	"html"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/bench"
	"github.com/netbank/netbank/demo"
	"github.com/netbank/netbank/internal/harness"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/store"
)

// scaleOutLoad is how long the load runs at the three instances.
const scaleOutLoad = 8 * time.Second

// TestScaleOutThreeInstances starts three instances on one fresh
// PostgreSQL database, all at once, on a demo bank seeded before (by the
// same code a first `netbank` start runs, app.New, but without serving, so
// that its scheduled runs of the past week are left for the three to race
// for). Each starts with --demo, as the first did: none seeds the demo
// again. Then logins, payments through the API, deliveries from the
// clearing and card authorizations go to all three at once. It proves:
//
//   - every scheduled run of every job ran exactly once (one claim of its
//     lease, done), whichever instance took it;
//   - a session made on one instance works on the others, and a logout on
//     one ends it on all (RULE SESS-5);
//   - every payment, delivery and authorization was answered and is in
//     the database exactly once with its money, nothing else is (RULE
//     CARD-7: an approved purchase is reserved at once);
//   - the ledger's invariants hold (`netbank ledger check`; the accounts of
//     each currency sum to zero) and the audit log's chain is intact.
func TestScaleOutThreeInstances(t *testing.T) {
	dsn := testkit.FreshPostgresDatabase(t)
	secret := harness.NewSecret()
	root := t.TempDir()
	dirA := filepath.Join(root, "a")
	seedDemo(t, app.Config{DataDir: dirA, DB: dsn, Secret: secret, Demo: true})
	before := demoFootprint(t, dsn)

	var banks []*harness.Bank
	for _, name := range []string{"a", "b", "c"} {
		banks = append(banks, harness.NewBank(t, harness.Options{Name: name, DataDir: filepath.Join(root, name), DB: dsn,
			Secret: secret, Demo: true}))
	}
	harness.StartAll(t, banks...)
	waitForDueRuns(t, dsn)

	if after := demoFootprint(t, dsn); after != before {
		t.Errorf("starting three more instances with --demo changed the demo bank:\nbefore %s\nafter  %s", before, after)
	}
	for _, b := range banks[1:] {
		if _, err := os.Stat(filepath.Join(b.Options().DataDir, "demo.json")); err == nil {
			t.Errorf("instance %s wrote a demo.json of its own", b.Name())
		}
	}

	creds := harness.ReadDemo(t, dirA)
	lb := harness.NewBalancer(banks...)
	seed := uint64(time.Now().UnixNano())
	w := enrolledWorkload(t, lb, dirA, seed)
	w.pace = 5 * time.Millisecond
	users := sessionUsers(t, banks, creds)

	ctx, stop := context.WithTimeout(context.Background(), scaleOutLoad)
	defer stop()
	var drivers sync.WaitGroup
	drive := func(f func(context.Context)) {
		drivers.Add(1)
		go func() {
			defer drivers.Done()
			f(ctx)
		}()
	}
	drive(w.payer)
	drive(w.payer)
	drive(w.deliverer)
	for _, b := range banks {
		for range 2 {
			term := w.newTerminal(t)
			drive(func(ctx context.Context) { w.terminal(ctx, term, b.CardAddr) })
		}
	}
	for _, u := range users {
		drive(u.roam)
	}
	drivers.Wait()
	for _, b := range banks {
		b.Stop()
	}

	t.Logf("seed %d: %s", seed, w.counts())
	for _, u := range users {
		t.Logf("%s: %d logins, %d pages on other instances, %d logouts", u.name, u.logins, u.pages, u.logouts)
		if u.logins < 3 {
			t.Errorf("%s logged in only %d times", u.name, u.logins)
		}
		for _, p := range limit(u.problems, 10) {
			t.Errorf("%s: %s", u.name, p)
		}
	}
	if f := w.failuresText(); f != "" {
		t.Errorf("answers no bank should give:\n%s", f)
	}
	if u := w.unanswered(); len(u) > 0 {
		t.Errorf("requests the instances did not answer:\n%s", strings.Join(limit(u, 20), "\n"))
	}
	if problems := w.check(readState(t, dsn), true); len(problems) > 0 {
		t.Errorf("the database and the answers disagree:\n%s", strings.Join(limit(problems, 40), "\n"))
	}
	checkRunsOnce(t, dsn)
	harness.LedgerCheck(t, "--db", dsn)
	harness.AuditVerify(t, "--db", dsn)
}

// seedDemo seeds the demo bank as a first start does (app.New with Demo)
// and closes it without serving: its scheduler never ticks.
func seedDemo(t *testing.T, cfg app.Config) {
	t.Helper()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("seed the demo bank: %v", err)
	}
	a.Close()
}

// openDB opens the database for the test's own reads.
func openDB(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, store.Options{MaxConns: 2})
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// demoFootprint counts what seeding the demo makes once: people, staff,
// accounts, cards, API keys, agreements with their collections and bills,
// exchange rates. (The history's ledger transfers have ids derived from
// the events, so a second seeding could not book them twice.)
func demoFootprint(t *testing.T, dsn string) string {
	t.Helper()
	db := openDB(t, dsn)
	var parts []string
	for _, table := range []string{"customers", "users", "staff", "accounts", "ledger_accounts", "cards", "api_keys",
		"payment_agreements", "agreement_collections", "agreement_invoices", "fx_rates"} {
		n := 0
		query(t, db, "SELECT COUNT(*) FROM "+table, func(rows *sql.Rows) error { return rows.Scan(&n) })
		parts = append(parts, fmt.Sprintf("%s %d", table, n))
	}
	return strings.Join(parts, ", ")
}

// waitForDueRuns waits until the instances have planned the scheduled
// runs and no run that is due is left unclaimed or running: their first
// ticks are over.
func waitForDueRuns(t *testing.T, dsn string) {
	t.Helper()
	db := openDB(t, dsn)
	deadline := time.Now().Add(60 * time.Second)
	for {
		planned, n := 0, 0
		query(t, db, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN state = 'pending' AND due_at <= ? THEN 1 ELSE 0 END), 0) FROM job_runs",
			func(rows *sql.Rows) error { return rows.Scan(&planned, &n) }, time.Now().UnixMicro())
		if planned > 0 && n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d scheduled runs still pending a minute after the instances started", n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkRunsOnce: every planned run of every job is done, after exactly one
// claim of its lease (attempts = 1): no two instances ran it, and none
// failed and ran again. It logs which instances ran how many.
func checkRunsOnce(t *testing.T, dsn string) {
	t.Helper()
	db := openDB(t, dsn)
	runs, by := 0, map[string]int{}
	var problems []string
	query(t, db, "SELECT job, run_key, state, attempts, done_by, last_error FROM job_runs", func(rows *sql.Rows) error {
		var job, key, state, doneBy, lastErr string
		var attempts int
		if err := rows.Scan(&job, &key, &state, &attempts, &doneBy, &lastErr); err != nil {
			return err
		}
		runs++
		by[doneBy]++
		if state != "done" || attempts != 1 {
			problems = append(problems, fmt.Sprintf("%s %s: %s after %d claims (%s)", job, key, state, attempts, lastErr))
		}
		return nil
	})
	sort.Strings(problems)
	for _, p := range limit(problems, 20) {
		t.Errorf("scheduled run not run exactly once: %s", p)
	}
	if runs == 0 {
		t.Error("no scheduled runs at all")
	}
	t.Logf("%d scheduled runs, done by %d instances: %v", runs, len(by), by)
}

// A user logs in at most maxLogins times, loginPace apart: with the
// enrolment, 3 + 2 × 10 login steps stay within the limit of 30 per address
// and minute (identity.Config.RateLimit), whatever the machine's speed.
const (
	maxLogins = 10
	loginPace = 400 * time.Millisecond
)

// sessionUser is a private demo user roaming over the instances: log in
// on one, see the net bank on the others, now and then log out on one and
// find the session gone on the others.
type sessionUser struct {
	name, number string
	key          ed25519.PrivateKey
	banks        []*harness.Bank
	lb           *harness.Balancer
	client       *bench.NetbankClient

	logins, pages, logouts int
	problems               []string
}

// sessionUsers enrols the private demo users other than Mette (her first
// login made the workload's key) and returns them ready to roam, each from
// a loopback address of its own.
func sessionUsers(t *testing.T, banks []*harness.Bank, creds demo.Credentials) []*sessionUser {
	t.Helper()
	var out []*sessionUser
	for i, u := range creds.Users[1:] {
		lb := harness.NewBalancerFrom(fmt.Sprintf("127.0.0.%d", 2+i), banks...)
		c := bench.NewNetbankClient(harness.BalancerURL, lb)
		key, err := c.Enroll(context.Background(), u.UserNumber, u.PINCode)
		if err != nil {
			t.Fatalf("%s's first login: %v", u.Name, err)
		}
		out = append(out, &sessionUser{name: u.Name, number: u.UserNumber, key: key, banks: banks, lb: lb, client: c})
	}
	return out
}

// roam logs in on each instance in turn until ctx ends, at most
// maxLogins times.
func (u *sessionUser) roam(ctx context.Context) {
	bg := context.WithoutCancel(ctx)
	for i := 0; ctx.Err() == nil && i < maxLogins; i++ {
		home := u.banks[i%len(u.banks)]
		u.lb.Pin(home)
		// As a browser: the login page first (its CSRF token), then the login.
		if _, err := u.client.Get(bg, "/login"); err != nil {
			u.problems = append(u.problems, fmt.Sprintf("login page on %s: %v", home.Name(), err))
			sleep(ctx, 100*time.Millisecond)
			continue
		}
		if p, err := u.client.Login(bg, u.number, u.key); err != nil {
			u.problems = append(u.problems, fmt.Sprintf("login on %s: %v: %s", home.Name(), err, pageText(p.Body)))
			sleep(ctx, 100*time.Millisecond)
			continue
		}
		u.logins++
		for _, other := range u.banks {
			if other == home {
				continue
			}
			u.lb.Pin(other)
			p, err := u.client.Get(bg, "/netbank")
			if err != nil || p.Status != 200 || !strings.Contains(p.Body, u.name) {
				u.problems = append(u.problems, fmt.Sprintf("session from %s on %s: status %d, %v", home.Name(), other.Name(), p.Status, err))
				continue
			}
			u.pages++
		}
		if i%3 == 2 {
			u.logout(bg, i)
		}
		sleep(ctx, loginPace)
	}
}

// pageText is the visible text of a page's main part, for a report.
func pageText(body string) string {
	if i := strings.Index(body, "<main"); i >= 0 {
		body = body[i:]
	}
	body = regexp.MustCompile(`(?s)<script.*?</script>|<[^>]*>`).ReplaceAllString(body, " ")
	text := strings.Join(strings.Fields(html.UnescapeString(body)), " ")
	if len(text) > 300 {
		text = text[:300] + "…"
	}
	return text
}

// logout logs out on the next instance and checks that the session is gone
// on the one after it (RULE SESS-5).
func (u *sessionUser) logout(ctx context.Context, i int) {
	on, then := u.banks[(i+1)%len(u.banks)], u.banks[(i+2)%len(u.banks)]
	u.lb.Pin(on)
	if err := u.client.Logout(ctx); err != nil {
		u.problems = append(u.problems, fmt.Sprintf("logout on %s: %v", on.Name(), err))
		return
	}
	u.lb.Pin(then)
	p, err := u.client.Get(ctx, "/netbank")
	if err != nil || p.Status == 200 {
		u.problems = append(u.problems, fmt.Sprintf("after a logout on %s, %s still serves the net bank: status %d, %v", on.Name(), then.Name(), p.Status, err))
		return
	}
	u.logouts++
}

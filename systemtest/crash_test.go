package systemtest

// The crash test (issue 6, "Faults"): under load — payments through the
// API, deliveries from the clearing, card authorizations over ISO 8583 —
// the bank is killed with SIGKILL at random moments and started again on
// the same data (with --demo, as `netbank` starts by default), over and
// over, on each engine. Afterwards every acknowledged payment, delivery
// and authorization is there exactly once, nothing unacknowledged is
// half-done, the demo was not seeded again, and the ledger check and the
// audit log's verification pass. Then the work the crashes interrupted
// resumes: the bank is opened in the test's process with a clock moved on
// (the processes tell the wall clock's time), its due job runs the
// future-dated payments made before the crashes and the executions a
// crash cut off, and the card holds expire and are released.
//
// A run kills the bank -crash.kills times (default 20) on each engine,
// which takes well under a minute per engine, so it runs with every
// `go test ./...`. -crash.seed repeats a run's kill times and load; a
// failure prints its seed and the kill times, names the requests that
// disagree with the database, and keeps the bank's log.

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/bench"
	"github.com/netbank/netbank/calendar"
	"github.com/netbank/netbank/internal/harness"
	"github.com/netbank/netbank/internal/testkit"
)

var (
	crashKills = flag.Int("crash.kills", 20, "how many times the crash test kills the bank on each engine")
	crashSeed  = flag.Uint64("crash.seed", 0, "seed of the crash test's kill times and load (0: from the clock); a failure prints the one it used")
)

// engines are the databases the system tests run the bank on: a data
// directory of its own (SQLite) or a fresh PostgreSQL database, which
// skips without NETBANK_TEST_POSTGRES and fails without it in CI.
var engines = []struct {
	name string
	db   func(t *testing.T) string
}{
	{"sqlite", func(t *testing.T) string { return "" }},
	{"postgres", func(t *testing.T) string { return testkit.FreshPostgresDatabase(t) }},
}

// TestCrashUnderLoad kills the bank -crash.kills times under load on each
// engine. Besides money moving once and whole, it proves RULE PAY-3 (a
// future-dated payment executes on its day, also when the bank crashed
// after it was made) and RULE CARD-7 (a card purchase is reserved at once,
// and the reservation is released after 7 calendar days + 2 bank days).
func TestCrashUnderLoad(t *testing.T) {
	if *crashKills < 1 {
		t.Skip("-crash.kills < 1")
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			seed := *crashSeed
			if seed == 0 {
				seed = uint64(time.Now().UnixNano())
			}
			crashRun(t, e.db(t), seed, *crashKills)
		})
	}
}

// crashRun is one engine's crash test.
func crashRun(t *testing.T, dsn string, seed uint64, kills int) {
	dir := t.TempDir()
	bank := harness.StartBank(t, harness.Options{Name: "crash", DataDir: dir, DB: dsn, Demo: true})
	rng := rand.New(rand.NewPCG(seed, 0xc0a5))
	var killedAfter []string // how long each process ran, for the report
	report := func() string {
		return fmt.Sprintf("seed %d (rerun: go test ./systemtest -run 'TestCrashUnderLoad/%s' -crash.seed=%d -crash.kills=%d); killed after %s",
			seed, engineOf(dsn), seed, kills, strings.Join(killedAfter, ", "))
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(report())
		}
	})

	seeded := demoFootprint(t, bank.DSN())
	lb := harness.NewBalancer(bank)
	w := enrolledWorkload(t, lb, dir, seed)
	ctx := context.Background()
	for range 3 {
		op := w.newPayment(true)
		if w.pay(ctx, op); !op.acked {
			t.Fatalf("future-dated payment %s not scheduled: %s (%s)", op.key, op.status, w.failuresText())
		}
	}

	for k := 1; k <= kills; k++ {
		loadCtx, stop := context.WithCancel(ctx)
		var drivers sync.WaitGroup
		drive := func(f func(context.Context)) {
			drivers.Add(1)
			go func() {
				defer drivers.Done()
				f(loadCtx)
			}()
		}
		drive(w.payer)
		drive(w.payer)
		drive(w.deliverer)
		for range 4 {
			term := w.newTerminal(t)
			drive(func(ctx context.Context) { w.terminal(ctx, term, bank.CardAddr) })
		}
		after := time.Duration(200+rng.IntN(1300)) * time.Millisecond
		time.Sleep(after)
		killedAfter = append(killedAfter, after.String())
		bank.Kill()
		stop()
		drivers.Wait()
		lb.CloseIdleConnections()
		bank.Start()
		w.retry(ctx, rng, bank.CardAddr())
	}
	bank.Stop()
	t.Logf("%d kills: %s", kills, w.counts())
	if after := demoFootprint(t, bank.DSN()); after != seeded {
		t.Errorf("the restarts with --demo changed the demo bank:\nfirst start %s\nat the end  %s", seeded, after)
	}

	if f := w.failuresText(); f != "" {
		t.Errorf("answers no bank should give:\n%s", f)
	}
	crashed := readState(t, bank.DSN())
	if problems := w.check(crashed, false); len(problems) > 0 {
		t.Errorf("after %d kills, the database and the acknowledged requests disagree:\n%s", kills,
			strings.Join(limit(problems, 40), "\n"))
	}
	harness.LedgerCheck(t, bank.DBFlags()...)
	harness.AuditVerify(t, bank.DBFlags()...)

	resume(t, bank, w)
	resumed := readState(t, bank.DSN())
	t.Logf("payments by status after the kills %v, after the due job %v", w.statuses(crashed), w.statuses(resumed))
	if problems := w.check(resumed, true); len(problems) > 0 {
		t.Errorf("after the interrupted work resumed:\n%s", strings.Join(limit(problems, 40), "\n"))
	}
	harness.LedgerCheck(t, bank.DBFlags()...)
	harness.AuditVerify(t, bank.DBFlags()...)
}

func engineOf(dsn string) string {
	if dsn == "" {
		return "sqlite"
	}
	return "postgres"
}

// enrolledWorkload makes the workload of the demo bank behind lb (data
// directory dir): Mette's first login with the PIN of demo.json makes the
// key of her signature file, which signs the load's payments.
func enrolledWorkload(t *testing.T, lb *harness.Balancer, dir string, seed uint64) *workload {
	t.Helper()
	creds := harness.ReadDemo(t, dir)
	key, err := bench.NewNetbankClient(harness.BalancerURL, lb).Enroll(context.Background(), creds.Users[0].UserNumber, creds.Users[0].PINCode)
	if err != nil {
		t.Fatalf("Mette's first login: %v", err)
	}
	return newWorkload(t, lb, creds, key, seed)
}

// retry sends again, after a restart, what the last process did not
// answer: every delivery (the clearing sends until it gets an answer) and
// about half the payments and authorizations (the others stay
// unanswered, as when a client gives up, and must not be half-done).
func (w *workload) retry(ctx context.Context, rng *rand.Rand, cardAddr string) {
	w.mu.Lock()
	var incoming []*incomingOp
	var payments []*paymentOp
	var auths []*authOp
	for _, op := range w.incoming {
		if !op.acked {
			incoming = append(incoming, op)
		}
	}
	for _, op := range w.payments {
		if !op.acked && op.sends == 1 && rng.IntN(2) == 0 {
			payments = append(payments, op)
		}
	}
	for _, op := range w.auths {
		if !op.acked && op.sends == 1 && rng.IntN(2) == 0 {
			auths = append(auths, op)
		}
	}
	w.mu.Unlock()
	for _, op := range incoming {
		w.deliver(ctx, op)
	}
	for _, op := range payments {
		w.pay(ctx, op)
	}
	for _, op := range auths {
		w.authorize(ctx, op, cardAddr)
	}
}

// resume opens the bank in the test's process with a clock past the
// execution date of the future-dated payments, runs the scheduler's due
// jobs once (payments-due executes them, and takes over executions a
// crash cut off), then moves the clock past every card hold's expiry and
// releases the expired holds, as the running bank's expiry loop would.
func resume(t *testing.T, bank *harness.Bank, w *workload) {
	t.Helper()
	ctx := context.Background()
	st := readState(t, bank.DSN())
	latest := calendar.Day(time.Now())
	for _, op := range w.payments {
		if p, ok := st.payments["api:"+op.key]; ok && op.future {
			d, err := time.Parse(time.DateOnly, p.executionDate)
			if err != nil {
				t.Fatalf("payment %s: execution date %q: %v", p.id, p.executionDate, err)
			}
			if d.After(latest) {
				latest = d
			}
		}
	}
	cph, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		t.Fatal(err)
	}
	clock := testkit.NewClock(time.Date(latest.Year(), latest.Month(), latest.Day(), 12, 0, 0, 0, cph))
	opts := bank.Options()
	a, err := app.New(ctx, app.Config{DataDir: opts.DataDir, DB: opts.DB, Secret: opts.Secret, Clock: clock,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("open the bank after the crashes: %v", err)
	}
	defer a.Close()
	// The money of requests whose decision a kill lost is undone, as the
	// running bank's expiry loop does a minute on (card/recover.go): with
	// the bank stopped, every decision made before now is final.
	recovered, err := a.Authorizer.RecoverOrphans(ctx, time.Now())
	if err != nil {
		t.Fatalf("recovering orphaned card money: %v", err)
	}
	if _, err := a.Scheduler.Tick(ctx); err != nil {
		t.Fatalf("the scheduler's due jobs after the crashes: %v", err)
	}
	clock.Set(clock.Now().AddDate(0, 0, 12)) // past every hold of the run (CARD-7: 7 days + 2 bank days)
	released, err := a.Ledger.ExpireHolds(ctx)
	if err != nil {
		t.Fatalf("releasing the expired holds: %v", err)
	}
	open := 0
	query(t, a.DB, "SELECT COUNT(*) FROM ledger_pending WHERE status = 'open'", func(rows *sql.Rows) error {
		return rows.Scan(&open)
	})
	if open != 0 {
		t.Errorf("%d holds still open 12 days on, after releasing %d expired ones", open, released)
	}
	t.Logf("resumed on %s: released %d expired holds, undid the money of %d requests never answered",
		clock.Now().Format(time.DateOnly), released, recovered)
}

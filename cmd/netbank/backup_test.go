package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/store"
)

// backupSecret is the --secret of the banks in these tests: a restored bank
// must be started with the secret it had (it is not in the backup).
const backupSecret = "4f1c2a7e9b3d5f60718293a4b5c6d7e8f9011223344556677889900aabbccdde"

// backupSide is one bank of an engine in these tests: the configuration to
// start it and the flags naming its database for the commands.
type backupSide struct {
	cfg   app.Config
	flags []string
}

// backupEngine makes, for one engine, a bank to back up and an empty place
// to restore it into.
type backupEngine struct {
	name   string
	source func(t *testing.T) backupSide
	target func(t *testing.T) backupSide
}

func sqliteSide(t *testing.T) backupSide {
	dir := filepath.Join(t.TempDir(), "netbank-data")
	return backupSide{cfg: app.Config{DataDir: dir}, flags: []string{"--data-dir", dir}}
}

func postgresSide(t *testing.T) backupSide {
	dsn := testkit.FreshPostgresDatabase(t)
	return backupSide{cfg: app.Config{DataDir: t.TempDir(), DB: dsn}, flags: []string{"--db", dsn}}
}

var backupEngines = []backupEngine{
	{name: "sqlite", source: sqliteSide, target: sqliteSide},
	{name: "postgres", source: func(t *testing.T) backupSide {
		needPostgresTools(t)
		return postgresSide(t)
	}, target: postgresSide},
}

// needPostgresTools skips the test (fails it in CI) without pg_dump and pg_restore.
func needPostgresTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			testkit.SkipOrFail(t, tool+" is not on PATH (install the PostgreSQL client)")
		}
	}
}

// startBank starts a bank (app.New, as `netbank` does) with the tests'
// secret, demo data and clock.
func startBank(t *testing.T, cfg app.Config) *app.App {
	t.Helper()
	cfg.Secret = backupSecret
	cfg.Demo = true
	cfg.Clock = testkit.NewClock(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("start the bank: %v", err)
	}
	return a
}

// loadWriter moves money between its own accounts and appends audit
// entries until stopped, remembering everything the bank acknowledged.
type loadWriter struct {
	bank     *app.App
	accounts []string

	mu        sync.Mutex
	submitted map[string]ledger.TransferRequest // every transfer asked for, acknowledged or not
	acked     []string                          // transfer ids in the order acknowledged
	audits    map[int64]audit.Entry             // audit entries acknowledged, by sequence number
	maxAudit  int64
	errs      []error

	stop chan struct{}
	wg   sync.WaitGroup
}

// startLoad opens the writer's accounts and starts clients goroutines of
// transfers and one of audit entries.
func startLoad(t *testing.T, bank *app.App, clients int) *loadWriter {
	t.Helper()
	w := &loadWriter{bank: bank, submitted: map[string]ledger.TransferRequest{}, audits: map[int64]audit.Entry{}, stop: make(chan struct{})}
	for i := 0; i < 6; i++ {
		id := fmt.Sprintf("bk-acc-%d", i)
		if _, err := bank.Ledger.CreateAccount(context.Background(), ledger.NewAccount{ID: id, Name: "Backup test " + id,
			Kind: ledger.KindCustomerDeposit, Currency: "DKK", OverdraftLimit: 1_000_000_00}); err != nil {
			t.Fatal(err)
		}
		w.accounts = append(w.accounts, id)
	}
	for c := 0; c < clients; c++ {
		w.wg.Add(1)
		go w.transfers(c)
	}
	w.wg.Add(1)
	go w.auditEntries()
	return w
}

func (w *loadWriter) stopped() bool {
	select {
	case <-w.stop:
		return true
	default:
		return false
	}
}

func (w *loadWriter) fail(err error) {
	w.mu.Lock()
	w.errs = append(w.errs, err)
	w.mu.Unlock()
}

func (w *loadWriter) transfers(client int) {
	defer w.wg.Done()
	rng := rand.New(rand.NewPCG(uint64(client), 42))
	for n := 0; !w.stopped(); n++ {
		from := rng.IntN(len(w.accounts))
		to := (from + 1 + rng.IntN(len(w.accounts)-1)) % len(w.accounts)
		req := ledger.TransferRequest{ID: fmt.Sprintf("bk-c%d-%d", client, n), DebitAccountID: w.accounts[from],
			CreditAccountID: w.accounts[to], Amount: 1 + rng.Int64N(100_00), Code: "transfer", Text: "backup test"}
		w.mu.Lock()
		w.submitted[req.ID] = req
		w.mu.Unlock()
		if _, err := w.bank.Ledger.Transfer(context.Background(), req); err != nil {
			w.fail(fmt.Errorf("transfer %s: %w", req.ID, err))
			return
		}
		w.mu.Lock()
		w.acked = append(w.acked, req.ID)
		w.mu.Unlock()
	}
}

func (w *loadWriter) auditEntries() {
	defer w.wg.Done()
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for n := 0; !w.stopped(); n++ {
		e, err := w.bank.DB.Audit().Record(context.Background(), at.Add(time.Duration(n)*time.Second), audit.Event{
			Actor: "backup-test", ActorKind: audit.ActorCustomer, Action: audit.ActionLoginSuccess, Subject: "backup-test",
			IP: "192.0.2.7", Details: map[string]string{"n": fmt.Sprint(n)}})
		if err != nil {
			w.fail(fmt.Errorf("audit: %w", err))
			return
		}
		w.mu.Lock()
		w.audits[e.Seq] = e
		w.maxAudit = max(w.maxAudit, e.Seq)
		w.mu.Unlock()
	}
}

// mark returns the transfers and the newest audit entry acknowledged so far.
func (w *loadWriter) mark() (transfers []string, auditSeq int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.acked...), w.maxAudit
}

// waitFor waits until n more transfers have been acknowledged than now.
func (w *loadWriter) waitFor(t *testing.T, n int) {
	t.Helper()
	start, _ := w.mark()
	deadline := time.Now().Add(60 * time.Second)
	for {
		got, _ := w.mark()
		if len(got) >= len(start)+n {
			return
		}
		w.mu.Lock()
		errs := w.errs
		w.mu.Unlock()
		if len(errs) > 0 {
			t.Fatalf("the load failed: %v", errs)
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d more transfers acknowledged in a minute", len(got)-len(start), n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// finish stops the load and waits for it.
func (w *loadWriter) finish(t *testing.T) {
	t.Helper()
	close(w.stop)
	w.wg.Wait()
	if len(w.errs) > 0 {
		t.Fatalf("the load failed: %v", w.errs)
	}
}

// TestBackupRestoreUnderLoad backs up a demo bank while transfers and
// audit entries are being written, on each engine, restores the backup
// into a fresh data directory or database, starts a bank on it and proves:
// the ledger check and the audit chain pass, every transfer acknowledged
// before the backup began is there, every transfer there is one that was
// asked for, each balance equals the sum of the transfers the restored
// bank holds (and, for the accounts the load did not touch, the live
// balance), the restored audit log is a prefix of the live one, and the
// customers' sealed data opens with the bank's secret.
func TestBackupRestoreUnderLoad(t *testing.T) {
	for _, e := range backupEngines {
		t.Run(e.name, func(t *testing.T) {
			cleanEnv(t)
			ctx := context.Background()
			src := e.source(t)
			live := startBank(t, src.cfg)
			defer live.Close()
			before := liveState(t, live)

			load := startLoad(t, live, 4)
			load.waitFor(t, 100)
			ackedBefore, auditBefore := load.mark()
			out := filepath.Join(t.TempDir(), "netbank.backup")
			code, stdout, stderr := runCmd(t, append(append([]string{"backup"}, src.flags...), "--out", out)...)
			ackedAfter, _ := load.mark()
			load.waitFor(t, 50) // the bank writes on after the backup
			load.finish(t)
			if code != 0 {
				t.Fatalf("backup: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			t.Logf("%d transfers acknowledged before the backup began, %d while it ran; report:\n%s",
				len(ackedBefore), len(ackedAfter)-len(ackedBefore), stdout)
			wantReport := []string{"backup verified", "ledger ok: ", "audit log ok: ", "integrity ok"}
			if e.name == "postgres" {
				wantReport = []string{"running pg_dump --format=custom", "archive ok: "}
			}
			for _, want := range wantReport {
				if !strings.Contains(stdout, want) {
					t.Errorf("backup report lacks %q", want)
				}
			}

			dst := e.target(t)
			code, stdout, stderr = runCmd(t, append(append([]string{"restore"}, dst.flags...), "--from", out)...)
			if code != 0 || !strings.Contains(stdout, "restored ") {
				t.Fatalf("restore: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			checkOK(t, append([]string{"ledger", "check"}, dst.flags...)...)
			code, stdout, stderr = runCmd(t, append([]string{"audit", "verify"}, dst.flags...)...)
			if code != 0 || !auditOKLine.MatchString(stdout) {
				t.Fatalf("audit verify of the restored bank: exit %d, stdout %q, stderr %q", code, stdout, stderr)
			}

			restored := startBank(t, dst.cfg)
			defer restored.Close()
			checkRestoredLedger(t, restored, load, ackedBefore, before)
			checkRestoredAudit(t, restored, load, auditBefore)
			if got := customers(t, restored); !equalCustomers(got, before.customers) {
				t.Errorf("the restored bank's customers (CPR opened with the secret) differ from the live bank's:\n got %v\nwant %v", got, before.customers)
			}
			rec := httptest.NewRecorder()
			restored.Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
			if rec.Code != http.StatusOK {
				t.Errorf("/readyz of the restored bank: %d %s", rec.Code, rec.Body)
			}
			if _, err := restored.Ledger.Transfer(ctx, ledger.TransferRequest{ID: "bk-after-restore", DebitAccountID: "bk-acc-0",
				CreditAccountID: "bk-acc-1", Amount: 100}); err != nil {
				t.Errorf("a transfer on the restored bank: %v", err)
			}
		})
	}
}

// bankState is what the test remembers of the live bank before the load.
type bankState struct {
	accounts  map[string]ledger.Account
	customers []string
}

func liveState(t *testing.T, a *app.App) bankState {
	t.Helper()
	accs, err := a.Ledger.Accounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s := bankState{accounts: map[string]ledger.Account{}, customers: customers(t, a)}
	for _, acc := range accs {
		s.accounts[acc.ID] = acc
	}
	if len(s.customers) == 0 {
		t.Fatal("the demo bank has no customers")
	}
	return s
}

// customers lists the bank's customers with their decrypted CPR numbers.
func customers(t *testing.T, a *app.App) []string {
	t.Helper()
	cs, err := a.Identity.FindCustomers(context.Background(), "", 1000)
	if err != nil {
		t.Fatalf("customers: %v", err)
	}
	var out []string
	for _, c := range cs {
		out = append(out, customerLine(c))
	}
	return out
}

func customerLine(c identity.Customer) string { return c.ID + " " + c.Name + " " + c.CPR }

func equalCustomers(a, b []string) bool {
	return strings.Join(a, "\n") == strings.Join(b, "\n")
}

// checkRestoredLedger compares the restored ledger with what the load asked
// for and what the live bank held.
func checkRestoredLedger(t *testing.T, b *app.App, load *loadWriter, ackedBefore []string, before bankState) {
	t.Helper()
	ctx := context.Background()
	for _, id := range ackedBefore {
		got, err := b.Ledger.GetTransfer(ctx, id)
		req := load.submitted[id]
		if err != nil {
			t.Errorf("transfer %s, acknowledged before the backup began, is not in the restored bank: %v", id, err)
			continue
		}
		if got.DebitAccountID != req.DebitAccountID || got.CreditAccountID != req.CreditAccountID || got.Amount != req.Amount {
			t.Errorf("transfer %s restored as %+v, asked for %+v", id, got, req)
		}
	}
	rows, err := b.DB.Query(ctx, "SELECT id, debit_account_id, credit_account_id, amount FROM ledger_transfers WHERE id LIKE 'bk-c%'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	sums := map[string]int64{}
	n := 0
	for rows.Next() {
		var id, debit, credit string
		var amount int64
		if err := rows.Scan(&id, &debit, &credit, &amount); err != nil {
			t.Fatal(err)
		}
		n++
		req, ok := load.submitted[id]
		if !ok || req.DebitAccountID != debit || req.CreditAccountID != credit || req.Amount != amount {
			t.Errorf("the restored bank holds transfer %s %s→%s %d, which was not asked for", id, debit, credit, amount)
		}
		sums[debit] -= amount
		sums[credit] += amount
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n < len(ackedBefore) {
		t.Errorf("the restored bank holds %d load transfers, fewer than the %d acknowledged before the backup", n, len(ackedBefore))
	}
	accs, err := b.Ledger.Accounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, acc := range accs {
		if strings.HasPrefix(acc.ID, "bk-acc-") {
			if acc.Posted() != sums[acc.ID] || acc.Pending() != 0 {
				t.Errorf("restored %s: posted %d pending %d, but its restored transfers sum to %d", acc.ID, acc.Posted(), acc.Pending(), sums[acc.ID])
			}
			continue
		}
		was, ok := before.accounts[acc.ID]
		if !ok {
			t.Errorf("restored account %s did not exist in the live bank", acc.ID)
			continue
		}
		if acc.Posted() != was.Posted() || acc.Pending() != was.Pending() || acc.EntrySeq != was.EntrySeq {
			t.Errorf("restored %s: posted %d pending %d entries %d; live %d %d %d", acc.ID, acc.Posted(), acc.Pending(), acc.EntrySeq,
				was.Posted(), was.Pending(), was.EntrySeq)
		}
	}
	if len(accs) != len(before.accounts)+len(load.accounts) {
		t.Errorf("restored bank has %d accounts, the live one %d", len(accs), len(before.accounts)+len(load.accounts))
	}
}

// checkRestoredAudit proves the restored audit log holds every entry
// acknowledged before the backup began and is a prefix of the live log.
func checkRestoredAudit(t *testing.T, b *app.App, load *loadWriter, auditBefore int64) {
	t.Helper()
	head, err := b.DB.Audit().Verify(context.Background())
	if err != nil {
		t.Fatalf("the restored audit chain: %v", err)
	}
	if head.Seq < auditBefore {
		t.Errorf("the restored audit log ends at entry %d; %d was acknowledged before the backup began", head.Seq, auditBefore)
	}
	if live, ok := load.audits[head.Seq]; ok && live.Hash != head.Hash {
		t.Errorf("restored head %d has hash %s, the live entry %s", head.Seq, head.Hash, live.Hash)
	} else if !ok && head.Seq >= auditBefore {
		t.Errorf("restored head %d is not an entry the live bank acknowledged", head.Seq)
	}
}

// TestBackupRefusals: a backup never overwrites a file and never backs up
// a database that is not there; a restore never replaces a bank without
// --force, never under a running bank, and never from a backup that fails
// its checks, and in each case changes nothing.
func TestBackupRefusals(t *testing.T) {
	cleanEnv(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "bank")
	bank, err := app.Open(ctx, app.Config{DataDir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	bank.Close()
	good := filepath.Join(t.TempDir(), "good.backup")
	if code, stdout, stderr := runCmd(t, "backup", "--data-dir", dir, "--out", good); code != 0 {
		t.Fatalf("backup: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	t.Run("backup over an existing file", func(t *testing.T) {
		existing := filepath.Join(t.TempDir(), "existing")
		writeFile(t, existing, "keep me")
		code, _, stderr := runCmd(t, "backup", "--data-dir", dir, "--out", existing)
		if code != 1 || !strings.Contains(stderr, "never overwrites") {
			t.Errorf("exit %d, stderr %q; want 1 and never overwrites", code, stderr)
		}
		if got, _ := os.ReadFile(existing); string(got) != "keep me" {
			t.Errorf("the existing file now holds %q", got)
		}
	})
	t.Run("backup of no database", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out")
		code, _, stderr := runCmd(t, "backup", "--data-dir", filepath.Join(t.TempDir(), "typo"), "--out", out)
		if code != 1 || !strings.Contains(stderr, "no database to back up") {
			t.Errorf("exit %d, stderr %q; want 1 and no database to back up", code, stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Error("a backup file was written")
		}
	})
	t.Run("backup without --out", func(t *testing.T) {
		if code, _, stderr := runCmd(t, "backup", "--data-dir", dir); code != 1 || !strings.Contains(stderr, "usage: netbank backup") {
			t.Errorf("exit %d, stderr %q; want 1 and the usage", code, stderr)
		}
	})

	target := filepath.Join(t.TempDir(), "target")
	running, err := app.Open(ctx, app.Config{DataDir: target, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	mark := recordMark(t, running.DB)
	t.Run("restore over a bank without --force", func(t *testing.T) {
		code, _, stderr := runCmd(t, "restore", "--data-dir", target, "--from", good)
		if code != 1 || !strings.Contains(stderr, "give --force") {
			t.Errorf("exit %d, stderr %q; want 1 and give --force", code, stderr)
		}
		assertMark(t, running.DB, mark)
	})
	t.Run("restore under a running bank", func(t *testing.T) {
		code, stdout, stderr := runCmd(t, "restore", "--data-dir", target, "--from", good, "--force")
		if code != 1 || !strings.Contains(stderr, "a bank is running on") {
			t.Errorf("exit %d, stdout %q, stderr %q; want 1 and a bank is running", code, stdout, stderr)
		}
		assertMark(t, running.DB, mark)
	})
	t.Run("restore of a backup with a broken ledger", func(t *testing.T) {
		broken := copyFile(t, good)
		execSQL(t, broken, "UPDATE ledger_accounts SET credits_posted = credits_posted + 100 WHERE id = '"+
			ledger.InternalAccountID(ledger.KindSettlement, "DKK")+"'")
		code, stdout, _ := runCmd(t, "restore", "--data-dir", target, "--from", broken, "--force")
		if code != 1 || !strings.Contains(stdout, "VIOLATION ") || !strings.Contains(stdout, "NOT RESTORED") {
			t.Errorf("exit %d, stdout %q; want 1, the violation and NOT RESTORED", code, stdout)
		}
		assertMark(t, running.DB, mark)
	})
	t.Run("restore of a damaged file", func(t *testing.T) {
		damaged := copyFile(t, good)
		f, err := os.OpenFile(damaged, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteAt([]byte("this is not a b-tree page"), 2*4096); err != nil { // page 3
			t.Fatal(err)
		}
		f.Close()
		code, stdout, _ := runCmd(t, "restore", "--data-dir", target, "--from", damaged, "--force")
		if code != 1 || !strings.Contains(stdout, "INTEGRITY BROKEN") {
			t.Errorf("exit %d, stdout %q; want 1 and INTEGRITY BROKEN", code, stdout)
		}
		assertMark(t, running.DB, mark)
	})
	running.Close()
	t.Run("restore once the bank is stopped", func(t *testing.T) {
		code, stdout, stderr := runCmd(t, "restore", "--data-dir", target, "--from", good, "--force")
		if code != 0 || !strings.Contains(stdout, "restored ") {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		if !strings.Contains(stdout, "no "+filepath.Join(target, "secret.key")) {
			t.Errorf("the restore does not warn that the data directory has no secret.key:\n%s", stdout)
		}
		db, err := store.Open(ctx, filepath.Join(target, "netbank.db"), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM audit_log WHERE actor = 'restore-test'").Scan(&n); err != nil || n != 0 {
			t.Errorf("the target still holds its own audit entries (%d, %v): it was not replaced", n, err)
		}
	})
	for _, side := range []string{"-wal", "-shm", "-journal"} {
		matches, _ := filepath.Glob(filepath.Join(target, "netbank.db.restore-*"+side))
		if len(matches) > 0 {
			t.Errorf("restore left working files behind: %v", matches)
		}
	}
	if matches, _ := filepath.Glob(filepath.Join(target, "netbank.db.restore-*")); len(matches) > 0 {
		t.Errorf("restore left working files behind: %v", matches)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), filepath.Base(path))
	writeFile(t, out, string(b))
	return out
}

// recordMark appends an audit entry to the target bank, so the tests can
// tell whether a refused restore left it alone.
func recordMark(t *testing.T, db *store.DB) audit.Entry {
	t.Helper()
	e, err := db.Audit().Record(context.Background(), time.Now(), audit.Event{Actor: "restore-test", ActorKind: audit.ActorStaff,
		Action: audit.ActionLoginSuccess, Subject: "restore-test", IP: "192.0.2.9"})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// assertMark fails unless the bank's audit log still ends at mark.
func assertMark(t *testing.T, db *store.DB, mark audit.Entry) {
	t.Helper()
	head, err := db.Audit().Verify(context.Background())
	if err != nil || head.Seq != mark.Seq || head.Hash != mark.Hash {
		t.Errorf("the bank's audit log ends at %+v (%v), want its own entry %d: the refused restore changed it", head, err, mark.Seq)
	}
}

// TestBackupPostgresWithoutPgDump: with no pg_dump on PATH, `netbank backup
// --db` writes nothing and prints the exact pg_dump command, without the
// password (which the command line of any process shows to every user).
func TestBackupPostgresWithoutPgDump(t *testing.T) {
	cleanEnv(t)
	t.Setenv("PATH", t.TempDir())
	out := filepath.Join(t.TempDir(), "netbank.dump")
	code, stdout, stderr := runCmd(t, "backup", "--db", "postgres://netbank:s3cr%27et@db.example:5432/netbank?sslmode=require", "--out", out)
	if code != 1 {
		t.Errorf("exit %d, want 1 (no backup was taken); stderr %q", code, stderr)
	}
	want := "pg_dump --format=custom --file=" + out + " '--dbname=postgres://netbank@db.example:5432/netbank?sslmode=require'"
	if !strings.Contains(stdout, want) {
		t.Errorf("stdout lacks the command %q:\n%s", want, stdout)
	}
	if strings.Contains(stdout+stderr, "s3cr") {
		t.Errorf("the password was printed:\n%s%s", stdout, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a backup file was written without pg_dump")
	}
}

// TestRestorePostgresOnlyIntoEmpty: a PostgreSQL restore refuses a
// database that has tables, and changes nothing in it.
func TestRestorePostgresOnlyIntoEmpty(t *testing.T) {
	cleanEnv(t)
	needPostgresTools(t)
	side := postgresSide(t)
	bank, err := app.Open(context.Background(), app.Config{DataDir: side.cfg.DataDir, DB: side.cfg.DB, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer bank.Close()
	mark := recordMark(t, bank.DB)
	out := filepath.Join(t.TempDir(), "netbank.dump")
	if code, stdout, stderr := runCmd(t, append(append([]string{"backup"}, side.flags...), "--out", out)...); code != 0 {
		t.Fatalf("backup: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, _, stderr := runCmd(t, append(append([]string{"restore"}, side.flags...), "--from", out)...)
	if code != 1 || !strings.Contains(stderr, "restore only into a new, empty database") {
		t.Errorf("exit %d, stderr %q; want 1 and restore only into a new, empty database", code, stderr)
	}
	assertMark(t, bank.DB, mark)
}

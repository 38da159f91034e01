package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/store"
)

// The conformance suite: every engine must pass the same tests (perkeep
// kvtest style). Each subtest gets a fresh database of each engine.
func TestConformance(t *testing.T) {
	suite := []struct {
		name string
		fn   func(t *testing.T, db *store.DB)
	}{
		{"Migrations", testMigrations},
		{"CommitAndRollback", testCommitAndRollback},
		{"Placeholders", testPlaceholders},
		{"RetriesConflicts", testRetriesConflicts},
		{"UniqueViolationSurfaces", testUniqueViolation},
		{"LedgerRoundTrip", testLedgerRoundTrip},
		{"Ping", testPing},
	}
	for _, e := range testkit.Engines {
		t.Run(e.Name, func(t *testing.T) {
			for _, c := range suite {
				t.Run(c.name, func(t *testing.T) { c.fn(t, e.Open(t)) })
			}
		})
	}
}

func testMigrations(t *testing.T, db *store.DB) {
	ctx := context.Background()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v < 1 {
		t.Fatalf("schema version %d, want >= 1", v)
	}
	var n int
	if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM ledger_accounts").Scan(&n); err != nil {
		t.Fatalf("ledger tables missing: %v", err)
	}
}

func testCommitAndRollback(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustExec(t, db, "CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL)")
	if err := db.Transact(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO kv (k, v) VALUES (?, ?)", "a", "1")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := db.Transact(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO kv (k, v) VALUES (?, ?)", "b", "2"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Transact returned %v, want the callback's error", err)
	}
	var n int
	if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM kv").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d rows after a rolled-back insert, want 1", n)
	}
}

func testPlaceholders(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustExec(t, db, "CREATE TABLE ph (a TEXT, b BIGINT)")
	if _, err := db.Exec(ctx, "INSERT INTO ph (a, b) VALUES (?, ?), ('what?', ?)", "x", 1, 2); err != nil {
		t.Fatal(err)
	}
	var a string
	if err := db.QueryRow(ctx, "SELECT a FROM ph WHERE b = ? AND a <> '?'", 2).Scan(&a); err != nil {
		t.Fatal(err)
	}
	if a != "what?" {
		t.Fatalf("got %q, want the literal with a question mark", a)
	}
}

// testRetriesConflicts: many goroutines increment one counter in
// read-modify-write transactions. Conflicts (serialization failures on
// PostgreSQL, busy on SQLite) are retried inside the store, so callers see
// no error and no increment is lost.
func testRetriesConflicts(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustExec(t, db, "CREATE TABLE counter (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)")
	mustExec(t, db, "INSERT INTO counter (id, n) VALUES (1, 0)")
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				errs <- db.Transact(ctx, func(tx *store.Tx) error {
					var n int64
					// No row lock on purpose: the engine must detect the conflict.
					if err := tx.QueryRow(ctx, "SELECT n FROM counter WHERE id = 1").Scan(&n); err != nil {
						return err
					}
					_, err := tx.Exec(ctx, "UPDATE counter SET n = ? WHERE id = 1", n+1)
					return err
				})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("caller saw a conflict error: %v", err)
		}
	}
	var n int64
	if err := db.QueryRow(ctx, "SELECT n FROM counter WHERE id = 1").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != workers*each {
		t.Fatalf("counter = %d, want %d: an increment was lost", n, workers*each)
	}
	t.Logf("%s: %d retries", db.Engine(), db.Retries())
}

// testUniqueViolation: a deterministic duplicate key is retried a bounded
// number of times and then surfaces as an error, never loops forever.
func testUniqueViolation(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustExec(t, db, "CREATE TABLE u (k TEXT PRIMARY KEY)")
	mustExec(t, db, "INSERT INTO u (k) VALUES ('x')")
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err := db.Transact(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO u (k) VALUES ('x')")
		return err
	})
	if err == nil {
		t.Fatal("duplicate key accepted")
	}
	if ctx.Err() != nil {
		t.Fatal("Transact did not give up before the deadline")
	}
}

func testLedgerRoundTrip(t *testing.T, db *store.DB) {
	ctx := context.Background()
	l := db.Ledger()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	a := ledger.Account{ID: "a", Name: "Lønkonto", Kind: ledger.KindCustomerDeposit, Currency: "DKK", OverdraftLimit: 500, CreatedAt: now}
	b := ledger.Account{ID: "b", Name: "Afregning", Kind: ledger.KindSettlement, Currency: "DKK", Unconstrained: true, CreatedAt: now}
	err := l.WriteTx(ctx, func(tx ledger.Tx) error {
		for _, acc := range []ledger.Account{a, b} {
			if err := tx.InsertAccount(ctx, acc); err != nil {
				return err
			}
		}
		got, err := tx.LockAccounts(ctx, []string{"a", "b", "missing"})
		if err != nil {
			return err
		}
		if len(got) != 2 {
			t.Errorf("locked %d accounts, want 2", len(got))
		}
		got["b"].DebitsPosted, got["a"].CreditsPosted = 1000, 1000
		got["a"].EntrySeq, got["b"].EntrySeq = 1, 1
		got["a"].LastEntryAt, got["b"].LastEntryAt = now, now
		got["b"].DebitsPending, got["a"].CreditsPending = 300, 300
		return tx.Apply(ctx, &ledger.Writes{
			Transfers: []ledger.Transfer{
				{ID: "t1", DebitAccountID: "b", CreditAccountID: "a", Amount: 1000, Currency: "DKK", Kind: ledger.Single, Code: "salary", Text: "Løn marts", CreatedAt: now, RequestHash: "h1"},
				{ID: "h1", DebitAccountID: "b", CreditAccountID: "a", Amount: 300, Currency: "DKK", Kind: ledger.PendingKind, Code: "card", Text: "Netto", ExpiresAt: now.Add(time.Hour), CreatedAt: now, RequestHash: "h2"},
			},
			NewHolds: []ledger.Hold{{TransferID: "h1", DebitAccountID: "b", CreditAccountID: "a", Amount: 300, Status: ledger.Open, ExpiresAt: now.Add(time.Hour)}},
			Entries: []ledger.Entry{
				{AccountID: "b", Seq: 1, TransferID: "t1", Amount: -1000, Balance: -1000, PostedAt: now},
				{AccountID: "a", Seq: 1, TransferID: "t1", Amount: 1000, Balance: 1000, PostedAt: now},
			},
			Accounts: []*ledger.Account{got["a"], got["b"]},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	acc, err := l.Account(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if acc.Posted() != 1000 || acc.CreditsPending != 300 || acc.OverdraftLimit != 500 || !acc.LastEntryAt.Equal(now) || acc.Name != "Lønkonto" {
		t.Fatalf("account a read back wrong: %+v", acc)
	}
	if _, err := l.Account(ctx, "nope"); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
		t.Fatalf("missing account: %v, want not_found", err)
	}
	tr, err := l.Transfer(ctx, "h1")
	if err != nil {
		t.Fatal(err)
	}
	if tr.Kind != ledger.PendingKind || !tr.ExpiresAt.Equal(now.Add(time.Hour)) || tr.Text != "Netto" {
		t.Fatalf("transfer read back wrong: %+v", tr)
	}
	due, err := l.DueHolds(ctx, now.Add(2*time.Hour), 10)
	if err != nil || len(due) != 1 || due[0] != "h1" {
		t.Fatalf("due holds = %v, %v", due, err)
	}
	entries, err := l.Entries(ctx, ledger.EntryQuery{AccountID: "a", Limit: 10})
	if err != nil || len(entries) != 1 || entries[0].CounterpartyID != "b" || entries[0].Text != "Løn marts" {
		t.Fatalf("entries = %+v, %v", entries, err)
	}
	if bal, err := l.BalanceAt(ctx, "a", now.Add(-time.Second)); err != nil || bal != 0 {
		t.Fatalf("balance before = %d, %v", bal, err)
	}
	if bal, err := l.BalanceAt(ctx, "a", now); err != nil || bal != 1000 {
		t.Fatalf("balance at = %d, %v", bal, err)
	}
	audit, err := l.Audit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep := ledger.CheckAudit(audit); !rep.OK() {
		t.Fatalf("consistent data fails the check: %v", rep.Violations)
	}
}

func testPing(t *testing.T, db *store.DB) {
	if err := db.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := db.Ping(context.Background()); netbank.ErrorCodeOf(err) != netbank.EUNAVAILABLE {
		t.Fatalf("ping on a closed database: %v, want unavailable", err)
	}
}

func mustExec(t *testing.T, db *store.DB, q string) {
	t.Helper()
	if _, err := db.Exec(context.Background(), q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/store"
)

var auditT0 = time.Date(2026, 11, 21, 14, 5, 9, 0, time.UTC)

// loginEvent is an ordinary event for the tests.
func loginEvent(user string, n int) audit.Event {
	return audit.Event{Actor: user, ActorKind: audit.ActorCustomer, Action: audit.ActionLoginSuccess, Subject: user,
		IP: "192.0.2.7", Details: map[string]string{"step": "signature", "n": fmt.Sprint(n)}}
}

// mustRecord appends n login events in transactions of their own.
func mustRecord(t *testing.T, db *store.DB, n int) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	for i := 1; i <= n; i++ {
		e, err := db.Audit().Record(context.Background(), auditT0.Add(time.Duration(i)*time.Minute), loginEvent("99991234567", i))
		if err != nil {
			t.Fatalf("record entry %d: %v", i, err)
		}
		out = append(out, e)
	}
	return out
}

func mustHead(t *testing.T, db *store.DB) audit.Head {
	t.Helper()
	h, err := db.Audit().Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func mustVerify(t *testing.T, db *store.DB) audit.Head {
	t.Helper()
	h, err := db.Audit().Verify(context.Background())
	if err != nil {
		t.Fatalf("Verify an intact log: %v", err)
	}
	return h
}

// TestAuditAppend: entries appended by Record and by Append inside a
// caller's transaction form one chain; an append in a transaction that
// rolls back leaves no entry and no change of the head.
func TestAuditAppend(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		log := db.Audit()
		if h := mustHead(t, db); h != (audit.Head{Seq: 0, Hash: audit.GenesisHash}) {
			t.Fatalf("head of a new log = %+v, want {0, genesis}", h)
		}
		if h := mustVerify(t, db); h.Seq != 0 {
			t.Fatalf("empty log verified as %d entries", h.Seq)
		}
		var want []audit.Entry
		want = append(want, mustRecord(t, db, 2)...)

		// An action and its entry in one transaction (SERIALIZABLE), and at
		// READ COMMITTED with the row locks the ledger uses.
		mustExec(t, db, "CREATE TABLE blocks (user_id TEXT PRIMARY KEY)")
		for _, transact := range []func(context.Context, func(*store.Tx) error) error{db.Transact, db.TransactLocked} {
			var e audit.Entry
			err := transact(ctx, func(tx *store.Tx) error {
				user := fmt.Sprintf("9999123456%d", len(want))
				if _, err := tx.Exec(ctx, "INSERT INTO blocks (user_id) VALUES (?)", user); err != nil {
					return err
				}
				var err error
				e, err = log.Append(ctx, tx, auditT0.Add(time.Hour), audit.Event{Actor: "staff-1", ActorKind: audit.ActorStaff,
					Action: audit.ActionUserBlocked, Subject: user, IP: "10.0.0.5", Details: map[string]string{"reason": "customer asked"}})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, e)
		}

		// Rolled back: the block and its entry vanish together.
		before := mustHead(t, db)
		boom := errors.New("boom")
		for _, transact := range []func(context.Context, func(*store.Tx) error) error{db.Transact, db.TransactLocked} {
			err := transact(ctx, func(tx *store.Tx) error {
				if _, err := tx.Exec(ctx, "INSERT INTO blocks (user_id) VALUES ('rolled-back')"); err != nil {
					return err
				}
				for i := 0; i < 2; i++ {
					if _, err := log.Append(ctx, tx, auditT0.Add(2*time.Hour), loginEvent("rolled-back", i)); err != nil {
						return err
					}
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("Transact = %v, want the callback's error", err)
			}
		}
		if h := mustHead(t, db); h != before {
			t.Fatalf("head moved from %+v to %+v by a rolled-back transaction", before, h)
		}
		if got, err := log.List(ctx, audit.Filter{Subject: "rolled-back"}); err != nil || len(got) != 0 {
			t.Fatalf("rolled-back entries are in the log: %v, %v", got, err)
		}

		// A sub-microsecond time in another zone is kept as the log keeps it.
		e, err := log.Record(ctx, auditT0.Add(3*time.Hour+789*time.Nanosecond).In(time.FixedZone("CET", 3600)),
			audit.Event{Actor: "system", ActorKind: audit.ActorSystem, Action: "job.ran", Details: map[string]string{}})
		if err != nil {
			t.Fatal(err)
		}
		if !e.At.Equal(auditT0.Add(3*time.Hour)) || e.At.Location() != time.UTC || e.Details != nil {
			t.Errorf("recorded entry %+v: want At truncated to the microsecond in UTC and no details", e)
		}
		want = append(want, e)

		for i, e := range want {
			if e.Seq != int64(i+1) {
				t.Errorf("entry %d numbered %d", i+1, e.Seq)
			}
		}
		head := mustVerify(t, db)
		if head.Seq != int64(len(want)) || head.Hash != want[len(want)-1].Hash {
			t.Fatalf("verified head %+v, want {%d, %s}", head, len(want), want[len(want)-1].Hash)
		}
		got, err := log.List(ctx, audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("List returned %d entries, want %d", len(got), len(want))
		}
		for i := range got {
			if w := want[len(want)-1-i]; !reflect.DeepEqual(got[i], w) {
				t.Errorf("entry read back\n got %+v\nwant %+v", got[i], w)
			}
		}
	})
}

// TestAuditList: the back office reads newest first, filtered and paged.
func TestAuditList(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		log := db.Audit()
		events := []audit.Event{
			{Actor: "u1", ActorKind: audit.ActorCustomer, Action: audit.ActionLoginSuccess, Subject: "u1"},
			{Actor: "", ActorKind: audit.ActorAnonymous, Action: audit.ActionLoginFailed, Subject: "u2", IP: "198.51.100.1"},
			{Actor: "u2", ActorKind: audit.ActorCustomer, Action: audit.ActionPaymentSigned, Subject: "acc-2", Details: map[string]string{"amount": "100,00"}},
			{Actor: "staff-1", ActorKind: audit.ActorStaff, Action: audit.ActionStaffUnblock, Subject: "u2"},
			{Actor: "u1", ActorKind: audit.ActorCustomer, Action: audit.ActionLogout, Subject: "u1"},
			{Actor: "u2", ActorKind: audit.ActorCustomer, Action: audit.ActionLoginSuccess, Subject: "u2"},
		}
		for i, e := range events {
			if _, err := log.Record(ctx, auditT0.Add(time.Duration(i)*time.Hour), e); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			name string
			f    audit.Filter
			want []int64
		}{
			{"all, newest first", audit.Filter{}, []int64{6, 5, 4, 3, 2, 1}},
			{"by actor", audit.Filter{Actor: "u1"}, []int64{5, 1}},
			{"by subject", audit.Filter{Subject: "u2"}, []int64{6, 4, 2}},
			{"by action", audit.Filter{Action: audit.ActionLoginSuccess}, []int64{6, 1}},
			{"actor and action", audit.Filter{Actor: "u2", Action: audit.ActionPaymentSigned}, []int64{3}},
			{"from inclusive, to exclusive", audit.Filter{From: auditT0.Add(time.Hour), To: auditT0.Add(4 * time.Hour)}, []int64{4, 3, 2}},
			{"limit", audit.Filter{Limit: 2}, []int64{6, 5}},
			{"next page", audit.Filter{Limit: 2, BeforeSeq: 5}, []int64{4, 3}},
			{"last page", audit.Filter{Limit: 2, BeforeSeq: 2}, []int64{1}},
			{"page of a subject", audit.Filter{Subject: "u2", BeforeSeq: 6, Limit: 1}, []int64{4}},
			{"nothing", audit.Filter{Actor: "nobody"}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := log.List(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				var seqs []int64
				for _, e := range got {
					seqs = append(seqs, e.Seq)
				}
				if fmt.Sprint(seqs) != fmt.Sprint(tc.want) {
					t.Fatalf("List(%+v) = %v, want %v", tc.f, seqs, tc.want)
				}
			})
		}
	})
}

// TestAuditConcurrentAppends: many goroutines on two instances of the bank
// (two pools on one database) append at once, in transactions of every
// kind; the head row lock makes one gap-free, valid chain of them all.
func TestAuditConcurrentAppends(t *testing.T) {
	for _, e := range []struct {
		name string
		dsn  func(t testing.TB) string
	}{
		{"sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "netbank.db") }},
		{"postgres", testkit.FreshPostgresDatabase},
	} {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			dsn := e.dsn(t)
			var instances []*store.DB
			for i := 0; i < 2; i++ {
				db, err := store.Open(ctx, dsn, store.Options{})
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				instances = append(instances, db)
			}
			const workers, each = 8, 25
			var wg sync.WaitGroup
			errs := make(chan error, workers*each)
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					db := instances[w%2]
					for i := 0; i < each; i++ {
						ev := loginEvent(fmt.Sprintf("worker-%d", w), i)
						at := auditT0.Add(time.Duration(i) * time.Second)
						var err error
						switch i % 3 {
						case 0:
							_, err = db.Audit().Record(ctx, at, ev)
						case 1:
							err = db.Transact(ctx, func(tx *store.Tx) error {
								_, err := db.Audit().Append(ctx, tx, at, ev)
								return err
							})
						default:
							err = db.TransactLocked(ctx, func(tx *store.Tx) error {
								_, err := db.Audit().Append(ctx, tx, at, ev)
								return err
							})
						}
						errs <- err
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("concurrent append failed: %v", err)
				}
			}
			head := mustVerify(t, instances[1])
			if head.Seq != workers*each {
				t.Fatalf("chain of %d entries, want %d", head.Seq, workers*each)
			}
			var n, maxSeq int64
			if err := instances[0].QueryRow(ctx, "SELECT COUNT(*), MAX(seq) FROM audit_log").Scan(&n, &maxSeq); err != nil {
				t.Fatal(err)
			}
			if n != workers*each || maxSeq != n {
				t.Fatalf("%d rows up to seq %d, want %d without gaps", n, maxSeq, workers*each)
			}
			t.Logf("%s: %d + %d retries", e.name, instances[0].Retries(), instances[1].Retries())
		})
	}
}

// dropAppendOnlyTriggers removes the triggers that keep audit_log
// append-only, as someone with the database's owner rights could. What
// follows is what the hash chain alone must catch.
func dropAppendOnlyTriggers(t *testing.T, db *store.DB) {
	t.Helper()
	stmts := []string{"DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete", "DROP TRIGGER audit_head_no_delete"}
	if db.Engine() == store.Postgres {
		stmts = []string{"DROP TRIGGER audit_log_append_only ON audit_log", "DROP TRIGGER audit_head_no_delete ON audit_head"}
	}
	for _, q := range stmts {
		mustExec(t, db, q)
	}
}

// TestAuditAppendOnly: the database itself refuses to change or delete an
// entry, or to delete the head.
func TestAuditAppendOnly(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mustRecord(t, db, 2)
		for _, q := range []string{
			"UPDATE audit_log SET subject = 'someone else' WHERE seq = 1",
			"DELETE FROM audit_log WHERE seq = 2",
			"DELETE FROM audit_log",
			"DELETE FROM audit_head",
		} {
			if _, err := db.Exec(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") && !strings.Contains(err.Error(), "cannot be deleted") {
				t.Errorf("%s: %v, want refused by the append-only trigger", q, err)
			}
		}
		mustVerify(t, db)
	})
}

// TestAuditTamperDetected changes the stored log behind the bank's back in
// every way we can think of; Verify must fail and name the entry.
func TestAuditTamperDetected(t *testing.T) {
	const n = 6
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, db *store.DB, entries []audit.Entry)
		kind   audit.Breakage
		seq    int64
		msg    string
	}{
		{
			name:   "field of an entry changed",
			tamper: sqlTamper("UPDATE audit_log SET subject = 'someone else' WHERE seq = 3"),
			kind:   audit.Changed, seq: 3, msg: "audit entry 3 has been changed (hash mismatch)",
		},
		{
			name:   "actor changed",
			tamper: sqlTamper("UPDATE audit_log SET actor = 'staff-9', actor_kind = 'staff' WHERE seq = 1"),
			kind:   audit.Changed, seq: 1, msg: "audit entry 1 has been changed (hash mismatch)",
		},
		{
			name:   "time changed",
			tamper: sqlTamper("UPDATE audit_log SET at = at - 60000000 WHERE seq = 4"),
			kind:   audit.Changed, seq: 4, msg: "audit entry 4 has been changed",
		},
		{
			name:   "detail changed",
			tamper: sqlTamper(`UPDATE audit_log SET details = '{"n":"2","step":"password"}' WHERE seq = 2`),
			kind:   audit.Changed, seq: 2, msg: "audit entry 2 has been changed (hash mismatch)",
		},
		{
			name:   "details made unreadable",
			tamper: sqlTamper("UPDATE audit_log SET details = 'not json' WHERE seq = 5"),
			kind:   audit.Changed, seq: 5, msg: "audit entry 5 has been changed (hash mismatch)",
		},
		{
			name:   "entry in the middle deleted",
			tamper: sqlTamper("DELETE FROM audit_log WHERE seq = 3"),
			kind:   audit.Missing, seq: 3, msg: "audit entry 3 is missing",
		},
		{
			name:   "newest entry deleted, nothing fixed up",
			tamper: sqlTamper("DELETE FROM audit_log WHERE seq = 6"),
			kind:   audit.Removed, seq: 6, msg: "the newest entries after 5 have been removed",
		},
		{
			name:   "all entries deleted",
			tamper: sqlTamper("DELETE FROM audit_log"),
			kind:   audit.Removed, seq: 1, msg: "all audit entries have been removed",
		},
		{
			name:   "head hash updated",
			tamper: sqlTamper("UPDATE audit_head SET hash = '" + strings.Repeat("e", 64) + "' WHERE id = 1"),
			kind:   audit.Changed, seq: 6, msg: "audit entry 6 has been changed, or the head",
		},
		{
			name:   "head set back",
			tamper: sqlTamper("UPDATE audit_head SET seq = 5 WHERE id = 1"),
			kind:   audit.Unrecorded, seq: 6, msg: "audit entry 6 is not recorded in the head",
		},
		{
			name:   "head moved forward",
			tamper: sqlTamper("UPDATE audit_head SET seq = 9 WHERE id = 1"),
			kind:   audit.Removed, seq: 7, msg: "the newest entries after 6 have been removed",
		},
		{
			name:   "head deleted",
			tamper: sqlTamper("DELETE FROM audit_head"),
			kind:   audit.HeadChanged, seq: 0, msg: "the audit head has been removed",
		},
		{
			name: "entry changed and its hash recomputed",
			tamper: func(t *testing.T, db *store.DB, es []audit.Entry) {
				e := es[2]
				e.Subject = "someone else"
				sqlTamper(fmt.Sprintf("UPDATE audit_log SET subject = 'someone else', hash = '%s' WHERE seq = 3", audit.Hash(e.PrevHash, e)))(t, db, es)
			},
			kind: audit.Changed, seq: 3, msg: "audit entry 3 has been changed (its hash was recomputed, but entry 4 records a different one)",
		},
		{
			name: "newest entry changed and its hash recomputed",
			tamper: func(t *testing.T, db *store.DB, es []audit.Entry) {
				e := es[5]
				e.IP = "203.0.113.66"
				sqlTamper(fmt.Sprintf("UPDATE audit_log SET ip = '203.0.113.66', hash = '%s' WHERE seq = 6", audit.Hash(e.PrevHash, e)))(t, db, es)
			},
			kind: audit.Changed, seq: 6, msg: "audit entry 6 has been changed, or the head",
		},
		{
			name: "entry written behind the log's back",
			tamper: func(t *testing.T, db *store.DB, es []audit.Entry) {
				e := audit.Entry{Seq: 7, At: auditT0.Add(time.Hour), Event: loginEvent("intruder", 7), PrevHash: es[5].Hash}
				e.Hash = audit.Hash(e.PrevHash, e)
				sqlTamper(fmt.Sprintf(`INSERT INTO audit_log (seq, at, actor, actor_kind, action, subject, ip, details, prev_hash, hash)
					VALUES (7, %d, 'intruder', 'customer', 'login.success', 'intruder', '192.0.2.7', '{"n":"7","step":"signature"}', '%s', '%s')`,
					e.At.UnixMicro(), e.PrevHash, e.Hash))(t, db, es)
			},
			kind: audit.Unrecorded, seq: 7, msg: "audit entry 7 is not recorded in the head",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
				entries := mustRecord(t, db, n)
				mustVerify(t, db)
				dropAppendOnlyTriggers(t, db)
				tc.tamper(t, db, entries)
				_, err := db.Audit().Verify(context.Background())
				var be *audit.BrokenError
				if !errors.As(err, &be) {
					t.Fatalf("Verify after tampering = %v, want a broken chain", err)
				}
				if be.Kind != tc.kind || be.Seq != tc.seq {
					t.Errorf("first break: %s at entry %d, want %s at %d (%v)", be.Kind, be.Seq, tc.kind, tc.seq, err)
				}
				if !strings.Contains(err.Error(), tc.msg) {
					t.Errorf("Verify says %q, want it to say %q", err, tc.msg)
				}
			})
		})
	}
}

// sqlTamper runs statements that must each change exactly one row.
func sqlTamper(stmts ...string) func(t *testing.T, db *store.DB, _ []audit.Entry) {
	return func(t *testing.T, db *store.DB, _ []audit.Entry) {
		t.Helper()
		for _, q := range stmts {
			res, err := db.Exec(context.Background(), q)
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				t.Fatalf("%s changed %d rows (%v)", q, n, err)
			}
		}
	}
}

// TestAuditRefusesSecrets: an event whose details look like a secret, or
// that is malformed, is refused with EINVALID and leaves no trace.
func TestAuditRefusesSecrets(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mustRecord(t, db, 1)
		before := mustHead(t, db)
		for _, tc := range []struct {
			name string
			at   time.Time
			e    audit.Event
		}{
			{"pin code in details", auditT0, audit.Event{Actor: "u", ActorKind: audit.ActorCustomer, Action: "pin.changed", Details: map[string]string{"pin_code": "1234"}}},
			{"password in details", auditT0, audit.Event{Actor: "u", ActorKind: audit.ActorBusiness, Action: "login.failed", Details: map[string]string{"Password": "hunter2"}}},
			{"card number in details", auditT0, audit.Event{Actor: "u", ActorKind: audit.ActorCustomer, Action: "card.used", Details: map[string]string{"PAN": "4571000000000001"}}},
			{"cvv in details", auditT0, audit.Event{Actor: "u", ActorKind: audit.ActorCustomer, Action: "card.used", Details: map[string]string{"cvv2": "123"}}},
			{"unknown actor kind", auditT0, audit.Event{Actor: "u", ActorKind: "robot", Action: "x"}},
			{"invalid UTF-8", auditT0, audit.Event{Actor: "u\xff", ActorKind: audit.ActorCustomer, Action: "x"}},
			{"no time", time.Time{}, audit.Event{Actor: "u", ActorKind: audit.ActorCustomer, Action: "x"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := db.Audit().Record(ctx, tc.at, tc.e)
				if netbank.ErrorCodeOf(err) != netbank.EINVALID {
					t.Fatalf("Record = %v, want invalid", err)
				}
			})
		}
		if h := mustHead(t, db); h != before {
			t.Fatalf("a refused event moved the head from %+v to %+v", before, h)
		}
		mustVerify(t, db)
	})
}

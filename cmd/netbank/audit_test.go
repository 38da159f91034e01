package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/store"
)

var auditOKLine = regexp.MustCompile(`(?m)^audit log ok: (\d+) entries, chain intact$`)

// recordAuditEvents appends n events to the audit log of the bank at dsn
// through the store, as the bank's features do, and returns them.
func recordAuditEvents(t *testing.T, dsn string, n int) []audit.Entry {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	defer db.Close()
	var out []audit.Entry
	at := time.Date(2026, 11, 21, 14, 5, 9, 0, time.UTC)
	for i := 0; i < n; i++ {
		e, err := db.Audit().Record(ctx, at.Add(time.Duration(i)*time.Minute), audit.Event{
			Actor: "99991234567", ActorKind: audit.ActorCustomer, Action: audit.ActionLoginSuccess,
			Subject: "99991234567", IP: "192.0.2.7", Details: map[string]string{"n": fmt.Sprint(i)},
		})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// auditSQL runs statements directly on the database behind dsn, as someone
// with the database owner's rights could, append-only triggers and all.
func auditSQL(t *testing.T, dsn string, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	defer db.Close()
	for _, q := range stmts {
		if _, err := db.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// dropAuditTriggers returns the statements that lift the append-only
// triggers on the engine of dsn.
func dropAuditTriggers(dsn string) []string {
	if strings.HasPrefix(dsn, "postgres") {
		return []string{"DROP TRIGGER audit_log_append_only ON audit_log", "DROP TRIGGER audit_head_no_delete ON audit_head"}
	}
	return []string{"DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete", "DROP TRIGGER audit_head_no_delete"}
}

// TestAuditVerify: `netbank audit verify` passes a bank's intact audit log,
// and after the log is changed behind the bank's back exits 1 naming the
// entry, on each engine.
func TestAuditVerify(t *testing.T) {
	for _, e := range []struct {
		name string
		bank func(t *testing.T) (args []string, dsn string)
	}{
		{"sqlite", func(t *testing.T) ([]string, string) {
			dir := t.TempDir()
			seedBank(t, app.Config{DataDir: dir})
			return []string{"--data-dir", dir}, filepath.Join(dir, "netbank.db")
		}},
		{"postgres", func(t *testing.T) ([]string, string) {
			dsn := testkit.FreshPostgresDatabase(t)
			seedBank(t, app.Config{DataDir: t.TempDir(), DB: dsn})
			return []string{"--db", dsn}, dsn
		}},
	} {
		t.Run(e.name, func(t *testing.T) {
			cleanEnv(t)
			flags, dsn := e.bank(t)
			entries := recordAuditEvents(t, dsn, 5)
			newest := entries[len(entries)-1]
			verify := append([]string{"audit", "verify"}, flags...)

			code, stdout, stderr := runCmd(t, verify...)
			m := auditOKLine.FindStringSubmatch(stdout)
			if code != 0 || m == nil {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit 0 and audit log ok", code, stdout, stderr)
			}
			if m[1] != fmt.Sprint(newest.Seq) {
				t.Errorf("verified %s entries, want %d", m[1], newest.Seq)
			}
			if !strings.Contains(stdout, newest.Hash) {
				t.Errorf("report does not show the head's hash %s:\n%s", newest.Hash, stdout)
			}

			auditSQL(t, dsn, dropAuditTriggers(dsn)...)
			third := entries[2]
			for _, tc := range []struct {
				name          string
				breaks, fixes []string
				want          string
			}{
				{
					name:   "entry changed",
					breaks: []string{fmt.Sprintf("UPDATE audit_log SET subject = 'someone else' WHERE seq = %d", third.Seq)},
					fixes:  []string{fmt.Sprintf("UPDATE audit_log SET subject = '%s' WHERE seq = %d", third.Subject, third.Seq)},
					want:   fmt.Sprintf("AUDIT BROKEN: audit entry %d has been changed (hash mismatch)", third.Seq),
				},
				{
					name:   "entry changed and rehashed",
					breaks: []string{fmt.Sprintf("UPDATE audit_log SET ip = '203.0.113.1', hash = '%s' WHERE seq = %d", rehashed(third), third.Seq)},
					fixes:  []string{fmt.Sprintf("UPDATE audit_log SET ip = '%s', hash = '%s' WHERE seq = %d", third.IP, third.Hash, third.Seq)},
					want:   fmt.Sprintf("AUDIT BROKEN: audit entry %d has been changed", third.Seq),
				},
				{
					name:   "entry in the middle deleted",
					breaks: []string{fmt.Sprintf("DELETE FROM audit_log WHERE seq = %d", third.Seq)},
					fixes:  []string{insertEntry(third)},
					want:   fmt.Sprintf("AUDIT BROKEN: audit entry %d is missing", third.Seq),
				},
				{
					name:   "newest entry deleted",
					breaks: []string{fmt.Sprintf("DELETE FROM audit_log WHERE seq = %d", newest.Seq)},
					fixes:  []string{insertEntry(newest)},
					want:   fmt.Sprintf("AUDIT BROKEN: the newest entries after %d have been removed", newest.Seq-1),
				},
			} {
				t.Run(tc.name, func(t *testing.T) {
					auditSQL(t, dsn, tc.breaks...)
					code, stdout, stderr := runCmd(t, verify...)
					if code != 1 {
						t.Errorf("exit %d on a broken log, want 1 (stdout %q, stderr %q)", code, stdout, stderr)
					}
					if !strings.Contains(stdout, tc.want) {
						t.Errorf("report does not say %q:\n%s", tc.want, stdout)
					}
					if auditOKLine.MatchString(stdout) {
						t.Errorf("report calls a broken log ok:\n%s", stdout)
					}
					auditSQL(t, dsn, tc.fixes...)
					if code, stdout, _ := runCmd(t, verify...); code != 0 || !auditOKLine.MatchString(stdout) {
						t.Fatalf("after undoing the damage: exit %d, stdout %q; want ok", code, stdout)
					}
				})
			}
		})
	}
}

// rehashed is the hash of e with its IP changed to 203.0.113.1, as a
// careful forger would recompute it.
func rehashed(e audit.Entry) string {
	e.IP = "203.0.113.1"
	return audit.Hash(e.PrevHash, e)
}

// insertEntry puts a deleted entry back exactly as it was.
func insertEntry(e audit.Entry) string {
	details := "{}"
	if len(e.Details) > 0 {
		details = fmt.Sprintf(`{"n":"%s"}`, e.Details["n"])
	}
	return fmt.Sprintf(`INSERT INTO audit_log (seq, at, actor, actor_kind, action, subject, ip, details, prev_hash, hash)
		VALUES (%d, %d, '%s', '%s', '%s', '%s', '%s', '%s', '%s', '%s')`,
		e.Seq, e.At.UnixMicro(), e.Actor, e.ActorKind, e.Action, e.Subject, e.IP, details, e.PrevHash, e.Hash)
}

// TestAuditVerifyMissingDatabase: verifying a data directory that holds no
// bank (a typo in --data-dir) fails instead of creating an empty log and
// calling it intact.
func TestAuditVerifyMissingDatabase(t *testing.T) {
	cleanEnv(t)
	dir := filepath.Join(t.TempDir(), "typo")
	code, stdout, stderr := runCmd(t, "audit", "verify", "--data-dir", dir)
	if code == 0 || strings.Contains(stdout, "audit log ok") {
		t.Errorf("audit verify of an empty directory: exit %d, stdout %q; want non-zero", code, stdout)
	}
	if !strings.Contains(stderr, filepath.Join(dir, "netbank.db")) {
		t.Errorf("stderr %q does not name the missing database", stderr)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("audit verify created %s", dir)
	}
}

// TestAuditVerifyFlags: the command takes the server's database flags,
// with the NETBANK_* fallback, and is in the usage text.
func TestAuditVerifyFlags(t *testing.T) {
	cleanEnv(t)
	code, _, stderr := runCmd(t, "audit", "verify", "-h")
	if code != 0 || !strings.Contains(stderr, "-data-dir") || !strings.Contains(stderr, "-db") {
		t.Errorf("audit verify -h: exit %d, stderr %q; want the -data-dir and -db flags", code, stderr)
	}
	if _, stdout, _ := runCmd(t, "help"); !strings.Contains(stdout, "netbank audit verify") {
		t.Errorf("usage does not list audit verify:\n%s", stdout)
	}
	if code, _, stderr := runCmd(t, "audit", "fix"); code != 2 || !strings.Contains(stderr, `unknown command "audit fix"`) {
		t.Errorf("audit fix: exit %d, stderr %q; want 2, unknown command", code, stderr)
	}
	dir := t.TempDir()
	seedBank(t, app.Config{DataDir: dir})
	recordAuditEvents(t, filepath.Join(dir, "netbank.db"), 2)
	t.Setenv("NETBANK_DATA_DIR", dir)
	if code, stdout, stderr := runCmd(t, "audit", "verify"); code != 0 || !auditOKLine.MatchString(stdout) {
		t.Errorf("audit verify with NETBANK_DATA_DIR: exit %d, stdout %q, stderr %q; want ok", code, stdout, stderr)
	}
}

package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx" for creating test databases

	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/demo"
	"github.com/netbank/netbank/internal/harness"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/store"
)

// cleanEnv removes the NETBANK_* variables the commands read, so the
// developer's environment cannot change a test, and runs the test in an
// empty working directory, so a command that falls back to its default
// ./netbank-data does not write into the source tree. It returns that
// directory.
func cleanEnv(t *testing.T) string {
	t.Helper()
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "NETBANK_") && name != testkit.PostgresEnv {
			t.Setenv(name, "") // restores the value after the test
			os.Unsetenv(name)
		}
	}
	wd := t.TempDir()
	t.Chdir(wd)
	return wd
}

// runCmd runs the command line and returns its exit code and output.
func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errOut testkit.LogBuffer
	code = run(ctx, args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// seedBank creates a demo bank (database and secret key) with app.New and
// closes it, as a first `netbank` start would. It returns how many ledger
// accounts the bank has, as a check's report must count them.
func seedBank(t *testing.T, cfg app.Config) string {
	t.Helper()
	cfg.Demo = true
	cfg.Clock = testkit.NewClock(time.Date(2026, 11, 21, 14, 5, 9, 0, time.UTC))
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("seed the demo bank: %v", err)
	}
	defer a.Close()
	accounts, err := a.Ledger.Accounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(accounts) <= len(demo.Accounts) {
		t.Fatalf("the demo bank has %d ledger accounts, want the %d demo accounts and the internal ones", len(accounts), len(demo.Accounts))
	}
	return fmt.Sprint(len(accounts))
}

// execSQL runs statements directly on the database behind dsn, bypassing
// the ledger: the way a bug or a careless operator would break it.
func execSQL(t *testing.T, dsn string, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	defer db.Close()
	for _, q := range stmts {
		res, err := db.Exec(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			t.Fatalf("%s changed %d rows (%v), want 1", q, n, err)
		}
	}
}

var okLine = regexp.MustCompile(`(?m)^ledger ok: (\d+) accounts, every invariant holds$`)

// checkOK runs the command line (a ledger check) and returns the account
// count of its "ledger ok" report, or fails the test.
func checkOK(t *testing.T, args ...string) string {
	t.Helper()
	code, stdout, stderr := runCmd(t, args...)
	return okAccounts(t, code, stdout, stderr)
}

// okAccounts returns the account count of a "ledger ok" report, or fails.
func okAccounts(t *testing.T, code int, stdout, stderr string) string {
	t.Helper()
	m := okLine.FindStringSubmatch(stdout)
	if code != 0 || m == nil {
		t.Fatalf("ledger check: exit %d, stdout %q, stderr %q; want exit 0 and ledger ok", code, stdout, stderr)
	}
	return m[1]
}

func TestHelpAndUnknownCommands(t *testing.T) {
	cleanEnv(t)
	for _, tc := range []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{name: "help", args: []string{"help"}, wantStdout: []string{"Usage:", "netbank ledger check", "netbank bench ledger", "NETBANK_DATA_DIR"}},
		{name: "-h", args: []string{"-h"}, wantStdout: []string{"Usage:"}},
		{name: "--help", args: []string{"--help"}, wantStdout: []string{"Usage:"}},
		{name: "unknown command", args: []string{"frobnicate"}, wantCode: 2, wantStderr: []string{`unknown command "frobnicate"`, "Usage:"}},
		{name: "ledger without subcommand", args: []string{"ledger"}, wantCode: 2, wantStderr: []string{`unknown command "ledger"`}},
		{name: "unknown ledger subcommand", args: []string{"ledger", "fix"}, wantCode: 2, wantStderr: []string{`unknown command "ledger fix"`}},
		{name: "unknown bench", args: []string{"bench", "disk"}, wantCode: 2, wantStderr: []string{`unknown command "bench disk"`}},
		{name: "ledger check -h", args: []string{"ledger", "check", "-h"}, wantStderr: []string{"-data-dir", "-db"}},
		{name: "bench ledger -h", args: []string{"bench", "ledger", "-h"}, wantStderr: []string{"-transfers", "-clients", "-accounts"}},
		{name: "serve flags -h", args: []string{"--demo=false", "-h"}, wantStderr: []string{"-insecure-http", "-tls-cert", "-addr"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, tc.args...)
			if code != tc.wantCode {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.wantCode, stderr)
			}
			for _, want := range tc.wantStdout {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}
			for _, want := range tc.wantStderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
		})
	}
}

// TestLedgerCheck breaks a demo bank's ledger behind the ledger's back, in
// several ways, on each engine: `netbank ledger check` must exit 1 and name
// the broken account, and pass again once the damage is undone.
func TestLedgerCheck(t *testing.T) {
	for _, e := range []struct {
		name string
		bank func(t *testing.T) (args []string, dsn, accounts string)
	}{
		{"sqlite", func(t *testing.T) ([]string, string, string) {
			dir := t.TempDir()
			n := seedBank(t, app.Config{DataDir: dir})
			return []string{"--data-dir", dir}, filepath.Join(dir, "netbank.db"), n
		}},
		{"postgres", func(t *testing.T) ([]string, string, string) {
			dsn := testkit.FreshPostgresDatabase(t)
			n := seedBank(t, app.Config{DataDir: t.TempDir(), DB: dsn})
			return []string{"--db", dsn}, dsn, n
		}},
	} {
		t.Run(e.name, func(t *testing.T) {
			cleanEnv(t)
			flags, dsn, want := e.bank(t)
			check := append([]string{"ledger", "check"}, flags...)
			if got := checkOK(t, check...); got != want {
				t.Fatalf("ledger ok on %s accounts, want %s", got, want)
			}
			salary, budget, business := demo.Accounts[0].ID, demo.Accounts[2].ID, demo.Accounts[6].ID
			for _, tc := range []struct {
				name          string
				breaks, fixes string
				account       string // the account the report must name
				problem       string
			}{
				{
					name:    "credits posted off by one",
					breaks:  "UPDATE ledger_accounts SET credits_posted = credits_posted + 1 WHERE id = '" + salary + "'",
					fixes:   "UPDATE ledger_accounts SET credits_posted = credits_posted - 1 WHERE id = '" + salary + "'",
					account: salary, problem: "credits posted",
				},
				{
					name:    "pending debits without a hold",
					breaks:  "UPDATE ledger_accounts SET debits_pending = debits_pending + 500 WHERE id = '" + budget + "'",
					fixes:   "UPDATE ledger_accounts SET debits_pending = debits_pending - 500 WHERE id = '" + budget + "'",
					account: budget, problem: "debits pending",
				},
				{
					name:    "entry amount edited",
					breaks:  "UPDATE ledger_entries SET amount = amount + 100 WHERE account_id = '" + business + "' AND seq = 1",
					fixes:   "UPDATE ledger_entries SET amount = amount - 100 WHERE account_id = '" + business + "' AND seq = 1",
					account: business, problem: "entries sum",
				},
			} {
				t.Run(tc.name, func(t *testing.T) {
					execSQL(t, dsn, tc.breaks)
					code, stdout, stderr := runCmd(t, check...)
					if code != 1 {
						t.Errorf("exit %d on a broken ledger, want 1 (stdout %q, stderr %q)", code, stdout, stderr)
					}
					if want := "VIOLATION " + tc.account + ": " + tc.problem; !strings.Contains(stdout, want) {
						t.Errorf("report does not say %q:\n%s", want, stdout)
					}
					if !strings.Contains(stdout, "ledger broken:") || okLine.MatchString(stdout) {
						t.Errorf("report does not end in ledger broken:\n%s", stdout)
					}
					for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
						if strings.HasPrefix(line, "VIOLATION ") && !strings.HasPrefix(line, "VIOLATION "+tc.account+": ") && !strings.HasPrefix(line, "VIOLATION DKK: ") {
							t.Errorf("violation blamed on another account: %s", line)
						}
					}
					execSQL(t, dsn, tc.fixes)
					checkOK(t, check...)
				})
			}
		})
	}
}

// TestLedgerCheckMissingDatabase: a check of a data directory that holds no
// bank (a typo in --data-dir) must fail, not create an empty ledger and
// report it as sound.
func TestLedgerCheckMissingDatabase(t *testing.T) {
	cleanEnv(t)
	dir := filepath.Join(t.TempDir(), "typo")
	code, stdout, stderr := runCmd(t, "ledger", "check", "--data-dir", dir)
	if code != 1 || strings.Contains(stdout, "ledger ok") {
		t.Errorf("ledger check of an empty directory: exit %d, stdout %q; want exit 1", code, stdout)
	}
	if !strings.Contains(stderr, filepath.Join(dir, "netbank.db")) {
		t.Errorf("stderr %q does not name the missing database", stderr)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("ledger check created %s", dir)
	}
}

// TestEnvironmentFallback: every flag can come from NETBANK_*, and a flag
// on the command line beats the environment.
func TestEnvironmentFallback(t *testing.T) {
	cleanEnv(t)
	clean, broken := t.TempDir(), t.TempDir()
	accounts := seedBank(t, app.Config{DataDir: clean})
	seedBank(t, app.Config{DataDir: broken})
	execSQL(t, filepath.Join(broken, "netbank.db"),
		"UPDATE ledger_accounts SET credits_posted = credits_posted + 1 WHERE id = '"+demo.Accounts[0].ID+"'")
	unreachable := "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=5"
	for _, tc := range []struct {
		name     string
		env      map[string]string
		args     []string
		wantCode int
	}{
		{name: "data dir from env, sound bank", env: map[string]string{"NETBANK_DATA_DIR": clean}},
		{name: "data dir from env, broken bank", env: map[string]string{"NETBANK_DATA_DIR": broken}, wantCode: 1},
		{name: "flag beats env (sound flag)", env: map[string]string{"NETBANK_DATA_DIR": broken}, args: []string{"--data-dir", clean}},
		{name: "flag beats env (broken flag)", env: map[string]string{"NETBANK_DATA_DIR": clean}, args: []string{"--data-dir=" + broken}, wantCode: 1},
		{name: "db from env", env: map[string]string{"NETBANK_DATA_DIR": clean, "NETBANK_DB": unreachable}, wantCode: 1},
		{name: "empty db flag beats env", env: map[string]string{"NETBANK_DATA_DIR": clean, "NETBANK_DB": unreachable}, args: []string{"--db="}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			code, stdout, stderr := runCmd(t, append([]string{"ledger", "check"}, tc.args...)...)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d (stdout %q, stderr %q)", code, tc.wantCode, stdout, stderr)
			}
			if tc.wantCode == 0 {
				if got := okAccounts(t, code, stdout, stderr); got != accounts {
					t.Errorf("checked %s accounts, want the demo bank's %s", got, accounts)
				}
			}
		})
	}
	if entries, _ := os.ReadDir("."); len(entries) != 0 {
		t.Errorf("ledger check wrote into the working directory: %v", entries)
	}
}

// TestBenchCommands runs small loads through the ledger and the net bank's
// pages on each engine; each run must end with nothing failed.
func TestBenchCommands(t *testing.T) {
	benches := []struct {
		name  string
		args  []string
		wants func(engine string) []string
	}{
		{"ledger", []string{"bench", "ledger", "--transfers", "200", "--clients", "4", "--accounts", "10"}, func(engine string) []string {
			return []string{"ledger on " + engine + ": 4 clients, 200 transfers over 10 accounts",
				"200 transfers in ", "transfers/s", ", 0 failed,", "ledger check after the run: ok"}
		}},
		{"pages", []string{"bench", "pages", "--sessions", "12", "--clients", "3", "--users", "3", "--postings", "5"}, func(engine string) []string {
			return []string{"net bank pages on " + engine + ": 3 browsers, 12 sessions over 3 customers with 5 postings each",
				"12 sessions in ", "sessions/s", "page requests/s, 0 failed", "login     p50", "postings  p50"}
		}},
	}
	for _, e := range []struct {
		name  string
		flags func(t *testing.T) []string
	}{
		{"sqlite", func(t *testing.T) []string { return nil }}, // a throwaway temporary database
		{"postgres", func(t *testing.T) []string { return []string{"--db", testkit.FreshPostgresDatabase(t)} }},
	} {
		for _, b := range benches {
			t.Run(e.name+"/"+b.name, func(t *testing.T) {
				wd := cleanEnv(t)
				code, stdout, stderr := runCmd(t, append(slices.Clone(b.args), e.flags(t)...)...)
				if code != 0 {
					t.Fatalf("exit %d (stdout %q, stderr %q)", code, stdout, stderr)
				}
				for _, want := range b.wants(e.name) {
					if !strings.Contains(stdout, want) {
						t.Errorf("output lacks %q:\n%s", want, stdout)
					}
				}
				if entries, _ := os.ReadDir(wd); len(entries) != 0 {
					t.Errorf("bench wrote into the working directory: %v", entries)
				}
			})
		}
	}
}

// TestBenchLedgerOnBrokenLedger: the check after a bench run covers the
// whole database, so a run on a broken bank fails instead of reporting ok.
func TestBenchLedgerOnBrokenLedger(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	seedBank(t, app.Config{DataDir: dir})
	execSQL(t, filepath.Join(dir, "netbank.db"),
		"UPDATE ledger_accounts SET debits_posted = debits_posted + 1 WHERE id = '"+demo.Accounts[1].ID+"'")
	code, stdout, stderr := runCmd(t, "bench", "ledger", "--transfers", "50", "--clients", "2", "--accounts", "4", "--data-dir", dir)
	if code != 1 {
		t.Errorf("exit %d, want 1 (stdout %q)", code, stdout)
	}
	if strings.Contains(stdout, "ledger check after the run: ok") {
		t.Errorf("bench calls a broken ledger ok:\n%s", stdout)
	}
	if !strings.Contains(stderr, "ledger invariants broken") || !strings.Contains(stderr, demo.Accounts[1].ID) {
		t.Errorf("stderr does not name the broken account:\n%s", stderr)
	}
}

// TestServeRefusesBadConfiguration: a bad flag, environment value or
// setting stops serve with a non-zero exit and a message, before serving.
func TestServeRefusesBadConfiguration(t *testing.T) {
	for _, tc := range []struct {
		name       string
		env        map[string]string
		args       []string
		wantStderr string
	}{
		{name: "unknown flag", args: []string{"--no-such-flag"}, wantStderr: "flag provided but not defined"},
		{name: "bad duration", args: []string{"--expiry-interval", "soon"}, wantStderr: "invalid value"},
		{name: "bad number", args: []string{"--batch-size=many"}, wantStderr: "invalid value"},
		{name: "bad environment value", env: map[string]string{"NETBANK_DEMO": "maybe"}, wantStderr: "NETBANK_DEMO"},
		{name: "short secret", args: []string{"--secret", "abcd"}, wantStderr: "secret"},
		{name: "plain HTTP on all interfaces", args: []string{"--addr", "0.0.0.0:0"}, wantStderr: "--tls-cert"},
		{name: "certificate without key", args: []string{"--tls-cert", "cert.pem"}, wantStderr: "--tls-key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wd := cleanEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			// Should the check ever let it through, serve a throwaway bank on a
			// loopback port until the timeout rather than on :8080 in the tree.
			args := append([]string{"--data-dir", filepath.Join(wd, "data"), "--demo=false", "--addr", "127.0.0.1:0"}, tc.args...)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var stdout, stderr testkit.LogBuffer
			code := run(ctx, args, &stdout, &stderr)
			if code == 0 {
				t.Fatalf("exit 0, want non-zero (stderr %q)", stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.wantStderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.wantStderr, stderr.String())
			}
		})
	}
}

// TestServe starts the bank as `netbank` would and stops it the way a
// SIGTERM does (through the context): it serves, then exits 0.
func TestServe(t *testing.T) {
	wd := cleanEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	t.Setenv("NETBANK_ADDR", addr) // the listen address from the environment
	t.Setenv("NETBANK_ISO8583_ADDR", "127.0.0.1:0")
	dataDir := filepath.Join(wd, "data")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr testkit.LogBuffer
	var code int
	exited := make(chan struct{})
	go func() {
		code = run(ctx, []string{"--data-dir", dataDir}, &stdout, &stderr)
		close(exited)
	}()

	readyCtx, notReady := context.WithTimeout(ctx, 15*time.Second)
	defer notReady()
	go func() {
		select {
		case <-exited:
			notReady()
		case <-readyCtx.Done():
		}
	}()
	if err := harness.WaitReady(readyCtx, "http://"+addr); err != nil {
		select {
		case <-exited:
			t.Fatalf("netbank exited %d before serving: %s", code, stderr.String())
		default:
			t.Fatalf("netbank did not serve on %s: %v\n%s", addr, err, stderr.String())
		}
	}
	cancel()
	select {
	case <-exited:
		if code != 0 {
			t.Fatalf("exit %d after a graceful stop, want 0:\n%s", code, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("netbank did not stop within 20s of its context ending")
	}
	if !strings.Contains(stderr.String(), `"msg":"netbank listening"`) {
		t.Errorf("no JSON start-up log line on stderr:\n%s", stderr.String())
	}
	// The default --demo=true seeded the bank the server ran on.
	checkOK(t, "ledger", "check", "--data-dir", dataDir)
	if _, err := os.Stat(filepath.Join(dataDir, "secret.key")); err != nil {
		t.Errorf("serve made no secret key: %v", err)
	}
}

package main

// netbank backup and netbank restore (docs/deployment.md, "Backup and
// restore").
//
// SQLite: the backup is an online snapshot of the live database (store
// BackupSQLite) into a new file, verified afterwards on a read-only view
// of that file: PRAGMA integrity_check, the schema version, the ledger's
// invariants and the audit log's hash chain. The restore verifies the
// backup the same way on a copy (migrated if it is older than this build),
// and only then replaces the database, under its exclusive lock, which a
// running bank never lets go.
//
// PostgreSQL: the backup is pg_dump's custom format, one consistent
// snapshot (pg_dump reads in one REPEATABLE READ transaction), checked
// with pg_restore --list; the restore is pg_restore into an empty
// database, then the same ledger and audit checks.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/store"
)

// backupCmd is `netbank backup [--data-dir D | --db URL] --out FILE`.
func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("netbank backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var d dbFlags
	d.register(fs)
	var out string
	fs.StringVar(&out, "out", "", "the backup file to write; it must not exist")
	if err := parse(fs, args); err != nil {
		return err
	}
	if out == "" || fs.NArg() > 0 {
		return errors.New("usage: netbank backup [--data-dir D | --db URL] --out FILE")
	}
	if _, err := os.Lstat(out); err == nil {
		return fmt.Errorf("%s exists: a backup never overwrites a file", out)
	}
	dsn := app.Config{DataDir: d.dataDir, DB: d.db}.DSN()
	if store.EngineOf(dsn) == store.Postgres {
		return backupPostgres(ctx, dsn, out, stdout, stderr)
	}
	return backupSQLite(ctx, dsn, out, stdout)
}

// backupSQLite copies the live database at src into out and verifies the copy.
func backupSQLite(ctx context.Context, src, out string, stdout io.Writer) error {
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("no database to back up: %w", err)
	}
	start := time.Now()
	info, err := store.BackupSQLite(ctx, src, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup of %s written to %s: %d pages, %d bytes, one snapshot taken online in %s\n",
		src, out, info.Pages, info.Bytes, time.Since(start).Round(time.Millisecond))
	if err := verifySQLiteFile(ctx, out, false, stdout); err != nil {
		fmt.Fprintf(stdout, "BACKUP NOT VERIFIED: %s is an exact copy of the database, which does not pass the checks above\n", out)
		return err
	}
	fmt.Fprintf(stdout, "backup verified. It holds no keys: keep the --secret (or %s) and the card keys apart from it, a restore needs them\n",
		filepath.Join(filepath.Dir(src), "secret.key"))
	return nil
}

// verifySQLiteFile checks a SQLite backup read-only: its integrity and
// schema version and, for a backup just taken (forRestore false), the
// ledger's invariants and the audit chain. A restore accepts a schema
// older than this build's and checks ledger and audit on the migrated
// copy instead.
func verifySQLiteFile(ctx context.Context, path string, forRestore bool, stdout io.Writer) error {
	db, err := store.OpenSnapshot(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.IntegrityCheck(ctx); err != nil {
		fmt.Fprintf(stdout, "INTEGRITY BROKEN: %v\n", err)
		return exitError(1)
	}
	fmt.Fprintln(stdout, "integrity ok: every page, table and index checked")
	have, err := db.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("%s is not a netbank database: %w", path, err)
	}
	want, err := store.LatestSchemaVersion(store.SQLite)
	if err != nil {
		return err
	}
	switch {
	case have > want:
		fmt.Fprintf(stdout, "SCHEMA NEWER: %s is at schema version %d, this netbank knows up to %d: use the netbank version that made it\n", path, have, want)
		return exitError(1)
	case forRestore:
		return nil
	case have < want:
		fmt.Fprintf(stdout, "SCHEMA OLDER: the database is at schema version %d, this netbank at %d: back up with the netbank version that runs the bank\n", have, want)
		return exitError(1)
	}
	return checkBank(ctx, db, stdout)
}

// checkBank runs the ledger check and the audit chain verification on db
// and prints their reports; a violation is exit 1.
func checkBank(ctx context.Context, db *store.DB, stdout io.Writer) error {
	l := ledger.New(db.Ledger(), ledger.Config{})
	rep, err := l.Check(ctx)
	l.Close()
	if err := reportLedger(stdout, rep, err); err != nil {
		return err
	}
	head, err := db.Audit().Verify(ctx)
	return reportAudit(stdout, head, err)
}

// restoreCmd is `netbank restore [--data-dir D | --db URL] --from FILE [--force]`.
func restoreCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("netbank restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var d dbFlags
	d.register(fs)
	var from string
	var force bool
	fs.StringVar(&from, "from", "", "the backup file (netbank backup's, or pg_dump's custom format for --db)")
	fs.BoolVar(&force, "force", false, "replace the SQLite database already in --data-dir (the bank must be stopped)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if from == "" || fs.NArg() > 0 {
		return errors.New("usage: netbank restore [--data-dir D | --db URL] --from FILE [--force]")
	}
	if _, err := os.Stat(from); err != nil {
		return fmt.Errorf("no backup to restore: %w", err)
	}
	dsn := app.Config{DataDir: d.dataDir, DB: d.db}.DSN()
	if store.EngineOf(dsn) == store.Postgres {
		return restorePostgres(ctx, dsn, from, stdout, stderr)
	}
	return restoreSQLite(ctx, from, dsn, force, stdout)
}

// restoreSQLite verifies the backup on a migrated copy next to target,
// then replaces target with it under the database's exclusive lock.
func restoreSQLite(ctx context.Context, from, target string, force bool, stdout io.Writer) error {
	if _, err := os.Stat(target); err == nil && !force {
		return fmt.Errorf("%s exists: a restore replaces the bank in it; stop the bank and give --force", target)
	}
	if err := verifySQLiteFile(ctx, from, true, stdout); err != nil {
		fmt.Fprintf(stdout, "NOT RESTORED: %s fails the checks above; %s is unchanged\n", from, target)
		return err
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		return err
	}
	work := target + ".restore-" + randomSuffix()
	defer removeSQLite(work)
	if _, err := store.BackupSQLite(ctx, from, work); err != nil {
		return err
	}
	if err := checkMigrated(ctx, work, stdout); err != nil {
		fmt.Fprintf(stdout, "NOT RESTORED: %s fails the checks above; %s is unchanged\n", from, target)
		return err
	}
	if err := store.RestoreSQLite(ctx, work, target); err != nil {
		if errors.Is(err, store.ErrInUse) {
			return fmt.Errorf("a bank is running on %s: stop it, then restore (nothing was changed)", target)
		}
		return err
	}
	fmt.Fprintf(stdout, "restored %s into %s\n", from, target)
	keyFile := filepath.Join(filepath.Dir(target), "secret.key")
	if _, err := os.Stat(keyFile); err != nil {
		fmt.Fprintf(stdout, "no %s: start the bank with the --secret it had, or put its secret.key back, before it makes a new one that cannot read the sealed data\n", keyFile)
	}
	return nil
}

// checkMigrated opens the working copy as the bank would (migrating it to
// this build's schema) and runs the ledger and audit checks on it.
func checkMigrated(ctx context.Context, path string, stdout io.Writer) error {
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	return checkBank(ctx, db, stdout)
}

// removeSQLite removes a SQLite file with whatever SQLite keeps beside it.
func removeSQLite(path string) {
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(path + suffix)
	}
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// pgConn splits a PostgreSQL URL into one without the password (safe to
// print and to pass on a command line, where other users can read it) and
// the password, which the PostgreSQL tools take from PGPASSWORD.
func pgConn(dsn string) (conn, password string, err error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", "", fmt.Errorf("bad --db URL: %v", err)
	}
	if u.User != nil {
		password, _ = u.User.Password()
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	if p := q.Get("password"); p != "" {
		password = p
		q.Del("password")
		u.RawQuery = q.Encode()
	}
	return u.String(), password, nil
}

// pgTool runs a PostgreSQL client program (pg_dump, pg_restore) with the
// password in its environment. When the program is not on PATH it prints
// the command to run instead and returns exit 1.
func pgTool(ctx context.Context, name string, args []string, password string, stdout, stderr io.Writer) error {
	bin, err := exec.LookPath(name)
	if err != nil {
		fmt.Fprintf(stdout, "%s is not on PATH (install the PostgreSQL client); nothing was done. Run:\n\n  %s\n\nwith the password in PGPASSWORD or ~/.pgpass.\n", name, shellJoin(name, args))
		return exitError(1)
	}
	fmt.Fprintf(stdout, "running %s\n", shellJoin(name, args))
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = os.Environ()
	if password != "" {
		cmd.Env = append(cmd.Env, "PGPASSWORD="+password)
	}
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// backupPostgres runs pg_dump (custom format) into out and checks the
// archive's table of contents.
func backupPostgres(ctx context.Context, dsn, out string, stdout, stderr io.Writer) error {
	conn, password, err := pgConn(dsn)
	if err != nil {
		return err
	}
	args := []string{"--format=custom", "--file=" + out, "--dbname=" + conn}
	if _, err := exec.LookPath("pg_dump"); err == nil {
		// Claim the name first, so a file made meanwhile is not overwritten.
		f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		f.Close()
	}
	if err := pgTool(ctx, "pg_dump", args, password, stdout, stderr); err != nil {
		var ex exitError
		if !errors.As(err, &ex) {
			os.Remove(out)
		}
		return err
	}
	st, err := os.Stat(out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s: %d bytes, one snapshot (pg_dump reads in one transaction)\n", out, st.Size())
	return verifyArchive(ctx, out, stdout, stderr)
}

// archiveTables are the tables whose data a bank's archive must hold.
var archiveTables = []string{"schema_migrations", "ledger_accounts", "ledger_transfers", "ledger_entries", "audit_log", "audit_head"}

// verifyArchive reads the archive's table of contents with pg_restore
// --list and checks that it holds the data of the bank's core tables.
func verifyArchive(ctx context.Context, path string, stdout, stderr io.Writer) error {
	bin, err := exec.LookPath("pg_restore")
	if err != nil {
		fmt.Fprintln(stdout, "archive not checked: pg_restore is not on PATH")
		return nil
	}
	cmd := exec.CommandContext(ctx, bin, "--list", path)
	cmd.Stderr = stderr
	toc, err := cmd.Output()
	if err != nil {
		fmt.Fprintf(stdout, "ARCHIVE UNREADABLE: pg_restore --list: %v\n", err)
		return exitError(1)
	}
	data := map[string]bool{}
	entries := 0
	for _, line := range strings.Split(string(toc), "\n") {
		if line == "" || strings.HasPrefix(line, ";") {
			continue
		}
		entries++
		// "3456; 0 16390 TABLE DATA public ledger_transfers owner"
		if _, rest, ok := strings.Cut(line, " TABLE DATA "); ok {
			if f := strings.Fields(rest); len(f) >= 2 {
				data[f[1]] = true
			}
		}
	}
	var missing []string
	for _, t := range archiveTables {
		if !data[t] {
			missing = append(missing, t)
		}
	}
	if len(missing) > 0 {
		fmt.Fprintf(stdout, "ARCHIVE INCOMPLETE: no data of %s\n", strings.Join(missing, ", "))
		return exitError(1)
	}
	fmt.Fprintf(stdout, "archive ok: %d entries, data of %d tables; restore with netbank restore --db <empty database> --from %s\n", entries, len(data), path)
	return nil
}

// restorePostgres restores a pg_dump archive into the empty database at
// dsn with pg_restore, then checks the ledger and the audit chain.
func restorePostgres(ctx context.Context, dsn, from string, stdout, stderr io.Writer) error {
	n, err := store.PostgresTables(ctx, dsn)
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("the database has %d tables: restore only into a new, empty database (createdb)", n)
	}
	conn, password, err := pgConn(dsn)
	if err != nil {
		return err
	}
	// --no-owner, --no-privileges: the restoring role owns what it makes,
	// whatever roles the old server had.
	args := []string{"--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--dbname=" + conn, from}
	if err := pgTool(ctx, "pg_restore", args, password, stdout, stderr); err != nil {
		return err
	}
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := checkBank(ctx, db, stdout); err != nil {
		fmt.Fprintln(stdout, "RESTORED BUT BROKEN: the database holds the archive, which does not pass the checks above")
		return err
	}
	fmt.Fprintf(stdout, "restored %s; start the bank with the --secret and card keys it had\n", from)
	return nil
}

// shellJoin quotes a command line for a POSIX shell, for the operator to paste.
func shellJoin(name string, args []string) string {
	parts := []string{name}
	for _, a := range args {
		if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=./:,@") == "" {
			parts = append(parts, a)
			continue
		}
		parts = append(parts, "'"+strings.ReplaceAll(a, "'", `'\''`)+"'")
	}
	return strings.Join(parts, " ")
}

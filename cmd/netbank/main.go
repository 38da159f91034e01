// Command netbank runs the whole bank from one binary: the net bank, the
// JSON API and the ledger under them (see the README). Subcommands check the
// ledger and measure its speed.
//
//	netbank [flags]                 run the bank (default: demo on SQLite at 127.0.0.1:8080)
//	netbank ledger check [flags]    verify the ledger's invariants; exit 1 on any violation
//	netbank bench ledger [flags]    measure ledger transfers/s and latency
//	netbank bench card [flags]      measure card authorizations/s and latency over ISO 8583
//	netbank bench pages [flags]     measure net bank sessions per second and page latency
//	netbank backup --out FILE       back up the running bank and verify the copy
//	netbank restore --from FILE     restore a backup into a stopped bank or an empty database
//	netbank terminal [flags]        send card messages (ISO 8583) to a running bank
//	netbank convert --to <format>   convert a payment file; exit 1 on bad lines
//
// Every flag has an environment fallback: --data-dir is NETBANK_DATA_DIR,
// --db is NETBANK_DB, and so on.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/iso8583"
	"github.com/netbank/netbank/ledger"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches to a subcommand and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch {
	case len(args) >= 1 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help"):
		fmt.Fprint(stdout, usage)
		return 0
	case len(args) >= 2 && args[0] == "ledger" && args[1] == "check":
		err = ledgerCheck(ctx, args[2:], stdout, stderr)
	case len(args) >= 2 && args[0] == "audit" && args[1] == "verify":
		err = auditVerify(ctx, args[2:], stdout, stderr)
	case len(args) >= 2 && args[0] == "bench" && args[1] == "ledger":
		err = benchLedger(ctx, args[2:], stdout, stderr)
	case len(args) >= 2 && args[0] == "bench" && args[1] == "card":
		err = benchCard(ctx, args[2:], stdout, stderr)
	case len(args) >= 2 && args[0] == "bench" && args[1] == "pages":
		err = benchPages(ctx, args[2:], stdout, stderr)
	case len(args) >= 1 && args[0] == "bench" && (len(args) == 1 || strings.HasPrefix(args[1], "-")):
		err = benchAll(ctx, args[1:], stdout, stderr)
	case len(args) >= 1 && args[0] == "backup":
		err = backupCmd(ctx, args[1:], stdout, stderr)
	case len(args) >= 1 && args[0] == "restore":
		err = restoreCmd(ctx, args[1:], stdout, stderr)
	case len(args) >= 1 && args[0] == "terminal":
		err = terminalCmd(ctx, args[1:], stdout, stderr)
	case len(args) >= 1 && args[0] == "convert":
		err = convertCmd(args[1:], netbank.SystemClock{}, os.Stdin, stdout, stderr)
	case len(args) >= 1 && !strings.HasPrefix(args[0], "-"):
		fmt.Fprintf(stderr, "netbank: unknown command %q\n\n%s", strings.Join(args, " "), usage)
		return 2
	default:
		err = serve(ctx, args, stderr)
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ex exitError
	if errors.As(err, &ex) {
		return int(ex)
	}
	if err != nil {
		fmt.Fprintf(stderr, "netbank: %v\n", err)
		return 1
	}
	return 0
}

// exitError is a quiet non-zero exit (the command already said why).
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit %d", int(e)) }

const usage = `netbank: a Danish retail and business bank in one binary.

Usage:
  netbank [flags]                 run the bank
  netbank ledger check [flags]    verify the ledger's invariants (exit 1 on a violation)
  netbank audit verify [flags]    verify the audit log's hash chain (exit 1 naming a changed or removed entry)
  netbank bench ledger [flags]    measure ledger transfers/s and latency p50/p99
  netbank bench card [flags]      measure card authorizations/s and latency p50/p99 over ISO 8583
  netbank bench pages [flags]     measure net bank sessions (login → overview → postings) per second and p99
  netbank bench [--db URL]        all three, one after the other, with their default sizes
  netbank backup --out FILE [flags]
                                  back up the running bank (SQLite online snapshot, or pg_dump) and verify the copy
  netbank restore --from FILE [flags]
                                  restore a backup into a stopped bank (SQLite) or an empty PostgreSQL database
  netbank terminal [flags]        send card messages (ISO 8583) to a running bank and print the answers
  netbank convert --to <format> [--from <format>] [-o out] [in]
                                  convert a payment file (pain.001.001.03/.09, erh, csv; exit 1 on bad lines)

Run "netbank <command> -h" for a command's flags. Every flag can also be set
through the environment: --data-dir as NETBANK_DATA_DIR, --db as NETBANK_DB, …
`

// dbFlags are the flags every command that opens the database shares.
type dbFlags struct {
	dataDir string
	db      string
}

func (d *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.dataDir, "data-dir", "netbank-data", "directory for the SQLite database and the secret key")
	fs.StringVar(&d.db, "db", "", "PostgreSQL URL (postgres://…); empty: embedded SQLite in --data-dir")
}

// parse applies NETBANK_* environment variables, then the command line.
func parse(fs *flag.FlagSet, args []string) error {
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		name := "NETBANK_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok {
			if err := f.Value.Set(v); err != nil && envErr == nil {
				envErr = fmt.Errorf("%s=%q: %v", name, v, err)
			}
		}
	})
	if envErr != nil {
		return envErr
	}
	return fs.Parse(args)
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// serve runs the bank until SIGINT or SIGTERM.
func serve(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("netbank", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var d dbFlags
	d.register(fs)
	cfg := app.Config{}
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "HTTP listen address")
	fs.BoolVar(&cfg.Demo, "demo", true, "seed the demo bank on first start")
	fs.StringVar(&cfg.Secret, "secret", "", "hex secret (>= 32 bytes) for CSRF tokens, the same on every instance; empty: <data-dir>/secret.key")
	fs.StringVar(&cfg.TLSCert, "tls-cert", "", "TLS certificate file (PEM)")
	fs.StringVar(&cfg.TLSKey, "tls-key", "", "TLS private key file (PEM)")
	fs.BoolVar(&cfg.InsecureHTTP, "insecure-http", false, "allow plain HTTP on a non-loopback address (behind a TLS proxy only)")
	fs.IntVar(&cfg.Ledger.MaxBatch, "batch-size", 1000, "most transfers per ledger transaction (group commit)")
	fs.DurationVar(&cfg.Ledger.MaxWait, "batch-wait", 0, "how long a ledger batch waits for more transfers (0: take what is queued)")
	fs.IntVar(&cfg.Ledger.Committers, "committers", 1, "ledger batches in flight at once")
	fs.DurationVar(&cfg.ExpiryInterval, "expiry-interval", 30*time.Second, "how often expired holds are released")
	fs.DurationVar(&cfg.RequestTimeout, "request-timeout", 30*time.Second, "longest a web or API request may work (then 503: unavailable)")
	fs.DurationVar(&cfg.Identity.PrivateTimeout, "private-timeout", 15*time.Minute, "inactivity timeout of the private net bank")
	fs.DurationVar(&cfg.Identity.BusinessTimeout, "business-timeout", 60*time.Minute, "inactivity timeout of the business net bank")
	fs.DurationVar(&cfg.Identity.StaffTimeout, "staff-timeout", 30*time.Minute, "inactivity timeout of the back office")
	fs.StringVar(&cfg.Cards.BIN, "card-bin", "", "Visa BIN new card numbers are drawn under, 6 or 8 digits (empty: the demo BIN 457199)")
	fs.StringVar(&cfg.Cards.PANKey, "pan-key", "", "hex key (>= 32 bytes) sealing card numbers and keying their look-up hash (empty: derived from the secret)")
	fs.StringVar(&cfg.Cards.CVK, "cvk", "", "card verification key CVK A|B, 32 hex digits (empty: derived from the secret)")
	fs.StringVar(&cfg.Cards.PINKey, "pin-key", "", "hex key (>= 32 bytes) of the stored PIN verification values (empty: derived from the secret)")
	fs.StringVar(&cfg.ISO8583Addr, "iso8583-addr", iso8583.DefaultAddr, "card network (ISO 8583) listen address; empty: none")
	fs.StringVar(&cfg.Cards.ZPK, "zpk", "", "zone PIN key of field 52, 32 or 48 hex digits (empty: the public demo key with --demo, else derived from the secret)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg.DataDir, cfg.DB = d.dataDir, d.db
	cfg.Logger = newLogger(stderr)
	slog.SetDefault(cfg.Logger)
	a, err := app.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Run(ctx)
}

// openExisting parses the database flags of a maintenance command and opens
// the bank it names. A missing SQLite file is an error: opening would
// create an empty bank, which passes every check, so a mistyped --data-dir
// must not come back as "ok". verb says what the command does, for that
// error.
func openExisting(ctx context.Context, name, verb string, args []string, stderr io.Writer) (*app.App, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var d dbFlags
	d.register(fs)
	if err := parse(fs, args); err != nil {
		return nil, err
	}
	cfg := app.Config{DataDir: d.dataDir, DB: d.db, Logger: newLogger(io.Discard)}
	if cfg.DB == "" {
		if _, err := os.Stat(cfg.DSN()); err != nil {
			return nil, fmt.Errorf("no database to %s: %w", verb, err)
		}
	}
	return app.Open(ctx, cfg)
}

// ledgerCheck verifies the ledger's invariants and prints a report.
func ledgerCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	a, err := openExisting(ctx, "netbank ledger check", "check", args, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := a.Ledger.Check(ctx)
	return reportLedger(stdout, rep, err)
}

// reportLedger prints a ledger check: "ledger ok: …", or one "VIOLATION …"
// line per broken invariant and a summary (exit 1).
func reportLedger(stdout io.Writer, rep ledger.Report, err error) error {
	if err != nil {
		return err
	}
	if rep.OK() {
		fmt.Fprintf(stdout, "ledger ok: %d accounts, every invariant holds\n", rep.Accounts)
		return nil
	}
	for _, v := range rep.Violations {
		fmt.Fprintf(stdout, "VIOLATION %s\n", v)
	}
	fmt.Fprintf(stdout, "ledger broken: %d violations in %d accounts\n", len(rep.Violations), rep.Accounts)
	return exitError(1)
}

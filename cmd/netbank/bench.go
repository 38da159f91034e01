package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/bench"
	"github.com/netbank/netbank/ledger"
)

// benchLedger runs the ledger load generator against a database: a fresh
// temporary SQLite database unless --db or --data-dir says otherwise.
func benchLedger(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("netbank bench ledger", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var d dbFlags
	d.register(fs)
	var opts bench.LedgerOptions
	var lc ledger.Config
	fs.IntVar(&opts.Clients, "clients", 64, "concurrent clients")
	fs.IntVar(&opts.Transfers, "transfers", 20000, "total transfers")
	fs.IntVar(&opts.Accounts, "accounts", 1000, "accounts money moves between (fewer: more contention)")
	fs.IntVar(&lc.MaxBatch, "batch-size", 1000, "most transfers per ledger transaction")
	fs.DurationVar(&lc.MaxWait, "batch-wait", 0, "how long a batch waits for more transfers")
	fs.IntVar(&lc.Committers, "committers", 1, "ledger batches in flight at once")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof)")
	if err := parseBench(fs, args); err != nil {
		return err
	}
	dataDir, cleanup, err := benchDataDir(d)
	if err != nil {
		return err
	}
	defer cleanup()
	a, err := app.Open(ctx, app.Config{DataDir: dataDir, DB: d.db, Ledger: lc, Logger: newLogger(io.Discard)})
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintf(stdout, "ledger on %s: %d clients, %d transfers over %d accounts, batch-size %d, batch-wait %s, committers %d\n",
		a.DB.Engine(), opts.Clients, opts.Transfers, opts.Accounts, lc.MaxBatch, lc.MaxWait, max(lc.Committers, 1))
	var res bench.Result
	if err := profiled(*cpuProfile, func() (err error) {
		res, err = bench.Ledger(ctx, a.Ledger, opts)
		return err
	}); err != nil {
		return err
	}
	fmt.Fprintln(stdout, res)
	rep, err := a.Ledger.Check(ctx)
	if err != nil {
		return err
	}
	if !rep.OK() {
		return fmt.Errorf("ledger invariants broken after the run: %v", rep.Violations)
	}
	fmt.Fprintln(stdout, "ledger check after the run: ok")
	return nil
}

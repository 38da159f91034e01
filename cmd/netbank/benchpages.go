package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"runtime/pprof"

	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/bench"
	"github.com/netbank/netbank/identity"
)

// benchPages measures the net bank's pages end to end over HTTP: a bank (a
// fresh temporary SQLite database unless --db or --data-dir says
// otherwise) with --users enrolled customers, and --clients concurrent
// browsers each running sessions of login → overview → postings → logout.
func benchPages(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("netbank bench pages", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var d dbFlags
	d.register(fs)
	var opts bench.PagesOptions
	fs.IntVar(&opts.Clients, "clients", 16, "concurrent browsers, each with its own session and users")
	fs.IntVar(&opts.Sessions, "sessions", 2000, "total sessions (login → overview → postings → logout)")
	users := fs.Int("users", 64, "enrolled customers the browsers log in as (at least --clients: a login ends the user's other sessions)")
	postings := fs.Int("postings", 200, "postings on each customer's account")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof)")
	if err := parseBench(fs, args); err != nil {
		return err
	}
	dataDir, cleanup, err := benchDataDir(d)
	if err != nil {
		return err
	}
	defer cleanup()
	// Every browser comes from 127.0.0.1: lift the per-address login limit.
	a, err := app.New(ctx, app.Config{DataDir: dataDir, DB: d.db, Logger: newLogger(io.Discard),
		Identity: identity.Config{RateLimit: 1 << 30}})
	if err != nil {
		return err
	}
	defer a.Close()
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()
	opts.Base = srv.URL
	fmt.Fprintf(stdout, "net bank pages on %s: %d browsers, %d sessions over %d customers with %d postings each\n",
		a.DB.Engine(), opts.Clients, opts.Sessions, *users, *postings)
	if opts.Users, err = bench.SetupPageUsers(ctx, srv.URL, a.Identity, a.Accounts, a.Ledger, *users, *postings); err != nil {
		return err
	}
	var res bench.PagesResult
	if err := profiled(*cpuProfile, func() (err error) {
		res, err = bench.Pages(ctx, opts)
		return err
	}); err != nil {
		return err
	}
	fmt.Fprintln(stdout, res)
	if res.Failed > 0 {
		return fmt.Errorf("%d sessions failed", res.Failed)
	}
	return nil
}

// benchAll is `netbank bench`: the ledger, card and page benchmarks one
// after the other with their default sizes, each on its own fresh
// database unless --db names one (then all three share it).
func benchAll(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("netbank bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var d dbFlags
	d.register(fs)
	if err := parseBench(fs, args); err != nil {
		return err
	}
	var common []string
	if d.db != "" {
		common = append(common, "--db", d.db)
	}
	for _, b := range []func(context.Context, []string, io.Writer, io.Writer) error{benchLedger, benchCard, benchPages} {
		if err := b(ctx, common, stdout, stderr); err != nil {
			return err
		}
		fmt.Fprintln(stdout)
	}
	return nil
}

// parseBench parses a bench command's flags; the benchmarks default to a
// fresh temporary database instead of netbank-data.
func parseBench(fs *flag.FlagSet, args []string) error {
	fs.Lookup("data-dir").DefValue = ""
	_ = fs.Set("data-dir", "")
	return parse(fs, args)
}

// benchDataDir is the data directory of a benchmark: --data-dir, or a
// temporary one removed by cleanup (it holds the SQLite database, or with
// --db only the secret key).
func benchDataDir(d dbFlags) (dir string, cleanup func(), err error) {
	if d.dataDir != "" {
		return d.dataDir, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "netbank-bench-")
	if err != nil {
		return "", nil, err
	}
	return tmp, func() { os.RemoveAll(tmp) }, nil
}

// profiled runs fn, under the CPU profiler writing to path unless path is
// empty.
func profiled(path string, fn func() error) error {
	if path == "" {
		return fn()
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	defer pprof.StopCPUProfile()
	return fn()
}

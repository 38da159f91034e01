package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/bench"
	"github.com/netbank/netbank/cardsec"
	"github.com/netbank/netbank/iso8583"
	"github.com/netbank/netbank/ledger"
)

// benchCard measures the authorization engine end to end: a bank (a fresh
// temporary SQLite database unless --db or --data-dir says otherwise) with
// --cards active cards, its card network listener on a free loopback port,
// and --terminals concurrent terminals sending purchases over TCP.
func benchCard(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("netbank bench card", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var d dbFlags
	d.register(fs)
	var opts bench.CardOptions
	var lc ledger.Config
	fs.IntVar(&opts.Terminals, "terminals", 64, "concurrent terminals, each on its own TCP connection")
	fs.IntVar(&opts.Requests, "requests", 20000, "total authorizations")
	cards := fs.Int("cards", 1000, "cards (each on its own account) the terminals pay with at random")
	fs.BoolVar(&opts.Contactless, "contactless", false, "contactless purchases without PIN instead of chip + PIN")
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
	// The terminals encrypt PIN blocks under the public demo zone PIN key.
	if opts.ZPK, err = cardsec.ParseKey(cardsec.DemoZPK); err != nil {
		return err
	}
	a, err := app.New(ctx, app.Config{DataDir: dataDir, DB: d.db, Ledger: lc, Logger: newLogger(io.Discard),
		Cards: app.CardConfig{ZPK: cardsec.DemoZPK}})
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintf(stdout, "card authorizations on %s: %d terminals, %d requests over %d cards, %s, batch-size %d, batch-wait %s, committers %d\n",
		a.DB.Engine(), opts.Terminals, opts.Requests, *cards, map[bool]string{false: "chip + PIN", true: "contactless"}[opts.Contactless],
		lc.MaxBatch, lc.MaxWait, max(lc.Committers, 1))
	if opts.Cards, err = bench.IssueCards(ctx, a.Identity, a.Accounts, a.Ledger, a.Cards, *cards); err != nil {
		return err
	}
	srv := iso8583.NewServer("127.0.0.1:0", app.CardNetworkHandler(a.Authorizer), iso8583.WithLogger(newLogger(io.Discard)))
	if err := srv.Start(); err != nil {
		return err
	}
	defer srv.Close(context.Background())
	opts.Addr = srv.Addr()
	before := a.Ledger.Stats()
	var res bench.CardResult
	if err := profiled(*cpuProfile, func() (err error) {
		res, err = bench.Card(ctx, opts)
		return err
	}); err != nil {
		return err
	}
	fmt.Fprintln(stdout, res)
	st := a.Ledger.Stats()
	if b := st.Batches - before.Batches; b > 0 {
		fmt.Fprintf(stdout, "ledger: %d transfers in %d batches (avg %.1f per batch)\n", st.Transfers-before.Transfers, b,
			float64(st.Transfers-before.Transfers)/float64(b))
	}
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

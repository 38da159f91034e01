package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/pricing"
	"github.com/netbank/netbank/store"
)

// The price list and the exchange rates (package pricing) on both engines.

// RULE PAY-5: a fresh bank has reference rates for the common currencies
// (stamped with the migration's time, so it quotes at once) and its whole
// price list, exactly the defaults of pricing.Definitions.
func TestPricingSeeds_PAY5(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := pricing.New(db.Pricing(), pricing.Config{}) // the wall clock, as the migration
		rates, err := svc.Rates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{"CHF": 7979000, "EUR": 7461000, "GBP": 8575500, "JPY": 42330, "NOK": 637500, "PLN": 1759500,
			"SEK": 678000, "USD": 6434500}
		if len(rates) != len(want) {
			t.Fatalf("%d seeded rates, want %d: %+v", len(rates), len(want), rates)
		}
		for _, r := range rates {
			if want[r.Currency] != r.Rate || r.Version != 1 || r.UpdatedBy != "system" || r.Date.IsZero() ||
				time.Since(r.UpdatedAt) > time.Hour || time.Since(r.UpdatedAt) < -time.Hour {
				t.Errorf("seeded rate %+v", r)
			}
		}
		q, err := svc.QuoteSell(ctx, "EUR", 100_00, pricing.KeyForeignTransferFee)
		if err != nil {
			t.Fatalf("a fresh bank cannot quote: %v", err)
		}
		if q.CustomerRate != 7535610 || q.DKK != 753_56 || q.Fee != 50_00 {
			t.Errorf("quote on the seeds %+v", q)
		}
		q, err = svc.QuoteSell(ctx, "JPY", 10_000, "")
		if err != nil || q.DKK != 427_53 { // 10.000 yen × 4,2753 / 100
			t.Errorf("JPY quote %+v, %v", q, err)
		}

		// Every known key is stored, with the default the code knows.
		var stored []pricing.Price
		if err := db.Pricing().Tx(ctx, func(tx pricing.Tx) error {
			var err error
			stored, err = tx.Prices(ctx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		byKey := map[string]pricing.Price{}
		for _, p := range stored {
			byKey[p.Key] = p
		}
		for _, d := range pricing.Definitions() {
			p, ok := byKey[d.Key]
			if !ok {
				t.Errorf("migration does not store %s", d.Key)
				continue
			}
			if p.Amount != d.Default || p.UpdatedBy != "system" || p.UpdatedAt.IsZero() {
				t.Errorf("%s stored as %+v, default %d", d.Key, p, d.Default)
			}
			delete(byKey, d.Key)
		}
		for k := range byKey {
			t.Errorf("migration stores %s, which pricing does not know", k)
		}
	})
}

// A new rate is a new version (the old ones stay), read back exactly, and
// its audit entry commits with it; a transaction that fails leaves
// neither.
func TestPricingSetRateAndPrice(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := testkit.NewClock(time.Date(2026, 11, 23, 8, 15, 0, 0, time.UTC))
		svc := pricing.New(db.Pricing(), pricing.Config{Clock: clock})
		by := pricing.Actor{ID: "stf_birgitte", Kind: audit.ActorStaff, IP: "10.1.2.3"}
		if err := svc.SetRateAs(ctx, "EUR", 7462550, by); err != nil {
			t.Fatal(err)
		}
		r, err := svc.Rate(ctx, "EUR")
		if err != nil {
			t.Fatal(err)
		}
		if r.Rate != 7462550 || r.Version != 2 || r.UpdatedBy != "stf_birgitte" || !r.UpdatedAt.Equal(clock.Now()) ||
			!r.Date.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("rate read back %+v", r)
		}
		hist, err := svc.RateHistory(ctx, "EUR", 10)
		if err != nil || len(hist) != 2 || hist[0].Version != 2 || hist[1].Version != 1 || hist[1].Rate != 7461000 {
			t.Errorf("history %+v, %v", hist, err)
		}
		// Another currency is untouched.
		if usd, err := svc.Rate(ctx, "USD"); err != nil || usd.Version != 1 {
			t.Errorf("USD %+v, %v", usd, err)
		}
		if _, err := svc.Rate(ctx, "ISK"); netbank.ErrorCodeOf(err) != netbank.ENOTFOUND || netbank.ErrorMessageOf(err) != "Vi har ingen kurs for ISK." {
			t.Errorf("ISK: %v", err)
		}
		if err := svc.SetPriceAs(ctx, pricing.KeyForeignTransferFee, 75_00, by); err != nil {
			t.Fatal(err)
		}
		p, err := svc.Price(ctx, pricing.KeyForeignTransferFee)
		if err != nil || p.Amount != 75_00 || p.UpdatedBy != "stf_birgitte" || !p.UpdatedAt.Equal(clock.Now()) {
			t.Errorf("price %+v, %v", p, err)
		}

		entries, err := db.Audit().List(ctx, audit.Filter{Actor: "stf_birgitte"})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 2 || entries[1].Action != pricing.ActionRateSet || entries[1].Subject != "EUR" ||
			entries[1].Details["rate"] != "746,2550" || entries[1].Details["previous"] != "746,1000" || entries[1].IP != "10.1.2.3" ||
			entries[0].Action != pricing.ActionPriceSet || entries[0].Details["amount"] != "75,00 kr." {
			t.Errorf("audit entries %+v", entries)
		}
		if _, err := db.Audit().Verify(ctx); err != nil {
			t.Errorf("audit chain: %v", err)
		}

		// A transaction that fails after the insert keeps nothing.
		boom := errors.New("boom")
		err = db.Pricing().Tx(ctx, func(tx pricing.Tx) error {
			if err := tx.InsertRate(ctx, pricing.Rate{Currency: "EUR", Rate: 1, Version: 3, Date: clock.Now(), UpdatedAt: clock.Now(), UpdatedBy: "x"}); err != nil {
				return err
			}
			if err := tx.PutPrice(ctx, pricing.Price{Key: pricing.KeyFXMarginBP, Amount: 1, UpdatedAt: clock.Now(), UpdatedBy: "x"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx: %v", err)
		}
		if r, _ := svc.Rate(ctx, "EUR"); r.Version != 2 {
			t.Errorf("a rolled-back rate is current: %+v", r)
		}
		if p, _ := svc.Price(ctx, pricing.KeyFXMarginBP); p.Amount != 100 {
			t.Errorf("a rolled-back price is current: %+v", p)
		}
		// The same version twice is refused by the key, not overwritten.
		err = db.Pricing().Tx(ctx, func(tx pricing.Tx) error {
			return tx.InsertRate(ctx, pricing.Rate{Currency: "EUR", Rate: 1, Version: 2, Date: clock.Now(), UpdatedAt: clock.Now(), UpdatedBy: "x"})
		})
		if err == nil {
			t.Error("a second version 2 was stored")
		}
	})
}

// Staff setting the same currency at once lose nothing: every rate
// becomes its own version, numbered without gaps, each audited.
func TestPricingConcurrentRates(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := pricing.New(db.Pricing(), pricing.Config{Clock: testkit.NewClock(time.Date(2026, 11, 23, 8, 15, 0, 0, time.UTC))})
		const n = 8
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- svc.SetRate(ctx, "SEK", int64(678000+i), fmt.Sprintf("stf_%d", i))
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		hist, err := svc.RateHistory(ctx, "SEK", 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != n+1 {
			t.Fatalf("%d versions, want %d", len(hist), n+1)
		}
		seen := map[int64]bool{}
		for i, r := range hist {
			if r.Version != int64(n+1-i) {
				t.Errorf("version %d at %d", r.Version, i)
			}
			if r.Version > 1 {
				seen[r.Rate] = true
			}
		}
		if len(seen) != n {
			t.Errorf("%d distinct rates stored, want %d", len(seen), n)
		}
		entries, err := db.Audit().List(ctx, audit.Filter{Action: pricing.ActionRateSet})
		if err != nil || len(entries) != n {
			t.Errorf("%d audit entries, %v; want %d", len(entries), err, n)
		}
	})
}

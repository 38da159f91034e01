package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/demo"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/pricing"
)

// RULE PAY-5: a demo bank started long after its rates were set can still
// price foreign transfers, because the demo re-publishes the rates each
// morning as staff would; a rate set recently is left alone.
func TestRefreshRatesKeepsDemoQuotesFresh_PAY5(t *testing.T) {
	ctx := context.Background()
	db := testkit.OpenSQLite(t)
	clock := testkit.NewClock(time.Now().Add(10 * 24 * time.Hour)) // the seeded rates are ten days old
	p := pricing.New(db.Pricing(), pricing.Config{Clock: clock})
	if _, err := p.QuoteSell(ctx, "EUR", 100_00, pricing.KeyForeignTransferFee); netbank.ErrorCodeOf(err) != netbank.EUNAVAILABLE {
		t.Fatalf("quote on a ten-day-old rate: %v, want EUNAVAILABLE", err)
	}
	before, err := p.Rate(ctx, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.RefreshRates(ctx, p, clock); err != nil {
		t.Fatal(err)
	}
	after, err := p.Rate(ctx, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	if after.Rate != before.Rate || after.UpdatedBy != demo.RatesBy || !after.UpdatedAt.After(before.UpdatedAt) {
		t.Fatalf("refreshed rate %+v, before %+v", after, before)
	}
	if _, err := p.QuoteSell(ctx, "EUR", 100_00, pricing.KeyForeignTransferFee); err != nil {
		t.Fatalf("quote after the refresh: %v", err)
	}
	clock.Advance(time.Hour)
	if err := demo.RefreshRates(ctx, p, clock); err != nil {
		t.Fatal(err)
	}
	if again, _ := p.Rate(ctx, "EUR"); again.Version != after.Version {
		t.Fatalf("a rate set an hour ago was set again: version %d → %d", after.Version, again.Version)
	}
}

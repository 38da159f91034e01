package demo

import (
	"context"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/pricing"
	"github.com/netbank/netbank/scheduler"
)

// RatesBy is who the demo bank's re-published exchange rates are set by.
const RatesBy = "demo"

// RefreshRates re-publishes every exchange rate set more than 20 hours
// ago at its current value, as the bank's staff would set the day's rates
// each morning. Quotes refuse rates older than pricing's MaxAge (4 days),
// so without this a demo bank left running, or started again weeks later,
// could no longer price foreign transfers. Demo mode only: a real bank's
// rates come from its staff (/backoffice/priser).
func RefreshRates(ctx context.Context, p *pricing.Service, clock netbank.Clock) error {
	rates, err := p.Rates(ctx)
	if err != nil {
		return err
	}
	now := clock.Now()
	for _, r := range rates {
		if now.Sub(r.UpdatedAt) < 20*time.Hour {
			continue
		}
		if err := p.SetRate(ctx, r.Currency, r.Rate, RatesBy); err != nil {
			return err
		}
	}
	return nil
}

// RatesJob is the demo bank's morning job (07:00 Copenhagen time) that
// runs RefreshRates.
func RatesJob(p *pricing.Service, clock netbank.Clock) scheduler.Job {
	return scheduler.Job{Name: "demo-rates", Plan: scheduler.Daily(7, 0, nil), Lookback: time.Hour,
		Run: func(ctx context.Context, key string, due time.Time) error { return RefreshRates(ctx, p, clock) }}
}

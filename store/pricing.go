package store

import (
	"context"
	"time"

	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/pricing"
)

// Pricing is the SQL implementation of pricing.Store: fx_rates holds every
// version of every exchange rate, prices the price list.
type Pricing struct{ db *DB }

// Pricing returns the pricing store over db.
func (db *DB) Pricing() *Pricing { return &Pricing{db: db} }

var _ pricing.Store = (*Pricing)(nil)

// Tx implements pricing.Store (SERIALIZABLE on PostgreSQL, retried: two
// staff members setting the same currency's rate at once both insert the
// same next version, and the loser re-runs on top of the winner).
func (s *Pricing) Tx(ctx context.Context, fn func(pricing.Tx) error) error {
	return s.db.Transact(ctx, func(tx *Tx) error { return fn(pricingTx{tx: tx, db: s.db}) })
}

type pricingTx struct {
	tx *Tx
	db *DB
}

const rateColumns = `currency, version, rate, rate_date, updated_at, updated_by`

func scanRate(s scanner) (pricing.Rate, error) {
	var r pricing.Rate
	var date string
	var updated int64
	err := s.Scan(&r.Currency, &r.Version, &r.Rate, &date, &updated, &r.UpdatedBy)
	r.Date, r.UpdatedAt = parseDateText(date), fromMicros(updated)
	return r, err
}

func (t pricingTx) rates(ctx context.Context, query string, args ...any) ([]pricing.Rate, error) {
	rows, err := t.tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []pricing.Rate
	for rows.Next() {
		r, err := scanRate(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (t pricingTx) CurrentRates(ctx context.Context) ([]pricing.Rate, error) {
	return t.rates(ctx, `SELECT `+prefixed("r", rateColumns)+` FROM fx_rates r
		WHERE r.version = (SELECT MAX(x.version) FROM fx_rates x WHERE x.currency = r.currency)
		ORDER BY r.currency`)
}

func (t pricingTx) CurrentRate(ctx context.Context, currency string) (pricing.Rate, error) {
	r, err := scanRate(t.tx.QueryRow(ctx, `SELECT `+rateColumns+` FROM fx_rates WHERE currency = ?
		ORDER BY version DESC LIMIT 1`, currency))
	return r, notFound(err, "rate")
}

func (t pricingTx) RateHistory(ctx context.Context, currency string, limit int) ([]pricing.Rate, error) {
	return t.rates(ctx, `SELECT `+rateColumns+` FROM fx_rates WHERE currency = ? ORDER BY version DESC LIMIT ?`, currency, limit)
}

func (t pricingTx) InsertRate(ctx context.Context, r pricing.Rate) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO fx_rates (`+rateColumns+`) VALUES (`+Placeholders(6)+`)`,
		r.Currency, r.Version, r.Rate, dateText(r.Date), micros(r.UpdatedAt), r.UpdatedBy)
	return err
}

const priceColumns = `price_key, amount, updated_at, updated_by`

func scanPrice(s scanner) (pricing.Price, error) {
	var p pricing.Price
	var updated int64
	err := s.Scan(&p.Key, &p.Amount, &updated, &p.UpdatedBy)
	p.UpdatedAt = fromMicros(updated)
	return p, err
}

func (t pricingTx) Prices(ctx context.Context) ([]pricing.Price, error) {
	rows, err := t.tx.Query(ctx, `SELECT `+priceColumns+` FROM prices ORDER BY price_key`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []pricing.Price
	for rows.Next() {
		p, err := scanPrice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (t pricingTx) Price(ctx context.Context, key string) (pricing.Price, error) {
	p, err := scanPrice(t.tx.QueryRow(ctx, `SELECT `+priceColumns+` FROM prices WHERE price_key = ?`, key))
	return p, notFound(err, "price")
}

func (t pricingTx) PutPrice(ctx context.Context, p pricing.Price) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO prices (`+priceColumns+`) VALUES (?, ?, ?, ?)
		ON CONFLICT (price_key) DO UPDATE SET amount = excluded.amount, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		p.Key, p.Amount, micros(p.UpdatedAt), p.UpdatedBy)
	return err
}

func (t pricingTx) Audit(ctx context.Context, at time.Time, e audit.Event) error {
	_, err := t.db.Audit().Append(ctx, t.tx, at, e)
	return err
}

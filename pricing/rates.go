package pricing

import (
	"context"
	"math"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/calendar"
)

// RateScale is the unit of a rate: a rate is kroner per 100 units of the
// currency, in 1/10000 DKK (four decimals). EUR 746,1200 is 7461200.
const RateScale = 10_000

// RateUnits is how many units of the currency a rate prices (Danish banks
// quote per 100).
const RateUnits = 100

// RateDecimals is the number of decimals of a rate as people write it.
const RateDecimals = 4

// MaxRate bounds a rate: 1.000.000,0000 kr. per 100 units.
const MaxRate = 1_000_000 * RateScale

// MaxQuoteAmount is the largest amount a quote converts, in minor units of
// either side (999.999.999,99 for a two-decimal currency).
const MaxQuoteAmount = 99_999_999_999

// parRate is the rate of kroner in kroner: 100 kr. per 100 kr.
const parRate = RateUnits * RateScale

// Rate is one version of the exchange rate of a currency.
type Rate struct {
	Currency string
	// Rate is kroner per 100 units of Currency in 1/10000 DKK (RateScale):
	// EUR 746,12 is 7461200.
	Rate int64
	// Date is the civil date the rate was set for (midnight UTC).
	Date time.Time
	// UpdatedAt and UpdatedBy tell who set it and when.
	UpdatedAt time.Time
	UpdatedBy string
	// Version numbers the currency's rates 1, 2, 3, …; the highest is current.
	Version int64
}

// Text formats the rate the Danish way with four decimals: "746,1200".
func (r Rate) Text() string { return FormatRate(r.Rate) }

// FormatRate formats a rate (in RateScale units) with four decimals the
// Danish way: 7461200 is "746,1200".
func FormatRate(rate int64) string { return netbank.FormatAmount(rate, RateDecimals) }

// ParseRate reads a rate as staff type it: kroner per 100 units with up to
// four decimals, the Danish way ("746,12", "746,1200", "1.234,5"). The
// result is in RateScale units. Anything else is EINVALID with a Danish
// message.
func ParseRate(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, netbank.Errorf(netbank.EINVALID, "Skriv kursen, f.eks. 746,12.")
	}
	if len(s) > 40 {
		return 0, netbank.Errorf(netbank.EINVALID, "Kursen er for lang.")
	}
	whole, frac, hasComma := strings.Cut(s, ",")
	if hasComma && (frac == "" || len(frac) > RateDecimals || strings.Trim(frac, "0123456789") != "") {
		return 0, netbank.Errorf(netbank.EINVALID, "Kursen har højst %d decimaler efter kommaet, f.eks. 746,1200.", RateDecimals)
	}
	if strings.HasPrefix(whole, "-") || strings.HasPrefix(whole, "+") || strings.HasPrefix(whole, "\u2212") {
		return 0, netbank.Errorf(netbank.EINVALID, "Kursen skal være et positivt tal, f.eks. 746,12.")
	}
	// The whole part as a number without decimals (thousands grouping and
	// the messages of netbank.ParseAmount).
	m, err := netbank.ParseAmount(whole, "JPY")
	if err != nil {
		return 0, netbank.Errorf(netbank.EINVALID, "Kursen skal skrives som et tal med komma som decimaltegn, f.eks. 746,12.")
	}
	if m.Amount > MaxRate/RateScale {
		return 0, netbank.Errorf(netbank.EINVALID, "Kursen er for stor.")
	}
	frac += strings.Repeat("0", RateDecimals-len(frac))
	var f int64
	for _, c := range frac {
		f = f*10 + int64(c-'0')
	}
	rate := m.Amount*RateScale + f
	if rate <= 0 {
		return 0, netbank.Errorf(netbank.EINVALID, "Kursen skal være større end 0.")
	}
	return rate, nil
}

// Stale reports whether a rate no longer quotes at now: set more than
// MaxAge before now.
func (s *Service) Stale(r Rate, now time.Time) bool {
	return s.maxAge >= 0 && now.Sub(r.UpdatedAt) > s.maxAge
}

// Rates returns the current rate of every currency that has one, by code.
func (s *Service) Rates(ctx context.Context) ([]Rate, error) {
	var out []Rate
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		out, err = tx.CurrentRates(ctx)
		return err
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Currency < out[j].Currency })
	return out, err
}

// Rate returns the current rate of a currency; ENOTFOUND "Vi har ingen
// kurs for <CUR>." when it has none (also for codes that are no currency).
func (s *Service) Rate(ctx context.Context, currency string) (Rate, error) {
	var r Rate
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		r, err = currentRate(ctx, tx, currency)
		return err
	})
	return r, err
}

// currentRate reads a currency's current rate in a transaction.
func currentRate(ctx context.Context, tx Tx, currency string) (Rate, error) {
	code := strings.ToUpper(strings.TrimSpace(currency))
	r, err := tx.CurrentRate(ctx, code)
	if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
		return Rate{}, netbank.Errorf(netbank.ENOTFOUND, "Vi har ingen kurs for %s.", clip(code))
	}
	return r, err
}

// RateHistory lists the versions of a currency's rate, newest first, at
// most limit (1–500).
func (s *Service) RateHistory(ctx context.Context, currency string, limit int) ([]Rate, error) {
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	var out []Rate
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		out, err = tx.RateHistory(ctx, strings.ToUpper(strings.TrimSpace(currency)), limit)
		return err
	})
	return out, err
}

// SetRate sets a new rate for a currency (see SetRateAs); by names the
// staff member ("system" for the bank itself).
func (s *Service) SetRate(ctx context.Context, currency string, rate int64, by string) error {
	return s.SetRateAs(ctx, currency, rate, staffActor(by))
}

// SetRateAs stores a new version of a currency's rate (kroner per 100
// units in RateScale units), dated today in Denmark, and records it in the
// audit log in the same transaction. The currency must be an ISO 4217
// currency the bank knows (netbank.LookupCurrency) other than DKK, and the
// rate above 0 and at most MaxRate; otherwise EINVALID.
func (s *Service) SetRateAs(ctx context.Context, currency string, rate int64, by Actor) error {
	cur, err := netbank.LookupCurrency(currency)
	switch {
	case err != nil:
		return err
	case cur.Code == "DKK":
		return netbank.Errorf(netbank.EINVALID, "Kronen har ingen kurs at sætte: 100 kr. er altid 100 kr.")
	case rate <= 0:
		return netbank.Errorf(netbank.EINVALID, "Kursen skal være større end 0.")
	case rate > MaxRate:
		return netbank.Errorf(netbank.EINVALID, "Kursen må højst være %s.", FormatRate(MaxRate))
	case strings.TrimSpace(by.ID) == "":
		return netbank.Errorf(netbank.EINVALID, "Det skal fremgå, hvem der sætter kursen.")
	}
	return s.store.Tx(ctx, func(tx Tx) error {
		previous := ""
		var version int64 = 1
		old, err := tx.CurrentRate(ctx, cur.Code)
		switch netbank.ErrorCodeOf(err) {
		case "":
			previous, version = old.Text(), old.Version+1
		case netbank.ENOTFOUND:
		default:
			return err
		}
		now := s.now()
		r := Rate{Currency: cur.Code, Rate: rate, Date: calendar.Day(now), UpdatedAt: now, UpdatedBy: by.ID, Version: version}
		if err := tx.InsertRate(ctx, r); err != nil {
			return err
		}
		return tx.Audit(ctx, now, by.event(ActionRateSet, cur.Code, map[string]string{
			"rate": r.Text(), "previous": previous, "version": netbank.FormatAmount(version, 0)}))
	})
}

// Side says which way a quote converts.
type Side string

// The sides of a quote.
const (
	// Sell: the bank sells currency to the customer, who pays kroner at the
	// reference rate plus the margin (a transfer abroad).
	Sell Side = "sell"
	// Buy: the bank buys currency from the customer, who gets kroner at the
	// reference rate minus the margin (incoming currency, card refunds).
	Buy Side = "buy"
)

// Quote is an amount converted between a currency and kroner, with the
// rates, the margin and the fee, as the customer sees it before signing
// (PAY-5).
type Quote struct {
	Side     Side
	Currency string
	// Amount is in minor units of Currency.
	Amount int64
	// DKK is the amount in øre at CustomerRate.
	DKK int64
	// ReferenceRate and CustomerRate are in RateScale units (kroner per 100
	// units with four decimals); CustomerRate includes the margin.
	ReferenceRate, CustomerRate int64
	// MarginBP is the margin in basis points.
	MarginBP int
	// FeeKey is the price the fee came from ("" for none); Fee is in øre.
	FeeKey string
	Fee    int64
	// Total is what the customer pays (Sell: DKK + Fee) or receives (Buy:
	// DKK − Fee), in øre.
	Total int64
	// RateDate is the date of the reference rate; At when the quote was made.
	RateDate time.Time
	At       time.Time
}

// QuoteRequest asks for a quote (see Service.Quote).
type QuoteRequest struct {
	Side     Side
	Currency string
	// Amount is the amount in minor units of Currency; or, when it is 0
	// and Side is Sell, DKK is the amount in øre to convert.
	Amount int64
	DKK    int64
	// FeeKey is the price (in kroner) charged on top; "" for none.
	FeeKey string
	// MarginKey is the price (in basis points) of the margin; "" is
	// KeyFXMarginBP (cards use KeyCardFXMarginBP).
	MarginKey string
}

// QuoteSell prices a sale of currency to the customer: amount (in minor
// units of currency) at the reference rate plus the margin of
// KeyFXMarginBP, with the fee of feeKey ("" for none) on top.
func (s *Service) QuoteSell(ctx context.Context, currency string, amount int64, feeKey string) (Quote, error) {
	return s.Quote(ctx, QuoteRequest{Side: Sell, Currency: currency, Amount: amount, FeeKey: feeKey})
}

// QuoteSellDKK is QuoteSell for a customer who states the kroner (øre) to
// convert: the currency amount is what they buy, rounded down to the
// currency's minor unit; the fee comes on top.
func (s *Service) QuoteSellDKK(ctx context.Context, currency string, dkk int64, feeKey string) (Quote, error) {
	if dkk <= 0 {
		return Quote{}, netbank.Errorf(netbank.EINVALID, "Beløbet i kroner skal være større end 0,00 kr.")
	}
	return s.Quote(ctx, QuoteRequest{Side: Sell, Currency: currency, DKK: dkk, FeeKey: feeKey})
}

// QuoteBuy prices a purchase of currency from the customer (incoming
// currency): amount at the reference rate minus the margin, the fee of
// feeKey ("" for none) deducted.
func (s *Service) QuoteBuy(ctx context.Context, currency string, amount int64, feeKey string) (Quote, error) {
	return s.Quote(ctx, QuoteRequest{Side: Buy, Currency: currency, Amount: amount, FeeKey: feeKey})
}

// Quote converts as r asks, reading the rate, the margin and the fee in
// one transaction. Kroner convert at par (rate 100, no margin), so callers
// need no special case for a transfer abroad in DKK. Errors: EINVALID for
// an unknown currency or a non-positive or too large amount; ENOTFOUND
// "Vi har ingen kurs for <CUR>." (and for a fee or margin key the price
// list does not have; EINTERNAL for one of the wrong unit); and
// EUNAVAILABLE "Kursen på <CUR> er forældet …" for a rate set more than
// MaxAge ago.
func (s *Service) Quote(ctx context.Context, r QuoteRequest) (Quote, error) {
	cur, err := netbank.LookupCurrency(r.Currency)
	if err != nil {
		return Quote{}, err
	}
	if r.Side != Sell && r.Side != Buy {
		return Quote{}, netbank.Errorf(netbank.EINTERNAL, "pricing: quote side %q", r.Side)
	}
	fromDKK := r.Amount == 0 && r.Side == Sell
	switch {
	case fromDKK && (r.DKK <= 0 || r.DKK > MaxQuoteAmount):
		return Quote{}, netbank.Errorf(netbank.EINVALID, "Beløbet i kroner skal være mellem 0,01 kr. og %s.", netbank.NewMoney(MaxQuoteAmount, "DKK"))
	case !fromDKK && (r.Amount <= 0 || r.Amount > MaxQuoteAmount):
		return Quote{}, netbank.Errorf(netbank.EINVALID, "Beløbet skal være mellem %s og %s.",
			netbank.NewMoney(1, cur.Code), netbank.NewMoney(MaxQuoteAmount, cur.Code))
	}
	marginKey := r.MarginKey
	if marginKey == "" {
		marginKey = KeyFXMarginBP
	}
	q := Quote{Side: r.Side, Currency: cur.Code, FeeKey: r.FeeKey, At: s.now()}
	err = s.store.Tx(ctx, func(tx Tx) error {
		if r.FeeKey != "" {
			fee, err := price(ctx, tx, r.FeeKey)
			if err != nil {
				return err
			}
			if fee.Unit != UnitDKK {
				return netbank.Errorf(netbank.EINTERNAL, "pricing: fee %s is not in kroner", r.FeeKey)
			}
			q.Fee = fee.Amount
		}
		if cur.Code == "DKK" {
			q.ReferenceRate, q.CustomerRate, q.RateDate = parRate, parRate, calendar.Day(q.At)
			return nil
		}
		margin, err := price(ctx, tx, marginKey)
		if err != nil {
			return err
		}
		if margin.Unit != UnitBP {
			return netbank.Errorf(netbank.EINTERNAL, "pricing: margin %s is not in basis points", marginKey)
		}
		rate, err := currentRate(ctx, tx, cur.Code)
		if err != nil {
			return err
		}
		if s.Stale(rate, q.At) {
			return netbank.Errorf(netbank.EUNAVAILABLE, "Kursen på %s er forældet (senest sat %s), så vi kan ikke omregne beløbet lige nu. Prøv igen senere, eller kontakt banken.",
				cur.Code, rate.Date.Format("02.01.2006"))
		}
		q.ReferenceRate, q.MarginBP, q.RateDate = rate.Rate, int(margin.Amount), rate.Date
		q.CustomerRate = CustomerRate(rate.Rate, int(margin.Amount), r.Side)
		return nil
	})
	if err != nil {
		return Quote{}, err
	}
	if q.CustomerRate <= 0 {
		return Quote{}, netbank.Errorf(netbank.EUNAVAILABLE, "Vi kan ikke omregne %s lige nu.", cur.Code)
	}
	scale := pow10(cur.Exponent) * RateScale // øre = amount × rate / scale
	if fromDKK {
		amount, ok := mulDiv(r.DKK, scale, q.CustomerRate, false)
		if !ok || amount > MaxQuoteAmount {
			return Quote{}, netbank.Errorf(netbank.EINVALID, "Beløbet er for stort.")
		}
		if amount <= 0 {
			return Quote{}, netbank.Errorf(netbank.EINVALID, "Beløbet i kroner er for lille til at blive til %s.", netbank.NewMoney(1, cur.Code))
		}
		q.Amount = amount
	} else {
		q.Amount = r.Amount
	}
	dkk, ok := mulDiv(q.Amount, q.CustomerRate, scale, true)
	if !ok || dkk > math.MaxInt64-q.Fee {
		return Quote{}, netbank.Errorf(netbank.EINVALID, "Beløbet er for stort.")
	}
	q.DKK = dkk
	if r.Side == Sell {
		q.Total = q.DKK + q.Fee
	} else {
		q.Total = q.DKK - q.Fee
		if q.Total < 0 {
			return Quote{}, netbank.Errorf(netbank.EINVALID, "Beløbet (%s) dækker ikke gebyret på %s.",
				netbank.NewMoney(q.DKK, "DKK"), netbank.NewMoney(q.Fee, "DKK"))
		}
	}
	return q, nil
}

// CustomerRate is the rate a customer gets: the reference rate plus
// (Sell) or minus (Buy) marginBP basis points, rounded half away from zero
// to the rate's unit. It is 0 when the margin eats the whole rate.
func CustomerRate(reference int64, marginBP int, side Side) int64 {
	factor := int64(10_000 + marginBP)
	if side == Buy {
		factor = int64(10_000 - marginBP)
	}
	if factor <= 0 || reference <= 0 {
		return 0
	}
	r, ok := mulDiv(reference, factor, 10_000, true)
	if !ok {
		return 0
	}
	return r
}

// RateLine is a currency's current rate with the customer rates of the
// price list's margin, as the rate board shows it.
type RateLine struct {
	Rate
	// Sell and Buy are the customer rates (RateScale units) at MarginBP.
	Sell, Buy int64
	MarginBP  int
	// Stale: the rate is older than MaxAge and does not quote.
	Stale bool
}

// RateBoard lists every current rate with the customer rates for selling
// and buying at the margin of KeyFXMarginBP, by currency code.
func (s *Service) RateBoard(ctx context.Context) ([]RateLine, error) {
	var rates []Rate
	var margin Price
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		if rates, err = tx.CurrentRates(ctx); err != nil {
			return err
		}
		margin, err = price(ctx, tx, KeyFXMarginBP)
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(rates, func(i, j int) bool { return rates[i].Currency < rates[j].Currency })
	now := s.now()
	out := make([]RateLine, 0, len(rates))
	bp := int(margin.Amount)
	for _, r := range rates {
		out = append(out, RateLine{Rate: r, MarginBP: bp, Stale: s.Stale(r, now),
			Sell: CustomerRate(r.Rate, bp, Sell), Buy: CustomerRate(r.Rate, bp, Buy)})
	}
	return out, nil
}

// pow10 is 10^n for the small exponents of currencies (0–3).
func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// mulDiv returns a × b / c for positive a, b, c, exactly (math/big): rounded
// half away from zero when round, else rounded down. ok is false when the
// result does not fit in an int64.
func mulDiv(a, b, c int64, round bool) (int64, bool) {
	if c <= 0 {
		return 0, false
	}
	num := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	den := big.NewInt(c)
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if round {
		// |remainder| × 2 ≥ c: away from zero.
		m.Abs(m).Lsh(m, 1)
		if m.Cmp(den) >= 0 {
			if num.Sign() < 0 {
				q.Sub(q, big.NewInt(1))
			} else {
				q.Add(q, big.NewInt(1))
			}
		}
	} else if num.Sign() < 0 && m.Sign() != 0 {
		q.Sub(q, big.NewInt(1)) // floor for negatives
	}
	if !q.IsInt64() || q.Int64() == math.MinInt64 {
		return 0, false
	}
	return q.Int64(), true
}

package pricing_test

import (
	"context"
	"math/big"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/pricing"
)

// memStore is pricing.Store in memory, for the rules and the arithmetic;
// store/pricing_test.go runs the same service on both SQL engines.
type memStore struct {
	mu     sync.Mutex
	rates  map[string][]pricing.Rate // oldest first
	prices map[string]pricing.Price
	audits []audit.Event
}

func newMemStore() *memStore {
	return &memStore{rates: map[string][]pricing.Rate{}, prices: map[string]pricing.Price{}}
}

func (m *memStore) Tx(ctx context.Context, fn func(pricing.Tx) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	// All or nothing: work on copies, keep them only if fn succeeds.
	tx := &memTx{rates: map[string][]pricing.Rate{}, prices: map[string]pricing.Price{}}
	for k, v := range m.rates {
		tx.rates[k] = append([]pricing.Rate(nil), v...)
	}
	for k, v := range m.prices {
		tx.prices[k] = v
	}
	if err := fn(tx); err != nil {
		return err
	}
	m.rates, m.prices, m.audits = tx.rates, tx.prices, append(m.audits, tx.audits...)
	return nil
}

type memTx struct {
	rates  map[string][]pricing.Rate
	prices map[string]pricing.Price
	audits []audit.Event
}

func (t *memTx) CurrentRates(ctx context.Context) ([]pricing.Rate, error) {
	var out []pricing.Rate
	for _, v := range t.rates {
		out = append(out, v[len(v)-1])
	}
	return out, nil
}

func (t *memTx) CurrentRate(ctx context.Context, currency string) (pricing.Rate, error) {
	v := t.rates[currency]
	if len(v) == 0 {
		return pricing.Rate{}, netbank.Errorf(netbank.ENOTFOUND, "rate not found")
	}
	return v[len(v)-1], nil
}

func (t *memTx) RateHistory(ctx context.Context, currency string, limit int) ([]pricing.Rate, error) {
	var out []pricing.Rate
	v := t.rates[currency]
	for i := len(v) - 1; i >= 0 && len(out) < limit; i-- {
		out = append(out, v[i])
	}
	return out, nil
}

func (t *memTx) InsertRate(ctx context.Context, r pricing.Rate) error {
	if v := t.rates[r.Currency]; len(v) > 0 && v[len(v)-1].Version >= r.Version {
		return netbank.Errorf(netbank.ECONFLICT, "version %d exists", r.Version)
	}
	t.rates[r.Currency] = append(t.rates[r.Currency], r)
	return nil
}

func (t *memTx) Prices(ctx context.Context) ([]pricing.Price, error) {
	var out []pricing.Price
	for _, p := range t.prices {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func (t *memTx) Price(ctx context.Context, key string) (pricing.Price, error) {
	p, ok := t.prices[key]
	if !ok {
		return pricing.Price{}, netbank.Errorf(netbank.ENOTFOUND, "price not found")
	}
	return p, nil
}

func (t *memTx) PutPrice(ctx context.Context, p pricing.Price) error {
	t.prices[p.Key] = p
	return nil
}

func (t *memTx) Audit(ctx context.Context, at time.Time, e audit.Event) error {
	if err := e.Validate(); err != nil {
		return err
	}
	t.audits = append(t.audits, e)
	return nil
}

// clock is a clock the tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// t0 is Friday 20.11.2026 10.00 in Copenhagen.
var t0 = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func newService(t *testing.T) (*pricing.Service, *memStore, *clock) {
	t.Helper()
	clock := &clock{t: t0}
	st := newMemStore()
	return pricing.New(st, pricing.Config{Clock: clock}), st, clock
}

func mustSetRate(t *testing.T, s *pricing.Service, currency string, rate int64) {
	t.Helper()
	if err := s.SetRate(context.Background(), currency, rate, "stf_birgitte"); err != nil {
		t.Fatalf("SetRate %s %d: %v", currency, rate, err)
	}
}

func wantCode(t *testing.T, err error, code netbank.ErrorCode, msgPart string) {
	t.Helper()
	if netbank.ErrorCodeOf(err) != code {
		t.Fatalf("error %v, want code %s", err, code)
	}
	if !strings.Contains(netbank.ErrorMessageOf(err), msgPart) {
		t.Errorf("message %q lacks %q", netbank.ErrorMessageOf(err), msgPart)
	}
}

// ratio is a × b / c exactly, for the expected values.
func ratio(a, b, c int64) *big.Rat {
	return new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(a), big.NewInt(b)), big.NewInt(c))
}

// roundHalfAway rounds a non-negative rational half away from zero.
func roundHalfAway(r *big.Rat) int64 {
	half := new(big.Rat).Add(r, big.NewRat(1, 2))
	return new(big.Int).Quo(half.Num(), half.Denom()).Int64()
}

// RULE PAY-5: the customer rate is the reference rate plus the margin of
// the price list, rounded to the rate's four decimals, and the kroner are
// the amount at exactly that rate, rounded half away from zero to øre; the
// fee comes on top.
func TestQuoteSell_PAY5(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newService(t)
	mustSetRate(t, s, "EUR", 7461000) // 746,1000
	mustSetRate(t, s, "JPY", 42330)   // 4,2330 per 100 yen
	if err := s.SetPrice(ctx, pricing.KeyFXMarginBP, 100, "stf_birgitte"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPrice(ctx, pricing.KeyForeignTransferFee, 50_00, "stf_birgitte"); err != nil {
		t.Fatal(err)
	}

	q, err := s.QuoteSell(ctx, "eur", 1_000_00, pricing.KeyForeignTransferFee)
	if err != nil {
		t.Fatal(err)
	}
	// 746,1000 × 1,01 = 753,5610; 1.000,00 EUR × 753,5610 / 100 = 7.535,61 kr.
	want := pricing.Quote{Side: pricing.Sell, Currency: "EUR", Amount: 1_000_00, DKK: 7_535_61, ReferenceRate: 7461000,
		CustomerRate: 7535610, MarginBP: 100, FeeKey: pricing.KeyForeignTransferFee, Fee: 50_00, Total: 7_585_61,
		RateDate: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), At: t0}
	if q != want {
		t.Errorf("quote\n%+v, want\n%+v", q, want)
	}

	// JPY has no decimals: 123.457 yen × 4,2753 (4,2330 + 1 %) / 100.
	q, err = s.QuoteSell(ctx, "JPY", 123457, "")
	if err != nil {
		t.Fatal(err)
	}
	if q.CustomerRate != 42753 { // 42330 × 1,01 = 42753,3 → 42753
		t.Errorf("JPY customer rate %d, want 42753", q.CustomerRate)
	}
	if wantDKK := roundHalfAway(ratio(123457, 42753, 1*10_000)); q.DKK != wantDKK || q.DKK != 5_278_16 {
		t.Errorf("JPY: %d øre, want %d (5.278,16 kr.)", q.DKK, wantDKK)
	}
	if q.Fee != 0 || q.Total != q.DKK {
		t.Errorf("no fee key: fee %d, total %d", q.Fee, q.Total)
	}
}

// Half an øre rounds away from zero, less than half rounds down: the
// rounding is exact, not floating point.
func TestQuoteRoundsHalfAwayFromZero(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newService(t)
	if err := s.SetPrice(ctx, pricing.KeyFXMarginBP, 0, "stf_birgitte"); err != nil {
		t.Fatal(err)
	}
	mustSetRate(t, s, "USD", 6434500) // 643,4500
	for _, tc := range []struct {
		cents int64
		want  int64
	}{
		{1, 6},     // 0,01 × 6,4345 = 0,064345 kr. = 6,4345 øre → 6
		{2, 13},    // 12,869 øre → 13
		{10, 64},   // 64,345 → 64
		{100, 643}, // 643,45 → 643 (0,45 < 0,5)
		{200, 1287},
		{20, 129}, // 128,69 → 129
	} {
		q, err := s.QuoteSell(ctx, "USD", tc.cents, "")
		if err != nil {
			t.Fatal(err)
		}
		if q.DKK != tc.want {
			t.Errorf("%d cents: %d øre, want %d", tc.cents, q.DKK, tc.want)
		}
	}
	// Exactly half an øre: 0,01 USD at 50,0000 kr. per 100 is 0,5 øre → 1 øre.
	mustSetRate(t, s, "USD", 500000)
	q, err := s.QuoteSell(ctx, "USD", 1, "")
	if err != nil || q.DKK != 1 {
		t.Errorf("half an øre: %d, %v; want 1", q.DKK, err)
	}
	// And the customer rate itself: 643,4550 × 1,0001 (1 bp) = 643,51934… → 643,5193.
	if got := pricing.CustomerRate(6434550, 1, pricing.Sell); got != 6435193 {
		t.Errorf("customer rate %d, want 6435193", got)
	}
	// Exactly half a rate unit: 5000 × 1,0001 = 5000,5 and 5000 × 0,9999 =
	// 4999,5, both away from zero.
	if got := pricing.CustomerRate(5000, 1, pricing.Sell); got != 5001 {
		t.Errorf("half a rate unit: %d, want 5001", got)
	}
	if got := pricing.CustomerRate(5000, 1, pricing.Buy); got != 5000 {
		t.Errorf("half a rate unit, buying: %d, want 5000", got)
	}
}

// The largest amount at the largest rate is computed exactly (math/big):
// nothing overflows on the way.
func TestQuoteLargeAmountsExact(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newService(t)
	mustSetRate(t, s, "GBP", 8575500)
	q, err := s.QuoteSell(ctx, "GBP", pricing.MaxQuoteAmount, "")
	if err != nil {
		t.Fatal(err)
	}
	rate := pricing.CustomerRate(8575500, 100, pricing.Sell)
	if want := roundHalfAway(ratio(pricing.MaxQuoteAmount, rate, 100*10_000)); q.DKK != want {
		t.Errorf("999.999.999,99 GBP: %d øre, want %d", q.DKK, want)
	}
	if q.DKK <= pricing.MaxQuoteAmount {
		t.Errorf("the kroner (%d) should be more than the pounds", q.DKK)
	}
	// The extreme: the largest amount of a currency without decimals at
	// the largest rate plus the largest margin, about 10^17 øre.
	if err := s.SetPrice(ctx, pricing.KeyFXMarginBP, 1000, "stf_birgitte"); err != nil {
		t.Fatal(err)
	}
	mustSetRate(t, s, "JPY", pricing.MaxRate)
	q, err = s.QuoteSell(ctx, "JPY", pricing.MaxQuoteAmount, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := roundHalfAway(ratio(pricing.MaxQuoteAmount, pricing.MaxRate*11/10, 10_000)); q.DKK != want || q.Total != want {
		t.Errorf("extreme: %d øre, want %d", q.DKK, want)
	}
	_, err = s.QuoteSell(ctx, "GBP", pricing.MaxQuoteAmount+1, "")
	wantCode(t, err, netbank.EINVALID, "Beløbet skal være mellem")
	_, err = s.QuoteSell(ctx, "GBP", 0, "")
	wantCode(t, err, netbank.EINVALID, "Beløbet")
}

// RULE PAY-5: a customer who states the kroner gets the currency amount
// rounded down to its minor unit, and never pays more kroner than stated.
func TestQuoteSellDKK_PAY5(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newService(t)
	mustSetRate(t, s, "EUR", 7461000)
	mustSetRate(t, s, "JPY", 42330)
	for _, tc := range []struct {
		cur        string
		dkk        int64
		wantAmount int64
	}{
		{"EUR", 10_000_00, 1_327_03}, // 10.000 / 7,535610 = 1.327,037… EUR → 1.327,03
		{"EUR", 1, 0},                // less than a cent: refused below
		{"JPY", 10_000_00, 233_901},  // 10.000 / 0,042753 = 233.901,6… → 233.901 yen
	} {
		q, err := s.QuoteSellDKK(ctx, tc.cur, tc.dkk, "")
		if tc.wantAmount == 0 {
			wantCode(t, err, netbank.EINVALID, "for lille")
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if q.Amount != tc.wantAmount {
			t.Errorf("%s for %d øre: %d, want %d", tc.cur, tc.dkk, q.Amount, tc.wantAmount)
		}
		if q.DKK > tc.dkk {
			t.Errorf("%s: pays %d øre, more than the %d stated", tc.cur, q.DKK, tc.dkk)
		}
		// One more minor unit would cost more than stated.
		more, err := s.QuoteSell(ctx, tc.cur, q.Amount+1, "")
		if err != nil {
			t.Fatal(err)
		}
		if more.DKK <= tc.dkk && ratio(q.Amount+1, q.CustomerRate, 1).Cmp(new(big.Rat).Mul(big.NewRat(tc.dkk, 1), big.NewRat(exp10(tc.cur)*10_000, 1))) <= 0 {
			t.Errorf("%s: %d was not the most the kroner buy", tc.cur, q.Amount)
		}
	}
	_, err := s.QuoteSellDKK(ctx, "EUR", 0, "")
	wantCode(t, err, netbank.EINVALID, "større end 0")
}

func exp10(cur string) int64 {
	c, _ := netbank.LookupCurrency(cur)
	p := int64(1)
	for range c.Exponent {
		p *= 10
	}
	return p
}

// Buying currency from the customer: the reference rate minus the
// margin, the fee deducted; a fee larger than the amount is refused.
// Kroner convert at par.
func TestQuoteBuyAndKroner(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newService(t)
	mustSetRate(t, s, "SEK", 678000) // 67,8000
	q, err := s.QuoteBuy(ctx, "SEK", 1_000_00, pricing.KeyForeignTransferFee)
	if err != nil {
		t.Fatal(err)
	}
	// 67,8000 × 0,99 = 67,1220; 1.000 SEK = 671,22 kr.; minus 50 kr.
	if q.CustomerRate != 671220 || q.DKK != 671_22 || q.Fee != 50_00 || q.Total != 621_22 || q.Side != pricing.Buy {
		t.Errorf("buy quote %+v", q)
	}
	_, err = s.QuoteBuy(ctx, "SEK", 10_00, pricing.KeyForeignTransferFee) // 6,71 kr. < 50 kr.
	wantCode(t, err, netbank.EINVALID, "dækker ikke gebyret")

	q, err = s.QuoteSell(ctx, "DKK", 1_234_56, pricing.KeyForeignTransferFee)
	if err != nil {
		t.Fatal(err)
	}
	if q.DKK != 1_234_56 || q.CustomerRate != 100*pricing.RateScale || q.MarginBP != 0 || q.Total != 1_284_56 {
		t.Errorf("kroner quote %+v", q)
	}

	// A fee key that is not in kroner, or not in the price list.
	_, err = s.QuoteSell(ctx, "SEK", 100, pricing.KeyFXMarginBP)
	wantCode(t, err, netbank.EINTERNAL, "")
	_, err = s.QuoteSell(ctx, "SEK", 100, "no_such_fee")
	wantCode(t, err, netbank.ENOTFOUND, "Prislisten har ingen pris")
	// Cards use their own margin.
	if err := s.SetPrice(ctx, pricing.KeyCardFXMarginBP, 200, "stf_birgitte"); err != nil {
		t.Fatal(err)
	}
	q, err = s.Quote(ctx, pricing.QuoteRequest{Side: pricing.Sell, Currency: "SEK", Amount: 100_00, MarginKey: pricing.KeyCardFXMarginBP})
	if err != nil || q.MarginBP != 200 || q.CustomerRate != 691560 {
		t.Errorf("card margin: %+v, %v", q, err)
	}
}

// A currency without a rate cannot be quoted: ENOTFOUND in Danish. A rate
// older than MaxAge no longer quotes (EUNAVAILABLE), until a new one is set.
func TestQuoteMissingAndStaleRates(t *testing.T) {
	ctx := context.Background()
	s, _, clock := newService(t)
	_, err := s.QuoteSell(ctx, "NOK", 100, "")
	wantCode(t, err, netbank.ENOTFOUND, "Vi har ingen kurs for NOK.")
	_, err = s.Rate(ctx, "nok")
	wantCode(t, err, netbank.ENOTFOUND, "Vi har ingen kurs for NOK.")
	_, err = s.QuoteSell(ctx, "XYZ", 100, "")
	wantCode(t, err, netbank.EINVALID, "Ukendt valuta")

	mustSetRate(t, s, "NOK", 637500) // Friday 20.11.2026 10.00
	clock.Set(t0.Add(pricing.DefaultMaxAge))
	if _, err := s.QuoteSell(ctx, "NOK", 100, ""); err != nil {
		t.Errorf("exactly MaxAge old: %v", err)
	}
	clock.Advance(time.Microsecond)
	_, err = s.QuoteSell(ctx, "NOK", 100, "")
	wantCode(t, err, netbank.EUNAVAILABLE, "Kursen på NOK er forældet (senest sat 20.11.2026)")
	board, err := s.RateBoard(ctx)
	if err != nil || len(board) != 1 || !board[0].Stale {
		t.Errorf("board %+v, %v: want NOK stale", board, err)
	}
	mustSetRate(t, s, "NOK", 638000)
	if q, err := s.QuoteSell(ctx, "NOK", 100, ""); err != nil || q.ReferenceRate != 638000 {
		t.Errorf("after a new rate: %+v, %v", q, err)
	}

	// A rate stamped later than now (another instance's clock) quotes.
	clock.Set(t0.Add(-time.Hour))
	if _, err := s.QuoteSell(ctx, "NOK", 100, ""); err != nil {
		t.Errorf("rate from the future: %v", err)
	}
	// MaxAge < 0: rates never go stale.
	forever := pricing.New(newMemStore(), pricing.Config{Clock: clock, MaxAge: -1})
	mustSetRate(t, forever, "NOK", 637500)
	clock.Advance(365 * 24 * time.Hour)
	if _, err := forever.QuoteSell(ctx, "NOK", 100, ""); err != nil {
		t.Errorf("MaxAge < 0: %v", err)
	}
}

// Setting a rate: ISO 4217 via netbank.LookupCurrency, not DKK, above 0;
// every rate is a new version (the history is kept, the newest is
// current), dated today in Denmark, and audited in the same transaction.
func TestSetRateKeepsHistoryAndAudits(t *testing.T) {
	ctx := context.Background()
	s, st, clock := newService(t)
	wantCode(t, s.SetRate(ctx, "DKK", 1000000, "stf_birgitte"), netbank.EINVALID, "Kronen")
	wantCode(t, s.SetRate(ctx, "EUR", 0, "stf_birgitte"), netbank.EINVALID, "større end 0")
	wantCode(t, s.SetRate(ctx, "EUR", -5, "stf_birgitte"), netbank.EINVALID, "større end 0")
	wantCode(t, s.SetRate(ctx, "EUR", pricing.MaxRate+1, "stf_birgitte"), netbank.EINVALID, "højst")
	wantCode(t, s.SetRate(ctx, "EURO", 7461000, "stf_birgitte"), netbank.EINVALID, "Ukendt valuta")
	wantCode(t, s.SetRate(ctx, "EUR", 7461000, " "), netbank.EINVALID, "hvem")
	if len(st.audits) != 0 {
		t.Fatalf("refusals were audited: %+v", st.audits)
	}

	mustSetRate(t, s, "eur", 7461000)
	clock.Set(time.Date(2026, 11, 22, 23, 30, 0, 0, time.UTC)) // 23.11.2026 00.30 in Copenhagen
	if err := s.SetRateAs(ctx, "EUR", 7462500, pricing.Actor{ID: "stf_kasper", Kind: audit.ActorStaff, IP: "10.0.0.7"}); err != nil {
		t.Fatal(err)
	}
	cur, err := s.Rate(ctx, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	if cur.Rate != 7462500 || cur.Version != 2 || cur.UpdatedBy != "stf_kasper" || cur.Text() != "746,2500" ||
		!cur.Date.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("current rate %+v", cur)
	}
	hist, err := s.RateHistory(ctx, "EUR", 10)
	if err != nil || len(hist) != 2 || hist[0].Rate != 7462500 || hist[1].Rate != 7461000 || hist[1].Version != 1 {
		t.Errorf("history %+v, %v", hist, err)
	}
	if len(st.audits) != 2 {
		t.Fatalf("%d audit events, want 2", len(st.audits))
	}
	e := st.audits[1]
	if e.Action != pricing.ActionRateSet || e.Subject != "EUR" || e.Actor != "stf_kasper" || e.ActorKind != audit.ActorStaff ||
		e.IP != "10.0.0.7" || e.Details["rate"] != "746,2500" || e.Details["previous"] != "746,1000" {
		t.Errorf("audit event %+v", e)
	}
	rates, err := s.Rates(ctx)
	if err != nil || len(rates) != 1 || rates[0].Version != 2 {
		t.Errorf("rates %+v, %v", rates, err)
	}
}

// The price list: only known keys, each with its unit and Danish
// description; defaults until set; changes audited with old and new value.
func TestPriceList(t *testing.T) {
	ctx := context.Background()
	s, st, _ := newService(t)
	list, err := s.Prices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defs := pricing.Definitions()
	if len(list) != len(defs) {
		t.Fatalf("%d prices, want %d", len(list), len(defs))
	}
	for i, d := range defs {
		p := list[i]
		if p.Key != d.Key || p.Amount != d.Default || p.Unit != d.Unit || p.Description == "" || !p.UpdatedAt.IsZero() {
			t.Errorf("price %d: %+v, definition %+v", i, p, d)
		}
	}
	if p, err := s.Price(ctx, pricing.KeyForeignTransferFee); err != nil || p.Amount != 50_00 || p.Text() != "50,00 kr." {
		t.Errorf("default transfer fee %+v, %v", p, err)
	}
	_, err = s.Price(ctx, "free_lunch")
	wantCode(t, err, netbank.ENOTFOUND, "Prislisten har ingen pris")

	wantCode(t, s.SetPrice(ctx, "free_lunch", 0, "stf_birgitte"), netbank.EINVALID, "kun prislistens egne priser")
	wantCode(t, s.SetPrice(ctx, pricing.KeyForeignTransferFee, -1, "stf_birgitte"), netbank.EINVALID, "negativ")
	wantCode(t, s.SetPrice(ctx, pricing.KeyFXMarginBP, 1001, "stf_birgitte"), netbank.EINVALID, "højst være 1.000 bp (10,00 %)")
	// EU 2021/1230: a euro transfer in the EU/EEA costs what a national one does.
	wantCode(t, s.SetPrice(ctx, pricing.KeyForeignTransferFeeEUEUR, 10_00, "stf_birgitte"), netbank.EINVALID, "2021/1230")
	if len(st.audits) != 0 {
		t.Fatalf("refusals were audited: %+v", st.audits)
	}

	if err := s.SetPrice(ctx, pricing.KeyCardContactlessLimit, 500_00, "stf_birgitte"); err != nil {
		t.Fatal(err)
	}
	p, err := s.Price(ctx, pricing.KeyCardContactlessLimit)
	if err != nil || p.Amount != 500_00 || p.UpdatedBy != "stf_birgitte" || !p.UpdatedAt.Equal(t0) {
		t.Errorf("after SetPrice: %+v, %v", p, err)
	}
	e := st.audits[0]
	if e.Action != pricing.ActionPriceSet || e.Subject != pricing.KeyCardContactlessLimit || e.Details["previous"] != "350,00 kr." ||
		e.Details["amount"] != "500,00 kr." || e.ActorKind != audit.ActorStaff {
		t.Errorf("audit %+v", e)
	}
	if got := pricing.FormatPrice(5, pricing.UnitCount); got != "5" {
		t.Errorf("count: %q", got)
	}
}

func TestParseRate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  string
	}{
		{"746,12", 7461200, ""},
		{"746,1234", 7461234, ""},
		{" 4,233 ", 42330, ""},
		{"1.234,5", 12345000, ""},
		{"100", 1000000, ""},
		{"746.12", 0, "komma"},
		{"746,12345", 0, "højst 4 decimaler"},
		{"746,", 0, "højst 4 decimaler"},
		{"", 0, "Skriv kursen"},
		{"0", 0, "større end 0"},
		{"0,0000", 0, "større end 0"},
		{"-746,12", 0, "positivt"},
		{"abc", 0, "komma"},
		{"1.000.001", 0, "for stor"},
	} {
		got, err := pricing.ParseRate(tc.in)
		if tc.err != "" {
			if netbank.ErrorCodeOf(err) != netbank.EINVALID || !strings.Contains(netbank.ErrorMessageOf(err), tc.err) {
				t.Errorf("ParseRate(%q) = %d, %v; want an error with %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseRate(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
		if back, err := pricing.ParseRate(pricing.FormatRate(got)); err != nil || back != got {
			t.Errorf("FormatRate(%d) = %q does not parse back: %d, %v", got, pricing.FormatRate(got), back, err)
		}
	}
}

// RULE PAY-5 and Regulation (EU) 2021/1230: euro to the EU/EEA is charged
// as a national transfer; anything else as a foreign transfer.
func TestForeignTransferFeeKey_PAY5(t *testing.T) {
	for _, tc := range []struct {
		currency, country, want string
	}{
		{"EUR", "DE", pricing.KeyForeignTransferFeeEUEUR},
		{"eur", "fi", pricing.KeyForeignTransferFeeEUEUR},
		{"EUR", "NO", pricing.KeyForeignTransferFeeEUEUR}, // EEA
		{"EUR", "GP", pricing.KeyForeignTransferFeeEUEUR}, // Guadeloupe, an outermost region
		{"EUR", "CH", pricing.KeyForeignTransferFee},      // SEPA, but not EU/EEA
		{"EUR", "GB", pricing.KeyForeignTransferFee},
		{"SEK", "SE", pricing.KeyForeignTransferFee},
		{"USD", "DE", pricing.KeyForeignTransferFee},
	} {
		if got := pricing.ForeignTransferFeeKey(tc.currency, tc.country); got != tc.want {
			t.Errorf("%s to %s: %s, want %s", tc.currency, tc.country, got, tc.want)
		}
	}
}

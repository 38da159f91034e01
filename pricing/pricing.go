// Package pricing is the bank's price list and its exchange rates, kept by
// staff in the back office and read by the features that charge or convert:
// foreign transfers (RULE PAY-5: rate and fees shown before signing) and,
// later, Visa Debit cards (CARD-5, CARD-6, CARD-8, CARD-19: limits, fees and
// the reference rate of the price list). Where a source gives no number, the
// number lives here, never in the code that uses it (see the rule book).
//
// # The price list
//
// A price is a key with an amount and a unit: kroner (UnitDKK, in øre),
// basis points (UnitBP, 1/100 of a per cent: 100 bp = 1 %) or a count
// (UnitCount). Only the keys this package knows (the Key… constants, see
// Definitions) exist; anything else is refused. Each known key has a
// default, and migration 0008 stores every default, so a fresh bank has its
// whole price list in the database from the first start. A key that a later
// release adds reads as its default until its own migration (or staff)
// stores it: the default in the code is only a fallback, never a silent
// change of a price a bank already has.
//
// # Exchange rates
//
// A rate (kurs) is what Danish banks quote: kroner per 100 units of the
// foreign currency, here with four decimals, as an integer in units of
// 1/10000 DKK per 100 units (RateScale). EUR 746,12 is 7461200; JPY 4,2330
// is 42330. Every change is a new version of the currency's rate (the
// history is kept); the newest version is the current one. A rate set more
// than MaxAge ago (default DefaultMaxAge, 4 days, as rates are set on bank
// days and a long weekend must not stop the bank) no longer quotes: a quote
// then fails with EUNAVAILABLE "Kursen på EUR er forældet …" rather than
// convert at a rate the market has left behind. A rate stamped later than
// now (instances with skewed clocks) counts as current.
//
// # Quotes and rounding
//
// A quote converts an amount at the customer rate: the reference rate plus
// the margin when the bank sells currency to the customer (a transfer
// abroad), minus it when the bank buys (incoming currency, card refunds).
// The arithmetic is exact integer arithmetic (math/big), so amounts up to
// 999.999.999,99 at any rate cannot overflow:
//
//   - customer rate = reference × (10000 ± margin bp) / 10000, rounded half
//     away from zero to the rate's unit (4 decimals), so the rate shown is
//     the rate used;
//   - kroner = amount in units × customer rate / 100, i.e. in øre
//     amount (minor units) × customer rate / (10^exponent × 10000), rounded
//     half away from zero to whole øre;
//   - from kroner (QuoteSellDKK), the currency amount is rounded down to the
//     currency's minor unit (from netbank.LookupCurrency: 2 decimals for EUR,
//     0 for JPY), and the kroner are then computed from that amount as
//     above, so they never exceed what the customer asked for.
//
// The fee comes on top for a sale (Total = DKK + Fee, what the customer
// pays) and is deducted for a purchase (Total = DKK − Fee, what the
// customer receives).
//
// # Audit
//
// Every change by staff (a rate, a price) is written to the audit log in
// the same transaction as the change ("pricing.rate_set",
// "pricing.price_set"), with the old and the new value.
package pricing

import (
	"context"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/audit"
)

// The units of a price.
const (
	// UnitDKK is an amount in kroner, stored in øre.
	UnitDKK = "DKK"
	// UnitBP is basis points: 1/100 of a per cent (100 bp = 1 %).
	UnitBP = "bp"
	// UnitCount is a plain number (payments, days, …).
	UnitCount = "count"
)

// The keys of the price list. Only these exist.
const (
	// KeyForeignTransferFee is the fee of a transfer abroad (PAY-5).
	KeyForeignTransferFee = "foreign_transfer_fee"
	// KeyForeignTransferFeeEUEUR is the fee of a transfer in euro to an
	// account in the EU/EEA (SEPA). Regulation (EU) 2021/1230 art. 3 (equal
	// charges) makes a cross-border payment in euro cost the same as a
	// national payment of the same value in the bank's currency; national
	// transfers in this bank are free, so this fee must be 0 kr. (SetPrice
	// refuses anything else).
	KeyForeignTransferFeeEUEUR = "foreign_transfer_fee_eu_eur"
	// KeyFXMarginBP is the margin on the reference rate when the bank
	// converts for a transfer (PAY-5) or an incoming payment in currency.
	KeyFXMarginBP = "fx_margin_bp"

	// KeyCardAnnualFeeVisaDebit is the annual fee of a Visa Debit card,
	// paid in advance (CARD-19).
	KeyCardAnnualFeeVisaDebit = "card_annual_fee_visa_debit"
	// KeyCardReplacementFee is the fee for a new card in place of a lost or
	// damaged one (CARD-19).
	KeyCardReplacementFee = "card_replacement_fee"
	// KeyCardFXMarginBP is the margin on the reference rate for card
	// purchases and withdrawals in foreign currency (CARD-8, CARD-19).
	KeyCardFXMarginBP = "card_fx_margin_bp"
	// KeyCardCashFee is the fee per cash withdrawal abroad or at another
	// bank's ATM (004: "gebyr, hver gang du hæver kontanter").
	KeyCardCashFee = "card_cash_fee"
	// KeyCardCashDailyLimit is the most cash a card may withdraw per day (CARD-5).
	KeyCardCashDailyLimit = "card_cash_daily_limit"
	// KeyCardTotal30DayLimit is the most a card may spend on purchases and
	// withdrawals together per rolling 30 days (CARD-5).
	KeyCardTotal30DayLimit = "card_total_30day_limit"
	// KeyCardContactlessLimit is the most one contactless payment may be
	// without the PIN (CARD-6).
	KeyCardContactlessLimit = "card_contactless_limit"
	// KeyCardContactlessCumulativeLimit: contactless spending since the
	// last PIN above this asks for the PIN (CARD-6: 150 EUR in kroner).
	KeyCardContactlessCumulativeLimit = "card_contactless_cumulative_limit"
	// KeyCardContactlessCount: after this many contactless payments in a
	// row without the PIN, the PIN is asked (CARD-6).
	KeyCardContactlessCount = "card_contactless_count"
	// KeyCardReceiptCopyFee is the fee for a copy of a receipt (notakopi, CARD-19).
	KeyCardReceiptCopyFee = "card_receipt_copy_fee"
	// KeyCardEarlyTerminationFee is the fee when the cardholder ends the
	// card agreement within its first 6 months (CARD-18).
	KeyCardEarlyTerminationFee = "card_early_termination_fee"
)

// Definition is a known key of the price list: its unit, its Danish
// description, its default and the largest amount staff may set.
type Definition struct {
	Key         string
	Unit        string
	Description string
	Default     int64
	Max         int64
}

// maxKroner is the largest amount in kroner a price may be (1.000.000,00 kr.).
const maxKroner = 1_000_000_00

// definitions is the price list: its keys in the order pages show them.
var definitions = []Definition{
	{KeyForeignTransferFee, UnitDKK, "Overførsel til udlandet, pr. overførsel", 50_00, maxKroner},
	{KeyForeignTransferFeeEUEUR, UnitDKK, "Overførsel i euro til en konto i EU/EØS (SEPA), pr. overførsel – samme pris som en indenlandsk overførsel (EU-forordning 2021/1230)", 0, maxKroner},
	{KeyFXMarginBP, UnitBP, "Kurstillæg ved veksling til og fra udenlandsk valuta (overførsler)", 100, 1000},
	{KeyCardAnnualFeeVisaDebit, UnitDKK, "Visa Debit, årligt kortgebyr (betales forud)", 250_00, maxKroner},
	{KeyCardReplacementFee, UnitDKK, "Nyt kort ved bortkomst eller beskadigelse", 150_00, maxKroner},
	{KeyCardFXMarginBP, UnitBP, "Valutatillæg ved køb og hævning i udenlandsk valuta med kort (tillæg til referencekursen)", 100, 1000},
	{KeyCardCashFee, UnitDKK, "Kontanthævning med kort i udlandet eller i en anden banks automat, pr. hævning", 25_00, maxKroner},
	{KeyCardCashDailyLimit, UnitDKK, "Maksimal kontanthævning med kort pr. døgn", 10_000_00, maxKroner},
	{KeyCardTotal30DayLimit, UnitDKK, "Samlet maksimum for køb og hævninger med kort pr. løbende 30 dage", 60_000_00, 10 * maxKroner},
	{KeyCardContactlessLimit, UnitDKK, "Kontaktløs betaling uden pinkode, højst pr. betaling", 350_00, maxKroner},
	{KeyCardContactlessCumulativeLimit, UnitDKK, "Kontaktløse betalinger i alt siden sidste pinkode, før pinkoden kræves (svarer til 150 EUR)", 1_119_00, maxKroner},
	{KeyCardContactlessCount, UnitCount, "Antal kontaktløse betalinger i træk uden pinkode, før pinkoden kræves", 5, 100},
	{KeyCardReceiptCopyFee, UnitDKK, "Kopi af nota (kvittering for kortbetaling)", 50_00, maxKroner},
	{KeyCardEarlyTerminationFee, UnitDKK, "Opsigelse af kortaftalen inden for de første 6 måneder", 100_00, maxKroner},
}

// Definitions returns every known key of the price list, in the order the
// price list shows them.
func Definitions() []Definition {
	return append([]Definition(nil), definitions...)
}

// Lookup returns the definition of a known key.
func Lookup(key string) (Definition, bool) {
	for _, d := range definitions {
		if d.Key == key {
			return d, true
		}
	}
	return Definition{}, false
}

// Price is one entry of the price list.
type Price struct {
	Key string
	// Amount is in the unit: øre for UnitDKK, basis points for UnitBP.
	Amount int64
	// Unit is UnitDKK, UnitBP or UnitCount.
	Unit string
	// Description says in Danish what the price is for.
	Description string
	// UpdatedAt and UpdatedBy tell who set it last (zero and "" for a
	// default no one has stored).
	UpdatedAt time.Time
	UpdatedBy string
}

// Text formats the amount for people: "50,00 kr.", "100 bp (1,00 %)", "5".
func (p Price) Text() string { return FormatPrice(p.Amount, p.Unit) }

// FormatPrice formats an amount of a unit: "50,00 kr.", "100 bp (1,00 %)", "5".
func FormatPrice(amount int64, unit string) string {
	switch unit {
	case UnitDKK:
		return netbank.NewMoney(amount, "DKK").String()
	case UnitBP:
		return netbank.FormatAmount(amount, 0) + " bp (" + netbank.FormatAmount(amount, 2) + " %)"
	}
	return netbank.FormatAmount(amount, 0)
}

// Actor is who changes the price list, for the record and the audit log.
type Actor struct {
	// ID names the staff member (or "system").
	ID string
	// Kind is an audit actor kind: audit.ActorStaff or audit.ActorSystem.
	Kind string
	// IP is the client's address ("" for the system).
	IP string
}

// staffActor is the Actor for a plain "by" string: the system when by is
// "system", else a staff member.
func staffActor(by string) Actor {
	if by == audit.ActorSystem {
		return Actor{ID: by, Kind: audit.ActorSystem}
	}
	return Actor{ID: by, Kind: audit.ActorStaff}
}

func (a Actor) event(action, subject string, details map[string]string) audit.Event {
	return audit.Event{Actor: a.ID, ActorKind: a.Kind, Action: action, Subject: subject, IP: a.IP, Details: details}
}

// The audit actions of the price list.
const (
	// ActionRateSet: staff set a new exchange rate.
	ActionRateSet = "pricing.rate_set"
	// ActionPriceSet: staff changed a price.
	ActionPriceSet = "pricing.price_set"
)

// Store is what the price list needs from persistence. Package store
// implements it.
type Store interface {
	// Tx runs fn in one read-write transaction (re-run on conflicts).
	Tx(ctx context.Context, fn func(Tx) error) error
}

// Tx is a transaction of the pricing store.
type Tx interface {
	// CurrentRates returns the newest version of every currency's rate.
	CurrentRates(ctx context.Context) ([]Rate, error)
	// CurrentRate returns the newest version of the currency's rate
	// (ENOTFOUND if it has none).
	CurrentRate(ctx context.Context, currency string) (Rate, error)
	// RateHistory lists the currency's rate versions, newest first, at most limit.
	RateHistory(ctx context.Context, currency string, limit int) ([]Rate, error)
	// InsertRate stores a new version of a rate; r.Version is the current
	// version + 1 (a concurrent insert of the same version fails).
	InsertRate(ctx context.Context, r Rate) error

	// Prices returns the stored prices.
	Prices(ctx context.Context) ([]Price, error)
	// Price returns a stored price (ENOTFOUND if it is not stored).
	Price(ctx context.Context, key string) (Price, error)
	// PutPrice stores a price (inserted or replaced).
	PutPrice(ctx context.Context, p Price) error

	// Audit appends an event to the audit log in this transaction.
	Audit(ctx context.Context, at time.Time, e audit.Event) error
}

// DefaultMaxAge is how long a rate quotes after it was set: 4 days, so a
// rate set on a Thursday still quotes on the Monday after.
const DefaultMaxAge = 4 * 24 * time.Hour

// Config tunes the service. The zero value takes the defaults.
type Config struct {
	// Clock tells the time; nil is the system clock.
	Clock netbank.Clock
	// MaxAge is how long a rate quotes after it was set; 0 is
	// DefaultMaxAge, a negative value lets rates quote for ever (tests, demos).
	MaxAge time.Duration
}

// Service is the price list and the exchange rates.
type Service struct {
	store  Store
	clock  netbank.Clock
	maxAge time.Duration
}

// New returns the pricing service.
func New(store Store, cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = netbank.SystemClock{}
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	return &Service{store: store, clock: cfg.Clock, maxAge: cfg.MaxAge}
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// MaxAge is how long a rate quotes after it was set (negative: for ever).
func (s *Service) MaxAge() time.Duration { return s.maxAge }

// withDefault fills in the definition's unit and description, and its
// default when the price is not stored.
func withDefault(d Definition, stored Price, ok bool) Price {
	p := Price{Key: d.Key, Amount: d.Default, Unit: d.Unit, Description: d.Description}
	if ok {
		p.Amount, p.UpdatedAt, p.UpdatedBy = stored.Amount, stored.UpdatedAt, stored.UpdatedBy
	}
	return p
}

// Prices returns the whole price list, every known key in the order of
// Definitions; a key not stored reads as its default.
func (s *Service) Prices(ctx context.Context) ([]Price, error) {
	var stored []Price
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		stored, err = tx.Prices(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	byKey := make(map[string]Price, len(stored))
	for _, p := range stored {
		byKey[p.Key] = p
	}
	out := make([]Price, 0, len(definitions))
	for _, d := range definitions {
		p, ok := byKey[d.Key]
		out = append(out, withDefault(d, p, ok))
	}
	return out, nil
}

// Price returns one price of the list (ENOTFOUND for a key the price list
// does not have).
func (s *Service) Price(ctx context.Context, key string) (Price, error) {
	var p Price
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		p, err = price(ctx, tx, key)
		return err
	})
	return p, err
}

// price reads a known price in a transaction.
func price(ctx context.Context, tx Tx, key string) (Price, error) {
	d, ok := Lookup(key)
	if !ok {
		return Price{}, netbank.Errorf(netbank.ENOTFOUND, "Prislisten har ingen pris %q.", clip(key))
	}
	stored, err := tx.Price(ctx, key)
	switch netbank.ErrorCodeOf(err) {
	case "":
		return withDefault(d, stored, true), nil
	case netbank.ENOTFOUND:
		return withDefault(d, Price{}, false), nil
	}
	return Price{}, err
}

// clip shortens what a caller sent before it goes into a message.
func clip(s string) string {
	if len(s) > 40 {
		return strings.ToValidUTF8(s[:40], "") + "…"
	}
	return s
}

// SetPrice sets a price of the list (see SetPriceAs); by names the staff
// member ("system" for the bank itself).
func (s *Service) SetPrice(ctx context.Context, key string, amount int64, by string) error {
	return s.SetPriceAs(ctx, key, amount, staffActor(by))
}

// SetPriceAs sets a known price to amount (in its unit) and records the
// change in the audit log in the same transaction. Unknown keys, negative
// amounts and amounts above the key's maximum are EINVALID; so is a fee
// for euro transfers within the EU/EEA other than that of a national
// transfer (0 kr.), which Regulation (EU) 2021/1230 art. 3 forbids.
func (s *Service) SetPriceAs(ctx context.Context, key string, amount int64, by Actor) error {
	d, ok := Lookup(key)
	switch {
	case !ok:
		return netbank.Errorf(netbank.EINVALID, "Prislisten har ingen pris %q; kun prislistens egne priser kan ændres.", clip(key))
	case strings.TrimSpace(by.ID) == "":
		return netbank.Errorf(netbank.EINVALID, "Det skal fremgå, hvem der ændrer prisen.")
	case amount < 0:
		return netbank.Errorf(netbank.EINVALID, "Prisen kan ikke være negativ.")
	case amount > d.Max:
		return netbank.Errorf(netbank.EINVALID, "Prisen må højst være %s.", FormatPrice(d.Max, d.Unit))
	case key == KeyForeignTransferFeeEUEUR && amount != domesticTransferFee:
		return netbank.Errorf(netbank.EINVALID, "En overførsel i euro inden for EU/EØS skal koste det samme som en indenlandsk overførsel (%s), jf. EU-forordning 2021/1230.",
			FormatPrice(domesticTransferFee, UnitDKK))
	}
	return s.store.Tx(ctx, func(tx Tx) error {
		old, err := price(ctx, tx, key)
		if err != nil {
			return err
		}
		now := s.now()
		p := Price{Key: key, Amount: amount, Unit: d.Unit, Description: d.Description, UpdatedAt: now, UpdatedBy: by.ID}
		if err := tx.PutPrice(ctx, p); err != nil {
			return err
		}
		return tx.Audit(ctx, now, by.event(ActionPriceSet, key, map[string]string{
			"previous": FormatPrice(old.Amount, d.Unit), "amount": FormatPrice(amount, d.Unit)}))
	})
}

// domesticTransferFee is what a national transfer costs in this bank: the
// payments domain charges nothing for it.
const domesticTransferFee = 0

// eea are the EU and EEA member states (ISO 3166-1 alpha-2), plus the parts
// of them that have codes of their own (the French outermost regions and
// Åland), where Regulation (EU) 2021/1230 applies.
var eea = map[string]bool{
	"AT": true, "BE": true, "BG": true, "HR": true, "CY": true, "CZ": true, "DK": true, "EE": true, "FI": true,
	"FR": true, "DE": true, "GR": true, "HU": true, "IE": true, "IT": true, "LV": true, "LT": true, "LU": true,
	"MT": true, "NL": true, "PL": true, "PT": true, "RO": true, "SK": true, "SI": true, "ES": true, "SE": true,
	"IS": true, "LI": true, "NO": true, // EEA
	"GF": true, "GP": true, "MQ": true, "RE": true, "YT": true, "MF": true, "AX": true,
}

// InEEA reports whether a country (ISO 3166-1 alpha-2, as the first two
// letters of an IBAN) is in the EU/EEA.
func InEEA(country string) bool { return eea[strings.ToUpper(strings.TrimSpace(country))] }

// ForeignTransferFeeKey chooses the fee of a transfer abroad: the SEPA fee
// (KeyForeignTransferFeeEUEUR, equal to a national transfer) for a payment
// in euro to an account in the EU/EEA, the foreign transfer fee for
// anything else. country is the payee's country, e.g. the first two letters
// of the IBAN.
func ForeignTransferFeeKey(currency, country string) string {
	if strings.EqualFold(strings.TrimSpace(currency), "EUR") && InEEA(country) {
		return KeyForeignTransferFeeEUEUR
	}
	return KeyForeignTransferFee
}

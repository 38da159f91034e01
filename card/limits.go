package card

// The limits of card use (RULES CARD-5, CARD-6, CARD-11), with their
// amounts from the price list (package pricing):
//
//   - cash: at most card_cash_daily_limit per Danish calendar day (61);
//   - purchases and cash together: at most card_total_30day_limit in the
//     last 30 days, rolling (61); refunds do not count, reversed amounts
//     stop counting;
//   - contactless without PIN: at most card_contactless_limit per payment,
//     and after card_contactless_count payments in a row without PIN, or
//     once their sum since the last PIN would pass
//     card_contactless_cumulative_limit, the PIN is asked (1A). Any
//     approved request with the right PIN starts the count again;
//   - internet purchases need a valid Visa Secure result (1A), except
//     recurring payments on a credential on file.
//
// Amounts are compared in kroner, after conversion (CARD-8).

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/pricing"
)

// cardPrices are the price list's card limits and fees, in øre (count: a
// number).
type cardPrices struct {
	cashFee               int64
	cashDaily             int64
	total30               int64
	contactless           int64
	contactlessCumulative int64
	contactlessCount      int64
}

// priceCache keeps the card prices for a while: the price list is read
// by every authorization otherwise.
type priceCache struct {
	mu     sync.Mutex
	ttl    time.Duration
	at     time.Time
	loaded bool
	p      cardPrices
}

// cardPrices returns the card prices, read at most every PriceTTL.
func (a *Authorizer) cardPrices(ctx context.Context) (cardPrices, error) {
	c := &a.prices
	now := a.clock.Now()
	c.mu.Lock()
	if c.loaded && c.ttl > 0 && !now.Before(c.at) && now.Sub(c.at) < c.ttl {
		p := c.p
		c.mu.Unlock()
		return p, nil
	}
	c.mu.Unlock()
	list, err := a.cfg.Pricing.Prices(ctx)
	if err != nil {
		return cardPrices{}, err
	}
	var p cardPrices
	for _, pr := range list {
		switch pr.Key {
		case pricing.KeyCardCashFee:
			p.cashFee = pr.Amount
		case pricing.KeyCardCashDailyLimit:
			p.cashDaily = pr.Amount
		case pricing.KeyCardTotal30DayLimit:
			p.total30 = pr.Amount
		case pricing.KeyCardContactlessLimit:
			p.contactless = pr.Amount
		case pricing.KeyCardContactlessCumulativeLimit:
			p.contactlessCumulative = pr.Amount
		case pricing.KeyCardContactlessCount:
			p.contactlessCount = pr.Amount
		}
	}
	c.mu.Lock()
	c.p, c.at, c.loaded = p, now, true
	c.mu.Unlock()
	return p, nil
}

// dkk formats øre for a reason.
func dkk(amount int64) string { return netbank.NewMoney(amount, "DKK").String() }

// strongAuth applies the rules asking for strong customer authentication
// (1A): the PIN for contactless payments (CARD-6), Visa Secure for
// internet purchases (CARD-11). It marks a contactless payment without
// PIN, which the next ones count.
func (a *Authorizer) strongAuth(ctx context.Context, t *attempt, p cardPrices, u Usage) (string, string) {
	req := t.req
	if req.EntryMode() == EntryContactless && !t.auth.PINVerified {
		t.auth.ContactlessNoPIN = true
		switch {
		case t.auth.AmountDKK > p.contactless:
			return CodeStrongAuthenticationRequired, fmt.Sprintf("Kontaktløs betaling over %s kræver PIN-kode (CARD-6).", dkk(p.contactless))
		case int64(u.ContactlessCount) >= p.contactlessCount:
			return CodeStrongAuthenticationRequired, fmt.Sprintf("%d kontaktløse betalinger i træk uden PIN-kode: nu kræves PIN-koden (CARD-6).", u.ContactlessCount)
		case u.ContactlessSincePIN+t.auth.AmountDKK > p.contactlessCumulative:
			return CodeStrongAuthenticationRequired, fmt.Sprintf("Kontaktløse betalinger uden PIN-kode ville komme over %s i alt siden sidste PIN-kode: nu kræves PIN-koden (CARD-6).",
				dkk(p.contactlessCumulative))
		}
		t.reason("Kontaktløs uden PIN-kode: nr. %d i træk, %s i alt siden sidste PIN-kode.", u.ContactlessCount+1,
			dkk(u.ContactlessSincePIN+t.auth.AmountDKK))
	}
	if req.ECommerce() {
		switch {
		case req.EntryMode() == EntryCredentialOnFile && req.Recurring:
			t.reason("Tilbagevendende betaling på et gemt kort: forretningen trækker, så Visa Secure kræves ikke.")
		case a.cfg.CAVV == nil:
			return CodeStrongAuthenticationRequired, "Internetkøb kræver Visa Secure, som ikke kan kontrolleres lige nu (CARD-11)."
		case req.CAVV == "":
			return CodeStrongAuthenticationRequired, "Internetkøb uden Visa Secure-godkendelse (CARD-11)."
		case !a.cfg.CAVV.Verify(ctx, req.PAN, req.Amount, t.cur.Code, req.MerchantID, req.CAVV):
			return CodeStrongAuthenticationRequired, "Visa Secure-godkendelsen passer ikke til kort, beløb og forretning (CARD-11)."
		default:
			t.reason("Visa Secure-godkendelsen er gyldig.")
		}
	}
	return "", ""
}

// limits applies the cash limit per day and the 30-day total (CARD-5).
func limits(t *attempt, p cardPrices, u Usage) (string, string) {
	amount := t.auth.AmountDKK
	if t.auth.Cash && u.CashToday+amount > p.cashDaily {
		return CodeExceedsWithdrawalLimit, fmt.Sprintf("Kontanthævninger i dag ville komme over grænsen på %s (hævet i dag: %s, CARD-5).",
			dkk(p.cashDaily), dkk(u.CashToday))
	}
	if u.Total30+amount > p.total30 {
		return CodeExceedsWithdrawalLimit, fmt.Sprintf("Køb og hævninger de seneste 30 dage ville komme over grænsen på %s (brugt: %s, CARD-5).",
			dkk(p.total30), dkk(u.Total30))
	}
	return "", ""
}

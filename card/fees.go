package card

// Card fees (CARD-19, CARD-18): the annual fee in advance, the replacement
// and early-termination fees, and the pro-rata refund at termination. Every
// charge is one ledger transfer between the card's account and the bank's
// fee account, with an id derived from the card and the period.

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/pricing"
)

// feeAccount is the bank's fee income in kroner.
var feeAccount = ledger.InternalAccountID(ledger.KindFees, "DKK")

// KeyReplacementFee is the price list's fee for a new card in place of a
// lost or damaged one.
const KeyReplacementFee = pricing.KeyCardReplacementFee

// AnnualFeeKey is the price list's key of a card type's annual fee: the
// type's own "card_annual_fee_<type>" when the price list has one, else
// Visa Debit's (CARD-1: the rules, and by default the fee, are the same
// for every type).
func AnnualFeeKey(t Type) string {
	if key := "card_annual_fee_" + string(t); t.Valid() {
		if _, ok := pricing.Lookup(key); ok {
			return key
		}
	}
	return pricing.KeyCardAnnualFeeVisaDebit
}

// price reads a fee in øre from the price list.
func (s *Service) price(ctx context.Context, key string) (int64, error) {
	p, err := s.cfg.Prices.Price(ctx, key)
	if err != nil {
		return 0, err
	}
	if p.Unit != pricing.UnitDKK || p.Amount < 0 {
		return 0, fmt.Errorf("card: price %s is %d %s, not kroner", key, p.Amount, p.Unit)
	}
	return p.Amount, nil
}

// ledgerOf is the ledger fees are booked in.
func (s *Service) ledgerOf() Ledger { return s.cfg.Ledger }

// feeRequest is the annual fee of c for the year starting at start: its id
// names the card and the year's first day, so the year is charged once.
func (s *Service) feeRequest(c Card, start time.Time, fee int64) ledger.TransferRequest {
	end := dayIn(start.AddDate(1, 0, 0)).AddDate(0, 0, -1) // the paid year's last day
	return ledger.TransferRequest{
		ID:              "card:" + c.ID + ":fee:" + start.In(copenhagen).Format("20060102"),
		DebitAccountID:  c.AccountID,
		CreditAccountID: feeAccount,
		Amount:          fee,
		Code:            "fee",
		Text:            fmt.Sprintf("Årligt kortgebyr %s %s %s-%s", c.Type.Danish(), c.Last4, danishDate(start), danishDate(end)),
	}
}

// undo gives a fee back that was charged for an action that then failed.
func undo(r ledger.TransferRequest) ledger.TransferRequest {
	text := "Tilbageført: " + r.Text
	if len([]rune(text)) > 140 {
		text = string([]rune(text)[:140])
	}
	return ledger.TransferRequest{ID: r.ID + ":undo", DebitAccountID: r.CreditAccountID, CreditAccountID: r.DebitAccountID,
		Amount: r.Amount, Code: "fee_refund", Text: text}
}

// ChargeAnnualFees charges the annual fee of every live card whose paid
// year has run out, a year in advance (CARD-19), and returns how many it
// charged. A card whose account cannot pay is tried again the next day; a
// card terminated by the start of its next year is not charged. The
// annual-fee job runs it daily; a second run charges nothing twice.
func (s *Service) ChargeAnnualFees(ctx context.Context) (int, error) {
	charged := 0
	seen := map[string]bool{}
	for {
		due, err := s.due(ctx, func(tx Tx) ([]Card, error) { return tx.FeeDue(ctx, s.now(), 200) })
		if err != nil {
			return charged, err
		}
		progress := false
		for _, c := range due {
			if seen[c.ID] {
				continue
			}
			seen[c.ID], progress = true, true
			ok, err := s.chargeAnnualFee(ctx, c)
			if err != nil {
				return charged, err
			}
			if ok {
				charged++
			}
		}
		if !progress || len(due) < 200 {
			return charged, nil
		}
	}
}

// chargeAnnualFee charges c's next year, which starts at its
// AnnualFeePaidUntil; ok is false when the account cannot pay it.
func (s *Service) chargeAnnualFee(ctx context.Context, c Card) (bool, error) {
	start := c.AnnualFeePaidUntil
	fee, err := s.price(ctx, AnnualFeeKey(c.Type))
	if err != nil {
		return false, err
	}
	if fee > 0 {
		_, err := s.ledgerOf().Transfer(ctx, s.feeRequest(c, start, fee))
		switch netbank.ErrorCodeOf(err) {
		case "":
		case netbank.EINSUFFICIENT:
			return false, nil
		default:
			return false, err
		}
	}
	err = s.store.Tx(ctx, func(tx Tx) error {
		cur, err := tx.Card(ctx, c.ID, true)
		if err != nil {
			return err
		}
		if !cur.AnnualFeePaidUntil.Equal(start) {
			return nil // another run got here first
		}
		cur.AnnualFee, cur.AnnualFeePaidUntil = fee, start.AddDate(1, 0, 0)
		if err := tx.UpdateCard(ctx, cur); err != nil {
			return err
		}
		return tx.Audit(ctx, s.now(), System.event(ActionFeeCharged, cur.ID, map[string]string{"fee": fmt.Sprint(fee),
			"from": danishDate(start)}))
	})
	return err == nil, err
}

// Refund is the part of a card's prepaid annual fee for the days of the
// paid year after the card ends at end (CARD-18: refunded pro rata), in
// whole øre, rounded down.
func Refund(c Card, end time.Time) int64 {
	if c.AnnualFee <= 0 || c.AnnualFeePaidUntil.IsZero() || !end.Before(c.AnnualFeePaidUntil) {
		return 0
	}
	start := c.AnnualFeePaidUntil.AddDate(-1, 0, 0)
	if end.Before(start) {
		end = start
	}
	// Whole Danish days: from the day the card ends to the day the paid
	// year ends, of the days in the paid year.
	days := func(from, to time.Time) int64 {
		return int64(math.Round(civilDay(to).Sub(civilDay(from)).Hours() / 24))
	}
	total, left := days(start, c.AnnualFeePaidUntil), days(end, c.AnnualFeePaidUntil)
	if total <= 0 || left <= 0 {
		return 0
	}
	return c.AnnualFee * left / total
}

// civilDay is t's Danish date at midnight UTC (for counting days).
func civilDay(t time.Time) time.Time {
	y, m, d := t.In(copenhagen).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// refundRequest is the pro-rata refund of a terminated card.
func refundRequest(c Card, amount int64) ledger.TransferRequest {
	return ledger.TransferRequest{ID: "card:" + c.ID + ":refund", DebitAccountID: feeAccount, CreditAccountID: c.AccountID,
		Amount: amount, Code: "fee_refund", Text: "Tilbagebetalt kortgebyr " + c.Type.Danish() + " " + c.Last4}
}

// AnnualFee is the annual fee of a card type on the price list now, in øre.
func (s *Service) AnnualFee(ctx context.Context, t Type) (int64, error) {
	return s.price(ctx, AnnualFeeKey(t))
}

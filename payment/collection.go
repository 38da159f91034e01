package payment

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/calendar"
)

// Betalingsservice is a collection (direct debit) a creditor announced
// through Betalingsservice and the bank pays on the customer's standing
// agreement (package agreement, RULE PAY-8). It needs no signature: the
// signed agreement is the mandate. It goes to the creditor's bank in the
// night's sum clearing, like a payment slip.
const Betalingsservice Kind = "betalingsservice"

// collector is who a collection is created by (Payment.CreatedBy): the
// bank itself, not a user.
const collector = "betalingsservice"

// CollectionRequest is a Betalingsservice collection to pay from one of
// the customer's accounts.
type CollectionRequest struct {
	CustomerID string
	// FromAccount is the id of the customer's account named in the agreement.
	FromAccount string
	// CreditorNumber is the creditor's 8-digit PBS number; CreditorName is
	// shown to the customer and becomes the payee's name.
	CreditorNumber string
	CreditorName   string
	// Amount in øre.
	Amount int64
	// Text is the text on the customer's statement; it is cut to
	// MaxTextToSelf characters (empty: the creditor's name).
	Text string
	// Reference is the idempotency key (the payment's client id, unique per
	// customer): collecting the same reference again returns the first
	// payment (1–64 of A–Z a–z 0–9 . _ : -).
	Reference string
	// Date is the due date. The payment is executed on it, or at once if it
	// has already come (a run caught up after downtime).
	Date time.Time
}

// sumCleared reports whether payments of kind k settle in the night's sum
// clearing (payment slips and Betalingsservice) rather than intraday.
func sumCleared(k Kind) bool { return k == SlipPayment || k == Betalingsservice }

// ledgerCode is the code of a payment's debit on the payer's account.
func ledgerCode(k Kind) string {
	switch k {
	case SlipPayment:
		return "slip"
	case Betalingsservice:
		return "betalingsservice"
	}
	return "payment"
}

// cut shortens s to at most n characters.
func cut(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n]))
}

// Collect creates and executes a Betalingsservice payment (kind
// Betalingsservice) for a collection the bank pays under a standing
// agreement (RULE PAY-8): no signature and no four-eyes approval, since the
// agreement is the mandate. A collection due today (or earlier) is
// executed at once: debited to the interbank clearing account and settled
// in the sum clearing, or rejected without any ledger effect when the
// account cannot cover it — the customer is then told through
// Config.Notify, as for any rejected payment. A later due date is executed
// by the "payments-due" job on that date.
//
// Collect is idempotent by Reference: the same reference with the same
// content returns the payment as it now stands (executing it if an earlier
// attempt stopped half-way), with other content it is ECONFLICT. Only the
// bank's own jobs call it; the caller checks the agreement.
func (s *Service) Collect(ctx context.Context, r CollectionRequest) (Payment, error) {
	if r.CustomerID == "" {
		return Payment{}, invalid("Kunden mangler.")
	}
	if err := validClientID(r.Reference); err != nil {
		return Payment{}, err
	}
	if r.Amount <= 0 || r.Amount > MaxAmount {
		return Payment{}, invalid("Beløbet skal være mellem 0,01 kr. og %s.", kroner(MaxAmount))
	}
	creditor := strings.Join(strings.Fields(r.CreditorNumber), "")
	if len(creditor) != 8 || strings.Trim(creditor, "0123456789") != "" {
		return Payment{}, invalid("PBS-nummeret skal være 8 cifre.")
	}
	if r.Date.IsZero() {
		return Payment{}, invalid("Forfaldsdatoen mangler.")
	}
	name, err := checkText("Kreditors navn", cut(r.CreditorName, MaxName), MaxName)
	if err != nil {
		return Payment{}, err
	}
	text := r.Text
	if strings.TrimSpace(text) == "" {
		text = name
	}
	self, err := checkText("Tekst på egen konto", cut(text, MaxTextToSelf), MaxTextToSelf)
	if err != nil {
		return Payment{}, err
	}
	// The account must be the customer's and in kroner; whether it is
	// still open is checked at execution (a closed account rejects the
	// payment, and the customer is told).
	from, err := s.accounts.Get(ctx, r.CustomerID, r.FromAccount)
	if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
		return Payment{}, invalid("Kontoen i aftalen findes ikke.")
	}
	if err != nil {
		return Payment{}, err
	}
	if from.Account.Currency != "DKK" {
		return Payment{}, invalid("Betalingsservice betales kun fra en konto i kroner.")
	}

	now := s.now()
	today := calendar.Day(now)
	p := Payment{CustomerID: r.CustomerID, ClientID: r.Reference, CreatedBy: collector, Kind: Betalingsservice,
		FromAccount: from.Account.ID, ToAccount: creditor, ToName: name, Amount: r.Amount, Currency: "DKK",
		TextToSelf: self, RequestedDate: civil(r.Date), Status: Scheduled, ConfirmedAt: now}
	p.ExecutionDate = p.RequestedDate
	if p.ExecutionDate.Before(today) {
		p.ExecutionDate = today
	}
	p.RequestHash = requestHash(p, p.RequestedDate.Format(time.DateOnly))
	err = s.store.Tx(ctx, func(tx Tx) error {
		old, err := tx.ByClientID(ctx, r.CustomerID, r.Reference)
		if err == nil {
			if old.RequestHash != p.RequestHash || old.Kind != Betalingsservice {
				return netbank.Errorf(netbank.ECONFLICT, "Betalingen %s findes allerede med et andet indhold.", r.Reference)
			}
			p = old
			return nil
		}
		if netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			return err
		}
		p.ID = newID("pay")
		p.CreatedAt = now
		return tx.Insert(ctx, p)
	})
	if err != nil {
		return Payment{}, err
	}
	if p.Status == Scheduled || p.Status == Executing {
		// Due: execute (or take over a lapsed execution); not yet due or
		// held by another execution: returned as it stands.
		return s.execute(ctx, p.ID)
	}
	return p, nil
}

package payment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/pricing"
)

// IncomingStatus is where an incoming payment stands.
type IncomingStatus string

// The states of an incoming payment.
const (
	// Received: recorded, not yet booked (a crash in between is finished
	// by receiving it again).
	Received IncomingStatus = "received"
	// Booked to the payee's account.
	Booked IncomingStatus = "booked"
	// Returned to the sending bank: the account does not exist here (or
	// cannot take the payment). Nothing is booked.
	Returned IncomingStatus = "returned"
)

// Incoming is a payment from another bank, Danish or SWIFT.
type Incoming struct {
	ID string // "inc_…"
	// Source is the sending bank: its registration number (Danish) or its
	// BIC (SWIFT). Reference is the sender's reference, unique per source.
	Source      string
	Reference   string
	RequestHash string
	SWIFT       bool
	FromName    string
	FromAccount string
	// ToReg and ToAccount (10 digits) name the payee's account; ToIBAN as
	// sent, if it came as an IBAN.
	ToReg     string
	ToAccount string
	ToIBAN    string
	// Amount and Currency are what was booked to the account: the kroner
	// of a payment converted from another currency.
	Amount   int64
	Currency string
	// A SWIFT payment converted from another currency (PAY-7): the amount
	// and currency the sending bank sent (OriginalAmount in its minor
	// units), the bank's buying rate it was converted at (Rate, the
	// margin included), the reference rate and the margin; Rate and
	// ReferenceRate in pricing.RateScale units (kroner per 100). All zero
	// for a payment that was not converted.
	OriginalAmount   int64
	OriginalCurrency string
	Rate             int64
	ReferenceRate    int64
	MarginBP         int
	Text             string
	Status           IncomingStatus
	// AccountID and CustomerID are the payee's, once known.
	AccountID  string
	CustomerID string
	// Reason tells why a payment was returned.
	Reason     string
	ReceivedAt time.Time
	BookedAt   time.Time
}

// Money returns the amount booked with its currency.
func (in Incoming) Money() netbank.Money { return netbank.NewMoney(in.Amount, in.Currency) }

// Converted reports whether the payment came in another currency and was
// converted into kroner.
func (in Incoming) Converted() bool { return in.OriginalCurrency != "" }

// Sent returns the amount as the sending bank sent it: the original amount
// of a converted payment, else the amount booked.
func (in Incoming) Sent() netbank.Money {
	if in.Converted() {
		return netbank.NewMoney(in.OriginalAmount, in.OriginalCurrency)
	}
	return in.Money()
}

// Buyer converts incoming payments in a foreign currency into kroner: the
// bank buys the currency from the customer. *pricing.Service implements it.
type Buyer interface {
	// QuoteBuy prices amount (minor units of currency) at the bank's
	// buying rate (the reference rate less the margin), with the fee of
	// the price key feeKey ("" for none) deducted.
	QuoteBuy(ctx context.Context, currency string, amount int64, feeKey string) (pricing.Quote, error)
}

// IncomingRequest is a payment another bank sends (through the API).
type IncomingRequest struct {
	// Reference is the sender's reference: receiving the same reference
	// from the same bank again is a retry (1–64 of A–Z a–z 0–9 . _ : -).
	Reference string
	// FromBank is the sending bank's registration number, or its BIC for
	// SWIFT payments.
	FromBank    string
	FromName    string
	FromAccount string
	// The payee: ToIBAN, or ToReg + ToAccount.
	ToReg     string
	ToAccount string
	ToIBAN    string
	// Amount is in øre: Currency is "" or DKK (the currency the bank
	// settles Danish payments in).
	Amount   int64
	Currency string
	// A SWIFT payment in another currency gives OriginalCurrency (ISO
	// 4217) and OriginalAmount (its minor units) instead of Amount: the
	// bank converts it into kroner at its buying rate (Config.Buyer), or
	// books it as it is to an account in that currency.
	OriginalCurrency string
	OriginalAmount   int64
	Text             string
	SWIFT            bool
}

// MaxIncomingText bounds the sender's text (a SWIFT remittance field is 140).
const MaxIncomingText = 140

// incomingHash fingerprints what the sender sent (never what the bank made
// of it: a retry after the rate changed is still the same payment).
func incomingHash(in Incoming) string {
	h := sha256.New()
	fields := []string{strconv.FormatBool(in.SWIFT), in.FromName, in.FromAccount, in.ToReg, in.ToAccount, in.ToIBAN,
		strconv.FormatInt(in.Amount, 10), in.Currency, in.Text}
	if in.OriginalCurrency != "" {
		fields = append(fields, in.OriginalCurrency, strconv.FormatInt(in.OriginalAmount, 10))
	}
	for _, f := range fields {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Receive books a payment from another bank to the payee's account here
// (settlement account → the account, code "incoming" or "swift"), or
// returns it when the account does not exist in this bank (status
// Returned, nothing booked). Receiving the same reference from the same
// bank again returns the first result; with other content it is ECONFLICT.
//
// A SWIFT payment in another currency (OriginalCurrency, OriginalAmount)
// is converted into kroner at the bank's buying rate of the moment it
// arrives (Config.Buyer: the reference rate less the margin fx_margin_bp)
// and the kroner are booked; the record keeps the amount and currency
// sent, the rate and the kroner (PAY-7). Its ledger transaction is linked:
// the currency from the bank's correspondent account into its currency
// position ("<id>:fx"), the kroner from the kroner position to the
// account ("<id>:credit"). An account in that same currency gets the
// amount as it is. A currency the bank does not trade (no rate, or no
// Buyer) is returned to the sender; a stale rate is EUNAVAILABLE, so the
// sender tries again later, and the retry converts at the rate of then.
func (s *Service) Receive(ctx context.Context, r IncomingRequest) (Incoming, error) {
	in := Incoming{Reference: strings.TrimSpace(r.Reference), SWIFT: r.SWIFT, Amount: r.Amount,
		Currency: strings.ToUpper(strings.TrimSpace(r.Currency)), Status: Received}
	if err := validClientID(in.Reference); err != nil {
		return Incoming{}, invalid("Afsenderens reference skal være 1-64 tegn (bogstaver, cifre og . _ : -).")
	}
	if r.SWIFT {
		if err := dk.ValidateBIC(r.FromBank); err != nil {
			return Incoming{}, err
		}
		in.Source = strings.ToUpper(strings.Join(strings.Fields(r.FromBank), ""))
	} else {
		if err := dk.ValidReg(r.FromBank); err != nil {
			return Incoming{}, err
		}
		in.Source = strings.TrimSpace(r.FromBank)
	}
	if in.Currency == "" {
		in.Currency = "DKK"
	}
	if err := incomingAmount(&in, r); err != nil {
		return Incoming{}, err
	}
	var err error
	if in.FromName, err = checkText("Afsenders navn", r.FromName, MaxName); err != nil {
		return Incoming{}, err
	}
	if in.FromAccount, err = checkText("Afsenders konto", r.FromAccount, 64); err != nil {
		return Incoming{}, err
	}
	if in.Text, err = checkText("Teksten", r.Text, MaxIncomingText); err != nil {
		return Incoming{}, err
	}
	if strings.TrimSpace(r.ToIBAN) != "" {
		in.ToIBAN = dk.NormalizeIBAN(r.ToIBAN)
		reg, number, err := dk.SplitDanishIBAN(in.ToIBAN)
		if err != nil {
			return Incoming{}, err
		}
		in.ToReg = reg
		if in.ToAccount, err = normalizeAccountNumber(number); err != nil {
			return Incoming{}, err
		}
	} else {
		if err := dk.ValidReg(r.ToReg); err != nil {
			return Incoming{}, err
		}
		in.ToReg = strings.TrimSpace(r.ToReg)
		if in.ToAccount, err = normalizeAccountNumber(r.ToAccount); err != nil {
			return Incoming{}, err
		}
	}
	in.RequestHash = incomingHash(in)

	// A retry is answered from the record, whatever the rate is now.
	var old Incoming
	err = s.store.Tx(ctx, func(tx Tx) error {
		var err error
		old, err = tx.IncomingByReference(ctx, in.Source, in.Reference, false)
		return err
	})
	switch {
	case err == nil:
		return s.receiveAgain(ctx, in, old)
	case netbank.ErrorCodeOf(err) != netbank.ENOTFOUND:
		return Incoming{}, err
	}

	// Where it goes, or why it goes back.
	if in.ToReg != s.cfg.Reg {
		in.Status, in.Reason = Returned, "Registreringsnummeret "+in.ToReg+" hører ikke til banken."
	} else {
		a, err := s.accounts.Lookup(ctx, in.ToReg, in.ToAccount)
		switch {
		case netbank.ErrorCodeOf(err) == netbank.ENOTFOUND:
			in.Status, in.Reason = Returned, "Kontoen findes ikke."
		case err != nil:
			return Incoming{}, err
		case !a.ClosedAt.IsZero():
			in.Status, in.Reason = Returned, "Kontoen er lukket."
		case in.OriginalCurrency != "" && a.Currency == in.OriginalCurrency:
			// An account in the payment's own currency takes it as it is.
			in.Amount, in.Currency, in.OriginalAmount, in.OriginalCurrency = in.OriginalAmount, in.OriginalCurrency, 0, ""
			in.AccountID, in.CustomerID = a.ID, a.CustomerID
		case a.Currency != in.Currency:
			in.Status, in.Reason = Returned, "Kontoen er ikke i "+in.Currency+"."
			if in.OriginalCurrency != "" {
				in.Reason = "Kontoen er i " + a.Currency + " og kan ikke modtage en betaling i " + in.OriginalCurrency + "."
			}
		default:
			in.AccountID, in.CustomerID = a.ID, a.CustomerID
		}
	}
	if in.Status == Received && in.OriginalCurrency != "" {
		if err := s.convertIncoming(ctx, &in); err != nil {
			return Incoming{}, err
		}
	}
	if in.Status == Returned && in.OriginalCurrency != "" {
		// Not converted: the record keeps the amount as it was sent.
		in.Amount, in.Currency, in.OriginalAmount, in.OriginalCurrency = in.OriginalAmount, in.OriginalCurrency, 0, ""
	}

	err = s.store.Tx(ctx, func(tx Tx) error {
		old, err := tx.IncomingByReference(ctx, in.Source, in.Reference, true)
		if err == nil {
			if old.RequestHash != in.RequestHash {
				return errIncomingConflict(in)
			}
			in = old
			return nil
		}
		if netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			return err
		}
		in.ID = newID("inc")
		in.ReceivedAt = s.now()
		return tx.InsertIncoming(ctx, in)
	})
	if err != nil || in.Status != Received {
		return in, err
	}
	return s.book(ctx, in)
}

// errIncomingConflict refuses a reference used before for another payment.
func errIncomingConflict(in Incoming) error {
	return netbank.Errorf(netbank.ECONFLICT, "Referencen %s fra %s er allerede brugt til en anden betaling.", in.Reference, in.Source)
}

// receiveAgain answers a payment received before (old) with the same
// reference: the same payment is the first result (a booking that did not
// finish is finished now), other content is ECONFLICT.
func (s *Service) receiveAgain(ctx context.Context, in, old Incoming) (Incoming, error) {
	if old.RequestHash != in.RequestHash {
		return Incoming{}, errIncomingConflict(in)
	}
	if old.Status != Received {
		return old, nil
	}
	return s.book(ctx, old)
}

// incomingAmount checks the amount of an incoming payment: kroner in
// Amount, or a SWIFT payment's amount in another currency in
// OriginalAmount and OriginalCurrency.
func incomingAmount(in *Incoming, r IncomingRequest) error {
	orig := strings.ToUpper(strings.TrimSpace(r.OriginalCurrency))
	if orig == "" && r.OriginalAmount == 0 {
		if in.Currency != "DKK" {
			return invalid("Beløbet skal være i DKK; en SWIFT-betaling i %s angives med det oprindelige beløb og dets valuta.", in.Currency)
		}
		if in.Amount <= 0 || in.Amount > MaxAmount {
			return invalid("Beløbet skal være mellem 0,01 kr. og %s.", kroner(MaxAmount))
		}
		return nil
	}
	switch {
	case !r.SWIFT:
		return invalid("Kun SWIFT-betalinger kan være i en anden valuta end kroner.")
	case orig == "":
		return invalid("Valutaen for det oprindelige beløb mangler.")
	case in.Amount != 0 || in.Currency != "DKK":
		return invalid("Send enten et beløb i kroner eller det oprindelige beløb og dets valuta; banken omregner selv.")
	}
	cur, err := netbank.LookupCurrency(orig)
	if err != nil {
		return err
	}
	if cur.Code == "DKK" {
		return invalid("Et beløb i kroner sendes som beløbet, ikke som oprindeligt beløb.")
	}
	if r.OriginalAmount <= 0 || r.OriginalAmount > MaxAmount {
		return invalid("Beløbet skal være mellem %s og %s.", netbank.NewMoney(1, cur.Code), netbank.NewMoney(MaxAmount, cur.Code))
	}
	in.OriginalCurrency, in.OriginalAmount = cur.Code, r.OriginalAmount
	return nil
}

// convertIncoming converts a SWIFT payment in another currency into kroner
// at the bank's buying rate of now. A currency the bank does not trade
// returns the payment.
func (s *Service) convertIncoming(ctx context.Context, in *Incoming) error {
	notTraded := func() {
		in.Status, in.Reason = Returned, "Banken modtager ikke betalinger i "+in.OriginalCurrency+"."
		in.AccountID, in.CustomerID = "", ""
	}
	if s.cfg.Buyer == nil {
		notTraded()
		return nil
	}
	q, err := s.cfg.Buyer.QuoteBuy(ctx, in.OriginalCurrency, in.OriginalAmount, "")
	switch netbank.ErrorCodeOf(err) {
	case "":
	case netbank.ENOTFOUND:
		notTraded()
		return nil
	default:
		return err
	}
	if q.Currency != in.OriginalCurrency || q.Amount != in.OriginalAmount || q.CustomerRate <= 0 {
		return netbank.Errorf(netbank.EINTERNAL, "payment: buying quote %+v for %s %d", q, in.OriginalCurrency, in.OriginalAmount)
	}
	if q.Total <= 0 {
		return invalid("Beløbet %s er for lille til at blive omregnet til kroner.", in.Sent())
	}
	if q.Total > MaxAmount {
		return invalid("Beløbet må højst svare til %s.", kroner(MaxAmount))
	}
	in.Amount, in.Currency = q.Total, "DKK"
	in.Rate, in.ReferenceRate, in.MarginBP = q.CustomerRate, q.ReferenceRate, q.MarginBP
	return nil
}

// book writes a received payment's ledger transaction and marks it booked.
// The transfer ids derive from the payment's id, so booking again (a
// retry after a crash) books nothing more.
func (s *Service) book(ctx context.Context, in Incoming) (Incoming, error) {
	code := "incoming"
	if in.SWIFT {
		code = "swift"
	}
	text := in.Text
	if text == "" {
		text = in.FromName
	}
	if text == "" {
		text = "Indbetaling"
	}
	var booked time.Time
	settlement := ledger.InternalAccountID(ledger.KindSettlement, in.Currency)
	if in.Currency != "DKK" || in.Converted() {
		cur := in.Currency
		if in.Converted() {
			cur = in.OriginalCurrency
		}
		ok, err := s.fxAccounts(ctx, cur)
		if err == nil && !ok {
			err = s.ledger.EnsureInternalAccounts(ctx, cur)
		}
		if err != nil {
			return in, err
		}
	}
	if in.Converted() {
		ts, err := s.ledger.TransferLinked(ctx, []ledger.TransferRequest{
			{ID: in.ID + ":fx", DebitAccountID: ledger.InternalAccountID(ledger.KindSettlement, in.OriginalCurrency),
				CreditAccountID: ledger.InternalAccountID(ledger.KindFXPosition, in.OriginalCurrency), Amount: in.OriginalAmount,
				Code: code, Text: "SWIFT " + in.ID},
			{ID: in.ID + ":credit", DebitAccountID: ledger.InternalAccountID(ledger.KindFXPosition, "DKK"), CreditAccountID: in.AccountID,
				Amount: in.Amount, Code: code, Text: text},
		})
		if err != nil {
			return in, err // stays received; receiving it again finishes it
		}
		booked = ts[1].CreatedAt
	} else {
		t, err := s.ledger.Transfer(ctx, ledger.TransferRequest{ID: in.ID + ":credit", DebitAccountID: settlement,
			CreditAccountID: in.AccountID, Amount: in.Amount, Code: code, Text: text})
		if err != nil {
			return in, err // stays received; receiving it again finishes it
		}
		booked = t.CreatedAt
	}
	err := s.store.Tx(ctx, func(tx Tx) error {
		cur, err := tx.IncomingByReference(ctx, in.Source, in.Reference, true)
		if err != nil {
			return err
		}
		if cur.Status == Received {
			cur.Status, cur.BookedAt = Booked, booked
			if err := tx.UpdateIncoming(ctx, cur); err != nil {
				return err
			}
		}
		in = cur
		return nil
	})
	return in, err
}

// IncomingQuery selects the incoming payments booked to a customer's
// accounts (PAY-7).
type IncomingQuery struct {
	// SWIFTOnly keeps payments that came through SWIFT.
	SWIFTOnly bool
	// AccountID keeps payments to this account (empty: any of the customer's).
	AccountID string
	// From and To bound when it was booked: [From, To) (zero: open).
	From, To time.Time
	// MinAmount and MaxAmount bound the amount, inclusive (0: open).
	MinAmount, MaxAmount int64
	// The cursor: booked before BeforeBooked, or at the same time with a
	// smaller id.
	BeforeBooked time.Time
	BeforeID     string
	Limit        int
}

// IncomingFilter is a search of incoming payments.
type IncomingFilter struct {
	IncomingQuery
	// Text keeps payments whose text, sender name or sender account
	// contains it, ignoring case.
	Text string
}

// SearchIncoming lists the incoming payments booked to the customer's
// accounts that match f, newest first (PAY-7: search of incoming SWIFT
// payments with SWIFTOnly).
func (s *Service) SearchIncoming(ctx context.Context, customerID string, f IncomingFilter) ([]Incoming, error) {
	if f.Limit <= 0 || f.Limit > MaxPage {
		f.Limit = MaxPage
	}
	if utf8.RuneCountInString(f.Text) > MaxIncomingText {
		return nil, invalid("Søgeteksten er for lang.")
	}
	text := strings.ToLower(strings.TrimSpace(f.Text))
	want := f.Limit
	q := f.IncomingQuery
	q.Limit = MaxPage
	var out []Incoming
	for {
		page, err := s.store.Incoming(ctx, customerID, q)
		if err != nil {
			return nil, err
		}
		for _, in := range page {
			if text == "" || strings.Contains(strings.ToLower(in.Text), text) || strings.Contains(strings.ToLower(in.FromName), text) ||
				strings.Contains(strings.ToLower(in.FromAccount), text) {
				out = append(out, in)
				if len(out) == want {
					return out, nil
				}
			}
		}
		if len(page) < q.Limit {
			return out, nil
		}
		last := page[len(page)-1]
		q.BeforeBooked, q.BeforeID = last.BookedAt, last.ID
	}
}

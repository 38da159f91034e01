package agreement

// Electronic payment slips (elektronisk indbetalingskort, RULE PAY-8).
//
// A bill moves
//
//	pending → approved   (the customer signed the slip payment it became)
//	        ↘ rejected   (the customer said no, with a reason if they liked)
//
// Approving makes a slip payment awaiting signature (payment.Create) and
// links it to the bill (ApprovedPayment); the bill stays under "Ikke
// godkendte" until that payment is signed. The bill learns of the signature
// when it is next read (sync): a payment that is no longer awaiting its
// signature approved the bill; one that was deleted (or lapsed unsigned)
// before that leaves the bill pending, to approve again.

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/calendar"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/payment"
)

// InvoiceStatus is where a bill stands.
type InvoiceStatus string

// The states of a bill.
const (
	// InvoicePending: received, not yet approved ("Ikke godkendt").
	InvoicePending InvoiceStatus = "pending"
	// InvoiceApproved: the customer signed its payment.
	InvoiceApproved InvoiceStatus = "approved"
	// InvoiceRejected: the customer rejected it.
	InvoiceRejected InvoiceStatus = "rejected"
)

// Danish names the status for pages.
func (s InvoiceStatus) Danish() string {
	switch s {
	case InvoicePending:
		return "Ikke godkendt"
	case InvoiceApproved:
		return "Godkendt"
	case InvoiceRejected:
		return "Afvist"
	}
	return string(s)
}

// Invoice is a bill (an electronic payment slip) a creditor sent under an
// e-invoice agreement. SendInvoice reads only the fields the creditor
// gives (see there); the bank fills in the rest.
type Invoice struct {
	ID          string // "inv_…"
	AgreementID string
	CustomerID  string
	// CreditorNumber is the FI creditor number (8 digits starting with 8),
	// CustomerNumber the customer's number with the creditor.
	CreditorNumber string
	CustomerNumber string
	CreditorName   string
	// AccountID is the agreement's account, offered to pay from.
	AccountID string
	// SlipType is the card type "71", "73" or "75"; PaymentID the payment
	// id printed on the slip (15 digits for +71, 16 for +75, none for +73).
	SlipType  string
	PaymentID string
	Amount    int64 // øre
	Currency  string
	// DueDate is the bank day the creditor asks to be paid on (moved to
	// the next bank day if it was not one, RULE CAL-1).
	DueDate time.Time
	Text    string
	// Reference is the creditor's reference, unique per creditor (the
	// idempotency key of SendInvoice); RequestHash fingerprints the content.
	Reference   string
	RequestHash string
	Status      InvoiceStatus
	// ApprovedPayment is the payment (payment.Payment id) the customer made
	// of the bill.
	ApprovedPayment string
	// Reason is the customer's reason for rejecting it.
	Reason     string
	ReceivedAt time.Time
	DecidedAt  time.Time
	DecidedBy  string
}

// Money returns the amount with its currency.
func (inv Invoice) Money() netbank.Money { return netbank.NewMoney(inv.Amount, inv.Currency) }

// Creditor names the creditor for pages: its name, or its number.
func (inv Invoice) Creditor() string {
	if inv.CreditorName != "" {
		return inv.CreditorName
	}
	return "Kreditor " + inv.CreditorNumber
}

// Slip is the bill's payment slip.
func (inv Invoice) Slip() dk.Slip {
	return dk.Slip{Type: inv.SlipType, PaymentID: inv.PaymentID, Creditor: inv.CreditorNumber}
}

// SendInvoice records a bill a creditor sends under a customer's active
// e-invoice agreement (RULE PAY-8). It reads CreditorNumber (the FI
// creditor number the API authenticated), CustomerNumber, SlipType ("71",
// "73" or "75", with or without "+"), PaymentID (validated with its check
// digit, PAY-4), Amount, DueDate (today or later; a non-bank day moves to
// the next bank day, CAL-1), Text (at most MaxText characters),
// CreditorName (optional; the agreement's name otherwise) and Reference
// (the creditor's idempotency key). No active agreement is ENOTFOUND
// ("Ingen aftale …"). Sending the same reference again with the same
// content returns the bill as it now stands; other content is ECONFLICT.
func (s *Service) SendInvoice(ctx context.Context, in Invoice) (Invoice, error) {
	inv := Invoice{Currency: "DKK", Status: InvoicePending}
	var err error
	if inv.CreditorNumber, err = normalizeFI(in.CreditorNumber); err != nil {
		return Invoice{}, err
	}
	if inv.CustomerNumber, err = normalizeCustomerNumber(in.CustomerNumber); err != nil {
		return Invoice{}, err
	}
	inv.SlipType = strings.TrimPrefix(strings.TrimSpace(in.SlipType), "+")
	if inv.SlipType != "71" && inv.SlipType != "73" && inv.SlipType != "75" {
		return Invoice{}, invalid("Et elektronisk indbetalingskort skal være kortart +71, +73 eller +75.")
	}
	if err := dk.ValidatePaymentID(inv.SlipType, in.PaymentID); err != nil {
		return Invoice{}, err
	}
	inv.PaymentID, _ = digits(in.PaymentID)
	if err := validKey("Kreditors reference", in.Reference); err != nil {
		return Invoice{}, err
	}
	inv.Reference = in.Reference
	if in.Amount <= 0 || in.Amount > payment.MaxAmount {
		return Invoice{}, invalid("Beløbet skal være mellem 0,01 kr. og %s.", kroner(payment.MaxAmount))
	}
	inv.Amount = in.Amount
	if inv.Text, err = checkText("Teksten", in.Text, MaxText); err != nil {
		return Invoice{}, err
	}
	if inv.CreditorName, err = checkText("Kreditors navn", in.CreditorName, MaxName); err != nil {
		return Invoice{}, err
	}
	if in.DueDate.IsZero() {
		return Invoice{}, invalid("Forfaldsdatoen mangler.")
	}
	now := s.now()
	today := calendar.Day(now)
	requested := civil(in.DueDate)
	// The date rules depend on today: they apply to a new bill only (a
	// retry of one accepted earlier returns it, also later).
	var dateErr error
	switch {
	case requested.Before(today):
		dateErr = invalid("Forfaldsdatoen %s er overskredet.", danishDate(requested))
	case requested.After(today.AddDate(0, 0, s.cfg.MaxDaysAhead)):
		dateErr = invalid("Forfaldsdatoen må højst ligge %d dage frem.", s.cfg.MaxDaysAhead)
	}
	inv.DueDate = calendar.OnOrAfter(requested)
	inv.RequestHash = hash(inv.CustomerNumber, inv.SlipType, inv.PaymentID, strconv.FormatInt(inv.Amount, 10),
		requested.Format(time.DateOnly), inv.Text, inv.CreditorName)

	err = s.store.Tx(ctx, func(tx Tx) error {
		old, err := tx.InvoiceByReference(ctx, inv.CreditorNumber, inv.Reference, true)
		if err == nil {
			if old.RequestHash != inv.RequestHash {
				return netbank.Errorf(netbank.ECONFLICT, "Referencen %s er allerede brugt til en anden regning.", inv.Reference)
			}
			inv = old
			return nil
		}
		if netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			return err
		}
		if dateErr != nil {
			return dateErr
		}
		a, err := tx.ActiveAgreement(ctx, EInvoice, inv.CreditorNumber, "", inv.CustomerNumber)
		if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
			return netbank.Errorf(netbank.ENOTFOUND, "Ingen aftale om elektronisk indbetalingskort med kundenummer %s.", inv.CustomerNumber)
		}
		if err != nil {
			return err
		}
		if inv.CreditorName == "" {
			inv.CreditorName = a.CreditorName
		} else if a.CreditorName == "" {
			// The agreement learns the creditor's name from its first bill.
			a.CreditorName = inv.CreditorName
			if err := tx.UpdateAgreement(ctx, a); err != nil {
				return err
			}
		}
		inv.ID, inv.AgreementID, inv.CustomerID, inv.AccountID, inv.ReceivedAt = newID("inv"), a.ID, a.CustomerID, a.AccountID, now
		return tx.InsertInvoice(ctx, inv)
	})
	if err != nil {
		return Invoice{}, err
	}
	return inv, nil
}

// CreditorInvoice returns a bill by the creditor's reference, for the
// creditor (creditor is the authenticated FI creditor number) to follow it.
func (s *Service) CreditorInvoice(ctx context.Context, creditor, reference string) (Invoice, error) {
	creditor, err := normalizeFI(creditor)
	if err != nil {
		return Invoice{}, err
	}
	var inv Invoice
	err = s.store.Tx(ctx, func(tx Tx) error {
		var err error
		inv, err = tx.InvoiceByReference(ctx, creditor, reference, false)
		return err
	})
	if err != nil {
		return Invoice{}, notFound(err, invoiceNotFound)
	}
	return s.sync(ctx, inv)
}

// sync brings a pending bill up to date with the payment made of it (see
// the state diagram above).
func (s *Service) sync(ctx context.Context, inv Invoice) (Invoice, error) {
	if inv.Status != InvoicePending || inv.ApprovedPayment == "" {
		return inv, nil
	}
	p, err := s.payments.Get(ctx, inv.CustomerID, inv.ApprovedPayment)
	if err != nil {
		return inv, err
	}
	if p.Status == payment.AwaitingSignature {
		return inv, nil
	}
	err = s.store.Tx(ctx, func(tx Tx) error {
		var err error
		if inv, err = tx.Invoice(ctx, inv.CustomerID, inv.ID, true); err != nil {
			return err
		}
		if inv.Status != InvoicePending || inv.ApprovedPayment != p.ID {
			return nil
		}
		if p.Status == payment.Cancelled {
			inv.ApprovedPayment = "" // deleted, or lapsed unsigned: approve again
		} else {
			inv.Status, inv.DecidedAt, inv.DecidedBy = InvoiceApproved, p.ConfirmedAt, p.SignedBy
		}
		return tx.UpdateInvoice(ctx, inv)
	})
	return inv, err
}

// Invoices lists the customer's bills not yet approved ("Ikke godkendte"),
// by due date.
func (s *Service) Invoices(ctx context.Context, customerID string) ([]Invoice, error) {
	list, err := s.store.Invoices(ctx, customerID, []InvoiceStatus{InvoicePending})
	if err != nil {
		return nil, err
	}
	out := list[:0]
	for _, inv := range list {
		if inv, err = s.sync(ctx, inv); err != nil {
			return nil, err
		}
		if inv.Status == InvoicePending {
			out = append(out, inv)
		}
	}
	return out, nil
}

// Invoice returns one of the customer's bills.
func (s *Service) Invoice(ctx context.Context, customerID, id string) (Invoice, error) {
	var inv Invoice
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		inv, err = tx.Invoice(ctx, customerID, id, false)
		return err
	})
	if err != nil {
		return Invoice{}, notFound(err, invoiceNotFound)
	}
	return s.sync(ctx, inv)
}

// InvoiceApproval is the customer's approval of a bill.
type InvoiceApproval struct {
	CustomerID string
	UserID     string
	InvoiceID  string
	// ClientID is the idempotency key of the approval form (it becomes the
	// payment's client id).
	ClientID string
	// FromAccount is one of the customer's accounts; empty: the agreement's.
	FromAccount string
	// Amount in øre; 0: the billed amount.
	Amount int64
	// Date is the payment date: today or a later bank day (RULE CAL-1);
	// zero: the due date, or today if it has passed.
	Date time.Time
}

// ApproveInvoice makes a payment of a pending bill (RULE PAY-8): a slip
// payment (+71/+73/+75 with the bill's payment id and creditor) through
// payment.Create, with the amount and date the customer chose, awaiting
// signature — the caller shows payment.Document and confirms the payment
// as for any slip (PAY-4, SIGN-2). The bill is approved once that payment
// is signed. Approving again with another form replaces the earlier
// unsigned payment. A bill already approved or rejected is ECONFLICT; a
// date in the past or a future date that is not a bank day is EINVALID.
func (s *Service) ApproveInvoice(ctx context.Context, r InvoiceApproval) (payment.Payment, error) {
	inv, err := s.Invoice(ctx, r.CustomerID, r.InvoiceID)
	if err != nil {
		return payment.Payment{}, err
	}
	if inv.Status != InvoicePending {
		return payment.Payment{}, netbank.Errorf(netbank.ECONFLICT, "Regningen er allerede %s.", strings.ToLower(inv.Status.Danish()))
	}
	today := calendar.Day(s.now())
	date := inv.DueDate
	if !r.Date.IsZero() {
		date = civil(r.Date)
		switch {
		case date.Before(today):
			return payment.Payment{}, invalid("Datoen %s er overskredet. Vælg dags dato eller en senere bankdag.", danishDate(date))
		case date.After(today) && !calendar.IsBankDay(date):
			return payment.Payment{}, invalid("Datoen %s er ikke en bankdag (%s). Vælg en bankdag.", danishDate(date), strings.ToLower(calendar.Reason(date)))
		}
	} else if date.Before(today) {
		date = today
	}
	amount := inv.Amount
	if r.Amount != 0 {
		amount = r.Amount
	}
	from := r.FromAccount
	if from == "" {
		from = inv.AccountID
	}
	if inv.ApprovedPayment != "" {
		// An earlier approval that was not signed: replace it, unless it is
		// this same form again (Create then returns it).
		old, err := s.payments.Get(ctx, r.CustomerID, inv.ApprovedPayment)
		if err != nil {
			return payment.Payment{}, err
		}
		if old.ClientID != r.ClientID && old.Status == payment.AwaitingSignature {
			if _, err := s.payments.Cancel(ctx, r.CustomerID, old.ID, r.UserID); err != nil {
				return payment.Payment{}, err
			}
		}
	}
	p, err := s.payments.Create(ctx, payment.Request{CustomerID: r.CustomerID, UserID: r.UserID, ClientID: r.ClientID,
		FromAccount: from, SlipType: inv.SlipType, SlipPaymentID: inv.PaymentID, SlipAccount: inv.CreditorNumber,
		ToName: cut(inv.CreditorName, payment.MaxName), TextToSelf: cut(inv.Creditor(), payment.MaxTextToSelf),
		Amount: amount, Date: date})
	if err != nil {
		return payment.Payment{}, err
	}
	err = s.store.Tx(ctx, func(tx Tx) error {
		cur, err := tx.Invoice(ctx, r.CustomerID, inv.ID, true)
		if err != nil {
			return err
		}
		if cur.Status != InvoicePending {
			return netbank.Errorf(netbank.ECONFLICT, "Regningen er allerede %s.", strings.ToLower(cur.Status.Danish()))
		}
		cur.ApprovedPayment = p.ID
		return tx.UpdateInvoice(ctx, cur)
	})
	if err != nil {
		return payment.Payment{}, notFound(err, invoiceNotFound)
	}
	return p, nil
}

// RejectInvoice rejects a pending bill, with the customer's reason (at
// most MaxReason characters, may be empty); an unsigned payment made of it
// is deleted. Rejecting a rejected bill returns it; an approved one is
// ECONFLICT.
func (s *Service) RejectInvoice(ctx context.Context, customerID, id, by, reason string) (Invoice, error) {
	reason, err := checkText("Begrundelsen", reason, MaxReason)
	if err != nil {
		return Invoice{}, err
	}
	inv, err := s.Invoice(ctx, customerID, id)
	if err != nil {
		return Invoice{}, err
	}
	switch inv.Status {
	case InvoiceRejected:
		return inv, nil
	case InvoiceApproved:
		return Invoice{}, netbank.Errorf(netbank.ECONFLICT, "Regningen er allerede godkendt.")
	}
	if inv.ApprovedPayment != "" {
		if _, err := s.payments.Cancel(ctx, customerID, inv.ApprovedPayment, by); err != nil {
			return Invoice{}, err
		}
	}
	err = s.store.Tx(ctx, func(tx Tx) error {
		var err error
		if inv, err = tx.Invoice(ctx, customerID, id, true); err != nil {
			return err
		}
		if inv.Status != InvoicePending {
			return nil
		}
		inv.Status, inv.Reason, inv.DecidedAt, inv.DecidedBy, inv.ApprovedPayment = InvoiceRejected, reason, s.now(), by, ""
		return tx.UpdateInvoice(ctx, inv)
	})
	return inv, notFound(err, invoiceNotFound)
}

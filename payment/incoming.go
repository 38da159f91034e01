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
	Amount    int64
	Currency  string
	Text      string
	Status    IncomingStatus
	// AccountID and CustomerID are the payee's, once known.
	AccountID  string
	CustomerID string
	// Reason tells why a payment was returned.
	Reason     string
	ReceivedAt time.Time
	BookedAt   time.Time
}

// Money returns the amount with its currency.
func (in Incoming) Money() netbank.Money { return netbank.NewMoney(in.Amount, in.Currency) }

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
	Amount    int64
	Currency  string // "" means DKK; only DKK for now
	Text      string
	SWIFT     bool
}

// MaxIncomingText bounds the sender's text (a SWIFT remittance field is 140).
const MaxIncomingText = 140

func incomingHash(in Incoming) string {
	h := sha256.New()
	for _, f := range []string{strconv.FormatBool(in.SWIFT), in.FromName, in.FromAccount, in.ToReg, in.ToAccount, in.ToIBAN,
		strconv.FormatInt(in.Amount, 10), in.Currency, in.Text} {
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
	if in.Currency != "DKK" {
		return Incoming{}, invalid("Banken modtager indtil videre kun betalinger i DKK, ikke %s.", in.Currency)
	}
	if in.Amount <= 0 || in.Amount > MaxAmount {
		return Incoming{}, invalid("Beløbet skal være mellem 0,01 kr. og %s.", kroner(MaxAmount))
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
		case a.Currency != in.Currency:
			in.Status, in.Reason = Returned, "Kontoen er ikke i "+in.Currency+"."
		default:
			in.AccountID, in.CustomerID = a.ID, a.CustomerID
		}
	}

	err = s.store.Tx(ctx, func(tx Tx) error {
		old, err := tx.IncomingByReference(ctx, in.Source, in.Reference, true)
		if err == nil {
			if old.RequestHash != in.RequestHash {
				return netbank.Errorf(netbank.ECONFLICT, "Referencen %s fra %s er allerede brugt til en anden betaling.", in.Reference, in.Source)
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
	t, err := s.ledger.Transfer(ctx, ledger.TransferRequest{ID: in.ID + ":credit", DebitAccountID: settlementAccount,
		CreditAccountID: in.AccountID, Amount: in.Amount, Code: code, Text: text})
	if err != nil {
		return in, err // stays received; receiving it again finishes it
	}
	err = s.store.Tx(ctx, func(tx Tx) error {
		cur, err := tx.IncomingByReference(ctx, in.Source, in.Reference, true)
		if err != nil {
			return err
		}
		if cur.Status == Received {
			cur.Status, cur.BookedAt = Booked, t.CreatedAt
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

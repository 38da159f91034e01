package payment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/calendar"
	"github.com/netbank/netbank/dk"
)

// Limits on what people type. Danish banks cut the text on the payer's own
// statement at 20 characters and a message to the payee at 41 (one line of
// a payment slip's message field); longer texts are refused, not cut.
const (
	MaxTextToSelf      = 20
	MaxTextToRecipient = 41
	MaxName            = 70
	// MaxAmount bounds one payment: 999.999.999,99 kr.
	MaxAmount = 99_999_999_999
)

// slipHasMessage says which slip types carry a message to the payee: the
// FI cards +73 and +75 and the giro cards +01 and +15; +71 and +04 carry
// only the payment id.
var slipHasMessage = map[string]bool{"01": true, "15": true, "73": true, "75": true}

// creditorSlip says which slip types are FI cards paid to a creditor
// number (the others are giro cards paid to a giro account).
var creditorSlip = map[string]bool{"71": true, "73": true, "75": true}

// Request is a payment as the customer submits it.
type Request struct {
	CustomerID string
	UserID     string // the user creating it
	// ClientID is the idempotency key of the submission, chosen by the
	// client (a form token): 1–64 of A–Z a–z 0–9 . _ : -
	ClientID string
	// FromAccount is the id of one of the customer's accounts.
	FromAccount string
	// A transfer: the payee's registration number and account number
	// (PAY-2) and, optionally, name.
	ToReg     string
	ToAccount string
	ToName    string
	// A payment slip (PAY-4): either the code line as printed
	// ("+71< 000100017156728+81234567<") or its fields: the type ("71" or
	// "+71"), the payment id and the creditor number (+71/+73/+75) or giro
	// account (+01/+04/+15).
	CodeLine      string
	SlipType      string
	SlipPaymentID string
	SlipAccount   string
	// A foreign transfer (PAY-5, foreign.go): the payee's IBAN and their
	// bank's BIC, the payee's name (ToName) and address line, country
	// (ISO 3166 alpha-2; empty: the IBAN's), the currency the payee is to
	// receive (ISO 4217, DKK too) and who bears the charges ("SHAR"/"SHA",
	// the default, or "DEBT"/"OUR").
	ToIBAN       string
	ToBIC        string
	ToAddress    string
	ToCountry    string
	Currency     string
	ChargeBearer string
	// AmountInDKK: Amount of a foreign transfer is in øre and the
	// currency amount follows from the rate; otherwise it is in minor
	// units of Currency.
	AmountInDKK bool
	// Amount in øre (a foreign transfer: see AmountInDKK).
	Amount          int64
	TextToSelf      string
	TextToRecipient string
	// Date is the requested date; zero means today.
	Date time.Time
	// Instant asks for a straksoverførsel (transfers to other banks only).
	Instant bool
}

func invalid(format string, args ...any) error {
	return netbank.Errorf(netbank.EINVALID, format, args...)
}

// checkText trims a typed text and checks its length and characters.
func checkText(label, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", invalid("%s indeholder ugyldige tegn.", label)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", invalid("%s må ikke indeholde linjeskift eller andre styretegn.", label)
		}
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", invalid("%s må højst være %d tegn (der er %d).", label, max, n)
	}
	return s, nil
}

func validClientID(id string) error {
	if id == "" || len(id) > 64 {
		return invalid("Betalingen mangler en gyldig reference (1-64 tegn).")
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-') {
			return invalid("Betalingens reference må kun indeholde bogstaver, cifre og . _ : -")
		}
	}
	return nil
}

// normalizeAccountNumber checks an account number of 1–10 digits (spaces
// allowed) and pads it with zeros to 10 digits.
func normalizeAccountNumber(s string) (string, error) {
	s = strings.Join(strings.Fields(s), "")
	if s == "" {
		return "", invalid("Kontonummer mangler.")
	}
	if len(s) > 10 || strings.Trim(s, "0123456789") != "" {
		return "", invalid("Kontonummeret skal være 1-10 cifre.")
	}
	return strings.Repeat("0", 10-len(s)) + s, nil
}

// civil returns t's own calendar date at midnight UTC.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return calendar.Date(y, m, d)
}

func danishDate(d time.Time) string { return d.Format("02.01.2006") }

func kroner(minor int64) string { return netbank.NewMoney(minor, "DKK").String() }

// slipOf reads the slip of a request: the code line, or the fields.
func slipOf(r Request) (dk.Slip, error) {
	if strings.TrimSpace(r.CodeLine) != "" {
		if r.SlipType != "" || r.SlipPaymentID != "" || r.SlipAccount != "" {
			return dk.Slip{}, invalid("Angiv enten kodelinjen eller felterne fra indbetalingskortet, ikke begge.")
		}
		return dk.ParseCodeLine(r.CodeLine)
	}
	typ := strings.TrimPrefix(strings.TrimSpace(r.SlipType), "+")
	if err := dk.ValidatePaymentID(typ, r.SlipPaymentID); err != nil {
		return dk.Slip{}, err
	}
	slip := dk.Slip{Type: typ, PaymentID: strings.Join(strings.Fields(r.SlipPaymentID), "")}
	acct := strings.Join(strings.Fields(r.SlipAccount), "")
	if creditorSlip[typ] {
		if err := dk.ValidateCreditor(acct); err != nil {
			return dk.Slip{}, err
		}
		slip.Creditor = acct
	} else {
		if err := dk.ValidateGiroAccount(acct); err != nil {
			return dk.Slip{}, err
		}
		slip.GiroAccount = acct
	}
	return slip, nil
}

// requestHash fingerprints what the customer submitted (normalized), so a
// retry with the same client id is told from a reuse with other content.
func requestHash(p Payment, requested string) string {
	h := sha256.New()
	amount := strconv.FormatInt(p.Amount, 10)
	if p.Kind == Foreign {
		// The payee and the amount as given, never the quote's kroner.
		amount = strings.Join([]string{"foreign", p.ToIBAN, p.ToBIC, p.ToAddress, p.ToCountry, p.ChargeBearer, requestedAmount(p)}, "\x00")
	}
	for _, f := range []string{p.CreatedBy, p.FromAccount, p.ToReg, p.ToAccount, p.ToName, p.Slip.CodeLine(),
		amount, p.Currency, p.TextToSelf, p.TextToRecipient, strconv.FormatBool(p.Instant), requested} {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Create validates a payment and stores it awaiting signature. The same
// client id with the same content returns the original payment (whatever
// became of it); with other content it is ECONFLICT. Validation errors are
// EINVALID with a Danish message; a payment for today that the account
// cannot cover is EINSUFFICIENT. A foreign transfer (Request.ToIBAN set) is
// priced with the Quoter and carries its quote (foreign.go); it is
// EUNAVAILABLE when it cannot be priced now. Show Document(p) for signing
// next.
func (s *Service) Create(ctx context.Context, r Request) (Payment, error) {
	if r.CustomerID == "" || r.UserID == "" {
		return Payment{}, invalid("Kunde og bruger skal angives.")
	}
	if err := validClientID(r.ClientID); err != nil {
		return Payment{}, err
	}
	now := s.now()
	today := calendar.Day(now)
	p := Payment{CustomerID: r.CustomerID, ClientID: r.ClientID, CreatedBy: r.UserID, Currency: "DKK",
		Instant: r.Instant, Status: AwaitingSignature}

	// Amount and texts.
	if r.Amount <= 0 {
		return Payment{}, invalid("Beløbet skal være større end 0,00 kr.")
	}
	if r.Amount > MaxAmount {
		return Payment{}, invalid("Beløbet må højst være %s.", kroner(MaxAmount))
	}
	p.Amount = r.Amount
	var err error
	if p.TextToSelf, err = checkText("Tekst på egen konto", r.TextToSelf, MaxTextToSelf); err != nil {
		return Payment{}, err
	}
	isForeign := strings.TrimSpace(r.ToIBAN) != ""
	maxRecipient := MaxTextToRecipient
	if isForeign {
		maxRecipient = MaxForeignText
	}
	if p.TextToRecipient, err = checkText("Tekst til modtager", r.TextToRecipient, maxRecipient); err != nil {
		return Payment{}, err
	}
	if p.ToName, err = checkText("Modtagers navn", r.ToName, MaxName); err != nil {
		return Payment{}, err
	}

	// The paying account: the customer's own, open, in kroner.
	from, err := s.accounts.Get(ctx, r.CustomerID, r.FromAccount)
	if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
		return Payment{}, invalid("Vælg en af dine egne konti at betale fra.")
	}
	if err != nil {
		return Payment{}, err
	}
	if !from.ClosedAt.IsZero() {
		return Payment{}, invalid("Kontoen %s er lukket.", from.Display())
	}
	if from.Account.Currency != "DKK" {
		return Payment{}, invalid("Der kan kun betales i kroner fra en konto i kroner; %s er i %s.", from.Display(), from.Account.Currency)
	}
	p.FromAccount = from.Account.ID

	// The payee.
	isSlip := strings.TrimSpace(r.CodeLine) != "" || r.SlipType != "" || r.SlipPaymentID != "" || r.SlipAccount != ""
	if isForeign {
		if err := foreignPayee(r, &p); err != nil {
			return Payment{}, err
		}
	} else if isSlip {
		if r.ToReg != "" || r.ToAccount != "" {
			return Payment{}, invalid("Et indbetalingskort betales med kodelinjen, ikke med registrerings- og kontonummer.")
		}
		if p.Slip, err = slipOf(r); err != nil {
			return Payment{}, err
		}
		if p.TextToRecipient != "" && !slipHasMessage[p.Slip.Type] {
			return Payment{}, invalid("Kortart +%s har ikke plads til en tekst til modtager.", p.Slip.Type)
		}
		p.Kind = SlipPayment
	} else {
		if err := dk.ValidReg(r.ToReg); err != nil {
			return Payment{}, err
		}
		p.ToReg = strings.TrimSpace(r.ToReg)
		if _, ok := dk.BankName(p.ToReg); !ok {
			return Payment{}, invalid("Ukendt registreringsnummer %s: der findes ingen bank med det nummer.", p.ToReg)
		}
		if p.ToAccount, err = normalizeAccountNumber(r.ToAccount); err != nil {
			return Payment{}, err
		}
		if p.ToReg == s.cfg.Reg {
			to, err := s.accounts.Lookup(ctx, p.ToReg, p.ToAccount)
			if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND || err == nil && !to.ClosedAt.IsZero() {
				return Payment{}, invalid("Kontoen %s %s findes ikke i banken.", p.ToReg, p.ToAccount)
			}
			if err != nil {
				return Payment{}, err
			}
			if to.ID == p.FromAccount {
				return Payment{}, invalid("Du kan ikke overføre til den konto, du betaler fra.")
			}
			if to.Currency != "DKK" {
				return Payment{}, invalid("Kontoen %s %s er ikke en kronekonto og kan ikke modtage en overførsel i kroner.", p.ToReg, p.ToAccount)
			}
			p.ToAccountID = to.ID
			p.Kind = Internal
			if to.CustomerID == r.CustomerID {
				p.Kind = Own
			}
		} else {
			p.Kind = Domestic
		}
	}
	if p.Instant {
		if p.Kind == Foreign {
			return Payment{}, invalid("En udlandsoverførsel kan ikke sendes som straksoverførsel.")
		}
		if p.Kind != Domestic {
			return Payment{}, invalid("Straksoverførsel kan kun vælges til en konto i en anden bank; overførsler i banken er altid straks.")
		}
		if p.Amount > s.cfg.InstantLimit {
			return Payment{}, invalid("En straksoverførsel kan højst være %s.", kroner(s.cfg.InstantLimit))
		}
	}

	// The date (PAY-3, CAL-1): today, or a future date, moved to a bank day.
	requested := ""
	p.RequestedDate = today
	if !r.Date.IsZero() {
		p.RequestedDate = civil(r.Date)
		requested = p.RequestedDate.Format(time.DateOnly)
	}
	switch {
	case p.RequestedDate.Before(today):
		return Payment{}, invalid("Datoen %s er overskredet. Vælg dags dato eller en senere bankdag.", danishDate(p.RequestedDate))
	case p.RequestedDate.After(today.AddDate(0, 0, s.cfg.MaxDaysAhead)):
		return Payment{}, invalid("En betaling kan højst dateres %d dage frem.", s.cfg.MaxDaysAhead)
	case p.RequestedDate.Equal(today):
		p.ExecutionDate = today
	default:
		p.ExecutionDate = calendar.OnOrAfter(p.RequestedDate)
	}
	if p.Instant && !p.ExecutionDate.Equal(today) {
		return Payment{}, invalid("En straksoverførsel sendes med det samme; vælg dags dato.")
	}
	p.RequestHash = requestHash(p, requested)
	if p.Kind == Foreign {
		q, err := s.quote(ctx, p, r.Amount)
		if err != nil {
			return Payment{}, err
		}
		p = withQuote(p, q)
	}

	err = s.store.Tx(ctx, func(tx Tx) error {
		old, err := tx.ByClientID(ctx, r.CustomerID, r.ClientID)
		if err == nil {
			if old.RequestHash != p.RequestHash {
				return netbank.Errorf(netbank.ECONFLICT, "Betalingen er allerede oprettet med et andet indhold. Start forfra.")
			}
			p = old
			return nil
		}
		if netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			return err
		}
		// A payment for today must be covered now (it executes at
		// signing), a foreign transfer's fee included.
		if need := p.Amount + p.Quote.Fee; p.ExecutionDate.Equal(today) && from.Available < need {
			return netbank.Errorf(netbank.EINSUFFICIENT, "Der er ikke dækning for %s på kontoen %s (til rådighed: %s).",
				kroner(need), from.Display(), kroner(from.Available))
		}
		if p.Kind == Foreign {
			// The quote binds when the payment executes at signing:
			// today, without a second user's approval.
			limit, ok, err := tx.ApprovalLimit(ctx, r.CustomerID)
			if err != nil {
				return err
			}
			p.RateFixed = p.ExecutionDate.Equal(today) && !(ok && p.Amount > limit)
		}
		p.ID = newID("pay")
		p.CreatedAt = now
		return tx.Insert(ctx, p)
	})
	if err != nil {
		return Payment{}, err
	}
	return p, nil
}

// ByClientID returns the customer's payment made with this client id (the
// idempotency key of Create), ENOTFOUND if there is none: a caller asks
// before Create to tell a retry from a new payment.
func (s *Service) ByClientID(ctx context.Context, customerID, clientID string) (Payment, error) {
	var p Payment
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		p, err = tx.ByClientID(ctx, customerID, clientID)
		return err
	})
	return p, notFound(err)
}

// Document is the canonical text of a payment that the user signs (SIGN-2):
// what is paid, from where, to whom, how much and when. The bank adds its
// own header (document id, signer, time) when it prepares the signature.
func Document(p Payment) string {
	var b strings.Builder
	line := func(label, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%s: %s\n", label, value)
		}
	}
	line("Betaling", p.Kind.Danish())
	line("Reference", p.ID)
	line("Fra konto", strings.Replace(p.FromAccount, "-", " ", 1))
	switch p.Kind {
	case SlipPayment:
		line("Indbetalingskort", "+"+p.Slip.Type)
		line("Kodelinje", p.Slip.CodeLine())
		line("Betalings-id", p.Slip.PaymentID)
		line("Kreditornummer", p.Slip.Creditor)
		line("Gironummer", p.Slip.GiroAccount)
	case Foreign:
		foreignDocument(p, line)
	default:
		bank, _ := dk.BankName(p.ToReg)
		line("Til konto", p.ToReg+" "+p.ToAccount+" ("+bank+")")
	}
	if p.Kind != Foreign {
		line("Modtager", p.ToName)
		line("Beløb", p.Money().String())
	}
	if p.Instant {
		line("Overførselstype", "Straksoverførsel")
	}
	if p.ExecutionDate.Equal(p.RequestedDate) {
		line("Dato", danishDate(p.ExecutionDate))
	} else {
		line("Dato", danishDate(p.ExecutionDate)+" (ønsket "+danishDate(p.RequestedDate)+", som ikke er en bankdag)")
	}
	line("Tekst på egen konto", p.TextToSelf)
	line("Tekst til modtager", p.TextToRecipient)
	return b.String()
}

// Confirm records that the payment was signed (signedDocumentID names the
// identity.SignedDocument the caller verified with ConfirmSignature) by
// signer, who must be the user who created it. Above the customer's
// approval limit the payment then awaits a second user's approval;
// otherwise it is scheduled, and a payment for today is executed at once —
// the returned payment shows the outcome (settled, in clearing or
// rejected). Confirming again with the same document returns the payment.
// A foreign transfer with a binding quote must be confirmed within the
// quote's validity (EINVALID after it: the customer starts again).
func (s *Service) Confirm(ctx context.Context, customerID, paymentID, signedDocumentID, signer string) (Payment, error) {
	if signedDocumentID == "" {
		return Payment{}, invalid("Betalingen er ikke underskrevet.")
	}
	var p Payment
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		if p, err = tx.Get(ctx, customerID, paymentID, true); err != nil {
			return err
		}
		if p.Status != AwaitingSignature {
			if p.SignedDocument == signedDocumentID {
				return nil // a retry
			}
			return netbank.Errorf(netbank.ECONFLICT, "Betalingen er allerede %s.", strings.ToLower(p.Status.Danish()))
		}
		if signer != p.CreatedBy {
			return netbank.Errorf(netbank.EFORBIDDEN, "Betalingen skal underskrives af den bruger, der har oprettet den.")
		}
		now := s.now()
		if p.ExecutionDate.Before(calendar.Day(now)) {
			return invalid("Betalingens dato %s er overskredet. Opret betalingen igen.", danishDate(p.ExecutionDate))
		}
		if p.Kind == Foreign && p.RateFixed && now.After(s.QuoteExpires(p)) {
			return invalid("Kursen på udlandsoverførslen gjaldt til kl. %s. Opret overførslen igen for at få en ny kurs.", clock(s.QuoteExpires(p)))
		}
		limit, ok, err := tx.ApprovalLimit(ctx, customerID)
		if err != nil {
			return err
		}
		if p.Kind == Foreign && p.RateFixed && ok && p.Amount > limit {
			// The limit was set after the quote was made binding.
			return netbank.Errorf(netbank.ECONFLICT, "Overførslen skal nu godkendes af en anden bruger, så kursen kan ikke holdes. Opret overførslen igen.")
		}
		p.SignedDocument, p.SignedBy, p.ConfirmedAt = signedDocumentID, signer, now
		p.Status = Scheduled
		if ok && p.Amount > limit {
			p.ApprovalRequired = true
			p.Status = AwaitingApproval
		}
		return tx.Update(ctx, p)
	})
	if err != nil {
		return Payment{}, notFound(err)
	}
	return s.executeIfDue(ctx, p)
}

// Approve is the second user's approval of a payment above the approval
// limit (four-eyes): approver must be another user than the one who
// created and signed it, and signedDocumentID the document the approver
// signed. Whether the approver may approve at all (the user profile, BIZ-5)
// is the caller's check. A payment whose date has passed while it waited
// is executed at once.
func (s *Service) Approve(ctx context.Context, customerID, paymentID, approver, signedDocumentID string) (Payment, error) {
	if signedDocumentID == "" {
		return Payment{}, invalid("Godkendelsen er ikke underskrevet.")
	}
	var p Payment
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		if p, err = tx.Get(ctx, customerID, paymentID, true); err != nil {
			return err
		}
		if p.Status != AwaitingApproval {
			if p.ApprovedBy == approver && p.ApprovalDocument == signedDocumentID {
				return nil // a retry
			}
			return netbank.Errorf(netbank.ECONFLICT, "Betalingen afventer ikke godkendelse (den er %s).", strings.ToLower(p.Status.Danish()))
		}
		if approver == "" || approver == p.CreatedBy || approver == p.SignedBy {
			return netbank.Errorf(netbank.EFORBIDDEN, "Betalingen skal godkendes af en anden bruger end den, der oprettede den.")
		}
		p.ApprovedBy, p.ApprovalDocument, p.ApprovedAt = approver, signedDocumentID, s.now()
		p.Status = Scheduled
		return tx.Update(ctx, p)
	})
	if err != nil {
		return Payment{}, notFound(err)
	}
	return s.executeIfDue(ctx, p)
}

// Cancel deletes a payment that has not been executed yet (PAY-3): one
// awaiting signature or approval, or scheduled. Once it is executing or
// executed it is ECONFLICT. Cancelling a cancelled payment returns it.
func (s *Service) Cancel(ctx context.Context, customerID, paymentID, by string) (Payment, error) {
	var p Payment
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		if p, err = tx.Get(ctx, customerID, paymentID, true); err != nil {
			return err
		}
		switch {
		case p.Status == Cancelled:
			return nil
		case p.Status == Rejected:
			return netbank.Errorf(netbank.ECONFLICT, "Betalingen er afvist og kan ikke slettes.")
		case !p.Status.Cancellable():
			return netbank.Errorf(netbank.ECONFLICT, "Betalingen er allerede gennemført og kan ikke slettes.")
		}
		p.Status, p.CancelledBy, p.CancelledAt = Cancelled, by, s.now()
		return tx.Update(ctx, p)
	})
	return p, notFound(err)
}

// Upcoming lists the customer's payments that have not been executed yet
// (Kommende betalinger, PAY-3): awaiting approval, scheduled or executing,
// soonest first.
func (s *Service) Upcoming(ctx context.Context, customerID string) ([]Payment, error) {
	return s.store.Payments(ctx, customerID, Query{Statuses: []Status{AwaitingApproval, Scheduled, Executing},
		OrderByExecution: true, Limit: MaxPage})
}

// MaxPage is the most payments a list returns.
const MaxPage = 500

// Filter is a search of past payments (PAY-7).
type Filter struct {
	Query
	// Text keeps payments whose texts, payee name, payee account or slip
	// contain it, ignoring case (Unicode folding: "æ" finds "Æ").
	Text string
}

// Search lists the customer's payments matching f, newest first (by
// default every status; set f.Statuses to narrow it), at most f.Limit
// (MaxPage). Continue with the last payment's CreatedAt and ID as
// BeforeCreated and BeforeID.
func (s *Service) Search(ctx context.Context, customerID string, f Filter) ([]Payment, error) {
	if f.Limit <= 0 || f.Limit > MaxPage {
		f.Limit = MaxPage
	}
	if utf8.RuneCountInString(f.Text) > 140 {
		return nil, invalid("Søgeteksten er for lang.")
	}
	if !f.FromDate.IsZero() && !f.ToDate.IsZero() && f.ToDate.Before(f.FromDate) {
		return nil, invalid("Perioden slutter før den begynder.")
	}
	text := strings.ToLower(strings.TrimSpace(f.Text))
	want := f.Limit
	q := f.Query
	q.OrderByExecution = false
	q.Limit = MaxPage
	var out []Payment
	for {
		page, err := s.store.Payments(ctx, customerID, q)
		if err != nil {
			return nil, err
		}
		for _, p := range page {
			if text == "" || matches(p, text) {
				out = append(out, p)
				if len(out) == want {
					return out, nil
				}
			}
		}
		if len(page) < q.Limit {
			return out, nil
		}
		last := page[len(page)-1]
		q.BeforeCreated, q.BeforeID = last.CreatedAt, last.ID
	}
}

func matches(p Payment, lowered string) bool {
	for _, f := range []string{p.TextToSelf, p.TextToRecipient, p.ToName, p.ToReg + " " + p.ToAccount, p.Slip.CodeLine(), p.Slip.Creditor, p.Slip.PaymentID, p.ToIBAN} {
		if f != "" && strings.Contains(strings.ToLower(f), lowered) {
			return true
		}
	}
	return false
}

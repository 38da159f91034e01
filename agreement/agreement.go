// Package agreement is the customer's payment agreements (betalingsaftaler,
// RULE PAY-8): Betalingsservice (direct debit) and electronic payment slips
// (elektronisk indbetalingskort), with the net bank's two tabs "Ikke
// godkendte" (bills received but not yet approved) and "Aftaleoversigt"
// (the agreements).
//
// # Betalingsservice (betalingsservice.go)
//
// A Betalingsservice agreement lets a creditor collect from one of the
// customer's accounts. It is identified by the creditor's PBS number (8
// digits), the debtor group (debitorgruppe, 5 digits) and the customer's
// number with the creditor (kundenummer, at most 15 digits). The customer
// signs up in the net bank: Create stores the agreement awaiting signature,
// Document is the text the customer signs (SIGN-2, a binding instruction),
// Confirm activates it. Cancel ends it at once and cancels every collection
// announced under it that is not yet paid.
//
// Creditors announce collections (Announce) ahead of the due date, which
// must be a future bank day (a non-bank day moves to the next bank day,
// RULE CAL-1). An announced collection shows under "Kommende betalinger"
// (PAY-3) and the customer can reject it (RejectCollection) until the end
// of the bank day before the due date, Copenhagen time (RejectDeadline). On
// the due bank day the job "betalingsservice" pays it through package
// payment (payment.Service.Collect): no signature — the agreement is the
// mandate — debited early in the morning and settled in the sum clearing;
// not covered, it is rejected and the customer is told (payment's Notify).
//
// # Electronic payment slips (einvoice.go)
//
// An e-invoice agreement (Kind EInvoice) names an FI creditor (creditor
// number, 8 digits starting with 8) and the customer's number with it; no
// signature is needed, since it only lets the creditor send bills. Bills
// (SendInvoice) wait under "Ikke godkendte" until the customer approves one
// (ApproveInvoice: a +71/+73/+75 slip payment through payment.Create, with
// the date and amount the customer may change, signed like any payment) or
// rejects it (RejectInvoice).
//
// # Who may do what
//
// Every method a customer triggers takes the customer id and sees only
// that customer's agreements, collections and bills. Methods a creditor
// triggers (Announce, Withdraw, SendInvoice, CreditorCollection,
// CreditorInvoice) take the creditor number the caller authenticated (the
// API layer's job) and find the customer through the agreement only.
// Only the bank's job (RunDue) reaches collections by id alone.
package agreement

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/calendar"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/payment"
	"github.com/netbank/netbank/scheduler"
)

// Kind says what an agreement is for.
type Kind string

// The kinds of agreements.
const (
	// Betalingsservice: the creditor collects from the account (direct debit).
	Betalingsservice Kind = "betalingsservice"
	// EInvoice: the creditor sends bills (elektronisk indbetalingskort)
	// that the customer approves one by one.
	EInvoice Kind = "einvoice"
)

// Danish names the kind for pages.
func (k Kind) Danish() string {
	switch k {
	case Betalingsservice:
		return "Betalingsservice"
	case EInvoice:
		return "Elektronisk indbetalingskort"
	}
	return string(k)
}

// Status is where an agreement stands.
type Status string

// The states of an agreement: a Betalingsservice agreement awaits the
// customer's signature, then is active until cancelled; an e-invoice
// agreement is active at once.
const (
	AwaitingSignature Status = "awaiting_signature"
	Active            Status = "active"
	Cancelled         Status = "cancelled"
)

// Danish names the status for pages.
func (s Status) Danish() string {
	switch s {
	case AwaitingSignature:
		return "Afventer underskrift"
	case Active:
		return "Aktiv"
	case Cancelled:
		return "Opsagt"
	}
	return string(s)
}

// Agreement is one payment agreement of a customer.
type Agreement struct {
	ID         string // "agr_…"
	CustomerID string
	// ClientID is the idempotency key of the sign-up (unique per
	// customer); RequestHash fingerprints its content.
	ClientID    string
	RequestHash string
	Kind        Kind
	// CreditorNumber is the creditor's PBS number (Betalingsservice) or FI
	// creditor number (EInvoice), 8 digits.
	CreditorNumber string
	// DebtorGroup is the Betalingsservice debtor group, 5 digits ("" for
	// EInvoice).
	DebtorGroup string
	// CustomerNumber is the customer's number with the creditor, digits
	// without leading zeros (at most MaxCustomerNumber).
	CustomerNumber string
	CreditorName   string
	// AccountID is the customer's account the agreement pays from.
	AccountID string
	Status    Status
	CreatedBy string // user id
	CreatedAt time.Time
	// SignedDocument (identity.SignedDocument id) and SignedBy record the
	// customer's signature of a Betalingsservice sign-up.
	SignedDocument string
	SignedBy       string
	ActivatedAt    time.Time
	CancelledAt    time.Time
	CancelledBy    string
}

// Creditor names the creditor for pages: its name, or its number.
func (a Agreement) Creditor() string {
	if a.CreditorName != "" {
		return a.CreditorName
	}
	return "Kreditor " + a.CreditorNumber
}

// Request is a sign-up as the customer submits it.
type Request struct {
	CustomerID string
	UserID     string
	// ClientID is the idempotency key of the submission (a form token):
	// 1–64 of A–Z a–z 0–9 . _ : -
	ClientID string
	Kind     Kind
	// AccountID is one of the customer's open kroner accounts.
	AccountID      string
	CreditorNumber string
	// DebtorGroup (Betalingsservice only): 1–5 digits, padded to 5.
	DebtorGroup    string
	CustomerNumber string
	// CreditorName is required for Betalingsservice (it is what the
	// customer sees of each collection), optional for EInvoice (the
	// creditor's bills carry it).
	CreditorName string
}

// Limits of what people and creditors type.
const (
	MaxCustomerNumber = 15
	MaxName           = 70
	// MaxText bounds a creditor's text of a collection or a bill.
	MaxText = 140
	// MaxReason bounds the customer's reason for rejecting a bill.
	MaxReason = 140
	// MaxPage is the most items a list returns.
	MaxPage = 500
)

// Store is what agreements need from persistence. Package store implements it.
type Store interface {
	// Tx runs fn in one read-write transaction (re-run on conflicts).
	Tx(ctx context.Context, fn func(Tx) error) error
	// Agreements lists all of a customer's agreements, newest first.
	Agreements(ctx context.Context, customerID string) ([]Agreement, error)
	// Collections lists a customer's collections in one of statuses (empty:
	// any), by due date, at most MaxPage.
	Collections(ctx context.Context, customerID string, statuses []CollectionStatus) ([]Collection, error)
	// Invoices lists a customer's bills in one of statuses (empty: any), by
	// due date, at most MaxPage.
	Invoices(ctx context.Context, customerID string, statuses []InvoiceStatus) ([]Invoice, error)
}

// Tx is a read-write transaction of the agreement store. Reads a customer
// triggers take the customer id; ...ByID reads are for the bank's job.
// forUpdate locks the row until commit.
type Tx interface {
	InsertAgreement(ctx context.Context, a Agreement) error
	UpdateAgreement(ctx context.Context, a Agreement) error
	// Agreement returns the agreement if it belongs to customerID
	// (ENOTFOUND otherwise).
	Agreement(ctx context.Context, customerID, id string, forUpdate bool) (Agreement, error)
	AgreementByID(ctx context.Context, id string, forUpdate bool) (Agreement, error)
	AgreementByClientID(ctx context.Context, customerID, clientID string) (Agreement, error)
	// ActiveAgreement finds the active agreement of kind with this
	// creditor, debtor group and customer number, whoever has it.
	ActiveAgreement(ctx context.Context, kind Kind, creditor, debtorGroup, customerNumber string) (Agreement, error)
	// ExpireDrafts cancels agreements awaiting signature created before before.
	ExpireDrafts(ctx context.Context, before, at time.Time) (int, error)

	InsertCollection(ctx context.Context, c Collection) error
	UpdateCollection(ctx context.Context, c Collection) error
	Collection(ctx context.Context, customerID, id string, forUpdate bool) (Collection, error)
	CollectionByID(ctx context.Context, id string, forUpdate bool) (Collection, error)
	CollectionByReference(ctx context.Context, creditor, reference string, forUpdate bool) (Collection, error)
	// DueCollections lists the ids of collections announced or being
	// collected whose due date is on or before until, soonest first.
	DueCollections(ctx context.Context, until time.Time, limit int) ([]string, error)
	// CancelCollections cancels the announced collections of an agreement.
	CancelCollections(ctx context.Context, agreementID string, at time.Time, reason string) (int, error)

	InsertInvoice(ctx context.Context, inv Invoice) error
	UpdateInvoice(ctx context.Context, inv Invoice) error
	Invoice(ctx context.Context, customerID, id string, forUpdate bool) (Invoice, error)
	InvoiceByReference(ctx context.Context, creditor, reference string, forUpdate bool) (Invoice, error)
}

// Payments is what agreements need of payments; *payment.Service
// implements it.
type Payments interface {
	Collect(ctx context.Context, r payment.CollectionRequest) (payment.Payment, error)
	Create(ctx context.Context, r payment.Request) (payment.Payment, error)
	Get(ctx context.Context, customerID, id string) (payment.Payment, error)
	Cancel(ctx context.Context, customerID, id, by string) (payment.Payment, error)
}

// Accounts is what agreements need of customer accounts; *account.Service
// implements it.
type Accounts interface {
	Get(ctx context.Context, customerID, id string) (account.WithBalance, error)
}

// Defaults of Config.
const (
	// DefaultMaxDaysAhead is how far ahead a collection or a bill may be due.
	DefaultMaxDaysAhead = 400
	// DefaultDraftTTL is how long a sign-up waits for its signature.
	DefaultDraftTTL = 24 * time.Hour
)

// Config tunes the agreement service. The zero value takes the defaults.
type Config struct {
	Clock netbank.Clock
	// MaxDaysAhead bounds how far ahead a collection or a bill may be due.
	MaxDaysAhead int
	// DraftTTL is how long a Betalingsservice sign-up may wait for its
	// signature; the job cancels older ones.
	DraftTTL time.Duration
}

// Service is the payment agreements domain.
type Service struct {
	store    Store
	payments Payments
	accounts Accounts
	cfg      Config
}

// New returns the agreement service.
func New(store Store, payments Payments, accounts Accounts, cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = netbank.SystemClock{}
	}
	if cfg.MaxDaysAhead <= 0 {
		cfg.MaxDaysAhead = DefaultMaxDaysAhead
	}
	if cfg.DraftTTL <= 0 {
		cfg.DraftTTL = DefaultDraftTTL
	}
	return &Service{store: store, payments: payments, accounts: accounts, cfg: cfg}
}

func (s *Service) now() time.Time { return s.cfg.Clock.Now().UTC().Truncate(time.Microsecond) }

func newID(prefix string) string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return prefix + "_" + hex.EncodeToString(b)
}

func invalid(format string, args ...any) error {
	return netbank.Errorf(netbank.EINVALID, format, args...)
}

// notFound turns the store's ENOTFOUND into a Danish message.
func notFound(err error, msg string) error {
	if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
		return netbank.Errorf(netbank.ENOTFOUND, "%s", msg)
	}
	return err
}

const (
	agreementNotFound  = "Aftalen findes ikke."
	collectionNotFound = "Betalingen findes ikke."
	invoiceNotFound    = "Regningen findes ikke."
)

// hash fingerprints the fields of a request.
func hash(fields ...string) string {
	h := sha256.New()
	for _, f := range fields {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// digits removes spaces from s and reports whether the rest is only digits.
func digits(s string) (string, bool) {
	s = strings.Join(strings.Fields(s), "")
	return s, s != "" && strings.Trim(s, "0123456789") == ""
}

// normalizePBS checks a Betalingsservice creditor number (PBS-nr.): 8 digits.
func normalizePBS(s string) (string, error) {
	d, ok := digits(s)
	if !ok || len(d) != 8 {
		return "", invalid("PBS-nummeret skal være 8 cifre.")
	}
	return d, nil
}

// normalizeFI checks an FI creditor number: 8 digits starting with 8.
func normalizeFI(s string) (string, error) {
	if err := dk.ValidateCreditor(s); err != nil {
		return "", err
	}
	d, _ := digits(s)
	return d, nil
}

// normalizeDebtorGroup checks a debtor group of 1–5 digits and pads it to 5.
func normalizeDebtorGroup(s string) (string, error) {
	d, ok := digits(s)
	if !ok || len(d) > 5 {
		return "", invalid("Debitorgruppen skal være 5 cifre.")
	}
	return strings.Repeat("0", 5-len(d)) + d, nil
}

// normalizeCustomerNumber checks the customer's number with a creditor
// (1–15 digits) and drops leading zeros, so "000123" and "123" are the
// same customer.
func normalizeCustomerNumber(s string) (string, error) {
	d, ok := digits(s)
	if !ok || len(d) > MaxCustomerNumber {
		return "", invalid("Kundenummeret skal være 1-%d cifre.", MaxCustomerNumber)
	}
	if d = strings.TrimLeft(d, "0"); d == "" {
		d = "0"
	}
	return d, nil
}

// checkText trims a text and checks its length and characters.
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

// validKey checks an idempotency key: 1–64 of A–Z a–z 0–9 . _ : -
func validKey(label, id string) error {
	if id == "" || len(id) > 64 {
		return invalid("%s skal være 1-64 tegn.", label)
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-') {
			return invalid("%s må kun indeholde bogstaver, cifre og . _ : -", label)
		}
	}
	return nil
}

// civil returns t's own calendar date at midnight UTC.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return calendar.Date(y, m, d)
}

func danishDate(d time.Time) string { return d.Format("02.01.2006") }

func kroner(minor int64) string { return netbank.NewMoney(minor, "DKK").String() }

// cut shortens s to at most n characters.
func cut(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n]))
}

// payingAccount checks that id is one of the customer's open kroner accounts.
func (s *Service) payingAccount(ctx context.Context, customerID, id string) (account.WithBalance, error) {
	a, err := s.accounts.Get(ctx, customerID, id)
	if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
		return a, invalid("Vælg en af dine egne konti.")
	}
	if err != nil {
		return a, err
	}
	if !a.ClosedAt.IsZero() {
		return a, invalid("Kontoen %s er lukket.", a.Display())
	}
	if a.Account.Currency != "DKK" {
		return a, invalid("Aftalen skal betales fra en konto i kroner; %s er i %s.", a.Display(), a.Account.Currency)
	}
	return a, nil
}

// validate checks and normalizes a sign-up into an agreement (without id,
// status or times).
func (s *Service) validate(ctx context.Context, r Request) (Agreement, error) {
	if r.CustomerID == "" || r.UserID == "" {
		return Agreement{}, invalid("Kunde og bruger skal angives.")
	}
	if err := validKey("Aftalens reference", r.ClientID); err != nil {
		return Agreement{}, err
	}
	a := Agreement{CustomerID: r.CustomerID, ClientID: r.ClientID, Kind: r.Kind, CreatedBy: r.UserID}
	var err error
	switch r.Kind {
	case Betalingsservice:
		if a.CreditorNumber, err = normalizePBS(r.CreditorNumber); err != nil {
			return Agreement{}, err
		}
		if a.DebtorGroup, err = normalizeDebtorGroup(r.DebtorGroup); err != nil {
			return Agreement{}, err
		}
		if strings.TrimSpace(r.CreditorName) == "" {
			return Agreement{}, invalid("Skriv kreditors navn, som det står på regningen.")
		}
	case EInvoice:
		if a.CreditorNumber, err = normalizeFI(r.CreditorNumber); err != nil {
			return Agreement{}, err
		}
		if strings.TrimSpace(r.DebtorGroup) != "" {
			return Agreement{}, invalid("Et elektronisk indbetalingskort har ingen debitorgruppe.")
		}
	default:
		return Agreement{}, invalid("Vælg Betalingsservice eller elektronisk indbetalingskort.")
	}
	if a.CustomerNumber, err = normalizeCustomerNumber(r.CustomerNumber); err != nil {
		return Agreement{}, err
	}
	if a.CreditorName, err = checkText("Kreditors navn", r.CreditorName, MaxName); err != nil {
		return Agreement{}, err
	}
	acc, err := s.payingAccount(ctx, r.CustomerID, r.AccountID)
	if err != nil {
		return Agreement{}, err
	}
	a.AccountID = acc.Account.ID
	a.RequestHash = hash(a.CreatedBy, string(a.Kind), a.CreditorNumber, a.DebtorGroup, a.CustomerNumber, a.CreditorName, a.AccountID)
	return a, nil
}

// checkUnique refuses a second active agreement with the same creditor
// and customer number (a creditor's customer number names one payer).
func checkUnique(ctx context.Context, tx Tx, a Agreement) error {
	other, err := tx.ActiveAgreement(ctx, a.Kind, a.CreditorNumber, a.DebtorGroup, a.CustomerNumber)
	switch {
	case netbank.ErrorCodeOf(err) == netbank.ENOTFOUND:
		return nil
	case err != nil:
		return err
	case other.CustomerID == a.CustomerID:
		return netbank.Errorf(netbank.ECONFLICT, "Du har allerede en aktiv aftale med %s om kundenummer %s.", other.Creditor(), other.CustomerNumber)
	}
	return netbank.Errorf(netbank.ECONFLICT, "Kreditoren har allerede en aktiv aftale om kundenummer %s. Kontakt kreditoren.", a.CustomerNumber)
}

// Create stores a sign-up: a Betalingsservice agreement awaits the
// customer's signature (show Document, then Confirm); an e-invoice
// agreement is active at once. The same client id with the same content
// returns the original agreement (whatever became of it); with other
// content it is ECONFLICT, as is a second active agreement with the same
// creditor and customer number. Validation errors are EINVALID in Danish.
func (s *Service) Create(ctx context.Context, r Request) (Agreement, error) {
	return s.create(ctx, r, false)
}

// Register stores an agreement as active without the customer's signature
// in the net bank: for agreements the bank receives already made (a
// Betalingsservice sign-up the customer gave the creditor, an agreement
// moved from another bank) and for the demo bank. It is otherwise Create.
// The caller is responsible for the mandate.
func (s *Service) Register(ctx context.Context, r Request) (Agreement, error) {
	return s.create(ctx, r, true)
}

func (s *Service) create(ctx context.Context, r Request, registered bool) (Agreement, error) {
	a, err := s.validate(ctx, r)
	if err != nil {
		return Agreement{}, err
	}
	now := s.now()
	err = s.store.Tx(ctx, func(tx Tx) error {
		old, err := tx.AgreementByClientID(ctx, r.CustomerID, r.ClientID)
		if err == nil {
			if old.RequestHash != a.RequestHash {
				return netbank.Errorf(netbank.ECONFLICT, "Aftalen er allerede oprettet med et andet indhold. Start forfra.")
			}
			a = old
			return nil
		}
		if netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
			return err
		}
		if err := checkUnique(ctx, tx, a); err != nil {
			return err
		}
		a.ID, a.CreatedAt, a.Status = newID("agr"), now, AwaitingSignature
		if a.Kind == EInvoice || registered {
			a.Status, a.ActivatedAt = Active, now
		}
		return tx.InsertAgreement(ctx, a)
	})
	if err != nil {
		return Agreement{}, err
	}
	return a, nil
}

// Document is the canonical text of a Betalingsservice sign-up that the
// customer signs (SIGN-2): the creditor, the numbers, the account and what
// the customer agrees to.
func Document(a Agreement) string {
	var b strings.Builder
	line := func(label, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%s: %s\n", label, value)
		}
	}
	b.WriteString("Tilmelding til " + a.Kind.Danish() + "\n")
	line("Reference", a.ID)
	line("Kreditor", a.CreditorName)
	if a.Kind == Betalingsservice {
		line("PBS-nr.", a.CreditorNumber)
		line("Debitorgruppe", a.DebtorGroup)
	} else {
		line("Kreditornummer", a.CreditorNumber)
	}
	line("Kundenummer", a.CustomerNumber)
	line("Betales fra konto", strings.Replace(a.AccountID, "-", " ", 1))
	if a.Kind == Betalingsservice {
		b.WriteString("Jeg giver banken fuldmagt til at betale de betalinger, kreditoren sender via Betalingsservice, fra kontoen " +
			"på forfaldsdagen. Jeg kan afvise en betaling indtil udgangen af bankdagen før forfaldsdagen og opsige aftalen når som helst.\n")
	}
	return b.String()
}

// Confirm records the customer's signature of a Betalingsservice sign-up
// (signedDocumentID names the identity.SignedDocument the caller verified)
// by signer, who must be the user who created it, and activates the
// agreement. Confirming again with the same document returns it.
func (s *Service) Confirm(ctx context.Context, customerID, agreementID, signedDocumentID, signer string) (Agreement, error) {
	if signedDocumentID == "" {
		return Agreement{}, invalid("Aftalen er ikke underskrevet.")
	}
	var a Agreement
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		if a, err = tx.Agreement(ctx, customerID, agreementID, true); err != nil {
			return err
		}
		if a.Status != AwaitingSignature {
			if a.SignedDocument == signedDocumentID {
				return nil // a retry
			}
			return netbank.Errorf(netbank.ECONFLICT, "Aftalen er allerede %s.", strings.ToLower(a.Status.Danish()))
		}
		if signer != a.CreatedBy {
			return netbank.Errorf(netbank.EFORBIDDEN, "Aftalen skal underskrives af den bruger, der har oprettet den.")
		}
		now := s.now()
		if a.CreatedAt.Before(now.Add(-s.cfg.DraftTTL)) {
			return netbank.Errorf(netbank.ECONFLICT, "Tilmeldingen er udløbet. Start forfra.")
		}
		if err := checkUnique(ctx, tx, a); err != nil {
			return err
		}
		a.Status, a.SignedDocument, a.SignedBy, a.ActivatedAt = Active, signedDocumentID, signer, now
		return tx.UpdateAgreement(ctx, a)
	})
	return a, notFound(err, agreementNotFound)
}

// Get returns one of the customer's agreements.
func (s *Service) Get(ctx context.Context, customerID, id string) (Agreement, error) {
	var a Agreement
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		a, err = tx.Agreement(ctx, customerID, id, false)
		return err
	})
	return a, notFound(err, agreementNotFound)
}

// List returns the customer's agreements for "Aftaleoversigt": active ones
// first, then cancelled ones, newest first within each (sign-ups still
// awaiting a signature are left out).
func (s *Service) List(ctx context.Context, customerID string) ([]Agreement, error) {
	all, err := s.store.Agreements(ctx, customerID)
	if err != nil {
		return nil, err
	}
	var active, ended []Agreement
	for _, a := range all {
		switch a.Status {
		case Active:
			active = append(active, a)
		case Cancelled:
			if a.ActivatedAt.IsZero() {
				continue // a sign-up that was never signed
			}
			ended = append(ended, a)
		}
	}
	return append(active, ended...), nil
}

// Cancel ends one of the customer's agreements at once (opsigelse): no
// more collections or bills are accepted under it, and its announced
// collections that are not yet paid are cancelled. Bills already received
// stay under "Ikke godkendte". Cancelling a cancelled agreement returns it.
func (s *Service) Cancel(ctx context.Context, customerID, id, by string) (Agreement, error) {
	var a Agreement
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		if a, err = tx.Agreement(ctx, customerID, id, true); err != nil {
			return err
		}
		if a.Status == Cancelled {
			return nil
		}
		now := s.now()
		a.Status, a.CancelledAt, a.CancelledBy = Cancelled, now, by
		if err := tx.UpdateAgreement(ctx, a); err != nil {
			return err
		}
		_, err = tx.CancelCollections(ctx, a.ID, now, reasonAgreementCancelled)
		return err
	})
	return a, notFound(err, agreementNotFound)
}

const reasonAgreementCancelled = "Aftalen er opsagt."

// JobName is the name of the scheduler job that pays collections.
const JobName = "betalingsservice"

// JobHour and JobMinute are when the job runs on every bank day,
// Copenhagen time: 00:30, so the day's collections are debited first
// thing on the due date (before the customer's card purchases of the day)
// and go to the creditors' banks in the sum clearing that settles with the
// 01:30 cycle of the next bank day (payment.SumClearingCycle).
const (
	JobHour   = 0
	JobMinute = 30
)

// Jobs returns the scheduler job of agreements: "betalingsservice" at
// 00:30 on every bank day (RULE CAL-1) pays the collections due that day
// (and any left from days the bank was down: a week is caught up), cancels
// collections whose agreement was cancelled, and drops sign-ups that were
// never signed. The scheduler runs each day's run once across instances;
// the run itself is idempotent (see RunDue), so a run taken over after a
// crash never pays twice.
func (s *Service) Jobs() []scheduler.Job {
	return []scheduler.Job{{
		Name: JobName, Plan: scheduler.Daily(JobHour, JobMinute, calendar.IsBankDay), Lookback: 7 * 24 * time.Hour,
		Run: func(ctx context.Context, key string, due time.Time) error {
			_, err := s.RunDue(ctx, calendar.Day(due))
			return err
		},
	}}
}

// RegisterJobs adds the agreement job (see Jobs) to a scheduler.
func (s *Service) RegisterJobs(sch *scheduler.Scheduler) {
	for _, j := range s.Jobs() {
		sch.Register(j)
	}
}

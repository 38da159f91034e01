// Package payment is the bank's payments: transfers between a customer's
// own accounts, to other accounts in this bank and to accounts in other
// Danish banks (RULE PAY-1, PAY-2), payment slips (indbetalingskort, FIK
// +01/+04/+15/+71/+73/+75, RULE PAY-4), foreign transfers to an IBAN
// abroad in the payee's currency (RULE PAY-5, foreign.go), future-dated
// payments that can be cancelled until they are executed (PAY-3),
// four-eyes approval for business customers (BIZ-5), the clearing of
// payments to other banks and incoming payments from them (PAY-7).
//
// # Life of a payment
//
// Create validates a request and stores the payment awaiting signature,
// idempotently: the client chooses an id per submission, so a double-click
// or a retry returns the original payment (the same id with other content
// is a conflict). Document is the canonical text the user signs (SIGN-2).
// Confirm records the signed document; a payment above the customer's
// approval limit then waits for Approve by another user (four-eyes),
// anything else is scheduled. A scheduled payment is executed on its
// execution date (at once when that is today): the available amount incl.
// overdraft is checked by the ledger, and a payment that is not covered is
// rejected without any ledger effect.
//
// # Clearing
//
// Payments inside the bank settle at once. Payments to other Danish banks
// are debited to the interbank clearing account (bank:interbank_clearing:DKK)
// and settle against the settlement account with Danmarks Nationalbank
// (bank:settlement:DKK) in a clearing cycle, modelled on the Danish system:
//   - instant payments (straksoverførsler) up to the instant limit
//     (500.000,00 kr. by default) settle at once, at any hour, any day;
//   - other transfers settle in the next intraday clearing cycle
//     (01:30, 09:00, 12:00 or 14:00 Copenhagen time on a bank day);
//   - payment slips settle in the night's sum clearing, settled with the
//     01:30 cycle of the next bank day after the debit.
//
// Every money movement is one ledger transaction whose transfer ids derive
// from the payment id ("<payment>:debit", "<payment>:credit",
// "<payment>:settle"), so a re-run after a crash never pays twice.
//
// # Scheduling
//
// RegisterJobs adds two jobs to the scheduler: "payments-due" (every hour
// at :05, executing everything due) and "clearing" (the four cycles of
// every bank day). The scheduler runs each run once across instances; the
// jobs are idempotent, so a run taken over after a crash is harmless.
//
// Reads always name the customer asking; only the bank's own jobs reach
// payments by id alone.
package payment

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/payfile"
	"github.com/netbank/netbank/pricing"
)

// Kind says where a payment goes.
type Kind string

// The kinds of payments.
const (
	// Own is a transfer between two accounts of the same customer.
	Own Kind = "own"
	// Internal is a transfer to another customer's account in this bank.
	Internal Kind = "internal"
	// Domestic is a transfer to an account in another Danish bank.
	Domestic Kind = "domestic"
	// SlipPayment pays a payment slip (indbetalingskort).
	SlipPayment Kind = "slip"
	// Foreign is a transfer to an IBAN abroad (udlandsoverførsel, PAY-5).
	Foreign Kind = "foreign"
)

// Danish names the kind for pages and documents.
func (k Kind) Danish() string {
	switch k {
	case Own:
		return "Overførsel mellem egne konti"
	case Internal, Domestic:
		return "Overførsel"
	case SlipPayment:
		return "Indbetalingskort"
	case Foreign:
		return "Udlandsoverførsel"
	case Betalingsservice:
		return "Betalingsservice"
	}
	return string(k)
}

// Status is where a payment stands.
type Status string

// The states of a payment. A payment moves
//
//	awaiting_signature → [awaiting_approval →] scheduled → executing → settled
//	                                                                 ↘ in_clearing → settled
//	                                                                 ↘ rejected
//
// and can be cancelled until it is executing.
const (
	AwaitingSignature Status = "awaiting_signature"
	// AwaitingApproval: signed, above the customer's approval limit; a
	// second user must approve it (four-eyes).
	AwaitingApproval Status = "awaiting_approval"
	// Scheduled: signed (and approved); executes on its execution date.
	Scheduled Status = "scheduled"
	// Executing: being executed right now. A crashed execution is taken
	// over when its lease lapses; ledger ids keep it single.
	Executing Status = "executing"
	// InClearing: debited, on the interbank clearing account until its
	// clearing cycle runs.
	InClearing Status = "in_clearing"
	// Settled: the money is with the payee (or with the payee's bank).
	Settled Status = "settled"
	// Cancelled by the customer before execution (or an unsigned draft
	// that lapsed).
	Cancelled Status = "cancelled"
	// Rejected at execution (not covered, account closed, …); no ledger effect.
	Rejected Status = "rejected"
)

// Danish names the status for pages.
func (s Status) Danish() string {
	switch s {
	case AwaitingSignature:
		return "Afventer underskrift"
	case AwaitingApproval:
		return "Afventer godkendelse"
	case Scheduled:
		return "Kommende"
	case Executing:
		return "Gennemføres"
	case InClearing:
		return "Sendt til modtagers bank"
	case Settled:
		return "Gennemført"
	case Cancelled:
		return "Slettet"
	case Rejected:
		return "Afvist"
	}
	return string(s)
}

// Upcoming reports whether a payment in this status shows under "Kommende
// betalinger" (PAY-3).
func (s Status) Upcoming() bool {
	return s == AwaitingApproval || s == Scheduled || s == Executing
}

// Cancellable reports whether a payment in this status can still be
// cancelled (PAY-3: until it is executed).
func (s Status) Cancellable() bool {
	return s == AwaitingSignature || s == AwaitingApproval || s == Scheduled
}

// Clearing says how a payment to another bank is settled.
type Clearing string

// The clearings.
const (
	// NoClearing: a payment inside the bank.
	NoClearing Clearing = ""
	// InstantClearing: straksclearing, settled at once.
	InstantClearing Clearing = "instant"
	// IntradayClearing: the next of the day's cycles (01:30, 09:00, 12:00, 14:00).
	IntradayClearing Clearing = "intraday"
	// SumClearing: the night's sum clearing, settled the next bank day.
	SumClearing Clearing = "sum"
	// SWIFTClearing: a foreign transfer, passed to the correspondent bank
	// as a pacs.008 message (foreign.go).
	SWIFTClearing Clearing = "swift"
)

// Payment is one payment.
type Payment struct {
	ID         string // "pay_…", chosen by the bank
	CustomerID string
	// ClientID is the idempotency key the client chose for the submission;
	// unique per customer.
	ClientID string
	// RequestHash fingerprints the submitted content, to tell a retry
	// from a reuse of ClientID.
	RequestHash string
	CreatedBy   string // user id
	Kind        Kind
	// FromAccount is the paying account's id ("<reg>-<number>").
	FromAccount string
	// ToReg and ToAccount (10 digits) name the payee's account for
	// transfers; ToAccountID is its id when it is in this bank.
	ToReg       string
	ToAccount   string
	ToAccountID string
	ToName      string
	// Slip is the payment slip (kind SlipPayment).
	Slip dk.Slip
	// Amount is in minor units, > 0; for a foreign transfer it is the
	// kroner amount of Quote (the fee comes on top).
	Amount   int64
	Currency string
	// A foreign transfer (kind Foreign, PAY-5; see foreign.go): the
	// payee's IBAN (electronic format), the payee's bank's BIC, the
	// payee's address line and country (ISO 3166 alpha-2), who bears the
	// charges (ChargesShared or ChargesPayer) and whether the customer
	// gave the amount in kroner (else in Quote.Currency).
	ToIBAN       string
	ToBIC        string
	ToAddress    string
	ToCountry    string
	ChargeBearer string
	AmountInDKK  bool
	// Quote is a foreign transfer's price: the currency and amount the
	// payee's bank receives, the kroner amount, the rates, the fee and
	// the total debited. RateFixed: the money moves at this quote (a
	// binding quote signed in time, or the quote fixed at execution);
	// otherwise it is indicative.
	Quote     pricing.Quote
	RateFixed bool
	// TextToSelf shows on the payer's statement (at most MaxTextToSelf
	// characters), TextToRecipient on the payee's (MaxTextToRecipient).
	TextToSelf      string
	TextToRecipient string
	Instant         bool
	// RequestedDate is the date the customer chose; ExecutionDate the date
	// the account is debited: the same, or the next bank day if the chosen
	// future date is not one (RULE CAL-1). Civil dates at midnight UTC.
	RequestedDate time.Time
	ExecutionDate time.Time
	Status        Status

	// SignedDocument is the id of the signed document that confirmed it
	// (identity.SignedDocument), SignedBy the user who signed.
	SignedDocument string
	SignedBy       string
	ConfirmedAt    time.Time
	// ApprovalRequired: above the customer's approval limit at signing.
	ApprovalRequired bool
	ApprovedBy       string
	ApprovalDocument string
	ApprovedAt       time.Time

	// Clearing, ClearingCycle (the cycle's run key, e.g.
	// "2026-05-18T12:00") and ClearingAt (when that cycle runs) place a
	// payment to another bank in the clearing.
	Clearing      Clearing
	ClearingCycle string
	ClearingAt    time.Time

	// LeaseOwner and LeaseUntil guard an execution in progress: another
	// execution may take over only when the lease has lapsed.
	LeaseOwner string
	LeaseUntil time.Time

	CreatedAt     time.Time
	ExecutedAt    time.Time
	SettledAt     time.Time
	CancelledAt   time.Time
	CancelledBy   string
	FailureReason string
}

// Money returns the amount with its currency.
func (p Payment) Money() netbank.Money { return netbank.NewMoney(p.Amount, p.Currency) }

// Payee is the payee as Danes write it: "5301 0001234567", the slip's
// code line or the IBAN abroad.
func (p Payment) Payee() string {
	if p.Kind == SlipPayment {
		return p.Slip.CodeLine()
	}
	if p.Kind == Betalingsservice {
		return "Betalingsservice PBS-nr. " + p.ToAccount
	}
	if p.Kind == Foreign {
		return dk.FormatIBAN(p.ToIBAN)
	}
	return p.ToReg + " " + p.ToAccount
}

// Query selects a customer's payments for a list or a search (PAY-7).
type Query struct {
	// Statuses keeps payments in one of these states (empty: any).
	Statuses []Status
	// AccountID keeps payments from this account (empty: any).
	AccountID string
	// FromDate and ToDate bound the execution date, inclusive (zero: open).
	FromDate, ToDate time.Time
	// MinAmount and MaxAmount bound the amount, inclusive (0: open).
	MinAmount, MaxAmount int64
	// Before is the cursor: payments created before it, or at the same
	// time with a smaller id (zero: from the newest).
	BeforeCreated time.Time
	BeforeID      string
	// OrderByExecution lists by execution date, soonest first, instead of
	// newest created first.
	OrderByExecution bool
	Limit            int
}

// Store is what payments need from persistence. Package store implements it.
type Store interface {
	// Tx runs fn in one read-write transaction (re-run on conflicts).
	Tx(ctx context.Context, fn func(Tx) error) error
	// Payments lists a customer's payments matching q (no text filter).
	Payments(ctx context.Context, customerID string, q Query) ([]Payment, error)
	// Incoming lists the incoming payments booked to a customer's accounts.
	Incoming(ctx context.Context, customerID string, q IncomingQuery) ([]Incoming, error)
}

// Tx is a read-write transaction of the payment store. Reads that a
// customer triggers take the customer id; ByID is for the bank's jobs.
type Tx interface {
	Insert(ctx context.Context, p Payment) error
	Update(ctx context.Context, p Payment) error
	// Get returns the payment if it belongs to customerID (ENOTFOUND
	// otherwise), locked until commit when forUpdate.
	Get(ctx context.Context, customerID, id string, forUpdate bool) (Payment, error)
	ByID(ctx context.Context, id string, forUpdate bool) (Payment, error)
	ByClientID(ctx context.Context, customerID, clientID string) (Payment, error)
	// Due lists the ids of payments to execute: scheduled with an
	// execution date on or before today, or executing with a lapsed lease.
	Due(ctx context.Context, today, now time.Time, limit int) ([]string, error)
	// InClearing lists payments in clearing whose cycle runs at or before until.
	InClearing(ctx context.Context, until time.Time, limit int) ([]Payment, error)
	// ExpireDrafts cancels payments awaiting signature created before before.
	ExpireDrafts(ctx context.Context, before, at time.Time, reason string) (int, error)

	// ApprovalLimit returns the customer's four-eyes limit; ok is false
	// when the customer has none.
	ApprovalLimit(ctx context.Context, customerID string) (limit int64, ok bool, err error)
	SetApprovalLimit(ctx context.Context, customerID string, limit int64, at time.Time, by string) error
	RemoveApprovalLimit(ctx context.Context, customerID string) error

	InsertIncoming(ctx context.Context, in Incoming) error
	UpdateIncoming(ctx context.Context, in Incoming) error
	IncomingByReference(ctx context.Context, source, reference string, forUpdate bool) (Incoming, error)

	// InsertOutbound keeps the message written for a payment (once: a
	// second insert for the same payment is ignored); Outbound reads it.
	InsertOutbound(ctx context.Context, m OutboundMessage) error
	Outbound(ctx context.Context, paymentID string) (OutboundMessage, error)
}

// Accounts is what payments need of customer accounts; *account.Service
// implements it.
type Accounts interface {
	// Get returns one of the customer's accounts with its balance.
	Get(ctx context.Context, customerID, id string) (account.WithBalance, error)
	// Lookup finds an account of this bank by reg + 10-digit number.
	Lookup(ctx context.Context, reg, number string) (account.Account, error)
}

// Defaults of Config.
const (
	// DefaultInstantLimit is the most an instant payment may be:
	// 500.000,00 kr., the limit of the Danish straksclearing.
	DefaultInstantLimit = 500_000_00
	// DefaultMaxDaysAhead is how far ahead a payment may be dated.
	DefaultMaxDaysAhead = 365
	// DefaultLease is how long an execution may take before another one
	// may take it over.
	DefaultLease = 5 * time.Minute
	// DefaultDraftTTL is how long an unsigned payment is kept.
	DefaultDraftTTL = 24 * time.Hour
)

// Config tunes the payment service. The zero value takes the defaults.
type Config struct {
	Clock netbank.Clock
	// Reg is this bank's registration number (default dk.NetbankReg).
	Reg string
	// InstantLimit is the most an instant payment may be, in øre.
	InstantLimit int64
	// MaxDaysAhead bounds how far in the future a payment may be dated.
	MaxDaysAhead int
	// Lease bounds an execution before another may take it over.
	Lease time.Duration
	// DraftTTL is how long an unsigned payment waits for its signature
	// before the due job cancels it.
	DraftTTL time.Duration
	// Notify, if set, is told of every payment rejected at execution, so
	// the customer can be told (inbox). It must not fail the execution.
	Notify func(ctx context.Context, p Payment)

	// Foreign transfers (foreign.go). Without a Quoter and a Payer they
	// are refused. Quoter prices them (*pricing.Service); Payer names
	// the paying customer in the outbound message; QuoteValidity is how
	// long a binding quote may be signed (DefaultQuoteValidity); BIC is
	// this bank's (default dk.NetbankBIC); Correspondents names the bank
	// a currency's messages go to (default: the payee's bank); Pacs008
	// writes the outbound message (default payfile.Pacs008).
	Quoter         Quoter
	Payer          func(ctx context.Context, customerID string) (Party, error)
	QuoteValidity  time.Duration
	BIC            string
	Correspondents map[string]string
	Pacs008        func(payfile.InterbankTransfer) ([]byte, error)
	// Buyer converts incoming SWIFT payments in a foreign currency into
	// kroner at the bank's buying rate (*pricing.Service, incoming.go);
	// without it they are returned, unless an account in their own
	// currency takes them.
	Buyer Buyer
}

// Service is the payments domain.
type Service struct {
	store    Store
	ledger   *ledger.Service
	accounts Accounts
	cfg      Config
}

// New returns the payment service.
func New(store Store, l *ledger.Service, accounts Accounts, cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = netbank.SystemClock{}
	}
	if cfg.Reg == "" {
		cfg.Reg = dk.NetbankReg
	}
	if cfg.InstantLimit <= 0 {
		cfg.InstantLimit = DefaultInstantLimit
	}
	if cfg.MaxDaysAhead <= 0 {
		cfg.MaxDaysAhead = DefaultMaxDaysAhead
	}
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.DraftTTL <= 0 {
		cfg.DraftTTL = DefaultDraftTTL
	}
	if cfg.QuoteValidity <= 0 {
		cfg.QuoteValidity = DefaultQuoteValidity
	}
	if cfg.BIC == "" {
		cfg.BIC = dk.NetbankBIC
	}
	if cfg.Pacs008 == nil {
		cfg.Pacs008 = payfile.Pacs008
	}
	return &Service{store: store, ledger: l, accounts: accounts, cfg: cfg}
}

func (s *Service) now() time.Time { return s.cfg.Clock.Now().UTC().Truncate(time.Microsecond) }

func newID(prefix string) string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return prefix + "_" + hex.EncodeToString(b)
}

// Get returns one of the customer's payments.
func (s *Service) Get(ctx context.Context, customerID, id string) (Payment, error) {
	var p Payment
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		p, err = tx.Get(ctx, customerID, id, false)
		return err
	})
	return p, notFound(err)
}

func notFound(err error) error {
	if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
		return netbank.Errorf(netbank.ENOTFOUND, "Betalingen findes ikke.")
	}
	return err
}

// ApprovalLimit returns the customer's four-eyes limit (ok false: none).
func (s *Service) ApprovalLimit(ctx context.Context, customerID string) (int64, bool, error) {
	var limit int64
	var ok bool
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		limit, ok, err = tx.ApprovalLimit(ctx, customerID)
		return err
	})
	return limit, ok, err
}

// SetApprovalLimit sets a (business) customer's four-eyes limit: payments
// whose amount is above limit (øre) must be approved by a second user
// before they are executed. A limit of 0 puts every payment through a
// second user. by names who set it (staff or an administrator).
func (s *Service) SetApprovalLimit(ctx context.Context, customerID string, limit int64, by string) error {
	if limit < 0 {
		return netbank.Errorf(netbank.EINVALID, "Beløbsgrænsen kan ikke være negativ.")
	}
	if customerID == "" {
		return netbank.Errorf(netbank.EINVALID, "Kunden mangler.")
	}
	return s.store.Tx(ctx, func(tx Tx) error {
		return tx.SetApprovalLimit(ctx, customerID, limit, s.now(), by)
	})
}

// RemoveApprovalLimit ends the customer's four-eyes rule.
func (s *Service) RemoveApprovalLimit(ctx context.Context, customerID string) error {
	return s.store.Tx(ctx, func(tx Tx) error { return tx.RemoveApprovalLimit(ctx, customerID) })
}

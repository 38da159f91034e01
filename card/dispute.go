package card

// Disputes of card transactions (RULES DISP-1…DISP-4) and the cardholder's
// liability for misuse when staff decide one (LIAB-1…LIAB-5).
//
// A dispute is about one settled card transaction: an approved 0200 that
// was debited at once, or an approved 0220 completion that debited the
// final amount of a reservation (Debited). The cardholder or the account's
// owner files it in the net bank, choosing the case (package liability):
//
//   - UnknownAmount (DISP-1): within 8 weeks of the debit;
//   - DistancePurchase (DISP-2): within 14 days of becoming aware, after
//     trying the merchant first;
//   - NotApproved (DISP-3): within 13 months of the debit.
//
// A late dispute is refused with the reason (liability.CheckDeadline). A
// transaction can be disputed once: the dispute's id is derived from the
// authorization's, so a second attempt, from another tab or instance,
// finds the first.
//
// # Money (DISP-4)
//
// Every step is one ledger transaction with ids derived from the dispute's,
// so a retry never moves money twice; every step is audited:
//
//	open        the amount is credited back while the bank investigates:
//	            bank:suspense:DKK → the card's account      <id>:credit
//	founded     the credit stays. For a payment the cardholder did not
//	            approve (DISP-3), staff enter the facts of the misuse and
//	            liability.Assess decides what the cardholder pays (0, up to
//	            375 kr., up to 8.000 kr. or all, with the clause); that is
//	            debited again:
//	            the card's account → bank:suspense:DKK      <id>:liability
//	unfounded   the credit is reversed, with interest for the period and the
//	            receipt-copy fee of the price list, linked (all or none):
//	            the card's account → bank:suspense:DKK      <id>:reverse
//	            the card's account → bank:interest:DKK      <id>:interest
//	            the card's account → bank:fees:DKK          <id>:fee
//
// The suspense account carries what the bank has credited and not yet
// recovered from the merchant's bank (a chargeback) or written off; that
// clearing is outside the bank's books here.
//
// Interest is simple interest for the calendar days from the day of the
// credit to the day of the decision (Danish dates), at the annual rate of
// DisputeConfig.InterestBP, on a 365-day year, rounded to whole øre. The
// price list (package pricing) has no key for it, so the rate is
// configuration.
//
// # A decision in three steps
//
// A decision is first recorded (status Deciding, with its amounts, in one
// database transaction that locks the dispute, so two staff members cannot
// decide it two ways), then booked in the ledger, then marked Founded or
// Unfounded with its audit entry. A crash between the steps leaves the
// dispute Deciding; deciding it again the same way finishes the recorded
// decision with the same transfer ids and amounts. When the customer's
// account cannot pay a debit, the recorded decision is withdrawn (the
// dispute is open again) and staff get the ledger's refusal.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/calendar"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/liability"
	"github.com/netbank/netbank/pricing"
)

// DisputeStatus is where a dispute stands.
type DisputeStatus string

// The states of a dispute.
const (
	// DisputeOpen: under investigation; the amount is credited back (DISP-4).
	DisputeOpen DisputeStatus = "open"
	// DisputeDeciding: staff decided; the decision is being booked.
	DisputeDeciding DisputeStatus = "deciding"
	// DisputeFounded: the cardholder was right; the credit stays (less
	// what the cardholder pays for misuse, LIAB-1…LIAB-5).
	DisputeFounded DisputeStatus = "founded"
	// DisputeUnfounded: the dispute was unfounded; the amount was debited
	// again with interest and the receipt-copy fee (DISP-4).
	DisputeUnfounded DisputeStatus = "unfounded"
)

// Decided reports whether the dispute is closed.
func (s DisputeStatus) Decided() bool { return s == DisputeFounded || s == DisputeUnfounded }

// Danish names the status for the cardholder.
func (s DisputeStatus) Danish() string {
	switch s {
	case DisputeOpen, DisputeDeciding:
		return "Under behandling"
	case DisputeFounded:
		return "Afgjort: du har fået medhold"
	case DisputeUnfounded:
		return "Afgjort: du har ikke fået medhold"
	}
	return string(s)
}

// The outcomes of a decision, as Dispute.Outcome stores them.
const (
	OutcomeFounded   = "founded"
	OutcomeUnfounded = "unfounded"
)

// Dispute is the cardholder's dispute of one debited card transaction,
// with a copy of the transaction's facts (the transaction data itself is
// deleted after the retention period, CARD-20; the dispute is the bank's
// record of a claim and kept).
type Dispute struct {
	// ID is "dsp_" + 24 hex digits derived from AuthorizationID.
	ID string
	// AuthorizationID is the disputed transaction (an approved 0200 or
	// 0220, Debited).
	AuthorizationID string
	// CardID and AccountID are the card and the account it debited.
	CardID, AccountID string
	CardType          Type
	CardLast4         string
	// OwnerCustomerID owns the account, HolderCustomerID holds the card;
	// both see the dispute. FiledBy is the one of them who filed it, and
	// FiledByUser the user (actor id) who did.
	OwnerCustomerID, HolderCustomerID string
	FiledBy, FiledByUser              string

	// Case is the kind of dispute (liability.Case), with its rule.
	Case liability.Case
	// Description is the cardholder's account of what happened.
	Description string
	// MerchantContacted: the cardholder says they tried the merchant
	// first (required for DISP-2).
	MerchantContacted bool
	// AwareAt is when the cardholder became aware of the claim (DISP-2;
	// zero: not given).
	AwareAt time.Time
	// DebitedAt is when the transaction was debited; LastDay the last day
	// of the case's period (a civil date, liability.DisputeLastDay).
	DebitedAt time.Time
	LastDay   time.Time

	// Amount is what was debited and is disputed, in øre; OriginalAmount
	// and OriginalCurrency the transaction's own amount.
	Amount           int64
	OriginalAmount   int64
	OriginalCurrency string
	// The merchant, as the card network named it.
	MerchantName, MerchantCity, MerchantCountry, MCC string

	Status   DisputeStatus
	OpenedAt time.Time
	// CreditTransferID and CreditedAt are the credit of DISP-4 (zero
	// CreditedAt: not yet booked).
	CreditTransferID string
	CreditedAt       time.Time

	// Outcome is OutcomeFounded or OutcomeUnfounded once staff decide;
	// DecidedAt and DecidedBy (a staff id) when and who; Note explains the
	// decision to the cardholder.
	Outcome   string
	DecidedAt time.Time
	DecidedBy string
	Note      string
	// Facts are what staff established about a misuse (DISP-3, founded);
	// nil otherwise. LiabilityClause, LiabilityReason and LiabilityAmount
	// are liability.Assess's answer: what the cardholder pays for the
	// event, of which Debit is charged on this transaction.
	Facts           *liability.Facts
	LiabilityClause string
	LiabilityReason string
	LiabilityAmount int64
	// Interest (øre) at InterestBP a year for InterestDays days, and Fee,
	// the receipt-copy fee, of an unfounded dispute.
	Interest     int64
	InterestBP   int
	InterestDays int
	Fee          int64
	// Debit is what the decision debits the account in all: the
	// cardholder's liability (founded) or the amount + interest + fee
	// (unfounded).
	Debit int64
	// DecisionTransferID is the first ledger transfer of the decision
	// ("" when it debits nothing); BookedAt when it was booked.
	DecisionTransferID string
	BookedAt           time.Time

	UpdatedAt time.Time
}

// Visible reports whether customerID may see the dispute: the account's
// owner or the card's holder.
func (d Dispute) Visible(customerID string) bool {
	return customerID != "" && (d.OwnerCustomerID == customerID || d.HolderCustomerID == customerID)
}

// Merchant names the merchant for pages and messages: "Netto, Aarhus".
func (d Dispute) Merchant() string { return merchantText(d.MerchantName, d.MerchantCity) }

// merchantText is a merchant's name and city, or "ukendt forretning".
func merchantText(name, city string) string {
	name, city = strings.TrimSpace(name), strings.TrimSpace(city)
	switch {
	case name == "":
		return "ukendt forretning"
	case city == "":
		return name
	}
	return name + ", " + city
}

// DisputeRequest is what the cardholder files.
type DisputeRequest struct {
	// AuthorizationID is the debited transaction.
	AuthorizationID string
	// Case is the kind of dispute.
	Case liability.Case
	// AwareAt is when the cardholder became aware of the claim (DISP-2;
	// zero: counted from the debit).
	AwareAt time.Time
	// MerchantContacted: the cardholder tried the merchant first (DISP-2).
	MerchantContacted bool
	// Description is what happened, at most MaxDisputeText characters.
	Description string
	// By is the user filing it.
	By Actor
}

// Decision is what staff decide about a dispute.
type Decision struct {
	// Founded: the cardholder is right. False: the dispute is unfounded.
	Founded bool
	// Facts are what staff established about a misuse, for a founded
	// dispute of a payment the cardholder did not approve (DISP-3);
	// ignored otherwise. Nil is the cardholder-friendly zero value (the
	// bank covers, LIAB-1); a zero Loss means the disputed amount.
	Facts *liability.Facts
	// Note explains the decision to the cardholder (Danish, at most
	// MaxDisputeText characters; optional).
	Note string
}

// MaxDisputeText is the longest description or note, in characters.
const MaxDisputeText = 2000

// DefaultDisputeInterestBP is the default annual rate of the interest on
// an unfounded dispute's amount, in basis points (8 % a year): the bank's
// choice, as the rules name no rate.
const DefaultDisputeInterestBP = 800

// The audit actions of disputes.
const (
	ActionDisputeOpened  = "card.dispute_opened"
	ActionDisputeDecided = "card.dispute_decided"
)

// DisputeFilter selects disputes.
type DisputeFilter struct {
	// CustomerID: the disputes the customer owns or holds the card of.
	CustomerID string
	// CardID: the disputes of one card.
	CardID string
	// Statuses: only these (none: all).
	Statuses []DisputeStatus
	// OldestFirst orders by opening, oldest first (a queue); else newest
	// first.
	OldestFirst bool
	// Limit is the most returned (0: 200).
	Limit int
}

// DisputeStore is what disputes need from persistence. Package store
// implements it (store/dispute.go).
type DisputeStore interface {
	// DisputeTx runs fn in one read-write transaction (re-run on
	// conflicts).
	DisputeTx(ctx context.Context, fn func(DisputeTx) error) error
}

// DisputeTx is a transaction of the dispute store. Look-ups return a
// netbank.ENOTFOUND error when nothing matches; forUpdate locks the row
// until commit.
type DisputeTx interface {
	// InsertDispute stores a new dispute (ECONFLICT if its id or its
	// authorization is disputed already).
	InsertDispute(ctx context.Context, d Dispute) error
	// UpdateDispute writes everything of a dispute that can change: its
	// status, credit and decision.
	UpdateDispute(ctx context.Context, d Dispute) error
	Dispute(ctx context.Context, id string, forUpdate bool) (Dispute, error)
	Disputes(ctx context.Context, f DisputeFilter) ([]Dispute, error)
	// Audit appends an event to the audit log in this transaction.
	Audit(ctx context.Context, at time.Time, e audit.Event) error
}

// DisputeAuthorizations reads the authorization engine's stored
// decisions; *store.CardAuthorizations implements it.
type DisputeAuthorizations interface {
	AuthorizationsByID(ctx context.Context, ids []string) ([]Authorization, error)
	CardAuthorizations(ctx context.Context, cardID string, limit int) ([]Authorization, error)
}

// DisputeLedger is what disputes need of the ledger; *ledger.Service
// implements it.
type DisputeLedger interface {
	Transfer(ctx context.Context, r ledger.TransferRequest) (ledger.Transfer, error)
	TransferLinked(ctx context.Context, reqs []ledger.TransferRequest) ([]ledger.Transfer, error)
}

// DisputeConfig configures the disputes.
type DisputeConfig struct {
	// Clock tells the time; nil is the card service's clock.
	Clock netbank.Clock
	// Store, Authorizations and Ledger are required.
	Store          DisputeStore
	Authorizations DisputeAuthorizations
	Ledger         DisputeLedger
	// InterestBP is the annual interest rate on an unfounded dispute's
	// amount for the period it was credited, in basis points (0:
	// DefaultDisputeInterestBP; negative: no interest).
	InterestBP int
}

// The bank's accounts disputes move money through.
var (
	disputeSuspenseAccount = ledger.InternalAccountID(ledger.KindSuspense, "DKK")
	disputeInterestAccount = ledger.InternalAccountID(ledger.KindInterest, "DKK")
)

// Disputes handles the cardholders' disputes of card transactions. The
// receipt-copy fee comes from the card service's price list, and messages
// go out through its Notify.
type Disputes struct {
	cards    *Service
	store    DisputeStore
	auths    DisputeAuthorizations
	ledger   DisputeLedger
	clock    netbank.Clock
	interest int
}

// NewDisputes returns the dispute service over the card service.
func NewDisputes(cards *Service, cfg DisputeConfig) (*Disputes, error) {
	if cards == nil || cfg.Store == nil || cfg.Authorizations == nil || cfg.Ledger == nil {
		return nil, errors.New("card: disputes need the card service, their store, the authorizations and the ledger")
	}
	if cfg.Clock == nil {
		cfg.Clock = cards.clock
	}
	switch {
	case cfg.InterestBP == 0:
		cfg.InterestBP = DefaultDisputeInterestBP
	case cfg.InterestBP < 0:
		cfg.InterestBP = 0
	}
	return &Disputes{cards: cards, store: cfg.Store, auths: cfg.Authorizations, ledger: cfg.Ledger, clock: cfg.Clock,
		interest: cfg.InterestBP}, nil
}

func (s *Disputes) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// InterestBP is the annual rate of the interest on an unfounded dispute.
func (s *Disputes) InterestBP() int { return s.interest }

// Debited reports whether a stored authorization is a transaction that was
// debited and stands: an approved 0200 purchase or cash withdrawal, or an
// approved 0220 completion of a purchase that debited an amount, not
// reversed since. Holds (0100) are not debited; their completion is.
func Debited(a Authorization) bool {
	if !a.Approved() || a.Status != AuthApproved || a.AmountDKK <= 0 || a.AccountID == "" {
		return false
	}
	switch txType(a.ProcessingCode) {
	case TxPurchase:
		return a.MTI == MsgFinancial || a.MTI == MsgCompletion
	case TxCash:
		return a.MTI == MsgFinancial
	}
	return false
}

// DisputeID is the id of the dispute of an authorization: a transaction
// is disputed once.
func DisputeID(authorizationID string) string {
	h := sha256.Sum256([]byte("card-dispute-v1\x00" + authorizationID))
	return "dsp_" + hex.EncodeToString(h[:12])
}

// errNoTransaction is the answer for a transaction that does not exist or
// is not the caller's to see.
func errNoTransaction() error { return netbank.Errorf(netbank.ENOTFOUND, "Betalingen findes ikke.") }

// errNoDispute is the answer for a dispute that does not exist or is not
// the caller's to see.
func errNoDispute() error { return netbank.Errorf(netbank.ENOTFOUND, "Indsigelsen findes ikke.") }

// CardTransaction is a debited card transaction as the net bank offers it
// for a dispute: the authorization (with the merchant of the reservation
// filled in for a completion that named none) and its dispute, if any.
type CardTransaction struct {
	Authorization
	Dispute *Dispute
}

// Transactions lists the debited transactions of a card customerID may
// see, newest first, at most limit (0: 100), each with its dispute.
func (s *Disputes) Transactions(ctx context.Context, customerID, cardID string, limit int) ([]CardTransaction, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	if _, err := s.cards.Get(ctx, customerID, cardID); err != nil {
		return nil, err
	}
	all, err := s.auths.CardAuthorizations(ctx, cardID, 500)
	if err != nil {
		return nil, err
	}
	var debited []Authorization
	for _, a := range all {
		if Debited(a) {
			debited = append(debited, a)
		}
	}
	if len(debited) > limit {
		debited = debited[:limit]
	}
	if err := s.fillMerchants(ctx, debited); err != nil {
		return nil, err
	}
	var disputes []Dispute
	err = s.store.DisputeTx(ctx, func(tx DisputeTx) error {
		var err error
		disputes, err = tx.Disputes(ctx, DisputeFilter{CardID: cardID, Limit: 1000})
		return err
	})
	if err != nil {
		return nil, err
	}
	byAuth := make(map[string]*Dispute, len(disputes))
	for i := range disputes {
		byAuth[disputes[i].AuthorizationID] = &disputes[i]
	}
	out := make([]CardTransaction, len(debited))
	for i, a := range debited {
		out[i] = CardTransaction{Authorization: a, Dispute: byAuth[a.ID]}
	}
	return out, nil
}

// Transaction returns one debited transaction customerID may see, with
// its card and its dispute, if any (ENOTFOUND for anything else).
func (s *Disputes) Transaction(ctx context.Context, customerID, authorizationID string) (CardTransaction, Card, error) {
	a, c, err := s.transaction(ctx, customerID, authorizationID)
	if err != nil {
		return CardTransaction{}, Card{}, err
	}
	if !Debited(a) {
		return CardTransaction{}, Card{}, errNoTransaction()
	}
	out := CardTransaction{Authorization: a}
	err = s.store.DisputeTx(ctx, func(tx DisputeTx) error {
		d, err := tx.Dispute(ctx, DisputeID(a.ID), false)
		switch netbank.ErrorCodeOf(err) {
		case "":
			out.Dispute = &d
			return nil
		case netbank.ENOTFOUND:
			return nil
		}
		return err
	})
	return out, c, err
}

// transaction reads an authorization and its card, if customerID may see
// the card.
func (s *Disputes) transaction(ctx context.Context, customerID, authorizationID string) (Authorization, Card, error) {
	if customerID == "" || authorizationID == "" || len(authorizationID) > 64 {
		return Authorization{}, Card{}, errNoTransaction()
	}
	found, err := s.auths.AuthorizationsByID(ctx, []string{authorizationID})
	if err != nil {
		return Authorization{}, Card{}, err
	}
	if len(found) != 1 || found[0].CardID == "" {
		return Authorization{}, Card{}, errNoTransaction()
	}
	a := found[0]
	c, err := s.cards.Get(ctx, customerID, a.CardID)
	if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
		return Authorization{}, Card{}, errNoTransaction()
	}
	if err != nil {
		return Authorization{}, Card{}, err
	}
	one := []Authorization{a}
	if err := s.fillMerchants(ctx, one); err != nil {
		return Authorization{}, Card{}, err
	}
	return one[0], c, nil
}

// fillMerchants gives completions that name no merchant the merchant of
// the reservation they complete.
func (s *Disputes) fillMerchants(ctx context.Context, as []Authorization) error {
	var ids []string
	for _, a := range as {
		if strings.TrimSpace(a.MerchantName) == "" && a.OriginalID != "" {
			ids = append(ids, a.OriginalID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	origs, err := s.auths.AuthorizationsByID(ctx, ids)
	if err != nil {
		return err
	}
	byID := make(map[string]Authorization, len(origs))
	for _, o := range origs {
		byID[o.ID] = o
	}
	for i, a := range as {
		if o, ok := byID[a.OriginalID]; ok && strings.TrimSpace(a.MerchantName) == "" {
			as[i].MerchantName, as[i].MerchantCity, as[i].MerchantCountry = o.MerchantName, o.MerchantCity, o.MerchantCountry
			if as[i].MCC == "" {
				as[i].MCC = o.MCC
			}
		}
	}
	return nil
}

// cleanText trims a text the cardholder or staff typed and checks its
// length.
func cleanText(s, what string) (string, error) {
	s = strings.TrimSpace(strings.ToValidUTF8(strings.ReplaceAll(s, "\r\n", "\n"), ""))
	if utf8.RuneCountInString(s) > MaxDisputeText {
		return "", netbank.Errorf(netbank.EINVALID, "%s må højst være %s tegn.", what, netbank.FormatAmount(MaxDisputeText, 0))
	}
	return s, nil
}

// OpenDispute files the cardholder's dispute of a debited transaction
// (DISP-1…DISP-3) and credits the amount back while the bank investigates
// (DISP-4). customerID is the logged-in customer: the card's holder or the
// account's owner. It checks that the transaction is theirs (ENOTFOUND
// otherwise) and debited, that the merchant was tried first for a distance
// purchase, and the case's deadline: a late dispute is refused with an
// EINVALID error giving the rule, the last day and why. The cardholder (and
// the owner, if another) gets a message.
//
// A transaction already disputed is ECONFLICT, except that a dispute whose
// credit was not booked (a crash in between) is finished and returned.
func (s *Disputes) OpenDispute(ctx context.Context, customerID string, r DisputeRequest) (Dispute, error) {
	if r.By.ID == "" || (r.By.Kind != audit.ActorCustomer && r.By.Kind != audit.ActorBusiness) {
		return Dispute{}, netbank.Errorf(netbank.EFORBIDDEN, "Indsigelser gøres af kortholderen i netbanken.")
	}
	a, c, err := s.transaction(ctx, customerID, r.AuthorizationID)
	if err != nil {
		return Dispute{}, err
	}
	if !Debited(a) {
		return Dispute{}, netbank.Errorf(netbank.EINVALID, "Der kan kun gøres indsigelse mod en betaling, der er trukket på kontoen.")
	}
	if !r.Case.Valid() {
		return Dispute{}, netbank.Errorf(netbank.EINVALID, "Vælg hvilken type indsigelse det er")
	}
	desc, err := cleanText(r.Description, "Beskrivelsen")
	if err != nil {
		return Dispute{}, err
	}
	now := s.now()
	aware := time.Time{}
	if r.Case == liability.DistancePurchase {
		aware = r.AwareAt
		if aware.After(now) {
			return Dispute{}, netbank.Errorf(netbank.EINVALID, "Datoen, hvor du blev opmærksom på problemet, kan ikke ligge i fremtiden.")
		}
	}
	if err := liability.CheckMerchantContacted(r.Case, r.MerchantContacted); err != nil {
		return Dispute{}, err
	}
	if err := liability.CheckDeadline(r.Case, a.CreatedAt, aware, now); err != nil {
		return Dispute{}, err
	}
	d := Dispute{
		ID: DisputeID(a.ID), AuthorizationID: a.ID, CardID: c.ID, AccountID: a.AccountID, CardType: c.Type, CardLast4: c.Last4,
		OwnerCustomerID: c.CustomerID, HolderCustomerID: c.HolderCustomerID, FiledBy: customerID, FiledByUser: r.By.ID,
		Case: r.Case, Description: desc, MerchantContacted: r.Case == liability.DistancePurchase && r.MerchantContacted,
		AwareAt: aware, DebitedAt: a.CreatedAt, LastDay: liability.DisputeLastDay(r.Case, a.CreatedAt, aware),
		Amount: a.AmountDKK, OriginalAmount: a.Amount, OriginalCurrency: a.Currency, MerchantName: a.MerchantName,
		MerchantCity: a.MerchantCity, MerchantCountry: a.MerchantCountry, MCC: a.MCC,
		Status: DisputeOpen, OpenedAt: now, CreditTransferID: DisputeID(a.ID) + ":credit", UpdatedAt: now,
	}
	err = s.store.DisputeTx(ctx, func(tx DisputeTx) error {
		prev, err := tx.Dispute(ctx, d.ID, true)
		switch netbank.ErrorCodeOf(err) {
		case "":
			if prev.Status == DisputeOpen && prev.CreditedAt.IsZero() && prev.Visible(customerID) {
				d = prev // an earlier attempt stopped before the credit: finish it
				return nil
			}
			return netbank.Errorf(netbank.ECONFLICT, "Der er allerede gjort indsigelse mod denne betaling (%s).", danishDate(prev.OpenedAt))
		case netbank.ENOTFOUND:
		default:
			return err
		}
		if err := tx.InsertDispute(ctx, d); err != nil {
			return err
		}
		return tx.Audit(ctx, now, r.By.event(ActionDisputeOpened, d.ID, map[string]string{
			"case": string(d.Case), "rule": d.Case.Rule(), "authorization": d.AuthorizationID, "card": d.CardID,
			"amount": fmt.Sprint(d.Amount), "last_day": d.LastDay.Format(time.DateOnly)}))
	})
	if err != nil {
		return Dispute{}, err
	}
	d, credited, err := s.credit(ctx, d)
	if err != nil {
		return Dispute{}, err
	}
	if credited {
		s.notifyOpened(ctx, d)
	}
	return d, nil
}

// creditRequest is the credit of DISP-4.
func creditRequest(d Dispute) ledger.TransferRequest {
	return ledger.TransferRequest{ID: d.CreditTransferID, DebitAccountID: disputeSuspenseAccount, CreditAccountID: d.AccountID,
		Amount: d.Amount, Code: "card_dispute", Text: disputeText("Indsigelse, beløbet sat ind", d)}
}

// credit books the credit of a dispute, if not booked yet, and records it;
// credited is true when this call recorded it.
func (s *Disputes) credit(ctx context.Context, d Dispute) (Dispute, bool, error) {
	if !d.CreditedAt.IsZero() {
		return d, false, nil
	}
	t, err := s.ledger.Transfer(ctx, creditRequest(d))
	if err != nil {
		return Dispute{}, false, fmt.Errorf("card: crediting dispute %s: %w", d.ID, err)
	}
	credited := false
	err = s.store.DisputeTx(ctx, func(tx DisputeTx) error {
		cur, err := tx.Dispute(ctx, d.ID, true)
		if err != nil {
			return err
		}
		if cur.CreditedAt.IsZero() {
			cur.CreditedAt, cur.UpdatedAt, credited = t.CreatedAt.UTC(), s.now(), true
			if err := tx.UpdateDispute(ctx, cur); err != nil {
				return err
			}
		}
		d = cur
		return nil
	})
	return d, credited, err
}

// disputeText is a statement text naming the merchant and the card,
// within the ledger's 140 characters.
func disputeText(what string, d Dispute) string {
	s := what + ": " + d.Merchant() + " (kort …" + d.CardLast4 + ")"
	if utf8.RuneCountInString(s) > ledger.MaxTextLen {
		s = string([]rune(s)[:ledger.MaxTextLen])
	}
	return s
}

// Get returns a dispute customerID may see (ENOTFOUND otherwise, as for
// one that does not exist).
func (s *Disputes) Get(ctx context.Context, customerID, id string) (Dispute, error) {
	d, err := s.Dispute(ctx, id)
	if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND || (err == nil && !d.Visible(customerID)) {
		return Dispute{}, errNoDispute()
	}
	return d, err
}

// List returns the disputes customerID may see, newest first.
func (s *Disputes) List(ctx context.Context, customerID string) ([]Dispute, error) {
	if customerID == "" {
		return nil, nil
	}
	return s.list(ctx, DisputeFilter{CustomerID: customerID, Limit: 500})
}

// Dispute returns any dispute, for staff (ENOTFOUND if there is none).
func (s *Disputes) Dispute(ctx context.Context, id string) (Dispute, error) {
	if !strings.HasPrefix(id, "dsp_") || len(id) > 64 {
		return Dispute{}, errNoDispute()
	}
	var d Dispute
	err := s.store.DisputeTx(ctx, func(tx DisputeTx) error {
		var err error
		d, err = tx.Dispute(ctx, id, false)
		if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
			return errNoDispute()
		}
		return err
	})
	return d, err
}

// Queue returns the disputes staff have to decide, oldest first, and the
// latest limit decided ones, newest first.
func (s *Disputes) Queue(ctx context.Context, limit int) (pending, decided []Dispute, err error) {
	if pending, err = s.list(ctx, DisputeFilter{Statuses: []DisputeStatus{DisputeOpen, DisputeDeciding}, OldestFirst: true, Limit: 500}); err != nil {
		return nil, nil, err
	}
	decided, err = s.list(ctx, DisputeFilter{Statuses: []DisputeStatus{DisputeFounded, DisputeUnfounded}, Limit: limit})
	return pending, decided, err
}

func (s *Disputes) list(ctx context.Context, f DisputeFilter) ([]Dispute, error) {
	var out []Dispute
	err := s.store.DisputeTx(ctx, func(tx DisputeTx) error {
		var err error
		out, err = tx.Disputes(ctx, f)
		return err
	})
	return out, err
}

// AssessFacts returns what the cardholder pays for the misuse a dispute of
// a payment they did not approve is about, under the facts staff enter
// (LIAB-1…LIAB-5): liability.Assess, with the disputed amount as the loss
// when f names none. Debit is what a founded decision charges on this
// transaction: the card's share (Result.PerCard[0]), at most the disputed
// amount.
func AssessFacts(d Dispute, f liability.Facts) (res liability.Result, debit int64) {
	if f.Loss <= 0 {
		f.Loss = d.Amount
	}
	res = liability.Assess(f)
	if len(res.PerCard) > 0 {
		debit = min(res.PerCard[0], d.Amount)
	}
	return res, max(debit, 0)
}

// Preview returns the dispute as dec would decide it now, without storing
// or booking anything: the amounts for the back office to show before
// staff decide.
func (s *Disputes) Preview(ctx context.Context, id string, dec Decision) (Dispute, error) {
	d, err := s.Dispute(ctx, id)
	if err != nil {
		return Dispute{}, err
	}
	if d.Status != DisputeOpen {
		return d, nil
	}
	fee, err := s.fee(ctx, dec)
	if err != nil {
		return Dispute{}, err
	}
	return decide(d, dec, s.now(), "", s.interest, fee)
}

// fee is the receipt-copy fee of the price list a decision charges (0
// for a founded one). It is read before the dispute's transaction, which
// must not wait for another.
func (s *Disputes) fee(ctx context.Context, dec Decision) (int64, error) {
	if dec.Founded {
		return 0, nil
	}
	return s.cards.price(ctx, pricing.KeyCardReceiptCopyFee)
}

// decide fills in d's decision at now by staff member by, with the
// interest rate interestBP and the receipt-copy fee.
func decide(d Dispute, dec Decision, now time.Time, by string, interestBP int, fee int64) (Dispute, error) {
	note, err := cleanText(dec.Note, "Begrundelsen")
	if err != nil {
		return Dispute{}, err
	}
	d.DecidedAt, d.DecidedBy, d.Note, d.UpdatedAt = now, by, note, now
	d.Facts, d.LiabilityClause, d.LiabilityReason, d.LiabilityAmount = nil, "", "", 0
	d.Interest, d.InterestBP, d.InterestDays, d.Fee, d.Debit, d.DecisionTransferID = 0, 0, 0, 0, 0, ""
	if dec.Founded {
		d.Outcome = OutcomeFounded
		if d.Case == liability.NotApproved {
			f := liability.Facts{}
			if dec.Facts != nil {
				f = *dec.Facts
			}
			if f.Loss <= 0 {
				f.Loss = d.Amount
			}
			res, debit := AssessFacts(d, f)
			d.Facts = &f
			d.LiabilityClause, d.LiabilityReason, d.LiabilityAmount, d.Debit = res.Clause, res.Reason, res.Amount, debit
			if debit > 0 {
				d.DecisionTransferID = d.ID + ":liability"
			}
		}
		return d, nil
	}
	d.Outcome = OutcomeUnfounded
	from := d.CreditedAt
	if from.IsZero() {
		from = now
	}
	d.InterestDays = max(0, int(calendar.Day(now).Sub(calendar.Day(from)).Hours()/24))
	d.InterestBP = interestBP
	d.Interest = Interest(d.Amount, d.InterestBP, d.InterestDays)
	d.Fee = fee
	d.Debit = d.Amount + d.Interest + d.Fee
	d.DecisionTransferID = d.ID + ":reverse"
	return d, nil
}

// Interest is simple interest on amount øre at bp basis points a year for
// days days on a 365-day year, rounded half up to whole øre (exact
// integer arithmetic).
func Interest(amount int64, bp, days int) int64 {
	if amount <= 0 || bp <= 0 || days <= 0 {
		return 0
	}
	n := new(big.Int).Mul(big.NewInt(amount), big.NewInt(int64(bp)))
	n.Mul(n, big.NewInt(int64(days)))
	den := big.NewInt(10000 * 365)
	n.Mul(n, big.NewInt(2)).Add(n, den)
	n.Quo(n, new(big.Int).Mul(den, big.NewInt(2)))
	if !n.IsInt64() {
		return 0
	}
	return n.Int64()
}

// decisionRequests are the ledger transfers of a recorded decision (none
// for a founded dispute the cardholder pays nothing of).
func decisionRequests(d Dispute) []ledger.TransferRequest {
	if d.Outcome == OutcomeFounded {
		if d.Debit <= 0 {
			return nil
		}
		return []ledger.TransferRequest{{ID: d.ID + ":liability", DebitAccountID: d.AccountID, CreditAccountID: disputeSuspenseAccount,
			Amount: d.Debit, Code: "card_dispute", Text: disputeText("Egenbetaling ved misbrug ("+d.LiabilityClause+")", d)}}
	}
	reqs := []ledger.TransferRequest{{ID: d.ID + ":reverse", DebitAccountID: d.AccountID, CreditAccountID: disputeSuspenseAccount,
		Amount: d.Amount, Code: "card_dispute", Text: disputeText("Indsigelse afvist, beløbet trukket igen", d)}}
	if d.Interest > 0 {
		reqs = append(reqs, ledger.TransferRequest{ID: d.ID + ":interest", DebitAccountID: d.AccountID, CreditAccountID: disputeInterestAccount,
			Amount: d.Interest, Code: "interest", Text: disputeText(fmt.Sprintf("Renter %d dage af tilbageført beløb", d.InterestDays), d)})
	}
	if d.Fee > 0 {
		reqs = append(reqs, ledger.TransferRequest{ID: d.ID + ":fee", DebitAccountID: d.AccountID, CreditAccountID: feeAccount,
			Amount: d.Fee, Code: "fee", Text: disputeText("Gebyr for notakopi", d)})
	}
	return reqs
}

// Decide closes a dispute as staff member by decides it (see the top of
// this file). Deciding a decided dispute the same way again changes
// nothing and returns it; the other way is ECONFLICT. The cardholder (and
// the owner, if another) gets a message with the outcome and what was
// debited.
func (s *Disputes) Decide(ctx context.Context, id string, dec Decision, by Actor) (Dispute, error) {
	if by.Kind != audit.ActorStaff {
		return Dispute{}, netbank.Errorf(netbank.EFORBIDDEN, "Kun bankens medarbejdere kan afgøre en indsigelse.")
	}
	d, err := s.Dispute(ctx, id)
	if err != nil {
		return Dispute{}, err
	}
	if d.CreditedAt.IsZero() && !d.Status.Decided() {
		if d, _, err = s.credit(ctx, d); err != nil {
			return Dispute{}, err
		}
	}
	outcome := OutcomeUnfounded
	if dec.Founded {
		outcome = OutcomeFounded
	}
	fee, err := s.fee(ctx, dec)
	if err != nil {
		return Dispute{}, err
	}
	// Step 1: record the decision.
	done := false
	err = s.store.DisputeTx(ctx, func(tx DisputeTx) error {
		cur, err := tx.Dispute(ctx, id, true)
		if err != nil {
			return err
		}
		switch {
		case cur.Status.Decided() && cur.Outcome == outcome:
			d, done = cur, true
			return nil
		case cur.Status.Decided():
			return netbank.Errorf(netbank.ECONFLICT, "Indsigelsen er allerede afgjort (%s).", strings.ToLower(cur.Status.Danish()))
		case cur.Status == DisputeDeciding && cur.Outcome != outcome:
			return netbank.Errorf(netbank.ECONFLICT, "Indsigelsen er ved at blive afgjort på en anden måde af %s.", cur.DecidedBy)
		case cur.Status == DisputeDeciding:
			d = cur // finish the recorded decision
			return nil
		}
		next, err := decide(cur, dec, s.now(), by.ID, s.interest, fee)
		if err != nil {
			return err
		}
		next.Status = DisputeDeciding
		if err := tx.UpdateDispute(ctx, next); err != nil {
			return err
		}
		d = next
		return nil
	})
	if err != nil || done {
		return d, err
	}
	// Step 2: book it.
	if reqs := decisionRequests(d); len(reqs) > 0 {
		var err error
		if len(reqs) == 1 {
			_, err = s.ledger.Transfer(ctx, reqs[0])
		} else {
			_, err = s.ledger.TransferLinked(ctx, reqs)
		}
		if netbank.ErrorCodeOf(err) == netbank.EINSUFFICIENT {
			if werr := s.withdraw(ctx, d); werr != nil {
				return Dispute{}, werr
			}
			return Dispute{}, netbank.Errorf(netbank.EINSUFFICIENT,
				"Der er ikke dækning på kontoen til at trække %s. Indsigelsen er ikke afgjort.", netbank.NewMoney(d.Debit, "DKK"))
		}
		if err != nil {
			return Dispute{}, fmt.Errorf("card: booking the decision of dispute %s: %w", d.ID, err)
		}
	}
	// Step 3: close it.
	closed := false
	err = s.store.DisputeTx(ctx, func(tx DisputeTx) error {
		cur, err := tx.Dispute(ctx, id, true)
		if err != nil {
			return err
		}
		if cur.Status != DisputeDeciding {
			d = cur // closed by a concurrent finisher
			return nil
		}
		now := s.now()
		cur.Status, cur.BookedAt, cur.UpdatedAt = DisputeUnfounded, now, now
		if cur.Outcome == OutcomeFounded {
			cur.Status = DisputeFounded
		}
		if err := tx.UpdateDispute(ctx, cur); err != nil {
			return err
		}
		details := map[string]string{"outcome": cur.Outcome, "case": string(cur.Case), "amount": fmt.Sprint(cur.Amount),
			"debit": fmt.Sprint(cur.Debit)}
		if cur.LiabilityClause != "" {
			details["clause"], details["liability"] = cur.LiabilityClause, fmt.Sprint(cur.LiabilityAmount)
		}
		if cur.Outcome == OutcomeUnfounded {
			details["interest"], details["interest_days"], details["fee"] = fmt.Sprint(cur.Interest), fmt.Sprint(cur.InterestDays), fmt.Sprint(cur.Fee)
		}
		if err := tx.Audit(ctx, now, by.event(ActionDisputeDecided, cur.ID, details)); err != nil {
			return err
		}
		d, closed = cur, true
		return nil
	})
	if err != nil {
		return Dispute{}, err
	}
	if closed {
		s.notifyDecided(ctx, d)
	}
	return d, nil
}

// withdraw opens a dispute again whose recorded decision could not be
// booked.
func (s *Disputes) withdraw(ctx context.Context, d Dispute) error {
	return s.store.DisputeTx(ctx, func(tx DisputeTx) error {
		cur, err := tx.Dispute(ctx, d.ID, true)
		if err != nil {
			return err
		}
		if cur.Status != DisputeDeciding || !cur.DecidedAt.Equal(d.DecidedAt) {
			return nil
		}
		cur.Status, cur.Outcome, cur.DecidedAt, cur.DecidedBy, cur.Note, cur.UpdatedAt = DisputeOpen, "", time.Time{}, "", "", s.now()
		cur.Facts, cur.LiabilityClause, cur.LiabilityReason, cur.LiabilityAmount = nil, "", "", 0
		cur.Interest, cur.InterestBP, cur.InterestDays, cur.Fee, cur.Debit, cur.DecisionTransferID = 0, 0, 0, 0, 0, ""
		return tx.UpdateDispute(ctx, cur)
	})
}

// notifyDispute sends a message about a dispute to the cardholder and the
// account's owner.
func (s *Disputes) notifyDispute(ctx context.Context, d Dispute, subject, body string) {
	s.cards.notify(ctx, d.HolderCustomerID, subject, body)
	if d.OwnerCustomerID != d.HolderCustomerID {
		s.cards.notify(ctx, d.OwnerCustomerID, subject, body)
	}
}

// kr formats øre as kroner: "1.234,50 kr.".
func kr(ore int64) string { return netbank.NewMoney(ore, "DKK").String() }

// transactionLine names the disputed transaction in a message.
func (d Dispute) transactionLine() string {
	return fmt.Sprintf("%s %s, trukket %s med %s-kortet, der ender på %s", d.Merchant(), kr(d.Amount), danishDate(d.DebitedAt),
		d.CardType.Danish(), d.CardLast4)
}

// notifyOpened tells the cardholder the dispute is received and the
// amount credited (DISP-4).
func (s *Disputes) notifyOpened(ctx context.Context, d Dispute) {
	fee, err := s.cards.price(ctx, pricing.KeyCardReceiptCopyFee)
	feeText := "et gebyr for notakopi"
	if err == nil {
		feeText = "gebyr for notakopi (" + kr(fee) + ")"
	}
	body := fmt.Sprintf("Vi har modtaget din indsigelse mod betalingen:\n%s.\n\nType: %s (%s).\n\n"+
		"Mens vi undersøger sagen, har vi sat %s ind på din konto. Viser indsigelsen sig at være uberettiget, "+
		"trækker vi beløbet igen med renter for perioden og %s.\n\nDu kan følge sagen under Kort → Mine indsigelser.",
		d.transactionLine(), d.Case.Danish(), d.Case.Rule(), kr(d.Amount), feeText)
	s.notifyDispute(ctx, d, "Vi har modtaget din indsigelse", body)
}

// notifyDecided tells the cardholder the outcome and what was debited.
func (s *Disputes) notifyDecided(ctx context.Context, d Dispute) {
	var b strings.Builder
	fmt.Fprintf(&b, "Vi har afgjort din indsigelse mod betalingen:\n%s.\n\n", d.transactionLine())
	if d.Outcome == OutcomeFounded {
		b.WriteString("Du har fået medhold, og beløbet, vi satte ind på din konto, forbliver der.")
		if d.LiabilityClause != "" {
			fmt.Fprintf(&b, "\n\nBetalingen er sket ved misbrug af dit kort. %s", d.LiabilityReason)
			if d.Debit > 0 {
				fmt.Fprintf(&b, "\nVi har derfor trukket %s på din konto som din egenbetaling.", kr(d.Debit))
			} else {
				b.WriteString("\nDu skal ikke betale noget.")
			}
		}
	} else {
		fmt.Fprintf(&b, "Du har ikke fået medhold. Vi har derfor trukket beløbet på %s igen, med renter for %d dage (%s) og gebyr for notakopi (%s), i alt %s.",
			kr(d.Amount), d.InterestDays, kr(d.Interest), kr(d.Fee), kr(d.Debit))
	}
	if d.Note != "" {
		fmt.Fprintf(&b, "\n\nBegrundelse:\n%s", d.Note)
	}
	s.notifyDispute(ctx, d, "Din indsigelse er afgjort", b.String())
}

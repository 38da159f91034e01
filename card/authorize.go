package card

// The authorization engine (issue 5, RULES CARD-2…CARD-11): the bank
// decides every request the card network sends it for its cards.
//
// The engine speaks the card network's vocabulary (message types, field
// values, response codes of ISO 8583, docs/iso8583.md) in its own types,
// AuthRequest and AuthResponse, so package card stays a domain package that
// imports no adapter: the ISO 8583 server's handler (app.CardNetworkHandler)
// copies an iso8583.Request into an AuthRequest and the AuthResponse back.
//
// # Decisions
//
// A request is decided in this order; the first rule that refuses answers,
// and every decision is stored with its reasons (Authorization):
//
//	14  the card number fails its Luhn check, or the bank has no such card
//	    (a retry of a decided request is recognised here, before any rule
//	    runs, so it never counts a PIN try twice: identical → the first
//	    answer again, no second hold; other content → 94)
//	12  a message or processing code the bank does not take (cash only as
//	    0200; completions of purchases only), an unknown currency or one the
//	    bank has no rate for; a completion or reversal whose original (field
//	    90) is not found, not the same card, or not open
//	13  no amount (purchase, cash, refund); a completion above the
//	    authorized amount, except at hotels and car rentals (CARD-10)
//	41  blocked as lost; 43 blocked as stolen (also after replacement)
//	62  blocked for any other reason, not activated, replaced, terminated
//	54  expired, or field 14 is not the card's expiry month
//	75  the PIN is locked (the third wrong PIN and every try after it)
//	55  wrong PIN (the try counts, package card's VerifyPIN); cash and
//	    balance inquiries without a PIN
//	05  wrong CVV2 (field 48): "do not honour", which tells a card tester
//	    nothing about which datum was wrong
//	57  a merchant category the card type may not use (gambling for Visa
//	    12:17 and Junior), or cash, contactless or card-not-present use the
//	    type does not allow (TypeRules)
//	1A  contactless without PIN above the per-payment limit, or past the
//	    count or the amount since the last PIN (CARD-6); an internet
//	    purchase without a Visa Secure result the CAVVVerifier accepts
//	    (CARD-11) — without a verifier every internet purchase is 1A, with
//	    or without a CAVV. A recurring payment on a credential on file
//	    (entry mode 10, RECURRING=1) is merchant-initiated and needs none.
//	61  over the daily cash limit or the rolling 30-day total (CARD-5)
//	51  not enough available on the account: booked − reserved, plus the
//	    agreed overdraft except for the types that never use it (CARD-4)
//	94  the same terminal, STAN and RRN within 24 hours with other content
//	96  anything failing inside the bank; and a decision that misses the
//	    server's deadline, whose money movement is then undone
//	00  approved, with a 6-character authorization code
//
// Refunds (processing code 20) credit the account of any known card at once;
// they take no PIN, limit or status check (the money goes to the
// cardholder). Balance inquiries (30) take the status and PIN rules and
// answer the booked and available balance (field 54).
//
// # Money
//
// An approved 0100 purchase is a hold in the ledger on the card's account
// towards the bank's card settlement account, expiring after 7 calendar
// days + 2 bank days (CARD-7); a 0200 is debited at once, cash with the
// price list's cash fee (the bank has no cash machines of its own, so
// every withdrawal is at another bank's, which the fee is for). A foreign
// amount is held in kroner at the reference rate + the card margin of the
// price list (CARD-8). Completions, reversals and the hotel rules are in
// reserve.go; the limits in limits.go. The money of a 0100 or 0200 whose
// decision was never stored (the process died between the ledger's
// commit and the decision's) is undone by RecoverOrphans (recover.go).
//
// # Performance
//
// The hot path is one card look-up by the number's keyed hash (a plain
// read), one read for a retry, one of the card's recent spending (the
// limits), the PIN check against the card just read (a write only after a
// wrong PIN), one ledger call (group-committed with everything else in
// flight) and one insert (group-committed with the other decisions in
// flight). Requests for the same card are decided one at a time (a striped
// lock in the process), so the limits and the contactless count see every
// earlier decision; requests for different cards never wait for each other.
// Between instances the ledger is the hard guard: it never lets an account
// past its overdraft.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/calendar"
	"github.com/netbank/netbank/cardsec"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/pricing"
)

// Message types (ISO 8583 MTI) of the requests the engine decides.
const (
	// MsgAuthorization is a purchase to hold on the account (0100), or an
	// incremental authorization at a hotel or car rental naming the first
	// in field 90 (CARD-10).
	MsgAuthorization = "0100"
	// MsgFinancial is debited at once (0200): cash at a machine or a
	// counter, or a purchase.
	MsgFinancial = "0200"
	// MsgCompletion claims an earlier authorization with the final amount
	// (0220).
	MsgCompletion = "0220"
	// MsgReversal undoes an earlier request (0400).
	MsgReversal = "0400"
)

// Transaction types: the first two digits of the processing code.
const (
	TxPurchase       = "00" // purchase
	TxCash           = "01" // cash withdrawal
	TxRefund         = "20" // refund onto the card
	TxBalanceInquiry = "30" // balance inquiry
)

// POS entry modes (the first two digits of field 22).
const (
	EntryKeyed            = "01" // card number keyed in
	EntryChip             = "05" // chip
	EntryContactless      = "07" // contactless chip
	EntryCredentialOnFile = "10" // a card number the merchant keeps on file
	EntryECommerce        = "81" // internet purchase
)

// POS condition codes (field 25).
const (
	ConditionPresent   = "00" // cardholder and card present
	ConditionMailPhone = "08" // mail or telephone order
	ConditionECommerce = "59" // electronic commerce
)

// Response codes the engine answers (field 39).
const (
	CodeApproved                     = "00" // approved
	CodeDoNotHonour                  = "05" // do not honour (wrong CVV2)
	CodeInvalidTransaction           = "12" // invalid transaction
	CodeInvalidAmount                = "13" // invalid amount
	CodeInvalidCardNumber            = "14" // invalid card number
	CodeLostCard                     = "41" // lost card
	CodeStolenCard                   = "43" // stolen card
	CodeInsufficientFunds            = "51" // insufficient funds (CARD-4)
	CodeExpiredCard                  = "54" // expired card
	CodeIncorrectPIN                 = "55" // incorrect PIN
	CodeNotPermitted                 = "57" // not permitted to the cardholder
	CodeExceedsWithdrawalLimit       = "61" // over a limit (CARD-5)
	CodeRestrictedCard               = "62" // blocked, not activated, replaced, terminated
	CodePINTriesExceeded             = "75" // PIN locked after 3 wrong PINs
	CodeStrongAuthenticationRequired = "1A" // PIN or Visa Secure needed (CARD-6, CARD-11)
	CodeDuplicate                    = "94" // duplicate transmission
	CodeSystemError                  = "96" // system error
)

// AuthRequest is one request of the card network, as the ISO 8583 server
// read and checked it (field formats are the server's concern; the rules
// are the engine's).
type AuthRequest struct {
	// MTI is MsgAuthorization, MsgFinancial, MsgCompletion or MsgReversal.
	MTI string
	// PAN is field 2.
	PAN string
	// ProcessingCode is field 3, 6 digits (TxType gives the first two).
	ProcessingCode string
	// Amount is field 4 in minor units of Currency (a completion's final
	// amount).
	Amount int64
	// Currency is field 49, the ISO 4217 numeric code ("208" kroner).
	Currency string
	// TransmissionTime is field 7 (MMDDhhmmss, UTC); STAN field 11;
	// LocalTime and LocalDate fields 12 and 13 (optional).
	TransmissionTime, STAN, LocalTime, LocalDate string
	// Expiry is field 14, YYMM (optional).
	Expiry string
	// MCC is field 18, the merchant category.
	MCC string
	// POSEntryMode is field 22: entry mode (EntryMode) and PIN capability.
	POSEntryMode string
	// POSCondition is field 25 (optional).
	POSCondition string
	// RRN is field 37; TerminalID field 41; MerchantID field 42.
	RRN, TerminalID, MerchantID string
	// MerchantName, MerchantCity and MerchantCountry are field 43.
	MerchantName, MerchantCity, MerchantCountry string
	// CVV2, CAVV and Recurring are the tags of field 48.
	CVV2, CAVV string
	Recurring  bool
	// PINBlock is field 52: the encrypted PIN block in hex ("" without PIN).
	PINBlock string
	// Original is field 90: the request a completion, reversal or
	// incremental authorization refers to.
	Original *OriginalRef
}

// OriginalRef names an earlier request (field 90): its message type, STAN
// and transmission time, at the same terminal.
type OriginalRef struct {
	MTI, STAN, TransmissionTime string
}

// TxType is the first two digits of the processing code.
func (r AuthRequest) TxType() string { return txType(r.ProcessingCode) }

// txType is the transaction type of a processing code: its first two digits.
func txType(processingCode string) string {
	if len(processingCode) < 2 {
		return ""
	}
	return processingCode[:2]
}

// EntryMode is the first two digits of the POS entry mode.
func (r AuthRequest) EntryMode() string {
	if len(r.POSEntryMode) < 2 {
		return ""
	}
	return r.POSEntryMode[:2]
}

// CardNotPresent reports whether the card was not at the merchant: a mail
// or phone order, an internet purchase, a keyed-in number with either, or
// a credential the merchant keeps on file (CARD-7).
func (r AuthRequest) CardNotPresent() bool {
	return r.POSCondition == ConditionMailPhone || r.POSCondition == ConditionECommerce ||
		r.EntryMode() == EntryECommerce || r.EntryMode() == EntryCredentialOnFile
}

// ECommerce reports whether the request is an internet purchase (entry
// mode 81 or condition 59), which needs Visa Secure (CARD-11).
func (r AuthRequest) ECommerce() bool {
	return r.EntryMode() == EntryECommerce || r.POSCondition == ConditionECommerce
}

// AuthResponse is the engine's answer.
type AuthResponse struct {
	// Code is the response code (Code… constants).
	Code string
	// AuthCode is the 6-character authorization code of an approval.
	AuthCode string
	// Balance is set on the answer to an approved balance inquiry.
	Balance *AuthBalance
}

// AuthBalance is the card account's balance for a balance inquiry, in øre:
// Booked is the posted balance, Available what the card may still spend
// (booked − reserved, + the overdraft when the card type may use it).
type AuthBalance struct {
	Booked, Available int64
}

// AuthStatus is where a stored authorization stands.
type AuthStatus string

// The states of a stored authorization.
const (
	// AuthApproved: approved; for a 0100 the hold is (or was, until it
	// expired) open.
	AuthApproved AuthStatus = "approved"
	// AuthDeclined: refused; nothing moved.
	AuthDeclined AuthStatus = "declined"
	// AuthCompleted: the merchant claimed the hold (0220).
	AuthCompleted AuthStatus = "completed"
	// AuthReversed: undone by a 0400.
	AuthReversed AuthStatus = "reversed"
)

// Authorization is one stored decision: what was asked (never the PAN,
// PIN block, CVV2 or CAVV), what the bank answered and why, and the money
// it moved.
type Authorization struct {
	// ID is "aut_" + 24 hex digits derived from the message type, terminal,
	// STAN, RRN and the Danish date, so a retry finds it (random for 94,
	// and for 96 before anything moved, which a retry decides anew).
	ID string
	// CardID and AccountID are "" when the bank has no such card.
	CardID, AccountID string

	// MTI, STAN (field 11), RRN (37), Transmitted (7), TerminalID (41),
	// MerchantID (42), the merchant's name, city and country (43), MCC
	// (18), EntryMode (22), Condition (25) and ProcessingCode (3) are the
	// request's fields.
	MTI, STAN, RRN, Transmitted, TerminalID, MerchantID string
	MerchantName, MerchantCity, MerchantCountry         string
	MCC, EntryMode, Condition, ProcessingCode           string
	// Amount is in minor units of Currency (ISO 4217 alphabetic).
	Amount   int64
	Currency string
	// AmountDKK is what was held, debited or credited in kroner (øre).
	AmountDKK int64
	// Rate and CustomerRate are the reference rate and the rate used
	// (reference + margin; − for refunds), in pricing.RateScale units;
	// 0 for kroner. MarginBP is the margin.
	Rate, CustomerRate int64
	MarginBP           int
	// FeeDKK is the cash fee debited with a withdrawal.
	FeeDKK int64

	// Code is the response code, AuthCode the authorization code of an
	// approval, Reasons why (Danish, for staff and the cardholder).
	Code     string
	AuthCode string
	Reasons  []string

	// TransferID is the ledger hold or debit (or credit) of an approval.
	TransferID string
	// HoldExpiresAt is when a hold lapses (7 calendar days + 2 bank days,
	// CARD-7); ClaimUntil how long the merchant may complete it (30 days
	// for card-not-present orders, else the hold's expiry).
	HoldExpiresAt, ClaimUntil time.Time

	Status AuthStatus
	// OriginalID is the authorization a completion, reversal or
	// incremental authorization refers to (field 90).
	OriginalID string

	// LimitDKK is what counts towards the limits of CARD-5 (0 once
	// reversed); Cash marks withdrawals; PINVerified a right PIN;
	// ContactlessNoPIN a contactless payment without one (CARD-6);
	// CardNotPresent an internet, mail or phone order (CARD-7).
	LimitDKK         int64
	Cash             bool
	PINVerified      bool
	ContactlessNoPIN bool
	CardNotPresent   bool

	// Fingerprint hashes the request's content (the card's id, not its
	// number; no PIN block, CVV2 or CAVV) to tell an identical retry from
	// a duplicate.
	Fingerprint string

	CreatedAt, UpdatedAt time.Time
}

// Approved reports whether the request was approved.
func (a Authorization) Approved() bool { return a.Code == CodeApproved }

// AuthUpdate changes an earlier authorization when a completion or
// reversal is stored: its new status, and (ClearLimit) no longer counting
// towards the limits.
type AuthUpdate struct {
	ID         string
	Status     AuthStatus
	ClearLimit bool
}

// AuthSave is one decision to store, with the changes it makes to
// earlier authorizations.
type AuthSave struct {
	Auth    Authorization
	Updates []AuthUpdate
}

// AuthSaved is a stored decision: Auth as stored, and whether it was
// inserted now (false: one with its ID was stored already, and Auth is
// that one).
type AuthSaved struct {
	Auth     Authorization
	Inserted bool
}

// Usage is what a card has spent recently, for the limits (CARD-5, CARD-6).
type Usage struct {
	// CashToday is today's approved cash (Danish day), in øre.
	CashToday int64
	// Total30 is the approved purchases and cash of the last 30 days.
	Total30 int64
	// ContactlessSincePIN and ContactlessCount are the approved contactless
	// payments without PIN since the last approved request with the right
	// PIN: their sum in øre and their number.
	ContactlessSincePIN int64
	ContactlessCount    int
}

// AuthStore is what the engine needs from persistence. Package store
// implements it (store/cardauth.go). Reads may run outside a transaction.
type AuthStore interface {
	// CardByPANHash reads the card with a card number's look-up hash
	// (ENOTFOUND if there is none), outside a transaction: the hot path's
	// one card look-up.
	CardByPANHash(ctx context.Context, hash string) (Card, error)
	// AuthorizationsByID returns the stored authorizations among ids
	// (missing ones are absent).
	AuthorizationsByID(ctx context.Context, ids []string) ([]Authorization, error)
	// OriginalAuthorization finds the request a completion or reversal
	// names (field 90) at a terminal: message type, STAN and transmission
	// time, preferring an approval, else the newest; never a 94.
	// ENOTFOUND when there is none.
	OriginalAuthorization(ctx context.Context, terminalID, mti, stan, transmitted string) (Authorization, error)
	// AuthorizationGroup returns an authorization and the incremental
	// authorizations (0100) that name it, oldest first.
	AuthorizationGroup(ctx context.Context, id string) ([]Authorization, error)
	// CardUsage sums a card's approved spending: cash since dayStart, all
	// of it since since, contactless without PIN since the last PIN.
	CardUsage(ctx context.Context, cardID string, dayStart, since time.Time) (Usage, error)
	// SaveAuthorizations stores decisions, each with the changes it makes
	// to earlier authorizations, all in one transaction (the engine
	// gathers concurrent decisions into one commit). A decision whose ID
	// is stored already (a retry racing the first) writes nothing and
	// returns the stored one with Inserted false.
	SaveAuthorizations(ctx context.Context, saves []AuthSave) ([]AuthSaved, error)
	// CardAuthorizations lists a card's authorizations, newest first.
	CardAuthorizations(ctx context.Context, cardID string, limit int) ([]Authorization, error)
	// OrphanedMoney finds the money of 0100s and 0200s that no decision
	// names (see OrphanQuery and recover.go), oldest first.
	OrphanedMoney(ctx context.Context, q OrphanQuery) ([]OrphanMoney, error)
}

// AuthLedger is what the engine needs of the ledger; *ledger.Service
// implements it.
type AuthLedger interface {
	Transfer(ctx context.Context, r ledger.TransferRequest) (ledger.Transfer, error)
	TransferLinked(ctx context.Context, reqs []ledger.TransferRequest) ([]ledger.Transfer, error)
	Balance(ctx context.Context, id string) (ledger.Balance, error)
	GetHold(ctx context.Context, id string) (ledger.Hold, error)
	GetTransfer(ctx context.Context, id string) (ledger.Transfer, error)
}

// AuthPricing is the price list and the exchange rates; *pricing.Service
// implements it.
type AuthPricing interface {
	Prices(ctx context.Context) ([]pricing.Price, error)
	Quote(ctx context.Context, r pricing.QuoteRequest) (pricing.Quote, error)
}

// CAVVVerifier checks a Visa Secure result (field 48 CAVV) against what
// the cardholder approved: card number, amount (minor units of currency,
// ISO 4217 alphabetic), merchant (field 42) — the bank's access control
// server implements it (CARD-11). Any other amount or merchant must fail.
type CAVVVerifier interface {
	Verify(ctx context.Context, pan string, amountMinor int64, currency, merchantID, cavv string) bool
}

// AuthConfig configures the authorization engine.
type AuthConfig struct {
	// Clock tells the time; nil is the card service's clock.
	Clock netbank.Clock
	// Store, Ledger and Pricing are required.
	Store   AuthStore
	Ledger  AuthLedger
	Pricing AuthPricing
	// CAVV verifies Visa Secure results; nil refuses every internet
	// purchase that needs one with 1A.
	CAVV CAVVVerifier
	// PriceTTL is how long the engine keeps the price list's card limits
	// and fees before reading them again (0: DefaultPriceTTL; negative:
	// read them for every request).
	PriceTTL time.Duration
	// LedgerTimeout bounds a ledger call once started: it runs to its end
	// even when the request's deadline passes meanwhile, so the engine
	// knows what to undo (0: 10 seconds).
	LedgerTimeout time.Duration
	// Logger logs failures (never a card number, PIN or CVV2); nil is
	// slog.Default().
	Logger *slog.Logger
}

// DefaultPriceTTL is how long the engine keeps the card prices by default:
// a change by staff applies to authorizations within this time.
const DefaultPriceTTL = 10 * time.Second

// The bank's accounts card money moves through.
var (
	cardSettlementAccount = ledger.InternalAccountID(ledger.KindCardSettlement, "DKK")
	cardFeeAccount        = ledger.InternalAccountID(ledger.KindFees, "DKK")
)

// lockStripes is the number of per-card locks (card ids hash onto them).
const lockStripes = 1024

// Authorizer is the authorization engine: it decides the card network's
// requests for the cards of a Service (see the top of this file).
type Authorizer struct {
	cards  *Service
	cfg    AuthConfig
	clock  netbank.Clock
	log    *slog.Logger
	prices priceCache
	saver  saveBatcher
	locks  [lockStripes]sync.Mutex
	// orphans is where RecoverOrphans got to (recover.go).
	orphans orphanRecovery
}

// NewAuthorizer returns the authorization engine over the card service.
func NewAuthorizer(cards *Service, cfg AuthConfig) (*Authorizer, error) {
	if cards == nil || cfg.Store == nil || cfg.Ledger == nil || cfg.Pricing == nil {
		return nil, errors.New("card: the authorizer needs the card service, its store, the ledger and the price list")
	}
	if cfg.Clock == nil {
		cfg.Clock = cards.clock
	}
	if cfg.PriceTTL == 0 {
		cfg.PriceTTL = DefaultPriceTTL
	}
	if cfg.LedgerTimeout <= 0 {
		cfg.LedgerTimeout = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	a := &Authorizer{cards: cards, cfg: cfg, clock: cfg.Clock, log: cfg.Logger}
	a.prices.ttl = cfg.PriceTTL
	return a, nil
}

func (a *Authorizer) now() time.Time { return a.clock.Now().UTC().Truncate(time.Microsecond) }

// attempt is one request being decided.
type attempt struct {
	req   AuthRequest
	now   time.Time
	card  Card
	rules TypeRules
	cur   netbank.Currency
	// auth is the decision being built, stored at the end.
	auth Authorization
	// updates change earlier authorizations when auth is stored.
	updates []AuthUpdate
	// balance is answered to a balance inquiry.
	balance *AuthBalance
	// undo reverses what the ledger did for auth, if the answer cannot be
	// given after all (nil: nothing to undo).
	undo []ledger.TransferRequest
	// undone is set once undo ran: the ledger ids of auth are spent.
	undone bool
}

// refuse records a refusal with its reason.
func (t *attempt) refuse(code, reason string, args ...any) AuthResponse {
	t.auth.Code, t.auth.Status = code, AuthDeclined
	t.reason(reason, args...)
	return AuthResponse{Code: code}
}

// reason adds a reason to the decision.
func (t *attempt) reason(reason string, args ...any) {
	if len(args) > 0 {
		reason = fmt.Sprintf(reason, args...)
	}
	t.auth.Reasons = append(t.auth.Reasons, reason)
}

// Authorize decides one request and stores the decision. It never fails:
// a problem inside the bank is answered 96. ctx is the request's deadline
// (the ISO 8583 server answers 96 by itself when it passes): the engine
// checks it before moving money, and when it passes while the ledger
// works, the money movement is undone and the decision stored as 96.
func (a *Authorizer) Authorize(ctx context.Context, req AuthRequest) AuthResponse {
	t := &attempt{req: req, now: a.now()}
	t.auth = Authorization{
		ID: authID(req, t.now), MTI: req.MTI, STAN: req.STAN, RRN: req.RRN, Transmitted: req.TransmissionTime,
		TerminalID: req.TerminalID, MerchantID: req.MerchantID, MerchantName: req.MerchantName,
		MerchantCity: req.MerchantCity, MerchantCountry: req.MerchantCountry, MCC: req.MCC,
		EntryMode: req.POSEntryMode, Condition: req.POSCondition, ProcessingCode: req.ProcessingCode,
		Amount: req.Amount, CardNotPresent: req.CardNotPresent(), Cash: req.TxType() == TxCash,
		CreatedAt: t.now, Fingerprint: fingerprint(req, ""),
	}
	if cur, err := netbank.CurrencyByNumeric(req.Currency); err == nil {
		t.cur, t.auth.Currency = cur, cur.Code
	} else {
		t.auth.Currency = req.Currency
	}
	resp, err := a.decide(ctx, t)
	if err != nil {
		return a.failed(ctx, t, err)
	}
	return resp
}

// decide runs the rules for t and stores the decision.
func (a *Authorizer) decide(ctx context.Context, t *attempt) (AuthResponse, error) {
	c, err := a.cardByPAN(ctx, t.req.PAN)
	switch netbank.ErrorCodeOf(err) {
	case "":
	case netbank.EINVALID:
		return a.store(ctx, t, t.refuse(CodeInvalidCardNumber, "Kortnummeret er ugyldigt (kontrolcifferet passer ikke)."))
	case netbank.ENOTFOUND:
		return a.store(ctx, t, t.refuse(CodeInvalidCardNumber, "Banken har intet kort med dette nummer."))
	default:
		return AuthResponse{}, err
	}
	t.card, t.rules = c, a.cards.Rules(c.Type)
	t.auth.CardID, t.auth.AccountID = c.ID, c.AccountID
	t.auth.Fingerprint = fingerprint(t.req, c.ID)

	// One card's requests are decided one at a time: the limits and the
	// contactless count must see every earlier decision.
	mu := &a.locks[stripe(c.ID)]
	mu.Lock()
	defer mu.Unlock()

	if resp, done, err := a.retry(ctx, t); err != nil || done {
		return resp, err
	}
	var resp AuthResponse
	switch t.req.MTI {
	case MsgAuthorization, MsgFinancial:
		resp, err = a.authorize(ctx, t)
	case MsgCompletion:
		resp, err = a.complete(ctx, t)
	case MsgReversal:
		resp, err = a.reverse(ctx, t)
	default:
		resp = t.refuse(CodeInvalidTransaction, "Meddelelsestypen %s behandles ikke.", clip(t.req.MTI))
	}
	if err != nil {
		return AuthResponse{}, err
	}
	return a.store(ctx, t, resp)
}

// cardByPAN finds the card of a card number (EINVALID: not 13 to 19
// digits with a valid Luhn check digit; ENOTFOUND: not the bank's), as
// Service.ByPAN does but in one read outside a transaction.
func (a *Authorizer) cardByPAN(ctx context.Context, pan string) (Card, error) {
	if !cardsec.ValidPAN(pan) {
		return Card{}, netbank.Errorf(netbank.EINVALID, "Kortnummeret er ikke gyldigt.")
	}
	c, err := a.cfg.Store.CardByPANHash(ctx, a.cards.sealer.LookupHash(pan))
	if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
		return Card{}, errNoCard()
	}
	return c, err
}

// retry recognises a request decided before (same message type, terminal,
// STAN and RRN within 24 hours): the identical request gets the first
// answer again and moves nothing; one with other content is 94.
func (a *Authorizer) retry(ctx context.Context, t *attempt) (AuthResponse, bool, error) {
	ids := []string{t.auth.ID, authID(t.req, t.now.Add(-24*time.Hour))}
	prev, err := a.cfg.Store.AuthorizationsByID(ctx, ids)
	if err != nil {
		return AuthResponse{}, false, err
	}
	for _, p := range prev {
		if !p.CreatedAt.After(t.now.Add(-24 * time.Hour)) {
			continue
		}
		if p.Fingerprint == t.auth.Fingerprint || p.Fingerprint == RecoveredFingerprint {
			// The first answer again; or, where RecoverOrphans undid the
			// request's money, its 96 (it cannot know the content).
			resp, err := a.answerOf(ctx, t, p)
			return resp, true, err
		}
		t.auth.ID, t.auth.OriginalID = newAuthID(), p.ID
		resp := t.refuse(CodeDuplicate, "Samme terminal, STAN og RRN som en anmodning %s, men med andet indhold.",
			danishTime(p.CreatedAt))
		resp, err := a.store(ctx, t, resp)
		return resp, true, err
	}
	return AuthResponse{}, false, nil
}

// answerOf is the answer an earlier decision gave (with today's balance
// for a balance inquiry).
func (a *Authorizer) answerOf(ctx context.Context, t *attempt, p Authorization) (AuthResponse, error) {
	resp := AuthResponse{Code: p.Code, AuthCode: p.AuthCode}
	if p.Approved() && p.MTI != MsgCompletion && p.MTI != MsgReversal && txType(p.ProcessingCode) == TxBalanceInquiry {
		b, err := a.balanceOf(ctx, t.card, t.rules)
		if err != nil {
			return AuthResponse{}, err
		}
		resp.Balance = &b
	}
	return resp, nil
}

// authorize decides a 0100 or 0200.
func (a *Authorizer) authorize(ctx context.Context, t *attempt) (AuthResponse, error) {
	req, c := t.req, t.card
	typ := req.TxType()
	switch {
	case typ != TxPurchase && typ != TxCash && typ != TxRefund && typ != TxBalanceInquiry:
		return t.refuse(CodeInvalidTransaction, "Behandlingskoden %s behandles ikke.", clip(req.ProcessingCode)), nil
	case typ == TxCash && req.MTI != MsgFinancial:
		return t.refuse(CodeInvalidTransaction, "Kontanthævning sendes som 0200."), nil
	case req.Original != nil && (req.MTI != MsgAuthorization || typ != TxPurchase):
		return t.refuse(CodeInvalidTransaction, "Felt 90 bruges kun ved en tillægsreservation (0100, køb)."), nil
	case typ != TxBalanceInquiry && req.Amount <= 0:
		return t.refuse(CodeInvalidAmount, "Beløbet mangler."), nil
	case t.cur.Code == "":
		return t.refuse(CodeInvalidTransaction, "Valutaen %s kendes ikke.", clip(req.Currency)), nil
	}
	if typ == TxRefund {
		return a.refund(ctx, t)
	}

	if code, reason := statusRefusal(c, t.now); code != "" {
		return t.refuse(code, "%s", reason), nil
	}
	if req.Expiry != "" && req.Expiry != c.Expiry {
		return t.refuse(CodeExpiredCard, "Udløbsdatoen i anmodningen er ikke kortets."), nil
	}
	if resp, refused, err := a.checkPIN(ctx, t); err != nil || refused {
		return resp, err
	}
	if req.CVV2 != "" {
		if !a.cards.VerifyCVV2(c, req.PAN, req.CVV2) {
			return t.refuse(CodeDoNotHonour, "Kontrolcifrene (CVV2) er forkerte."), nil
		}
		t.reason("Kontrolcifrene (CVV2) er rigtige.")
	}
	if code, reason := permitted(t); code != "" {
		return t.refuse(code, "%s", reason), nil
	}
	if typ == TxBalanceInquiry {
		b, err := a.balanceOf(ctx, c, t.rules)
		if err != nil {
			return AuthResponse{}, err
		}
		t.balance = &b
		return a.approve(t, "Saldoforespørgsel: disponibelt %s.", netbank.NewMoney(b.Available, "DKK")), nil
	}

	var head *Authorization
	if req.Original != nil {
		h, resp, refused, err := a.incrementalHead(ctx, t)
		if err != nil || refused {
			return resp, err
		}
		head = &h
	}
	if resp, refused, err := a.convert(ctx, t, pricing.Sell); err != nil || refused {
		return resp, err
	}
	prices, err := a.cardPrices(ctx)
	if err != nil {
		return AuthResponse{}, err
	}
	if t.auth.Cash {
		t.auth.FeeDKK = prices.cashFee
	}
	usage, err := a.cfg.Store.CardUsage(ctx, c.ID, dayStart(t.now), t.now.Add(-30*24*time.Hour))
	if err != nil {
		return AuthResponse{}, err
	}
	if head == nil {
		if code, reason := a.strongAuth(ctx, t, prices, usage); code != "" {
			return t.refuse(code, "%s", reason), nil
		}
	}
	if code, reason := limits(t, prices, usage); code != "" {
		return t.refuse(code, "%s", reason), nil
	}
	if resp, refused, err := a.checkFunds(ctx, t, t.auth.AmountDKK+t.auth.FeeDKK); err != nil || refused {
		return resp, err
	}
	t.auth.LimitDKK = t.auth.AmountDKK
	if req.MTI == MsgAuthorization {
		return a.hold(ctx, t, head)
	}
	return a.debit(ctx, t)
}

// statusRefusal is the code and reason refusing a card in its state at
// now, or "" for a card that may be used.
func statusRefusal(c Card, now time.Time) (string, string) {
	blockedOrReplaced := c.Status == Blocked || c.Status == Replaced
	switch {
	case blockedOrReplaced && c.BlockReason == ReasonLost:
		return CodeLostCard, "Kortet er spærret, fordi det er meldt bortkommet."
	case blockedOrReplaced && c.BlockReason == ReasonStolen:
		return CodeStolenCard, "Kortet er spærret, fordi det er meldt stjålet."
	case c.Status == Blocked:
		return CodeRestrictedCard, "Kortet er spærret: " + c.BlockReason.Danish() + "."
	case c.Status == Expired || !now.Before(c.ExpiresAt):
		return CodeExpiredCard, "Kortet er udløbet (gyldigt til og med " + c.ExpiryText() + ")."
	case c.Status == Ordered:
		return CodeRestrictedCard, "Kortet er ikke aktiveret."
	case c.Status == Replaced:
		return CodeRestrictedCard, "Kortet er erstattet af et nyt kort."
	case c.Status == Terminated || (!c.TerminatesAt.IsZero() && !now.Before(c.TerminatesAt)):
		return CodeRestrictedCard, "Kortaftalen er ophørt."
	case c.Status != Active:
		return CodeRestrictedCard, "Kortet kan ikke bruges (" + c.Status.Danish() + ")."
	}
	return "", ""
}

// checkPIN verifies the PIN block, if any: a locked PIN is 75 without a
// try; a wrong one counts (the third locks it: 75); cash and balance
// inquiries need the PIN (55).
func (a *Authorizer) checkPIN(ctx context.Context, t *attempt) (AuthResponse, bool, error) {
	typ := t.req.TxType()
	if t.req.PINBlock == "" {
		if typ == TxCash || typ == TxBalanceInquiry {
			return t.refuse(CodeIncorrectPIN, "Kontanthævning og saldoforespørgsel kræver PIN-kode."), true, nil
		}
		return AuthResponse{}, false, nil
	}
	if t.card.PINLocked {
		return t.refuse(CodePINTriesExceeded, "PIN-koden er spærret efter %d forkerte forsøg.", MaxPINTries), true, nil
	}
	pin, err := a.cards.PINFromBlock(t.req.PAN, t.req.PINBlock)
	if err != nil {
		pin = "" // an unreadable block is a wrong PIN, and counts as one
	}
	// The common case, the right PIN with no wrong tries before it, changes
	// nothing on the card: it is checked against the card just read, with
	// no write. Everything else (a wrong PIN to count, tries to forget, a
	// renewal's PIN to take over) goes through VerifyPIN.
	ok, locked := false, false
	if c := t.card; c.PINTries == 0 && c.PINHash != "" && err == nil && a.cards.pins.Verify(c.PANHash, pin, c.PINHash) {
		ok = true
	} else if ok, locked, err = a.cards.VerifyPIN(ctx, t.card.ID, pin); err != nil {
		return AuthResponse{}, false, err
	}
	switch {
	case !ok && locked:
		return t.refuse(CodePINTriesExceeded, "Forkert PIN-kode; PIN-koden er nu spærret efter %d forkerte forsøg.", MaxPINTries), true, nil
	case !ok:
		return t.refuse(CodeIncorrectPIN, "Forkert PIN-kode."), true, nil
	}
	t.auth.PINVerified = true
	t.reason("PIN-koden er rigtig.")
	return AuthResponse{}, false, nil
}

// permitted checks what the card type may be used for (57).
func permitted(t *attempt) (string, string) {
	req, r := t.req, t.rules
	switch {
	case !r.MCCAllowed(req.MCC):
		return CodeNotPermitted, fmt.Sprintf("%s må ikke bruges hos forretninger i branchen %s.", t.card.Type.Danish(), req.MCC)
	case req.TxType() == TxCash && !r.ATM:
		return CodeNotPermitted, t.card.Type.Danish() + " kan ikke bruges til kontanthævning."
	case req.EntryMode() == EntryContactless && !r.Contactless:
		return CodeNotPermitted, t.card.Type.Danish() + " kan ikke bruges kontaktløst."
	case req.CardNotPresent() && !r.ECommerce:
		return CodeNotPermitted, t.card.Type.Danish() + " kan ikke bruges på internettet eller ved post- og telefonordre."
	}
	return "", ""
}

// convert fills in the amount in kroner: the amount itself, or converted
// at the reference rate ± the card margin of the price list (CARD-8; side
// Sell for spending, Buy for refunds).
func (a *Authorizer) convert(ctx context.Context, t *attempt, side pricing.Side) (AuthResponse, bool, error) {
	if t.cur.Code == "DKK" {
		t.auth.AmountDKK = t.req.Amount
		return AuthResponse{}, false, nil
	}
	q, err := a.cfg.Pricing.Quote(ctx, pricing.QuoteRequest{Side: side, Currency: t.cur.Code, Amount: t.req.Amount,
		MarginKey: pricing.KeyCardFXMarginBP})
	switch netbank.ErrorCodeOf(err) {
	case "":
	case netbank.ENOTFOUND:
		return t.refuse(CodeInvalidTransaction, "Banken har ingen kurs på %s.", t.cur.Code), true, nil
	case netbank.EINVALID:
		return t.refuse(CodeInvalidAmount, "Beløbet kan ikke omregnes: %s", netbank.ErrorMessageOf(err)), true, nil
	default:
		return AuthResponse{}, false, err
	}
	t.auth.AmountDKK, t.auth.Rate, t.auth.CustomerRate, t.auth.MarginBP = q.DKK, q.ReferenceRate, q.CustomerRate, q.MarginBP
	t.reason("%s omregnet til %s til kurs %s (referencekurs %s + %d bp).", netbank.NewMoney(t.req.Amount, t.cur.Code),
		netbank.NewMoney(q.DKK, "DKK"), pricing.FormatRate(q.CustomerRate), pricing.FormatRate(q.ReferenceRate), q.MarginBP)
	return AuthResponse{}, false, nil
}

// balanceOf is the card account's balance as a balance inquiry answers it.
func (a *Authorizer) balanceOf(ctx context.Context, c Card, r TypeRules) (AuthBalance, error) {
	b, err := a.cfg.Ledger.Balance(ctx, c.AccountID)
	if err != nil {
		return AuthBalance{}, err
	}
	return AuthBalance{Booked: b.Posted, Available: available(b, r)}, nil
}

// available is what a card may spend of a balance: the overdraft counts
// unless the card type always checks the balance (CARD-4).
func available(b ledger.Balance, r TypeRules) int64 {
	if r.BalanceOnly {
		return b.Available - b.Overdraft
	}
	return b.Available
}

// checkFunds refuses (51) when the card may not spend need øre. The ledger
// checks the overdraft itself when money moves; this read is for the
// types that may never use one.
func (a *Authorizer) checkFunds(ctx context.Context, t *attempt, need int64) (AuthResponse, bool, error) {
	if !t.rules.BalanceOnly || need <= 0 {
		return AuthResponse{}, false, nil
	}
	b, err := a.cfg.Ledger.Balance(ctx, t.card.AccountID)
	if err != nil {
		return AuthResponse{}, false, err
	}
	if available(b, t.rules) < need {
		return t.refuse(CodeInsufficientFunds, "Der er ikke dækning på kontoen (%s kan ikke bruge overtræk).", t.card.Type.Danish()), true, nil
	}
	return AuthResponse{}, false, nil
}

// approve records an approval with a new authorization code.
func (a *Authorizer) approve(t *attempt, reason string, args ...any) AuthResponse {
	t.auth.Code, t.auth.Status, t.auth.AuthCode = CodeApproved, AuthApproved, newAuthCode()
	t.reason(reason, args...)
	return AuthResponse{Code: CodeApproved, AuthCode: t.auth.AuthCode, Balance: t.balance}
}

// hold reserves the amount on the account (CARD-7): a 0100 purchase, or an
// incremental authorization adding to head's reservation (CARD-10).
func (a *Authorizer) hold(ctx context.Context, t *attempt, head *Authorization) (AuthResponse, error) {
	expires := HoldExpiry(t.now)
	t.auth.HoldExpiresAt, t.auth.ClaimUntil = expires, expires
	if t.auth.CardNotPresent {
		t.auth.ClaimUntil = t.now.In(copenhagen).AddDate(0, 0, CNPClaimDays).UTC()
	}
	if head != nil {
		t.auth.OriginalID = head.ID
		t.auth.CardNotPresent, t.auth.ClaimUntil = head.CardNotPresent, laterOf(head.ClaimUntil, t.auth.ClaimUntil)
	}
	t.auth.TransferID = t.auth.ID + sfxHold
	r := ledger.TransferRequest{ID: t.auth.TransferID, Kind: ledger.PendingKind, DebitAccountID: t.card.AccountID,
		CreditAccountID: cardSettlementAccount, Amount: t.auth.AmountDKK, ExpiresAt: expires, Code: "card",
		Text: statementText("Kortkøb", t)}
	undo := []ledger.TransferRequest{voidUndo(t.auth.ID)}
	if resp, refused, err := a.move(ctx, t, []ledger.TransferRequest{r}, undo); err != nil || refused {
		return resp, err
	}
	if head != nil {
		return a.approve(t, "Tillægsreservation på %s til reservationen %s (hotel/billeje, CARD-10); reserveret til og med %s.",
			netbank.NewMoney(t.auth.AmountDKK, "DKK"), head.ID, danishDate(expires.Add(-time.Microsecond))), nil
	}
	return a.approve(t, "%s reserveret på kontoen til og med %s.", netbank.NewMoney(t.auth.AmountDKK, "DKK"),
		danishDate(expires.Add(-time.Microsecond))), nil
}

// debit books a 0200 at once: the amount, and the cash fee for a
// withdrawal, linked.
func (a *Authorizer) debit(ctx context.Context, t *attempt) (AuthResponse, error) {
	what, code := "Kortkøb", "card"
	if t.auth.Cash {
		what, code = "Kontanthævning", "card_cash"
	}
	t.auth.TransferID = t.auth.ID + sfxFin
	reqs := []ledger.TransferRequest{{ID: t.auth.TransferID, DebitAccountID: t.card.AccountID, CreditAccountID: cardSettlementAccount,
		Amount: t.auth.AmountDKK, Code: code, Text: statementText(what, t)}}
	if t.auth.FeeDKK > 0 {
		reqs = append(reqs, ledger.TransferRequest{ID: t.auth.ID + sfxFinFee, DebitAccountID: t.card.AccountID, CreditAccountID: cardFeeAccount,
			Amount: t.auth.FeeDKK, Code: "card_fee", Text: "Gebyr for kontanthævning med kort"})
	}
	undo := moneyUndo(t.auth.ID, reqs)
	if resp, refused, err := a.move(ctx, t, reqs, undo); err != nil || refused {
		return resp, err
	}
	if t.auth.FeeDKK > 0 {
		return a.approve(t, "%s %s hævet på kontoen med gebyr %s.", what, netbank.NewMoney(t.auth.AmountDKK, "DKK"),
			netbank.NewMoney(t.auth.FeeDKK, "DKK")), nil
	}
	return a.approve(t, "%s %s hævet på kontoen.", what, netbank.NewMoney(t.auth.AmountDKK, "DKK")), nil
}

// refund credits the account at once (CARD-2: merchants can refund onto
// the card), a foreign amount at the bank's buying rate.
func (a *Authorizer) refund(ctx context.Context, t *attempt) (AuthResponse, error) {
	if resp, refused, err := a.convert(ctx, t, pricing.Buy); err != nil || refused {
		return resp, err
	}
	t.auth.TransferID = t.auth.ID + sfxRefund
	r := []ledger.TransferRequest{{ID: t.auth.TransferID, DebitAccountID: cardSettlementAccount, CreditAccountID: t.card.AccountID,
		Amount: t.auth.AmountDKK, Code: "card_refund", Text: statementText("Refundering", t)}}
	if resp, refused, err := a.move(ctx, t, r, moneyUndo(t.auth.ID, r)); err != nil || refused {
		return resp, err
	}
	return a.approve(t, "Refundering på %s indsat på kontoen.", netbank.NewMoney(t.auth.AmountDKK, "DKK")), nil
}

// move runs linked ledger transfers for t, after checking that the
// request's deadline has not passed. The call itself runs to its end (so
// the engine knows what happened); undo is what reverses it should the
// answer not be given after all. Refusals by the ledger: not enough money
// (51), and an id already used for other content (94: an earlier attempt
// of the same request, e.g. before a crash, with another amount).
//
// Any other failure (the database unavailable, the ledger's time up) may
// have moved the money after all — a commit whose answer was lost — or may
// still move it (a batch queued in the ledger). So t.undo is set then too,
// and the undo is made safe whatever happened: reqs again with their own
// ids, linked with undo (reversal). Where reqs took effect, they are a
// repeat and undo reverses them; where they did not, the chain makes and
// reverses them at once, and a late arrival of the original is a repeat.
// Either way the 96 the card network gets leaves no money moved.
//
// When the ledger answers with transfers made before this attempt (a
// repeat: an earlier attempt of the request moved the money but stored no
// decision) and their money was undone since — by that attempt, which
// could not store its 96, or by RecoverOrphans — the ids are spent: the
// answer is 96, stored under a new id, and nothing moves (see spent).
func (a *Authorizer) move(ctx context.Context, t *attempt, reqs, undo []ledger.TransferRequest) (AuthResponse, bool, error) {
	if err := ctx.Err(); err != nil {
		return AuthResponse{}, false, err
	}
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.LedgerTimeout)
	defer cancel()
	var first ledger.Transfer
	var err error
	if len(reqs) == 1 {
		first, err = a.cfg.Ledger.Transfer(lctx, reqs[0])
	} else {
		var out []ledger.Transfer
		if out, err = a.cfg.Ledger.TransferLinked(lctx, reqs); err == nil {
			first = out[0]
		}
	}
	switch netbank.ErrorCodeOf(err) {
	case "":
	case netbank.EINSUFFICIENT:
		return t.refuse(CodeInsufficientFunds, "Der er ikke dækning på kontoen."), true, nil
	case netbank.ECONFLICT:
		if strings.Contains(netbank.ErrorMessageOf(err), "already used") {
			t.auth.ID = newAuthID()
			return t.refuse(CodeDuplicate, "Samme anmodning er set før med andet indhold."), true, nil
		}
		return AuthResponse{}, false, err
	case netbank.EINVALID, netbank.ENOTFOUND:
		return AuthResponse{}, false, err // refused by the ledger: nothing moved
	default:
		t.undo = reversal(reqs, undo)
		return AuthResponse{}, false, err
	}
	t.undo = reversal(reqs, undo)
	if undo != nil && !first.CreatedAt.After(t.now) { // a repeat: only then the extra read
		spent, err := a.spent(lctx, t, reqs[0])
		if err != nil || !spent {
			return AuthResponse{}, false, err
		}
		t.undo, t.auth.ID, t.auth.TransferID = nil, newAuthID(), ""
		return t.refuse(CodeSystemError, "Anmodningen er set før, og dens pengebevægelse er tilbageført; den godkendes ikke igen."), true, nil
	}
	return AuthResponse{}, false, nil
}

// spent reports whether the money of t's request, which the ledger just
// answered as a repeat of an earlier attempt, was undone since: a hold no
// longer open (voided by an undo, or expired), a debit or credit whose
// undo transfer exists.
func (a *Authorizer) spent(ctx context.Context, t *attempt, first ledger.TransferRequest) (bool, error) {
	if first.Kind == ledger.PendingKind {
		h, err := a.cfg.Ledger.GetHold(ctx, first.ID)
		return err == nil && h.Status != ledger.Open, err
	}
	_, err := a.cfg.Ledger.GetTransfer(ctx, t.auth.ID+sfxUndo)
	switch netbank.ErrorCodeOf(err) {
	case "":
		return true, nil
	case netbank.ENOTFOUND:
		return false, nil
	}
	return false, err
}

// reversal is the undo of reqs that is right whether or not reqs took
// effect (see move): reqs linked with undo, or nothing without an undo.
func reversal(reqs, undo []ledger.TransferRequest) []ledger.TransferRequest {
	if undo == nil {
		return nil
	}
	return append(append([]ledger.TransferRequest(nil), reqs...), undo...)
}

// store stores the decision and returns resp, the answer to give. When
// the deadline passed while money moved, or the decision cannot be
// stored, the money movement is undone and the answer is 96. A retry that
// raced this request and was stored first gives its answer instead.
func (a *Authorizer) store(ctx context.Context, t *attempt, resp AuthResponse) (AuthResponse, error) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.LedgerTimeout)
	defer cancel()
	if ctx.Err() != nil && t.undo != nil && t.auth.Approved() {
		if err := a.undo(sctx, t); err != nil {
			return AuthResponse{}, err
		}
		t.auth.Code, t.auth.Status, t.auth.AuthCode = CodeSystemError, AuthDeclined, ""
		t.reason("Svarfristen udløb, før beslutningen kunne sendes; pengebevægelsen er tilbageført.")
		resp = AuthResponse{Code: CodeSystemError}
	}
	saved, inserted, err := a.save(sctx, t.auth, t.updates)
	if err != nil {
		if t.undo != nil && t.auth.Approved() {
			if uerr := a.undo(sctx, t); uerr != nil {
				a.log.Error("card: an approval could not be stored nor undone", "authorization", t.auth.ID, "error", uerr)
			}
		}
		return AuthResponse{}, err
	}
	if !inserted {
		// The same request was stored meanwhile (another instance): its
		// ledger transfers had the same ids, so nothing moved twice.
		if saved.Fingerprint != t.auth.Fingerprint {
			if t.undo != nil && t.auth.Approved() {
				if err := a.undo(sctx, t); err != nil {
					return AuthResponse{}, err
				}
			}
			if saved.Fingerprint == RecoveredFingerprint {
				// RecoverOrphans claimed the id and undoes its money (the
				// undo above is the same transfer): its 96 is the answer.
				return a.answerOf(sctx, t, saved)
			}
			t.auth.ID, t.auth.OriginalID, t.updates, t.undo = newAuthID(), saved.ID, nil, nil
			t.auth.Code, t.auth.AuthCode, t.auth.Reasons = "", "", nil
			return a.store(ctx, t, t.refuse(CodeDuplicate, "Samme terminal, STAN og RRN som en samtidig anmodning med andet indhold."))
		}
		return a.answerOf(sctx, t, saved)
	}
	return resp, nil
}

// undo reverses t's money movement.
func (a *Authorizer) undo(ctx context.Context, t *attempt) error {
	var err error
	if len(t.undo) == 1 {
		_, err = a.cfg.Ledger.Transfer(ctx, t.undo[0])
	} else {
		_, err = a.cfg.Ledger.TransferLinked(ctx, t.undo)
	}
	if err != nil {
		return fmt.Errorf("card: undoing authorization %s: %w", t.auth.ID, err)
	}
	t.undo, t.undone = nil, true
	return nil
}

// failed answers 96 for an error inside the bank and stores the decision
// when it can. When money may have moved, it is undone first (see move);
// the decision then keeps the request's id, whose ledger transfers are
// spent, so a retry of the request gets this 96 again. Otherwise it is
// stored under a new id, and a retry is decided anew.
func (a *Authorizer) failed(ctx context.Context, t *attempt, err error) AuthResponse {
	if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		a.log.Error("card: authorization failed", "mti", t.req.MTI, "stan", t.req.STAN, "terminal", t.req.TerminalID, "error", err)
	}
	t.updates = nil
	t.auth.Code, t.auth.Status, t.auth.AuthCode = CodeSystemError, AuthDeclined, ""
	t.reason("Systemfejl: anmodningen kunne ikke behandles.")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.LedgerTimeout)
	defer cancel()
	if t.undo != nil {
		if err := a.undo(sctx, t); err != nil {
			// The transfers may stand: a retry with the request's id finds
			// them (a repeat) and takes them over, and a hold expires.
			a.log.Error("card: undoing after a failure", "authorization", t.auth.ID, "error", err)
		}
	}
	if t.undone {
		t.reason("Pengebevægelsen er tilbageført.")
	} else {
		t.auth.ID = newAuthID()
	}
	if _, _, err := a.save(sctx, t.auth, nil); err != nil {
		a.log.Error("card: storing a failed authorization", "error", err)
	}
	return AuthResponse{Code: CodeSystemError}
}

// maxSaveBatch is the most decisions stored in one transaction.
const maxSaveBatch = 512

// saveBatcher gathers concurrent decisions into one transaction (group
// commit, as the ledger does): the first to arrive while no commit runs
// leads and commits what has queued; when it is done, the oldest waiting
// decision leads the next commit. Nobody waits for more than the commit
// running when it arrived and its own.
type saveBatcher struct {
	mu      sync.Mutex
	queue   []*saveJob
	running bool
}

// saveJob is one decision waiting to be stored.
type saveJob struct {
	save AuthSave
	out  AuthSaved
	err  error
	done chan struct{}
	lead chan struct{}
}

// save stores a decision (through the batcher): the stored one, and
// whether it was inserted now.
func (a *Authorizer) save(ctx context.Context, auth Authorization, updates []AuthUpdate) (Authorization, bool, error) {
	b := &a.saver
	j := &saveJob{save: AuthSave{Auth: auth, Updates: updates}, done: make(chan struct{}), lead: make(chan struct{}, 1)}
	b.mu.Lock()
	b.queue = append(b.queue, j)
	if b.running {
		b.mu.Unlock()
		select {
		case <-j.done:
			return j.out.Auth, j.out.Inserted, j.err
		case <-j.lead:
		}
		b.mu.Lock()
	}
	b.running = true
	batch := b.queue[:min(len(b.queue), maxSaveBatch)]
	b.queue = append([]*saveJob(nil), b.queue[len(batch):]...)
	b.mu.Unlock()

	a.commitSaves(ctx, batch)

	b.mu.Lock()
	if len(b.queue) > 0 {
		b.queue[0].lead <- struct{}{} // the oldest waiting decision leads next
	} else {
		b.running = false
	}
	b.mu.Unlock()
	return j.out.Auth, j.out.Inserted, j.err
}

// commitSaves stores a batch in one transaction, or (when that fails) each
// decision on its own, so one bad decision does not fail the others.
func (a *Authorizer) commitSaves(ctx context.Context, batch []*saveJob) {
	saves := make([]AuthSave, len(batch))
	for i, j := range batch {
		saves[i] = j.save
	}
	out, err := a.cfg.Store.SaveAuthorizations(ctx, saves)
	if err != nil && len(batch) > 1 {
		for _, j := range batch {
			a.commitSaves(ctx, []*saveJob{j})
		}
		return
	}
	for i, j := range batch {
		if err != nil {
			j.err = err
		} else {
			j.out = out[i]
		}
		close(j.done)
	}
}

// Authorizations lists a card's stored authorizations, newest first, for
// the net bank and the back office (the caller checks who may see them).
func (a *Authorizer) Authorizations(ctx context.Context, cardID string, limit int) ([]Authorization, error) {
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	return a.cfg.Store.CardAuthorizations(ctx, cardID, limit)
}

// CNPClaimDays is how long a merchant may claim an internet, mail or
// phone order: when the goods ship, within 30 days, also after the hold
// was released (CARD-7).
const CNPClaimDays = 30

// HoldExpiry is when a hold made at t lapses unless claimed (CARD-7): at
// the end of the day that is 2 bank days after the 7th calendar day after
// t's Danish date — midnight, Danish time.
func HoldExpiry(t time.Time) time.Time {
	last := calendar.AddBankDays(calendar.Day(t).AddDate(0, 0, 7), 2)
	return time.Date(last.Year(), last.Month(), last.Day()+1, 0, 0, 0, 0, copenhagen).UTC()
}

// dayStart is the start of t's Danish day.
func dayStart(t time.Time) time.Time {
	t = t.In(copenhagen)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, copenhagen).UTC()
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// statementText is the text of a card transfer on the account statement:
// what, the merchant and the foreign amount.
func statementText(what string, t *attempt) string {
	s := what
	if name := strings.TrimSpace(t.req.MerchantName); name != "" {
		s += " " + name
		if city := strings.TrimSpace(t.req.MerchantCity); city != "" {
			s += ", " + city
		}
	}
	s += " (kort …" + t.card.Last4 + ")"
	if t.cur.Code != "" && t.cur.Code != "DKK" {
		s += " " + netbank.NewMoney(t.req.Amount, t.cur.Code).String() + " kurs " + pricing.FormatRate(t.auth.CustomerRate)
	}
	return clipText(s)
}

// clipText cuts a statement text to the ledger's longest, on a character.
func clipText(s string) string {
	if len(s) > ledger.MaxTextLen {
		s = strings.ToValidUTF8(s[:ledger.MaxTextLen], "")
	}
	return s
}

// authID is the id of the decision of req received at now: derived from
// the message type, terminal, STAN, RRN and the Danish date, so a retry on
// the same day has the same id (and so do its ledger transfers).
func authID(req AuthRequest, now time.Time) string {
	h := sha256.Sum256([]byte(strings.Join([]string{"card-authorization-v1", req.MTI, req.TerminalID, req.STAN, req.RRN,
		now.In(copenhagen).Format(time.DateOnly)}, "\x00")))
	return "aut_" + hex.EncodeToString(h[:12])
}

// newAuthID is a random id, for decisions a retry must not find.
func newAuthID() string { return newID("aut") }

// fingerprint hashes what a retry must repeat exactly: everything of the
// request but the transmission time (which changes with every send), with
// the card's id instead of its number and without PIN block, CVV2 and CAVV
// (only whether they were there).
func fingerprint(req AuthRequest, cardID string) string {
	orig := ""
	if req.Original != nil {
		orig = req.Original.MTI + "/" + req.Original.STAN + "/" + req.Original.TransmissionTime
	}
	parts := []string{req.MTI, cardID, req.ProcessingCode, strconv.FormatInt(req.Amount, 10), req.Currency, req.LocalTime,
		req.LocalDate, req.Expiry, req.MCC, req.POSEntryMode, req.POSCondition, req.RRN, req.TerminalID, req.MerchantID,
		req.MerchantName, req.MerchantCity, req.MerchantCountry, strconv.FormatBool(req.Recurring), orig,
		strconv.FormatBool(req.PINBlock != ""), strconv.FormatBool(req.CVV2 != ""), strconv.FormatBool(req.CAVV != "")}
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:16])
}

// authCodeAlphabet leaves out letters that read like digits (I, O).
const authCodeAlphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// newAuthCode draws a 6-character authorization code (field 38).
func newAuthCode() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // crypto/rand.Read does not fail
	for i := range b {
		b[i] = authCodeAlphabet[int(b[i])%len(authCodeAlphabet)]
	}
	return string(b)
}

// stripe is the per-card lock of a card id.
func stripe(cardID string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(cardID))
	return int(h.Sum32() % lockStripes)
}

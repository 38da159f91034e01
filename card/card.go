// Package card is the bank's Visa Debit card business from issuing to the
// end of a card's life (RULES CARD-1, CARD-11…CARD-20): the cards
// themselves, their PINs and Visa Secure enrolment, blocks and the shared
// block register, replacement, renewal, termination, wallet tokens, the
// card fees, and the retention of card transaction data. The authorization
// engine (ISO 8583, issue 5) decides purchases on top of it through ByPAN,
// VerifyPIN, VerifyCVV2, PINFromBlock, BlockRegister and Rules.
//
// # Card types
//
// Visa Debit, Visa Flex, Visa Basis, Visa 12:17 and Visa Junior share one
// set of cardholder rules (CARD-1); what differs is configuration
// (TypeRules, DefaultRules): the holder's age, whether spending may use an
// agreed overdraft (Visa Basis, 12:17 and Junior always check the balance
// without it, CARD-4), merchant categories the card may not use (gambling,
// alcohol, tobacco, adult services for the young), and whether ATM,
// contactless and internet use are open.
//
// # The holder and proxies
//
// A card is issued on a customer's account (the owner) to a holder, who is
// a person and a customer of the bank: the owner, or someone else — a proxy
// holder (fuldmagt), or a child on a parent's account. A proxy holder gets
// a card and PIN of their own (CARD-12); revoking the proxy blocks that
// card (RevokeProxy). The holder sees their own cards in the net bank; the
// owner sees every card on their accounts, the proxies' too.
//
// # Secrets
//
// The card number (PAN) is drawn at random under the configured BIN,
// Luhn-valid, and stored only sealed (AES-256-GCM, bound to the card's id)
// beside a keyed look-up hash (package cardsec). The CVV2 is computed under
// the card verification key whenever it is needed, never stored; the PIN is
// stored as a keyed verification value only. Issue, Replace, Renew and
// SetPIN hand the clear PAN, CVV2 and PIN to their caller once, for the
// card's production and the PIN letter. Nothing of them is written to the
// audit log, the messages or any log: messages name a card by type and
// last four digits.
//
// # Life of a card
//
//	ordered ──Activate──▶ active ──expiry──▶ expired
//	   │                    │ ╲──Replace / Activate of the renewal──▶ replaced
//	   └──Block──▶ blocked ◀┘  ╲──Terminate … notice ends──▶ terminated
//
// A new card is ordered: issued and sent, with its PIN letter, waiting for
// activation. Activation enrols it in Visa Secure when a mobile number is
// known, never automatically for a holder under 15 (CARD-11). A card is
// valid through its printed expiry month (CARD-13); the renewal job issues
// its successor with a new number RenewBefore ahead, and the old card ends
// when the new one is activated or its own expiry passes. Wallet tokens die
// with their card (CARD-13, CARD-17). Termination takes effect after the
// notice (CARD-18): a month when the cardholder ends the agreement, two
// when the bank does.
//
// # Blocks
//
// The cardholder blocks a card at any hour, in the net bank, without
// signing (CARD-14): a block only protects and must not wait for a
// signature file that may have been lost with the card. Staff block for the
// holder (on the phone) or for the bank's reasons (CARD-15). Either way the
// cardholder gets a message with the reason and the time, and the block
// goes into the block register (CARD-16), which merchants and other banks
// query by card number (BlockRegister). A block for one of the holder's
// reasons is final: a found card stays blocked and is replaced instead;
// only a block for the bank's reasons can be lifted, by staff (Unblock).
//
// # Fees
//
// The annual card fee is charged in advance for a year at a time (CARD-19),
// at issue and by the annual-fee job; the replacement fee when a lost or
// damaged card is replaced; the early-termination fee when the cardholder
// ends the agreement within its first 6 months; and a terminated card's
// prepaid fee is refunded pro rata (CARD-18). Amounts come from the price
// list (package pricing), each charge is one ledger transfer to the bank's
// fee account with an id derived from the card and the period, so a retry
// never charges twice.
//
// # Retention
//
// Card transaction data (the card_authorizations the authorization engine
// writes: number, amount, date, place) is kept for the current year and 5
// more, then deleted by the retention job (CARD-20).
package card

import (
	"context"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // card expiry and messages use Danish time even on hosts without zoneinfo

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/cardsec"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/pricing"
)

// Type is a card type (CARD-1).
type Type string

// The card types the bank issues.
const (
	VisaDebit  Type = "visa_debit"
	VisaFlex   Type = "visa_flex"
	VisaBasis  Type = "visa_basis"
	Visa1217   Type = "visa_1217"
	VisaJunior Type = "visa_junior"
)

// Types lists the card types in the order pages offer them.
var Types = []Type{VisaDebit, VisaFlex, VisaBasis, Visa1217, VisaJunior}

// Danish names the type as the card and the pages do ("Visa 12:17").
func (t Type) Danish() string {
	switch t {
	case VisaDebit:
		return "Visa Debit"
	case VisaFlex:
		return "Visa Flex"
	case VisaBasis:
		return "Visa Basis"
	case Visa1217:
		return "Visa 12:17"
	case VisaJunior:
		return "Visa Junior"
	}
	return string(t)
}

// Valid reports whether t is one of Types.
func (t Type) Valid() bool { return slices.Contains(Types, t) }

// Status is where a card stands in its life.
type Status string

// The states of a card.
const (
	// Ordered: issued, sent with a PIN letter, not yet activated.
	Ordered Status = "ordered"
	// Active: in use.
	Active Status = "active"
	// Blocked: blocked by the holder or the bank (BlockReason says why).
	Blocked Status = "blocked"
	// Expired: past the printed expiry month (CARD-13).
	Expired Status = "expired"
	// Replaced: a new card with a new number took its place (CARD-17, or
	// the activation of its renewal).
	Replaced Status = "replaced"
	// Terminated: the agreement ended after its notice (CARD-18).
	Terminated Status = "terminated"
)

// Danish names the status for pages and messages.
func (s Status) Danish() string {
	switch s {
	case Ordered:
		return "Bestilt – ikke aktiveret"
	case Active:
		return "Aktivt"
	case Blocked:
		return "Spærret"
	case Expired:
		return "Udløbet"
	case Replaced:
		return "Erstattet af nyt kort"
	case Terminated:
		return "Ophørt"
	}
	return string(s)
}

// Final reports whether a card in this status can never be used again.
// A block is final or not by its reason (BlockReason.Final).
func (s Status) Final() bool { return s == Expired || s == Replaced || s == Terminated }

// BlockReason says why a card was blocked: the cardholder's reasons
// (CARD-14) and the bank's (CARD-15, CARD-12).
type BlockReason string

// The reasons for a block.
const (
	// The cardholder's reasons (CARD-14); staff may register them for the
	// holder too (a call to the bank).
	ReasonLost        BlockReason = "lost"
	ReasonStolen      BlockReason = "stolen"
	ReasonPINKnown    BlockReason = "pin_known"
	ReasonMisuse      BlockReason = "misuse"
	ReasonMayBeCopied BlockReason = "may_be_copied"
	// The bank's reasons (CARD-15).
	ReasonAccountClosed          BlockReason = "account_closed"
	ReasonOverdraftAfterReminder BlockReason = "overdraft_after_reminder"
	ReasonFraudSuspicion         BlockReason = "fraud_suspicion"
	// ReasonProxyRevoked: the holder's proxy on the account was revoked
	// (CARD-12).
	ReasonProxyRevoked BlockReason = "proxy_revoked"
)

// HolderReasons are the reasons a cardholder blocks a card for, in the
// order the net bank offers them (CARD-14).
var HolderReasons = []BlockReason{ReasonLost, ReasonStolen, ReasonPINKnown, ReasonMisuse, ReasonMayBeCopied}

// BankReasons are the bank's own reasons (CARD-15), in the order the back
// office offers them. ReasonProxyRevoked is set by RevokeProxy only.
var BankReasons = []BlockReason{ReasonAccountClosed, ReasonOverdraftAfterReminder, ReasonFraudSuspicion}

// Danish says the reason in a sentence for pages and the block message.
func (r BlockReason) Danish() string {
	switch r {
	case ReasonLost:
		return "Kortet er bortkommet"
	case ReasonStolen:
		return "Kortet er stjålet"
	case ReasonPINKnown:
		return "Andre kender PIN-koden"
	case ReasonMisuse:
		return "Kortet er misbrugt, eller der er mistanke om misbrug"
	case ReasonMayBeCopied:
		return "Kortet kan være kopieret"
	case ReasonAccountClosed:
		return "Kontoen, kortet hører til, er ophævet"
	case ReasonOverdraftAfterReminder:
		return "Kontoen er i overtræk, også efter skriftlig rykker"
	case ReasonFraudSuspicion:
		return "Banken har mistanke om, at andre misbruger kortet"
	case ReasonProxyRevoked:
		return "Fuldmagten til kontoen er tilbagekaldt"
	}
	return string(r)
}

// ByHolder reports whether r is one of the cardholder's reasons.
func (r BlockReason) ByHolder() bool { return slices.Contains(HolderReasons, r) }

// Valid reports whether r is a known reason.
func (r BlockReason) Valid() bool {
	return r.ByHolder() || slices.Contains(BankReasons, r) || r == ReasonProxyRevoked
}

// Final reports whether a block for r can never be lifted: every
// cardholder's reason (the card or its data is out of the holder's hands;
// a found card stays blocked, CARD-14) and a revoked proxy. The card is
// replaced instead. The bank's other reasons can go away (the overdraft is
// paid, the suspicion cleared).
func (r BlockReason) Final() bool { return r.ByHolder() || r == ReasonProxyRevoked }

// TypeRules are what differs between the card types: the defaults are
// DefaultRules, and Config.Rules overrides them (where the cardholder rules
// give no number, the bank's choice is configuration, not code).
type TypeRules struct {
	Type Type
	// MinAge and MaxAge bound the holder's age in whole years at issue
	// (MaxAge 0: no upper bound).
	MinAge, MaxAge int
	// BalanceOnly cards always check the balance: spending may never use
	// an agreed overdraft (Visa Basis, 12:17, Junior; CARD-4 for the rest:
	// the available amount includes the overdraft).
	BalanceOnly bool
	// BlockedMCCs are merchant category codes the card may not be used at
	// (answered 57 by the authorization engine).
	BlockedMCCs []string
	// ATM, Contactless and ECommerce open cash withdrawals, contactless
	// payments and card-not-present use (internet, mail and phone orders).
	ATM, Contactless, ECommerce bool
}

// MCCAllowed reports whether the card may be used at a merchant of
// category mcc.
func (r TypeRules) MCCAllowed(mcc string) bool { return !slices.Contains(r.BlockedMCCs, mcc) }

// AgeAllowed reports whether a holder of age years may get a card of the type.
func (r TypeRules) AgeAllowed(age int) bool {
	return age >= r.MinAge && (r.MaxAge == 0 || age <= r.MaxAge)
}

// YouthBlockedMCCs are the merchant categories the cards for children and
// young people (Visa 12:17, Visa Junior) may not be used at: betting and
// casinos (7995), lotteries and licensed gambling (7800, 7801, 7802),
// liquor stores (5921), tobacco shops (5993), dating and escort services
// (7273) and inbound teleservices, mostly adult content (5967).
var YouthBlockedMCCs = []string{"5921", "5967", "5993", "7273", "7800", "7801", "7802", "7995"}

// DefaultRules returns the bank's default rules of every card type.
func DefaultRules() map[Type]TypeRules {
	open := func(t Type, minAge, maxAge int, balanceOnly bool, blocked []string) TypeRules {
		return TypeRules{Type: t, MinAge: minAge, MaxAge: maxAge, BalanceOnly: balanceOnly, BlockedMCCs: blocked,
			ATM: true, Contactless: true, ECommerce: true}
	}
	return map[Type]TypeRules{
		VisaDebit:  open(VisaDebit, 18, 0, false, nil),
		VisaFlex:   open(VisaFlex, 18, 0, false, nil),
		VisaBasis:  open(VisaBasis, 18, 0, true, nil),
		Visa1217:   open(Visa1217, 12, 17, true, YouthBlockedMCCs),
		VisaJunior: open(VisaJunior, 7, 17, true, YouthBlockedMCCs),
	}
}

// Card is one card. The card number is never kept in clear: PANSealed is
// it encrypted, PANHash its keyed look-up hash, BIN and Last4 what pages
// may show.
type Card struct {
	ID string // "crd_…"
	// CustomerID owns AccountID, the account the card draws on.
	CustomerID string
	AccountID  string
	// HolderCustomerID is the person the card is issued to: the owner, or
	// a proxy holder / a child on someone else's account (Proxy).
	HolderCustomerID string
	HolderName       string
	HolderBirthDate  time.Time
	// Proxy is set when the holder is not the account's owner (CARD-12).
	Proxy bool
	Type  Type

	PANSealed string
	PANHash   string
	Last4     string
	BIN       string
	// Expiry is the printed expiry month, YYMM; the card is valid through
	// the last day of that month (CARD-13). ExpiresAt is the first moment
	// it is no longer valid: midnight (Danish time) starting the next month.
	Expiry    string
	ExpiresAt time.Time

	Status Status
	// BlockReason, BlockedAt and BlockedBy (an actor id) describe the
	// card's block while Status is Blocked, or was Blocked when it was
	// replaced (a replaced lost card stays blocked).
	BlockReason BlockReason
	BlockedAt   time.Time
	BlockedBy   string

	// PINHash is the PIN verification value (cardsec.PINVerifier);
	// PINTries counts wrong PINs in a row, and PINLocked is set after
	// MaxPINTries of them.
	PINHash   string
	PINTries  int
	PINLocked bool

	// MobileNumber receives the Visa Secure one-time codes (CARD-11).
	MobileNumber       string
	VisaSecureEnrolled bool

	// ReplacedBy and Replaces link a card with its successor (renewal or
	// replacement) and its predecessor.
	ReplacedBy, Replaces string

	// AnnualFee is the fee charged for the year that ends at
	// AnnualFeePaidUntil (CARD-19).
	AnnualFee          int64
	AnnualFeePaidUntil time.Time
	// AgreementStart is when the card agreement began (the first card;
	// kept by replacements and renewals): the early-termination fee counts
	// 6 months from it (CARD-18).
	AgreementStart time.Time

	// TerminationRequestedAt and TerminatesAt are set when the agreement
	// is terminated (CARD-18); TerminatedByHolder says who gave notice.
	TerminationRequestedAt time.Time
	TerminatesAt           time.Time
	TerminatedByHolder     bool

	IssuedAt    time.Time
	IssuedBy    string
	ActivatedAt time.Time
	// EndedAt is when the card became Expired, Replaced or Terminated.
	EndedAt time.Time
}

// Masked is the card number as pages show it: the BIN's first six digits
// and the last four, "4571 99•• •••• 1234".
func (c Card) Masked() string {
	if len(c.BIN) < 6 || len(c.Last4) != 4 {
		return "•••• •••• •••• " + c.Last4
	}
	return c.BIN[:4] + " " + c.BIN[4:6] + "•• •••• " + c.Last4
}

// ExpiryText is the expiry as printed on the card: "MM/ÅÅ".
func (c Card) ExpiryText() string {
	if len(c.Expiry) != 4 {
		return c.Expiry
	}
	return c.Expiry[2:] + "/" + c.Expiry[:2]
}

// HolderAge is the holder's age in whole years at t.
func (c Card) HolderAge(t time.Time) int { return ageAt(c.HolderBirthDate, t) }

// Usable reports whether the card may be used at t: active, not expired,
// not terminated. Blocks, PIN locks and limits are the authorization
// engine's further checks.
func (c Card) Usable(t time.Time) bool {
	return c.Status == Active && t.Before(c.ExpiresAt) && (c.TerminatesAt.IsZero() || t.Before(c.TerminatesAt))
}

// Live reports whether the card is ordered or active: not blocked and not
// ended.
func (c Card) Live() bool { return c.Status == Ordered || c.Status == Active }

// Visible reports whether customerID may see the card: the account's
// owner or the card's holder.
func (c Card) Visible(customerID string) bool {
	return customerID != "" && (c.CustomerID == customerID || c.HolderCustomerID == customerID)
}

// ageAt is the age in whole years at t of someone born on birth (0 when
// unknown).
func ageAt(birth, t time.Time) int {
	if birth.IsZero() {
		return 0
	}
	t = t.In(copenhagen)
	y := t.Year() - birth.Year()
	if t.Month() < birth.Month() || (t.Month() == birth.Month() && t.Day() < birth.Day()) {
		y--
	}
	return y
}

// TokenStatus is where a wallet token stands.
type TokenStatus string

// The states of a wallet token.
const (
	TokenActive TokenStatus = "active"
	// TokenEnded: the token died with its card (CARD-13, CARD-17).
	TokenEnded TokenStatus = "ended"
)

// Token is a card registered in a digital wallet (a phone's wallet app):
// the wallet pays with it as with the card, and it dies with the card.
type Token struct {
	ID     string // "tok_…"
	CardID string
	// Wallet names the wallet ("Apple Pay", "Google Pay", …) and Device the
	// phone or watch, as the wallet provider reports them.
	Wallet    string
	Device    string
	Status    TokenStatus
	CreatedAt time.Time
	EndedAt   time.Time
	// EndReason says why it ended, in Danish.
	EndReason string
}

// Usable reports whether a payment with the token may go on to the card's
// own checks: the token is active and the card is usable (a blocked card
// cannot be used in a wallet either, CARD-14).
func (t Token) Usable(c Card, at time.Time) bool {
	return t.Status == TokenActive && t.CardID == c.ID && c.Usable(at)
}

// BlockEntry is one entry of the block register (CARD-16): a card number's
// look-up hash, when it was blocked and why, and when a block was lifted.
type BlockEntry struct {
	ID        string // "blk_…"
	CardID    string
	PANHash   string
	Reason    BlockReason
	BlockedAt time.Time
	BlockedBy string
	LiftedAt  time.Time
	LiftedBy  string
}

// Store is what cards need from persistence. Package store implements it.
type Store interface {
	// Tx runs fn in one read-write transaction (re-run on conflicts).
	Tx(ctx context.Context, fn func(Tx) error) error
}

// Tx is a transaction of the card store. Look-ups return a netbank.ENOTFOUND
// error when nothing matches; forUpdate locks the row until commit.
type Tx interface {
	InsertCard(ctx context.Context, c Card) error
	// UpdateCard writes everything of a card that can change (not its
	// number, holder, account or type).
	UpdateCard(ctx context.Context, c Card) error
	Card(ctx context.Context, id string, forUpdate bool) (Card, error)
	CardByPANHash(ctx context.Context, hash string) (Card, error)
	// CardsOfCustomer lists the cards customerID owns (on its accounts) or
	// holds, newest first.
	CardsOfCustomer(ctx context.Context, customerID string) ([]Card, error)
	// CardsOfAccount lists the cards on an account, newest first.
	CardsOfAccount(ctx context.Context, accountID string) ([]Card, error)

	// RenewalDue lists live cards that no successor replaces yet, without
	// a termination, whose ExpiresAt lies in (now, before].
	RenewalDue(ctx context.Context, now, before time.Time, limit int) ([]Card, error)
	// ExpiryDue lists live cards whose ExpiresAt is at or before now.
	ExpiryDue(ctx context.Context, now time.Time, limit int) ([]Card, error)
	// FeeDue lists live cards whose AnnualFeePaidUntil is at or before now
	// and that are not terminated by then.
	FeeDue(ctx context.Context, now time.Time, limit int) ([]Card, error)
	// TerminationDue lists cards, not yet Terminated, whose TerminatesAt
	// is set and at or before now.
	TerminationDue(ctx context.Context, now time.Time, limit int) ([]Card, error)

	// InsertBlock adds an entry to the block register; LiftBlocks sets
	// LiftedAt on the card's open entries.
	InsertBlock(ctx context.Context, b BlockEntry) error
	LiftBlocks(ctx context.Context, cardID string, at time.Time, by string) error
	// OpenBlock returns the oldest entry not lifted for a card number's
	// look-up hash (ENOTFOUND if there is none).
	OpenBlock(ctx context.Context, panHash string) (BlockEntry, error)

	InsertToken(ctx context.Context, t Token) error
	Tokens(ctx context.Context, cardID string) ([]Token, error)
	// EndTokens ends every active token of a card.
	EndTokens(ctx context.Context, cardID string, at time.Time, reason string) (int, error)

	// DeleteAuthorizationsBefore deletes up to limit stored card
	// authorizations made before t (CARD-20) and returns how many went.
	DeleteAuthorizationsBefore(ctx context.Context, t time.Time, limit int) (int, error)

	// Audit appends an event to the audit log in this transaction.
	Audit(ctx context.Context, at time.Time, e audit.Event) error
}

// Accounts is what cards need of the customers' accounts;
// *account.Service implements it.
type Accounts interface {
	// Get returns one of the customer's accounts with its balance
	// (ENOTFOUND if it is not the customer's).
	Get(ctx context.Context, customerID, id string) (account.WithBalance, error)
}

// Customers is what cards need to know of the holder; *identity.Service
// implements it.
type Customers interface {
	Customer(ctx context.Context, id string) (identity.Customer, error)
}

// Prices is the price list; *pricing.Service implements it.
type Prices interface {
	Price(ctx context.Context, key string) (pricing.Price, error)
}

// Actor is who does something to a card, for the card and the audit log.
type Actor struct {
	// ID is the user, staff member or "system".
	ID string
	// Kind is an audit actor kind: audit.ActorCustomer, ActorBusiness,
	// ActorStaff or ActorSystem.
	Kind string
	// IP is the client's address ("" for the system).
	IP string
}

// System is the bank itself acting (jobs, demo seeding).
var System = Actor{ID: audit.ActorSystem, Kind: audit.ActorSystem}

// bank reports whether the actor acts for the bank (staff or a job).
func (a Actor) bank() bool { return a.Kind == audit.ActorStaff || a.Kind == audit.ActorSystem }

func (a Actor) event(action, cardID string, details map[string]string) audit.Event {
	return audit.Event{Actor: a.ID, ActorKind: a.Kind, Action: action, Subject: cardID, IP: a.IP, Details: details}
}

// The audit actions of cards.
const (
	ActionIssued       = "card.issued"
	ActionActivated    = "card.activated"
	ActionBlocked      = "card.blocked"
	ActionUnblocked    = "card.unblocked"
	ActionReplaced     = "card.replaced"
	ActionRenewed      = "card.renewed"
	ActionExpired      = "card.expired"
	ActionPINSet       = "card.pin_set"
	ActionPINLocked    = "card.pin_locked"
	ActionMobileSet    = "card.mobile_set"
	ActionMobileRemove = "card.mobile_removed"
	ActionTerminate    = "card.terminate"
	ActionTerminated   = "card.terminated"
	ActionTokenAdded   = "card.wallet_added"
	ActionNumberOpened = "card.number_opened"
	ActionRetention    = "card.retention"
	ActionFeeCharged   = "card.fee_charged"
)

// Defaults of Config.
const (
	// DefaultBIN is the demo bank's BIN (6 digits: 10⁹ card numbers).
	DefaultBIN = "457199"
	// DefaultValidityMonths: a card is valid for 4 years (through the
	// month 48 months after its issue).
	DefaultValidityMonths = 48
	// DefaultRenewBefore: the renewal is issued 45 days before expiry, so
	// the new card reaches the holder in time (CARD-13).
	DefaultRenewBefore = 45 * 24 * time.Hour
	// MaxPINTries wrong PINs in a row lock the PIN (answered 75).
	MaxPINTries = 3
	// PINLength is the length of the PINs the bank draws.
	PINLength = 4
	// HolderNoticeMonths and BankNoticeMonths are the notice periods of a
	// termination by the cardholder and by the bank (CARD-18).
	HolderNoticeMonths = 1
	BankNoticeMonths   = 2
	// EarlyTerminationMonths: a cardholder who ends the agreement within
	// its first 6 months pays the early-termination fee (CARD-18).
	EarlyTerminationMonths = 6
	// RetentionYears: card transaction data is kept for the current year
	// and this many more (CARD-20).
	RetentionYears = 5
	// VisaSecureMinAge: younger holders are never enrolled in Visa Secure
	// automatically (CARD-11).
	VisaSecureMinAge = 15
)

// Keys are the card secrets from configuration.
type Keys struct {
	// PANKey (at least 32 bytes) keys the card numbers at rest: the
	// AES-256-GCM data key and the look-up hash key are derived from it
	// (HKDF-SHA256, two labels), so they never coincide. Changing it
	// makes every stored number unreadable and every look-up hash wrong.
	PANKey []byte
	// CVK is the card verification key (16 bytes, CVK A ‖ CVK B).
	CVK []byte
	// PINKey (at least 32 bytes) keys the PIN verification values.
	PINKey []byte
	// ZPK is the zone PIN key (16 or 24 bytes) the acquirer encrypts PIN
	// blocks under (ISO 8583 field 52).
	ZPK []byte
}

// Config tunes the card service.
type Config struct {
	// Clock tells the time; nil is the system clock.
	Clock netbank.Clock
	// BIN is the bank identification number new cards are drawn under
	// (6 or 8 digits starting with 4); "" is DefaultBIN.
	BIN string
	// Keys are required.
	Keys Keys
	// ValidityMonths is how long a new card is valid (0: DefaultValidityMonths).
	ValidityMonths int
	// RenewBefore is how long before expiry the renewal is issued
	// (0: DefaultRenewBefore).
	RenewBefore time.Duration
	// Rules override DefaultRules per type.
	Rules map[Type]TypeRules
	// Prices is the price list (fees and limits); required.
	Prices Prices
	// Ledger books the fees; required.
	Ledger Ledger
	// Accounts are the customers' accounts; required for Issue.
	Accounts Accounts
	// Customers fills in the holder's name, birth date and mobile number
	// from the customer record; nil means IssueRequest must carry them.
	Customers Customers
	// Notify, if set, sends a customer a message from the bank (the
	// inbox): new cards, blocks, terminations. Failures are its own to
	// report; the card action has happened.
	Notify func(ctx context.Context, customerID, subject, body string)
	// Rand is the randomness for card numbers and PINs (crypto/rand if nil).
	Rand io.Reader
}

// copenhagen is the bank's time zone: expiry months and messages.
var copenhagen = func() *time.Location {
	l, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		panic(err)
	}
	return l
}()

// danishTime formats an instant in Danish time: "21.11.2026 kl. 14.05".
func danishTime(t time.Time) string {
	t = t.In(copenhagen)
	return t.Format("02.01.2006") + " kl. " + t.Format("15.04")
}

// danishDate formats an instant's Danish date: "21.11.2026".
func danishDate(t time.Time) string { return t.In(copenhagen).Format("02.01.2006") }

// name of a card in messages: "Visa Debit-kortet, der ender på 1234".
func (c Card) name() string {
	return c.Type.Danish() + "-kortet, der ender på " + c.Last4
}

// clip shortens what a caller sent before it goes into a message.
func clip(s string) string {
	if len(s) > 40 {
		return strings.ToValidUTF8(s[:40], "") + "…"
	}
	return s
}

// Service is the card business.
type Service struct {
	store     Store
	cfg       Config
	clock     netbank.Clock
	sealer    *cardsec.Sealer
	cvk       *cardsec.CVK
	pins      *cardsec.PINVerifier
	zpk       []byte
	rules     map[Type]TypeRules
	validity  int
	renewFrom time.Duration
}

// New returns the card service. It fails when a key is missing or
// unusable, or the BIN is not a Visa BIN.
func New(store Store, cfg Config) (*Service, error) {
	if cfg.Clock == nil {
		cfg.Clock = netbank.SystemClock{}
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.BIN == "" {
		cfg.BIN = DefaultBIN
	}
	if err := cardsec.ValidateBIN(cfg.BIN); err != nil {
		return nil, fmt.Errorf("card: BIN %q: %w", cfg.BIN, err)
	}
	if cfg.ValidityMonths <= 0 {
		cfg.ValidityMonths = DefaultValidityMonths
	}
	if cfg.RenewBefore <= 0 {
		cfg.RenewBefore = DefaultRenewBefore
	}
	if cfg.Prices == nil || cfg.Ledger == nil {
		return nil, errors.New("card: the price list and the ledger are required")
	}
	if len(cfg.Keys.PANKey) < cardsec.DataKeySize {
		return nil, fmt.Errorf("card: the PAN key must be at least %d bytes", cardsec.DataKeySize)
	}
	dataKey, err := hkdf.Key(sha256.New, cfg.Keys.PANKey, nil, "netbank card pan data key v1", cardsec.DataKeySize)
	if err != nil {
		return nil, err
	}
	lookupKey, err := hkdf.Key(sha256.New, cfg.Keys.PANKey, nil, "netbank card pan look-up key v1", cardsec.DataKeySize)
	if err != nil {
		return nil, err
	}
	sealer, err := cardsec.NewSealer(cardsec.Key{ID: "k1", Secret: dataKey}, nil, lookupKey)
	if err != nil {
		return nil, err
	}
	cvk, err := cardsec.NewCVK(cfg.Keys.CVK)
	if err != nil {
		return nil, err
	}
	pins, err := cardsec.NewPINVerifier(cfg.Keys.PINKey)
	if err != nil {
		return nil, err
	}
	if len(cfg.Keys.ZPK) != 16 && len(cfg.Keys.ZPK) != 24 {
		return nil, fmt.Errorf("card: the zone PIN key must be 16 or 24 bytes, not %d", len(cfg.Keys.ZPK))
	}
	rules := DefaultRules()
	for t, r := range cfg.Rules {
		r.Type = t
		rules[t] = r
	}
	return &Service{store: store, cfg: cfg, clock: cfg.Clock, sealer: sealer, cvk: cvk, pins: pins,
		zpk: append([]byte(nil), cfg.Keys.ZPK...), rules: rules, validity: cfg.ValidityMonths, renewFrom: cfg.RenewBefore}, nil
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// newID returns a random identifier with a prefix, e.g. "crd_3f9a…".
func newID(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read does not fail
	return prefix + "_" + hex.EncodeToString(b)
}

// Rules returns the rules of a card type (the zero TypeRules, which allow
// nothing, for an unknown type).
func (s *Service) Rules(t Type) TypeRules { return s.rules[t] }

// BIN is the bank identification number new cards are drawn under.
func (s *Service) BIN() string { return s.cfg.BIN }

// notify sends a message when the service has a Notify.
func (s *Service) notify(ctx context.Context, customerID, subject, body string) {
	if s.cfg.Notify != nil && customerID != "" {
		s.cfg.Notify(ctx, customerID, subject, body)
	}
}

// notifyHolder tells the cardholder, and the account's owner when that is
// someone else (a proxy's or a child's card on their account).
func (s *Service) notifyHolder(ctx context.Context, c Card, subject, body string) {
	s.notify(ctx, c.HolderCustomerID, subject, body)
	if c.CustomerID != c.HolderCustomerID {
		s.notify(ctx, c.CustomerID, subject, body)
	}
}

// get runs a read-only look-up in a transaction.
func (s *Service) read(ctx context.Context, fn func(Tx) error) error { return s.store.Tx(ctx, fn) }

// Get returns a card customerID may see: as the account's owner or the
// card's holder (ENOTFOUND otherwise, as for a card that does not exist).
func (s *Service) Get(ctx context.Context, customerID, cardID string) (Card, error) {
	var c Card
	err := s.read(ctx, func(tx Tx) error {
		var err error
		c, err = visibleCard(ctx, tx, customerID, cardID, false)
		return err
	})
	return c, err
}

// errNoCard is the answer for a card that does not exist or is not the
// caller's to see.
func errNoCard() error { return netbank.Errorf(netbank.ENOTFOUND, "Kortet findes ikke.") }

// visibleCard reads a card customerID may see.
func visibleCard(ctx context.Context, tx Tx, customerID, cardID string, forUpdate bool) (Card, error) {
	c, err := tx.Card(ctx, cardID, forUpdate)
	if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND || (err == nil && !c.Visible(customerID)) {
		return Card{}, errNoCard()
	}
	return c, err
}

// List returns the cards customerID owns or holds, newest first.
func (s *Service) List(ctx context.Context, customerID string) ([]Card, error) {
	if customerID == "" {
		return nil, nil
	}
	var out []Card
	err := s.read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.CardsOfCustomer(ctx, customerID)
		return err
	})
	return out, err
}

// Card returns any card by id, for staff and the bank's own processes.
func (s *Service) Card(ctx context.Context, cardID string) (Card, error) {
	var c Card
	err := s.read(ctx, func(tx Tx) error {
		var err error
		c, err = tx.Card(ctx, cardID, false)
		if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
			return errNoCard()
		}
		return err
	})
	return c, err
}

// OfAccount lists the cards on an account, for staff.
func (s *Service) OfAccount(ctx context.Context, accountID string) ([]Card, error) {
	var out []Card
	err := s.read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.CardsOfAccount(ctx, accountID)
		return err
	})
	return out, err
}

// ByPAN finds the card with a card number through its look-up hash, for
// the authorization engine and staff (ENOTFOUND when the bank has no such
// card; EINVALID when pan is not 13 to 19 digits with a valid Luhn check
// digit).
func (s *Service) ByPAN(ctx context.Context, pan string) (Card, error) {
	if !cardsec.ValidPAN(pan) {
		return Card{}, netbank.Errorf(netbank.EINVALID, "Kortnummeret er ikke gyldigt.")
	}
	var c Card
	err := s.read(ctx, func(tx Tx) error {
		var err error
		c, err = tx.CardByPANHash(ctx, s.sealer.LookupHash(pan))
		if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
			return errNoCard()
		}
		return err
	})
	return c, err
}

// PAN opens a card's sealed number, for staff (a dispute, a card
// production file). Every opening is in the audit log.
func (s *Service) PAN(ctx context.Context, cardID string, by Actor) (string, error) {
	if !by.bank() {
		return "", netbank.Errorf(netbank.EFORBIDDEN, "Kun banken kan se hele kortnummeret.")
	}
	var pan string
	err := s.store.Tx(ctx, func(tx Tx) error {
		c, err := tx.Card(ctx, cardID, false)
		if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
			return errNoCard()
		}
		if err != nil {
			return err
		}
		if pan, err = s.sealer.Open(c.PANSealed, c.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, s.now(), by.event(ActionNumberOpened, c.ID, nil))
	})
	return pan, err
}

// Tokens lists a card's wallet tokens (ENOTFOUND unless customerID may
// see the card; "" for staff).
func (s *Service) Tokens(ctx context.Context, customerID, cardID string) ([]Token, error) {
	var out []Token
	err := s.read(ctx, func(tx Tx) error {
		if customerID != "" {
			if _, err := visibleCard(ctx, tx, customerID, cardID, false); err != nil {
				return err
			}
		}
		var err error
		out, err = tx.Tokens(ctx, cardID)
		return err
	})
	return out, err
}

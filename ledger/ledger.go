// Package ledger is the bank's double-entry ledger, modelled on TigerBeetle
// and kept in SQL.
//
// Every movement of money is a transfer from a debit account to a credit
// account of the same currency. A transfer is immutable once written and is
// identified by an id the client chooses, so a retry is harmless: the same
// id with the same content returns the original transfer, the same id with
// other content is a conflict.
//
// A pending transfer (a hold) reserves an amount on the debit account until
// it is posted (in full or in part; the rest is released), voided, or
// expires. Linked transfers commit all or none. Balances (posted, pending,
// available) are kept on the account rows and changed in the same database
// transaction as the transfers, and every posted effect is also written as a
// numbered entry with the balance after it, which statements read.
//
// The rules live here as plain Go (engine.go); the SQL lives in package
// store behind the Store interface. Concurrent requests are gathered into one
// database transaction (group commit, service.go), so throughput is not one
// commit per transfer.
package ledger

import (
	"context"
	"time"
)

// AccountKind says what an account is for.
type AccountKind string

// The kinds of ledger accounts.
const (
	KindCustomerDeposit   AccountKind = "customer_deposit"
	KindSettlement        AccountKind = "settlement"
	KindFees              AccountKind = "fees"
	KindInterest          AccountKind = "interest"
	KindFXPosition        AccountKind = "fx_position"
	KindInterbankClearing AccountKind = "interbank_clearing"
	KindCardReceivables   AccountKind = "card_receivables"
	KindCardSettlement    AccountKind = "card_settlement"
	KindSuspense          AccountKind = "suspense"
	KindEquity            AccountKind = "equity"
)

// Kinds lists every account kind, for validation and UIs.
var Kinds = []AccountKind{
	KindCustomerDeposit, KindSettlement, KindFees, KindInterest, KindFXPosition,
	KindInterbankClearing, KindCardReceivables, KindCardSettlement, KindSuspense, KindEquity,
}

// Account is a ledger account with its cached balances. Balances are seen
// from the account holder's side: credits add, debits subtract.
type Account struct {
	ID       string
	Name     string
	Kind     AccountKind
	Currency string
	// OverdraftLimit is how far below zero the available balance may go
	// (minor units, >= 0). Ignored when Unconstrained.
	OverdraftLimit int64
	// Unconstrained accounts (bank-internal ones) may take any balance.
	Unconstrained bool

	DebitsPending  int64
	DebitsPosted   int64
	CreditsPending int64
	CreditsPosted  int64
	// EntrySeq is the number of posted entries on the account; the next
	// entry gets EntrySeq+1.
	EntrySeq int64
	// LastEntryAt is the time of the newest entry (entries never go back in time).
	LastEntryAt time.Time
	CreatedAt   time.Time
}

// Posted is the booked balance: credits posted minus debits posted.
func (a *Account) Posted() int64 { return a.CreditsPosted - a.DebitsPosted }

// Pending is the amount reserved by open holds on the account.
func (a *Account) Pending() int64 { return a.DebitsPending }

// Available is what may still be spent: posted − pending + overdraft limit.
func (a *Account) Available() int64 { return a.Posted() - a.DebitsPending + a.OverdraftLimit }

// Balance is the balance view of an account.
type Balance struct {
	AccountID string
	Currency  string
	Posted    int64
	Pending   int64
	Available int64
	Overdraft int64
}

// BalanceOf returns the balance view of a.
func BalanceOf(a Account) Balance {
	return Balance{AccountID: a.ID, Currency: a.Currency, Posted: a.Posted(), Pending: a.Pending(), Available: a.Available(), Overdraft: a.OverdraftLimit}
}

// TransferKind says what a transfer does.
type TransferKind string

// The kinds of transfers.
const (
	// Single moves money at once.
	Single TransferKind = "single"
	// PendingKind reserves money on the debit account (a hold).
	PendingKind TransferKind = "pending"
	// Post posts an open hold, in full or in part; the rest is released.
	Post TransferKind = "post"
	// Void releases an open hold.
	Void TransferKind = "void"
	// Expire releases a hold whose time ran out (written by the ledger only).
	Expire TransferKind = "expire"
)

// PendingStatus is the state of a hold.
type PendingStatus string

// The states of a hold.
const (
	Open    PendingStatus = "open"
	Posted  PendingStatus = "posted"
	Voided  PendingStatus = "voided"
	Expired PendingStatus = "expired"
)

// TransferRequest asks the ledger for one transfer.
type TransferRequest struct {
	// ID is chosen by the client: 1–64 characters of A–Z a–z 0–9 . _ : -
	ID   string
	Kind TransferKind // "" means Single
	// DebitAccountID and CreditAccountID are required for Single and
	// PendingKind; for Post and Void they may be left empty (taken from the
	// hold) and must match it when given.
	DebitAccountID  string
	CreditAccountID string
	// Amount in minor units: > 0 for Single and PendingKind; for Post 0
	// means the full held amount; for Void 0 or the held amount.
	Amount int64
	// PendingID names the hold that Post or Void resolves.
	PendingID string
	// ExpiresAt, for PendingKind only, is when the hold lapses (zero: never).
	ExpiresAt time.Time
	// Code classifies the transfer (e.g. "payment", "card", "fee", "salary");
	// 1–32 characters, default "transfer".
	Code string
	// Text is the reference text shown on statements (at most 140 characters).
	Text string
	// Timestamp, for imported history only (Single), books the transfer at a
	// past time; it may not be in the future nor before the accounts' newest
	// entries. Zero means now.
	Timestamp time.Time
}

// Transfer is a transfer as written.
type Transfer struct {
	ID              string
	DebitAccountID  string
	CreditAccountID string
	Amount          int64
	Currency        string
	Kind            TransferKind
	PendingID       string
	Code            string
	Text            string
	ExpiresAt       time.Time
	CreatedAt       time.Time
	// RequestHash fingerprints the request, for idempotent retries.
	RequestHash string
}

// Hold is the state of a pending transfer.
type Hold struct {
	TransferID      string
	DebitAccountID  string
	CreditAccountID string
	Amount          int64
	Status          PendingStatus
	ExpiresAt       time.Time
	ResolvedAt      time.Time
	ResolvedBy      string
}

// Entry is one posted effect on one account: the amount (positive for a
// credit, negative for a debit) and the posted balance after it.
type Entry struct {
	AccountID  string
	Seq        int64
	TransferID string
	Amount     int64
	Balance    int64
	PostedAt   time.Time
	// Filled on reads, from the transfer:
	Code           string
	Text           string
	CounterpartyID string
}

// Writes is everything one batch changes, handed to the store to persist.
type Writes struct {
	Transfers []Transfer
	NewHolds  []Hold
	// Resolved holds (posted, voided, expired), with their new status.
	Resolved []Hold
	Entries  []Entry
	// Accounts whose balances changed, with their new values.
	Accounts []*Account
}

// EntryQuery selects entries of one account for a statement.
type EntryQuery struct {
	AccountID string
	From, To  time.Time // posted_at in [From, To); zero means unbounded
	AfterSeq  int64     // cursor: entries with Seq > AfterSeq
	Limit     int
	// BeforeSeq, when > 0, keeps only entries with Seq < BeforeSeq: the
	// cursor when reading newest first.
	BeforeSeq int64
	// Newest orders the entries newest first (by Seq, descending).
	Newest bool
	// Amount, when not nil, keeps only entries whose amount lies in it.
	Amount *AmountRange
}

// AmountRange bounds an entry's amount (minor units), inclusive at both
// ends. With Abs the bounds apply to the amount without its sign, so a
// debit of 500 and a credit of 500 both lie in [400, 600].
type AmountRange struct {
	Min, Max int64
	Abs      bool
}

// AccountAudit is one account with the sums the invariant check compares
// against its cached balances, computed by the store from the transfers,
// holds and entries.
type AccountAudit struct {
	Account
	TransferDebits    int64 // posted amounts where the account is debited
	TransferCredits   int64
	HoldDebits        int64 // open holds where the account is debited
	HoldCredits       int64
	EntryCount        int64
	EntryMaxSeq       int64
	EntrySum          int64
	LastBalance       int64
	BadRunningBalance int64 // entries whose balance != previous balance + amount
}

// Store is what the ledger needs from persistence. Package store implements it.
type Store interface {
	// WriteTx runs fn in one read-write database transaction, re-running it
	// on serialization conflicts.
	WriteTx(ctx context.Context, fn func(Tx) error) error
	Account(ctx context.Context, id string) (Account, error)
	Accounts(ctx context.Context) ([]Account, error)
	Transfer(ctx context.Context, id string) (Transfer, error)
	Hold(ctx context.Context, transferID string) (Hold, error)
	Entries(ctx context.Context, q EntryQuery) ([]Entry, error)
	// BalanceAt returns the posted balance after the last entry posted at or before t.
	BalanceAt(ctx context.Context, accountID string, t time.Time) (int64, error)
	// DueHolds lists open holds with 0 < expires_at <= now, oldest first.
	DueHolds(ctx context.Context, now time.Time, limit int) ([]string, error)
	Audit(ctx context.Context) (Audit, error)
}

// Audit is what the store computes for the invariant check.
type Audit struct {
	Accounts []AccountAudit
	// OrphanTransfers counts transfers whose debit or credit account is missing.
	OrphanTransfers int64
	// OrphanEntries counts entries whose account or transfer is missing.
	OrphanEntries int64
}

// Tx is a read-write transaction of the Store.
type Tx interface {
	// LockAccounts loads the accounts and locks them until commit, in id
	// order (so concurrent batches cannot deadlock). Missing ids are absent.
	LockAccounts(ctx context.Context, ids []string) (map[string]*Account, error)
	Transfers(ctx context.Context, ids []string) (map[string]Transfer, error)
	Holds(ctx context.Context, ids []string) (map[string]Hold, error)
	InsertAccount(ctx context.Context, a Account) error
	UpdateOverdraft(ctx context.Context, id string, limit int64) error
	Apply(ctx context.Context, w *Writes) error
}

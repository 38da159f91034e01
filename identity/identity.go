// Package identity decides who may do what in the bank: customers and
// their users, the bank's staff, logins, blocks and sessions.
//
// Private users (RULES AUTH-1…9) log in with an 11-digit user number and a
// signature made in the browser with the key in their signature file; the
// first login uses the PIN code from the bank's letter and enrols a new key.
// Business users (BIZ-1…5) log in with a user id, a password and a one-time
// code from a key card or the key app, and act within their user profile.
// Staff log in with a username, a password and a TOTP code. Sessions live in
// the database (shared by every instance), time out after inactivity, and a
// new login ends the user's previous session (SESS-1…5).
//
// The rules are plain Go; persistence is behind Store (package store), and
// the cryptographic primitives are in package auth.
package identity

import (
	"context"
	"time"

	"github.com/netbank/netbank/audit"
)

// CustomerKind tells private customers from businesses.
type CustomerKind string

// The kinds of customers.
const (
	PrivateCustomer  CustomerKind = "private"
	BusinessCustomer CustomerKind = "business"
)

// Customer is a person or a business that has agreements with the bank.
type Customer struct {
	ID   string
	Kind CustomerKind
	Name string
	// CPR is the civil registration number (private customers). It is
	// never stored in clear: the store keeps CPRCipher (AES-GCM) and
	// CPRHash (a keyed hash for look-ups), which the service fills.
	CPR       string
	CPRCipher string
	CPRHash   string
	BirthDate time.Time // private customers; ages matter for cards
	CVR       string    // businesses
	Mobile    string
	Address   string
	Postcode  string
	City      string
	Email     string
	CreatedAt time.Time
}

// Age returns the customer's age in whole years at t (0 if unknown).
func (c Customer) Age(t time.Time) int {
	if c.BirthDate.IsZero() {
		return 0
	}
	y := t.Year() - c.BirthDate.Year()
	if t.Month() < c.BirthDate.Month() || (t.Month() == c.BirthDate.Month() && t.Day() < c.BirthDate.Day()) {
		y--
	}
	return y
}

// UserKind is the kind of a user (and of a session).
type UserKind string

// The kinds of principals.
const (
	PrivateUser  UserKind = "private"
	BusinessUser UserKind = "business"
	StaffUser    UserKind = "staff"
)

// UserStatus is where a user stands.
type UserStatus string

// The states of a user.
const (
	// PINIssued: a PIN letter was sent; the next login enrols a new key (AUTH-2).
	PINIssued UserStatus = "pin_issued"
	// Active: the user can log in.
	Active UserStatus = "active"
	// SignatureBlocked: three failed attempts (AUTH-5); only a new PIN letter helps.
	SignatureBlocked UserStatus = "signature_blocked"
	// SelfBlocked: the user blocked their own access (AUTH-9); only staff lift it.
	SelfBlocked UserStatus = "self_blocked"
	// Disabled: the bank closed the access.
	Disabled UserStatus = "disabled"
)

// Permission is one thing a business user may do (BIZ-5).
type Permission string

// The permissions of a business user profile.
const (
	PermView    Permission = "view"
	PermCreate  Permission = "create"
	PermApprove Permission = "approve"
	PermAdmin   Permission = "admin"
)

// User is someone who logs in on behalf of a customer.
type User struct {
	ID         string
	CustomerID string
	Kind       UserKind
	// Login is the 11-digit user number (private) or the user id (business).
	Login  string
	Name   string
	Status UserStatus
	// PINHash is the argon2id hash of the PIN from the letter, while PINIssued.
	PINHash      string
	PINExpiresAt time.Time
	// PublicKey is the Ed25519 key from the signature file (private users).
	PublicKey    []byte
	KeyCreatedAt time.Time
	// PasswordHash is the argon2id hash of a business user's password.
	PasswordHash string
	// Profile is a business user's permissions.
	Profile []Permission
	// TOTPSecret is the key app's secret (business users), sealed
	// (encrypted) as the store keeps it; "" when no key app is enrolled.
	TOTPSecret     string
	TOTPLastStep   int64
	FailedAttempts int
	BlockedAt      time.Time
	BlockedReason  string
	CreatedAt      time.Time
}

// Can reports whether a business user's profile grants p. Private users may
// do everything on their own customer's behalf.
func (u User) Can(p Permission) bool {
	if u.Kind == PrivateUser {
		return true
	}
	for _, q := range u.Profile {
		if q == p {
			return true
		}
	}
	return false
}

// Staff is an employee of the bank using the back office.
type Staff struct {
	ID           string
	Username     string
	Name         string
	PasswordHash string
	// TOTPSecret is the staff member's TOTP secret, sealed.
	TOTPSecret     string
	TOTPLastStep   int64
	Roles          []string
	FailedAttempts int
	Blocked        bool
	CreatedAt      time.Time
}

// HasRole reports whether the staff member has role r (or "admin").
func (s Staff) HasRole(r string) bool {
	for _, q := range s.Roles {
		if q == r || q == RoleAdmin {
			return true
		}
	}
	return false
}

// Staff roles.
const (
	RoleAdmin    = "admin"    // everything
	RoleSupport  = "support"  // customers, users, PIN letters, unblocking, messages
	RoleAuditor  = "auditor"  // read the audit log
	RoleContract = "contract" // publish contracts
)

// Session is a logged-in browser.
type Session struct {
	// TokenHash is the SHA-256 of the cookie's token; the token itself is
	// never stored.
	TokenHash  string
	Principal  string // user id or staff id
	Kind       UserKind
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	EndedAt    time.Time
	EndReason  string
	IP         string
}

// The reasons a session ends.
const (
	EndLogout   = "logout"
	EndTimeout  = "timeout"
	EndReplaced = "replaced"
	EndBlocked  = "blocked"
)

// Challenge is a one-time, short-lived step of a login or a signing.
type Challenge struct {
	ID        string
	Principal string
	Purpose   string // login | enroll | keycard | staff
	Challenge string
	Detail    string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time
}

// KeyCardCode is one stored (hashed) code of a key card.
type KeyCardCode struct {
	Serial    string
	KeyNumber string
	CodeHash  string
	UsedAt    time.Time
}

// Store is what identity needs from persistence. Package store implements it.
type Store interface {
	// Tx runs fn in one serializable transaction, retried on conflicts.
	Tx(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only snapshot (no writes, no row locks).
	View(ctx context.Context, fn func(Tx) error) error
}

// Tx is a transaction of the identity store. Lookups return a
// netbank.ENOTFOUND error when nothing matches; "ForUpdate" variants lock
// the row until commit.
type Tx interface {
	InsertCustomer(ctx context.Context, c Customer) error
	Customer(ctx context.Context, id string) (Customer, error)
	CustomerByCPRHash(ctx context.Context, hash string) (Customer, error)
	Customers(ctx context.Context, query string, limit int) ([]Customer, error)

	InsertUser(ctx context.Context, u User) error
	UpdateUser(ctx context.Context, u User) error
	User(ctx context.Context, id string, forUpdate bool) (User, error)
	UserByLogin(ctx context.Context, login string, forUpdate bool) (User, error)
	UsersOfCustomer(ctx context.Context, customerID string) ([]User, error)

	InsertKeyCard(ctx context.Context, userID, serial string, codes []KeyCardCode, at time.Time) error
	// ActiveKeyCard returns the serial and the codes of the user's active card.
	ActiveKeyCard(ctx context.Context, userID string) (string, []KeyCardCode, error)
	UseKeyCardCode(ctx context.Context, serial, keyNumber string, at time.Time) error
	ReplaceKeyCards(ctx context.Context, userID string) error

	InsertStaff(ctx context.Context, s Staff) error
	UpdateStaff(ctx context.Context, s Staff) error
	StaffByUsername(ctx context.Context, username string, forUpdate bool) (Staff, error)
	StaffByID(ctx context.Context, id string) (Staff, error)

	InsertSession(ctx context.Context, s Session) error
	Session(ctx context.Context, tokenHash string, forUpdate bool) (Session, error)
	UpdateSession(ctx context.Context, s Session) error
	// EndSessions ends every open session of a principal.
	EndSessions(ctx context.Context, principal string, at time.Time, reason string) (int, error)

	InsertChallenge(ctx context.Context, c Challenge) error
	Challenge(ctx context.Context, id string, forUpdate bool) (Challenge, error)
	UseChallenge(ctx context.Context, id string, at time.Time) error

	// Hit counts one hit on a rate-limit bucket in the window starting at
	// windowStart and returns the hits so far in that window.
	Hit(ctx context.Context, bucket string, windowStart time.Time) (int, error)

	InsertSignedDocument(ctx context.Context, d SignedDocument) error
	SignedDocument(ctx context.Context, id string) (SignedDocument, error)

	// Purge deletes rate-limit windows started before windowsBefore and
	// challenges that expired before challengesBefore; it returns how many
	// rows went.
	Purge(ctx context.Context, windowsBefore, challengesBefore time.Time) (int, error)

	// Audit appends an audit entry in this transaction.
	Audit(ctx context.Context, at time.Time, e audit.Event) error
}

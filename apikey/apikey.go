// Package apikey is the bank's keys for the JSON API: bearer tokens that
// let a program act in the bank without a browser.
//
// # Kinds of keys
//
// A customer key is made by a logged-in net bank user for themselves (the
// page "API-adgang") and acts as that user: with the user's profile
// permissions (BIZ-5) and only ever for the user's own customer. It stops
// working the moment the user is blocked (AUTH-5, AUTH-9) or the access is
// closed; the first use after that revokes every key of the user for good.
// A binding action made with a customer key must still be signed with the
// user's signature file or password + code (SIGN-1, SIGN-2, BIZ-3): the key
// alone only reads and prepares.
//
// A partner key is made by the bank's staff (an administrator in the back
// office, "API-klienter") for a system outside the bank, with a role:
// "clearing" for another bank or the clearing delivering incoming payments,
// "creditor" for a Betalingsservice / FI creditor with its creditor
// numbers, "merchant" for a shop asking for Visa Secure authentications
// and the block register. Partner keys reach no customer's data; customer
// keys reach no partner endpoint.
//
// # The token
//
// A token is 32 random bytes shown once as "nbk_" + unpadded base64url (47
// characters in all). The bank keeps only its SHA-256 and a short prefix
// ("nbk_" + 8 characters) to tell keys apart on a list; the prefix reveals
// 48 of the 256 random bits, which leaves nothing to guess from. Tokens are
// not hashed with argon2id like passwords and PIN codes: a slow, salted
// hash protects secrets a person chose or can remember, which are few
// enough to guess offline; nobody can enumerate 2^256 random keys however
// fast the hash, and a plain SHA-256 lets every API request find its key
// by an index look-up instead of spending tens of milliseconds and
// megabytes of memory per request. The look-up by hash also needs no
// constant-time comparison: what a timing difference could reveal is the
// hash, not the token.
//
// Every key expires (at most MaxLifetime after it was made), can be
// revoked, and records when it was last used (to the minute). Making and
// revoking keys is audited. Failed attempts (unknown, expired or revoked
// tokens) are counted per address and refused past Config.MaxFailures per
// minute (ErrRateLimited), in the same table as the identity service's
// login limits.
package apikey

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/identity"
)

// Kind is what a key is for: a customer's own use, or a partner's role.
type Kind string

// The kinds of keys.
const (
	// Customer keys act as the net bank user who made them.
	Customer Kind = "customer"
	// Clearing keys belong to another bank or the clearing: they deliver
	// incoming payments (PAY-7).
	Clearing Kind = "clearing"
	// Creditor keys belong to a Betalingsservice / FI creditor, for its
	// creditor numbers (PAY-8).
	Creditor Kind = "creditor"
	// Merchant keys belong to a shop (or its payment service provider):
	// Visa Secure authentications and the block register (CARD-11, CARD-16).
	Merchant Kind = "merchant"
)

// PartnerKinds are the roles a partner key may have, in the order the back
// office offers them.
var PartnerKinds = []Kind{Clearing, Creditor, Merchant}

// Partner reports whether k is a partner role (not a customer key).
func (k Kind) Partner() bool { return slices.Contains(PartnerKinds, k) }

// Danish names the kind for pages.
func (k Kind) Danish() string {
	switch k {
	case Customer:
		return "Kunde"
	case Clearing:
		return "Clearing (anden bank)"
	case Creditor:
		return "Kreditor (Betalingsservice / FI)"
	case Merchant:
		return "Forretning (Visa Secure, spærreliste)"
	}
	return string(k)
}

// Key is one API key. The token itself is never kept: only Hash.
type Key struct {
	ID   string // "apk_…"
	Kind Kind
	// Name is what the maker called it ("Regnskabsprogram").
	Name string
	// Prefix is the token's start ("nbk_Ab3dE9xY"), to tell keys apart.
	Prefix string
	// Hash is the hex SHA-256 of the token.
	Hash string
	// CustomerID and UserID are the customer and the user a customer key
	// acts as ("" for partner keys).
	CustomerID string
	UserID     string
	// Creditors are a creditor key's creditor numbers (8 digits: PBS
	// numbers of Betalingsservice, FI creditor numbers of payment slips).
	Creditors []string
	// CreatedBy is the user or staff member who made the key.
	CreatedBy  string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastUsedAt time.Time
	RevokedAt  time.Time
	RevokedBy  string
}

// Active reports whether the key may be used at t: not revoked, not expired.
func (k Key) Active(t time.Time) bool { return k.RevokedAt.IsZero() && t.Before(k.ExpiresAt) }

// HasCreditor reports whether a creditor key covers creditor number n.
func (k Key) HasCreditor(n string) bool { return k.Kind == Creditor && slices.Contains(k.Creditors, n) }

// Store is what keys need from persistence. Package store implements it.
type Store interface {
	// Tx runs fn in one transaction (re-run on conflicts).
	Tx(ctx context.Context, fn func(Tx) error) error
}

// Tx is a transaction of the key store. Look-ups return a netbank.ENOTFOUND
// error when nothing matches.
type Tx interface {
	Insert(ctx context.Context, k Key) error
	Update(ctx context.Context, k Key) error
	Get(ctx context.Context, id string, forUpdate bool) (Key, error)
	ByHash(ctx context.Context, hash string, forUpdate bool) (Key, error)
	// OfUser lists a user's keys, newest first.
	OfUser(ctx context.Context, userID string) ([]Key, error)
	// Partners lists the partner keys, newest first.
	Partners(ctx context.Context) ([]Key, error)
	// Touch records a use at t if the recorded last use is before since.
	Touch(ctx context.Context, id string, t, since time.Time) error

	// Hits returns the hits on a rate-limit bucket in the window starting
	// at windowStart; Hit counts one more and returns the new count.
	Hits(ctx context.Context, bucket string, windowStart time.Time) (int, error)
	Hit(ctx context.Context, bucket string, windowStart time.Time) (int, error)

	// Audit appends an audit entry in this transaction.
	Audit(ctx context.Context, at time.Time, e audit.Event) error
}

// Users is what keys need to know of net bank users; *identity.Service
// implements it.
type Users interface {
	User(ctx context.Context, id string) (identity.User, error)
}

// Limits and defaults.
const (
	// MaxName bounds a key's name.
	MaxName = 60
	// MaxKeysPerUser bounds the active keys of one user.
	MaxKeysPerUser = 20
	// MaxCreditors bounds the creditor numbers of one creditor key.
	MaxCreditors = 20
	// DefaultMaxFailures is how many failed attempts one address may make
	// per minute before every attempt from it is refused for the rest of
	// the minute.
	DefaultMaxFailures = 20
	// TouchInterval is how stale LastUsedAt may be before a use records
	// itself again: a busy client does not write on every request.
	TouchInterval = time.Minute
	// TokenPrefix starts every token.
	TokenPrefix = "nbk_"
	// tokenBytes is the randomness of a token; tokenLength its length.
	tokenBytes  = 32
	tokenLength = len(TokenPrefix) + 43
	// displayLength is how much of the token Prefix keeps.
	displayLength = len(TokenPrefix) + 8
)

// MaxLifetime is the latest a key may expire: one year after it is made.
func MaxLifetime(now time.Time) time.Time { return now.AddDate(1, 0, 0) }

// Refusals of Authenticate. Each is EUNAUTHORIZED except ErrRateLimited
// (EFORBIDDEN); the API answers ErrRateLimited with 429.
var (
	ErrUnknown     = netbank.Errorf(netbank.EUNAUTHORIZED, "Ukendt API-nøgle.")
	ErrExpired     = netbank.Errorf(netbank.EUNAUTHORIZED, "API-nøglen er udløbet. Lav en ny.")
	ErrRevoked     = netbank.Errorf(netbank.EUNAUTHORIZED, "API-nøglen er tilbagekaldt.")
	ErrUserBlocked = netbank.Errorf(netbank.EUNAUTHORIZED, "Brugeren bag API-nøglen er spærret eller lukket, og nøglen er tilbagekaldt.")
	ErrRateLimited = netbank.Errorf(netbank.EFORBIDDEN, "For mange forkerte API-nøgler fra din adresse. Vent et minut, og prøv igen.")
)

// Config tunes the key service.
type Config struct {
	Clock netbank.Clock
	// Users tells whether a customer key's user may still act; required
	// for customer keys.
	Users Users
	// MaxFailures is how many failed attempts an address may make per
	// minute (default DefaultMaxFailures).
	MaxFailures int
	// Rand is the randomness of tokens (default crypto/rand).
	Rand io.Reader
}

// Service makes, checks and revokes API keys.
type Service struct {
	store Store
	cfg   Config
}

// New returns the key service.
func New(store Store, cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = netbank.SystemClock{}
	}
	if cfg.MaxFailures <= 0 {
		cfg.MaxFailures = DefaultMaxFailures
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	return &Service{store: store, cfg: cfg}
}

func (s *Service) now() time.Time { return s.cfg.Clock.Now().UTC().Truncate(time.Microsecond) }

// newToken draws a token and returns it with its hash and display prefix.
func (s *Service) newToken() (token, hash, prefix string) {
	b := make([]byte, tokenBytes)
	if _, err := io.ReadFull(s.cfg.Rand, b); err != nil {
		panic(err) // crypto/rand does not fail
	}
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), token[:displayLength]
}

func (s *Service) newID() string {
	b := make([]byte, 12)
	if _, err := io.ReadFull(s.cfg.Rand, b); err != nil {
		panic(err)
	}
	return "apk_" + hex.EncodeToString(b)
}

// HashToken is what the bank keeps of a token: its hex SHA-256.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// wellFormed reports whether s could be a token at all, so garbage never
// reaches the database.
func wellFormed(s string) bool {
	rest, ok := strings.CutPrefix(s, TokenPrefix)
	if !ok || len(s) != tokenLength {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	return err == nil && len(b) == tokenBytes
}

func invalid(format string, args ...any) error {
	return netbank.Errorf(netbank.EINVALID, format, args...)
}

// checkName trims a key's name and checks its length and characters.
func checkName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || !utf8.ValidString(name) {
		return "", invalid("Giv API-nøglen et navn, så du kan kende den igen.")
	}
	if n := utf8.RuneCountInString(name); n > MaxName {
		return "", invalid("Navnet må højst være %d tegn (der er %d).", MaxName, n)
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return "", invalid("Navnet må ikke indeholde linjeskift eller andre styretegn.")
		}
	}
	return name, nil
}

// checkExpiry checks that a key expires in the future and within MaxLifetime.
func checkExpiry(expires, now time.Time) error {
	switch {
	case !expires.After(now):
		return invalid("Udløbstidspunktet skal ligge i fremtiden.")
	case expires.After(MaxLifetime(now)):
		return invalid("En API-nøgle kan højst gælde ét år.")
	}
	return nil
}

// usable reports whether a user may act (and so may have working keys):
// not blocked (AUTH-5, AUTH-9) and not closed.
func usable(u identity.User) bool {
	return (u.Status == identity.Active || u.Status == identity.PINIssued) &&
		(u.Kind == identity.PrivateUser || u.Kind == identity.BusinessUser)
}

// actor is identity.Actor with the audit event this package writes.
type actor identity.Actor

func (a actor) event(action, subject string, details map[string]string) audit.Event {
	kind, id := a.Kind, a.ID
	if kind == "" {
		kind = audit.ActorAnonymous
	}
	if id == "" {
		id = "anonymous"
	}
	return audit.Event{Actor: id, ActorKind: kind, Action: action, Subject: subject, IP: a.IP, Details: details}
}

// Audit actions of this package.
const (
	ActionCreated = "apikey.created"
	ActionRevoked = "apikey.revoked"
)

// CreateForUser makes a customer key for userID, named name, expiring at
// expires (at most MaxLifetime from now). It returns the key and the
// token, which is shown once and never again. The user must be able to
// act (not blocked or closed) and may have at most MaxKeysPerUser active
// keys.
func (s *Service) CreateForUser(ctx context.Context, userID, name string, expires time.Time, by identity.Actor) (Key, string, error) {
	if s.cfg.Users == nil {
		return Key{}, "", netbank.Errorf(netbank.EUNAVAILABLE, "apikey: no user directory")
	}
	name, err := checkName(name)
	if err != nil {
		return Key{}, "", err
	}
	now := s.now()
	if err := checkExpiry(expires, now); err != nil {
		return Key{}, "", err
	}
	u, err := s.cfg.Users.User(ctx, userID)
	if err != nil {
		return Key{}, "", err
	}
	if !usable(u) {
		return Key{}, "", netbank.Errorf(netbank.EFORBIDDEN, "Brugeren er spærret eller lukket og kan ikke få API-nøgler.")
	}
	token, hash, prefix := s.newToken()
	k := Key{ID: s.newID(), Kind: Customer, Name: name, Prefix: prefix, Hash: hash, CustomerID: u.CustomerID, UserID: u.ID,
		CreatedBy: u.ID, CreatedAt: now, ExpiresAt: expires.UTC().Truncate(time.Microsecond)}
	err = s.store.Tx(ctx, func(tx Tx) error {
		keys, err := tx.OfUser(ctx, u.ID)
		if err != nil {
			return err
		}
		active := 0
		for _, old := range keys {
			if old.Active(now) {
				active++
			}
		}
		if active >= MaxKeysPerUser {
			return netbank.Errorf(netbank.ECONFLICT, "Du har allerede %d aktive API-nøgler. Tilbagekald en, før du laver en ny.", MaxKeysPerUser)
		}
		if err := tx.Insert(ctx, k); err != nil {
			return err
		}
		return tx.Audit(ctx, now, actor(by).event(ActionCreated, k.ID, map[string]string{"kind": string(k.Kind), "name": k.Name,
			"prefix": k.Prefix, "user": u.ID, "customer": u.CustomerID, "expires": k.ExpiresAt.Format(time.RFC3339)}))
	})
	if err != nil {
		return Key{}, "", err
	}
	return k, token, nil
}

// PartnerRequest is a partner key as staff asks for it.
type PartnerRequest struct {
	Kind Kind
	Name string
	// Creditors are the creditor numbers of a creditor key: Betalingsservice
	// PBS numbers or FI creditor numbers, 8 digits each; at least one.
	// Clearing keys have none.
	Creditors []string
	Expires   time.Time
}

// CreatePartner makes a partner key (staff; the caller checks the role).
// It returns the key and the token, shown once.
func (s *Service) CreatePartner(ctx context.Context, r PartnerRequest, by identity.Actor) (Key, string, error) {
	if !r.Kind.Partner() {
		return Key{}, "", invalid("Vælg klientens rolle.")
	}
	name, err := checkName(r.Name)
	if err != nil {
		return Key{}, "", err
	}
	now := s.now()
	if err := checkExpiry(r.Expires, now); err != nil {
		return Key{}, "", err
	}
	var creditors []string
	for _, c := range r.Creditors {
		c = strings.Join(strings.Fields(c), "")
		if c == "" {
			continue
		}
		if len(c) != 8 || strings.Trim(c, "0123456789") != "" {
			return Key{}, "", invalid("Et kreditornummer (PBS-nummer eller FI-kreditornummer) skal være 8 cifre.")
		}
		if !slices.Contains(creditors, c) {
			creditors = append(creditors, c)
		}
	}
	switch {
	case r.Kind == Creditor && len(creditors) == 0:
		return Key{}, "", invalid("En kreditor-nøgle skal have mindst ét kreditornummer.")
	case r.Kind != Creditor && len(creditors) > 0:
		return Key{}, "", invalid("Kun kreditor-nøgler har kreditornumre.")
	case len(creditors) > MaxCreditors:
		return Key{}, "", invalid("En nøgle kan højst have %d kreditornumre.", MaxCreditors)
	}
	token, hash, prefix := s.newToken()
	k := Key{ID: s.newID(), Kind: r.Kind, Name: name, Prefix: prefix, Hash: hash, Creditors: creditors, CreatedBy: by.ID,
		CreatedAt: now, ExpiresAt: r.Expires.UTC().Truncate(time.Microsecond)}
	err = s.store.Tx(ctx, func(tx Tx) error {
		if err := tx.Insert(ctx, k); err != nil {
			return err
		}
		return tx.Audit(ctx, now, actor(by).event(ActionCreated, k.ID, map[string]string{"kind": string(k.Kind), "name": k.Name,
			"prefix": k.Prefix, "creditors": strings.Join(creditors, ","), "expires": k.ExpiresAt.Format(time.RFC3339)}))
	})
	if err != nil {
		return Key{}, "", err
	}
	return k, token, nil
}

// Principal is who a token authenticates: the key and, for a customer
// key, its user as the bank knows them now.
type Principal struct {
	Key  Key
	User identity.User
}

// Authenticate finds the key of a token presented from address ip. Unknown,
// expired and revoked tokens are refused (ErrUnknown, ErrExpired,
// ErrRevoked) and counted against ip; past Config.MaxFailures in a minute
// every token from ip is refused with ErrRateLimited until the minute is
// over. A customer key whose user is blocked or closed is refused with
// ErrUserBlocked, and every key of that user is revoked. A use is recorded
// in LastUsedAt (at most once per TouchInterval).
func (s *Service) Authenticate(ctx context.Context, token, ip string) (Principal, error) {
	now := s.now()
	bucket, window := "api:"+ip, now.Truncate(time.Minute)
	var k Key
	var refusal error
	err := s.store.Tx(ctx, func(tx Tx) error {
		refusal = nil
		if ip != "" {
			hits, err := tx.Hits(ctx, bucket, window)
			if err != nil {
				return err
			}
			if hits >= s.cfg.MaxFailures {
				refusal = ErrRateLimited
				return nil
			}
		}
		var err error
		switch {
		case !wellFormed(token):
			refusal = ErrUnknown
		default:
			k, err = tx.ByHash(ctx, HashToken(token), false)
			switch {
			case netbank.ErrorCodeOf(err) == netbank.ENOTFOUND:
				refusal = ErrUnknown
			case err != nil:
				return err
			case !k.RevokedAt.IsZero():
				refusal = ErrRevoked
			case !now.Before(k.ExpiresAt):
				refusal = ErrExpired
			}
		}
		if refusal != nil {
			if ip != "" {
				_, err := tx.Hit(ctx, bucket, window)
				return err
			}
			return nil
		}
		return tx.Touch(ctx, k.ID, now, now.Add(-TouchInterval))
	})
	if err != nil {
		return Principal{}, err
	}
	if refusal != nil {
		return Principal{}, refusal
	}
	p := Principal{Key: k}
	if k.Kind != Customer {
		return p, nil
	}
	if s.cfg.Users == nil {
		return Principal{}, netbank.Errorf(netbank.EUNAVAILABLE, "apikey: no user directory")
	}
	u, err := s.cfg.Users.User(ctx, k.UserID)
	if err != nil && netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
		return Principal{}, err
	}
	if err != nil || !usable(u) || u.CustomerID != k.CustomerID {
		if err := s.revokeAll(ctx, k.UserID, identity.System, "user blocked or closed"); err != nil {
			return Principal{}, err
		}
		return Principal{}, ErrUserBlocked
	}
	p.User = u
	return p, nil
}

// revokeAll revokes every active key of a user.
func (s *Service) revokeAll(ctx context.Context, userID string, by identity.Actor, reason string) error {
	now := s.now()
	return s.store.Tx(ctx, func(tx Tx) error {
		keys, err := tx.OfUser(ctx, userID)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if !k.RevokedAt.IsZero() {
				continue
			}
			if err := s.revoke(ctx, tx, k, now, by, reason); err != nil {
				return err
			}
		}
		return nil
	})
}

// RevokeUser revokes every key of a user, e.g. when the user is blocked
// (the caller names who and why).
func (s *Service) RevokeUser(ctx context.Context, userID string, by identity.Actor, reason string) error {
	return s.revokeAll(ctx, userID, by, reason)
}

func (s *Service) revoke(ctx context.Context, tx Tx, k Key, now time.Time, by identity.Actor, reason string) error {
	k.RevokedAt, k.RevokedBy = now, by.ID
	if err := tx.Update(ctx, k); err != nil {
		return err
	}
	details := map[string]string{"kind": string(k.Kind), "prefix": k.Prefix}
	if reason != "" {
		details["reason"] = reason
	}
	return tx.Audit(ctx, now, actor(by).event(ActionRevoked, k.ID, details))
}

// errNoKey is what a key that is not the caller's looks like: not found.
var errNoKey = netbank.Errorf(netbank.ENOTFOUND, "API-nøglen findes ikke.")

// RevokeForUser revokes one of the user's own keys. Another user's key is
// not found. Revoking a revoked key returns it unchanged.
func (s *Service) RevokeForUser(ctx context.Context, userID, keyID string, by identity.Actor) (Key, error) {
	return s.revokeOne(ctx, keyID, func(k Key) bool { return k.Kind == Customer && k.UserID == userID }, by)
}

// RevokePartner revokes a partner key (staff; the caller checks the role).
func (s *Service) RevokePartner(ctx context.Context, keyID string, by identity.Actor) (Key, error) {
	return s.revokeOne(ctx, keyID, func(k Key) bool { return k.Kind.Partner() }, by)
}

func (s *Service) revokeOne(ctx context.Context, keyID string, mine func(Key) bool, by identity.Actor) (Key, error) {
	var k Key
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		k, err = tx.Get(ctx, keyID, true)
		if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND || err == nil && !mine(k) {
			return errNoKey
		}
		if err != nil || !k.RevokedAt.IsZero() {
			return err
		}
		now := s.now()
		if err := s.revoke(ctx, tx, k, now, by, ""); err != nil {
			return err
		}
		k.RevokedAt, k.RevokedBy = now, by.ID
		return nil
	})
	return k, err
}

// OfUser lists a user's keys (active and not), newest first.
func (s *Service) OfUser(ctx context.Context, userID string) ([]Key, error) {
	var out []Key
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		out, err = tx.OfUser(ctx, userID)
		return err
	})
	return out, err
}

// Partners lists the partner keys (active and not), newest first.
func (s *Service) Partners(ctx context.Context) ([]Key, error) {
	var out []Key
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Partners(ctx)
		return err
	})
	return out, err
}

package identity

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/auth"
)

// Config tunes the identity service.
type Config struct {
	Clock netbank.Clock
	// DataKey (32 bytes) encrypts CPR numbers and TOTP secrets at rest and
	// keys the CPR look-up hash.
	DataKey []byte
	// Pepper (>= 32 bytes) keys the hashes of key-card codes.
	Pepper []byte
	// Inactivity timeouts (SESS-1): defaults 15 min private, 60 min
	// business, 30 min staff.
	PrivateTimeout, BusinessTimeout, StaffTimeout time.Duration
	// MaxAttempts failed attempts in a row block a user (AUTH-5): default 3.
	MaxAttempts int
	// PINValidity is how long a PIN letter works: default 30 days.
	PINValidity time.Duration
	// RateLimit is how many login steps one address may take per minute:
	// default 30.
	RateLimit int
	// Rand is the randomness source (default crypto/rand).
	Rand io.Reader
}

// Service is the identity service.
type Service struct {
	store Store
	cfg   Config
	clock netbank.Clock
	seal  *sealer
}

// New returns the identity service.
func New(store Store, cfg Config) (*Service, error) {
	if cfg.Clock == nil {
		cfg.Clock = netbank.SystemClock{}
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.PrivateTimeout <= 0 {
		cfg.PrivateTimeout = 15 * time.Minute
	}
	if cfg.BusinessTimeout <= 0 {
		cfg.BusinessTimeout = 60 * time.Minute
	}
	if cfg.StaffTimeout <= 0 {
		cfg.StaffTimeout = 30 * time.Minute
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 3
	}
	if cfg.PINValidity <= 0 {
		cfg.PINValidity = 30 * 24 * time.Hour
	}
	if cfg.RateLimit <= 0 {
		cfg.RateLimit = 30
	}
	if len(cfg.Pepper) < 32 {
		return nil, errors.New("identity: the pepper must be at least 32 bytes")
	}
	seal, err := newSealer(cfg.DataKey)
	if err != nil {
		return nil, err
	}
	return &Service{store: store, cfg: cfg, clock: cfg.Clock, seal: seal}, nil
}

// Timeout returns the inactivity timeout of a kind of session (SESS-1).
func (s *Service) Timeout(k UserKind) time.Duration {
	switch k {
	case PrivateUser:
		return s.cfg.PrivateTimeout
	case BusinessUser:
		return s.cfg.BusinessTimeout
	default:
		return s.cfg.StaffTimeout
	}
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// newID returns a random identifier with a prefix, e.g. "cus_3f9a…".
func (s *Service) newID(prefix string) string {
	b := make([]byte, 12)
	if _, err := io.ReadFull(s.cfg.Rand, b); err != nil {
		panic(err)
	}
	return prefix + "_" + hex.EncodeToString(b)
}

func (s *Service) randomDigits(n int) string {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.cfg.Rand, b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	return string(b)
}

// Actor says who does something, for the audit log.
type Actor struct {
	ID   string
	Kind string // customer | business | staff | system | anonymous
	IP   string
}

// System is the bank itself acting (jobs, demo seeding).
var System = Actor{ID: "system", Kind: "system"}

func (a Actor) event(action, subject string, details map[string]string) audit.Event {
	if a.Kind == "" {
		a.Kind = "anonymous"
	}
	if a.ID == "" {
		a.ID = "anonymous"
	}
	return audit.Event{Actor: a.ID, ActorKind: a.Kind, Action: action, Subject: subject, IP: a.IP, Details: details}
}

// rateLimit counts a login step from ip and refuses it past the limit. A
// refusal is committed (the hit counts); err is a database error, which
// must roll back: on PostgreSQL the transaction is aborted after it, and a
// serialization failure is retried by the store only when it comes back
// as an error.
func (s *Service) rateLimit(ctx context.Context, tx Tx, ip string) (refusal, err error) {
	if ip == "" {
		return nil, nil
	}
	now := s.now()
	hits, err := tx.Hit(ctx, "login:"+ip, now.Truncate(time.Minute))
	if err != nil {
		return nil, err
	}
	if hits > s.cfg.RateLimit {
		return netbank.Errorf(netbank.EFORBIDDEN, "For mange forsøg fra din adresse. Vent et minut, og prøv igen."), nil
	}
	return nil, nil
}

// failable runs fn in a transaction where a refusal must still be
// committed (a counted failed attempt, a block, an audit entry): fn returns
// the refusal as its first result and a real error as its second.
func (s *Service) failable(ctx context.Context, fn func(tx Tx) (refusal error, err error)) error {
	var refusal error
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		refusal, err = fn(tx)
		return err
	})
	if err != nil {
		return err
	}
	return refusal
}

// refuse sorts the error of a step inside failable: a coded error (an
// expired challenge, a wrong code) is the refusal, committed with what the
// step counted; anything else is a database error, which rolls the step
// back (and is retried by the store when transient).
func refuse(err error) (refusal, dbErr error) {
	if netbank.ErrorCodeOf(err) == netbank.EINTERNAL {
		return nil, err
	}
	return err, nil
}

// Housekeeping deletes what logins leave behind once it can no longer
// matter: rate-limit windows older than an hour and challenges expired for
// a day. Sessions and signed documents are kept (they are evidence).
func (s *Service) Housekeeping(ctx context.Context) (int, error) {
	var n int
	now := s.now()
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		n, err = tx.Purge(ctx, now.Add(-time.Hour), now.Add(-24*time.Hour))
		return err
	})
	return n, err
}

// ---- sessions ----

// freshSession answers touch from a read when nothing needs writing: the
// session is live and, for activity, was stamped within touchEvery.
// Anything else (not found, ended, expired, stale, an error) is left to
// touch's transaction, which decides and records it.
func (s *Service) freshSession(ctx context.Context, tok Token, activity bool) (Session, bool) {
	var sess Session
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		sess, err = tx.Session(ctx, hashToken(tok), false)
		return err
	})
	now := s.now()
	if err != nil || !sess.EndedAt.IsZero() || !now.Before(sess.ExpiresAt) || (activity && now.Sub(sess.LastSeenAt) >= s.touchEvery(sess.Kind)) {
		return Session{}, false
	}
	return sess, true
}

// Token is a session's secret as the cookie carries it.
type Token string

func (s *Service) newToken() (Token, string) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(s.cfg.Rand, b); err != nil {
		panic(err)
	}
	t := base64.RawURLEncoding.EncodeToString(b)
	return Token(t), hashToken(Token(t))
}

func hashToken(t Token) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// startSession opens a session for principal and ends its older ones
// (SESS-2: one active session per user).
func (s *Service) startSession(ctx context.Context, tx Tx, kind UserKind, principal, ip string) (Token, Session, error) {
	now := s.now()
	if _, err := tx.EndSessions(ctx, principal, now, EndReplaced); err != nil {
		return "", Session{}, err
	}
	tok, hash := s.newToken()
	sess := Session{TokenHash: hash, Principal: principal, Kind: kind, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(s.Timeout(kind)), IP: ip}
	return tok, sess, tx.InsertSession(ctx, sess)
}

// Session errors. Each is EUNAUTHORIZED; the web layer tells them apart to
// show the right Danish message.
var (
	ErrNoSession       = netbank.Errorf(netbank.EUNAUTHORIZED, "Du er ikke logget på.")
	ErrSessionExpired  = netbank.Errorf(netbank.EUNAUTHORIZED, "Du er blevet logget af, fordi du ikke har brugt netbanken i et stykke tid. Log på igen.")
	ErrSessionReplaced = netbank.Errorf(netbank.EUNAUTHORIZED, "Oplysningerne er forældede, fordi du er logget på et andet sted. Log på igen.")
	ErrSessionEnded    = netbank.Errorf(netbank.EUNAUTHORIZED, "Du er logget af. Log på igen.")
)

// Authenticate checks a session token and, when the session is alive,
// counts the request as activity (the inactivity timeout starts again).
func (s *Service) Authenticate(ctx context.Context, tok Token) (Session, error) {
	return s.touch(ctx, tok, true)
}

// Peek checks a session token without counting activity (for the
// countdown's polling).
func (s *Service) Peek(ctx context.Context, tok Token) (Session, error) {
	return s.touch(ctx, tok, false)
}

// touchEvery is how old a session's activity stamp may be before a
// request writes it anew: 5 seconds, or a twentieth of the inactivity
// timeout when that is shorter. Within it a request only reads the
// session, so a customer clicking through pages costs no write per page;
// the inactivity timeout (SESS-1) then runs from at most that long before
// the last request.
func (s *Service) touchEvery(kind UserKind) time.Duration {
	return min(5*time.Second, s.Timeout(kind)/20)
}

func (s *Service) touch(ctx context.Context, tok Token, activity bool) (Session, error) {
	if tok == "" {
		return Session{}, ErrNoSession
	}
	if sess, ok := s.freshSession(ctx, tok, activity); ok {
		return sess, nil
	}
	var out Session
	err := s.failable(ctx, func(tx Tx) (error, error) {
		sess, err := tx.Session(ctx, hashToken(tok), true)
		if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
			return ErrNoSession, nil
		}
		if err != nil {
			return nil, err
		}
		now := s.now()
		switch {
		case !sess.EndedAt.IsZero() && sess.EndReason == EndReplaced:
			return ErrSessionReplaced, nil
		case !sess.EndedAt.IsZero() && sess.EndReason == EndTimeout:
			return ErrSessionExpired, nil
		case !sess.EndedAt.IsZero():
			return ErrSessionEnded, nil
		case !now.Before(sess.ExpiresAt):
			sess.EndedAt, sess.EndReason = now, EndTimeout
			if err := tx.UpdateSession(ctx, sess); err != nil {
				return nil, err
			}
			return ErrSessionExpired, nil
		}
		if activity {
			sess.LastSeenAt = now
			sess.ExpiresAt = now.Add(s.Timeout(sess.Kind))
			if err := tx.UpdateSession(ctx, sess); err != nil {
				return nil, err
			}
		}
		out = sess
		return nil, nil
	})
	return out, err
}

// Logout ends the session on the server (SESS-5).
func (s *Service) Logout(ctx context.Context, tok Token, actor Actor) error {
	return s.store.Tx(ctx, func(tx Tx) error {
		sess, err := tx.Session(ctx, hashToken(tok), true)
		if err != nil || !sess.EndedAt.IsZero() {
			return nil // nothing to end
		}
		sess.EndedAt, sess.EndReason = s.now(), EndLogout
		if err := tx.UpdateSession(ctx, sess); err != nil {
			return err
		}
		actor.ID = sess.Principal
		return tx.Audit(ctx, s.now(), actor.event("logout", sess.Principal, nil))
	})
}

// ---- customers ----

// CreateCustomer registers a customer. Private customers need a valid CPR
// number (the birth date is derived from it); businesses a CVR number.
func (s *Service) CreateCustomer(ctx context.Context, c Customer, by Actor) (Customer, error) {
	if err := validateCustomer(&c); err != nil {
		return Customer{}, err
	}
	c.ID = s.newID("cus")
	c.CreatedAt = s.now()
	err := s.store.Tx(ctx, func(tx Tx) error {
		if c.Kind == PrivateCustomer {
			if _, err := tx.CustomerByCPRHash(ctx, s.seal.lookupHash(c.CPR)); err == nil {
				return netbank.Errorf(netbank.ECONFLICT, "Der findes allerede en kunde med dette CPR-nummer.")
			}
		}
		if err := tx.InsertCustomer(ctx, s.sealCustomer(c)); err != nil {
			return err
		}
		return tx.Audit(ctx, c.CreatedAt, by.event("customer.created", c.ID, map[string]string{"kind": string(c.Kind)}))
	})
	return c, err
}

// Customer returns a customer with the CPR number decrypted.
func (s *Service) Customer(ctx context.Context, id string) (Customer, error) {
	var c Customer
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		c, err = tx.Customer(ctx, id)
		return err
	})
	if err != nil {
		return Customer{}, err
	}
	return s.openCustomer(c)
}

// FindCustomers searches customers by name, CVR or customer id (staff).
func (s *Service) FindCustomers(ctx context.Context, query string, limit int) ([]Customer, error) {
	var out []Customer
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Customers(ctx, query, limit)
		return err
	})
	for i := range out {
		if out[i], err = s.openCustomer(out[i]); err != nil {
			return nil, err
		}
	}
	return out, err
}

// ---- users ----

// User returns a user by id.
func (s *Service) User(ctx context.Context, id string) (User, error) {
	var u User
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		u, err = tx.User(ctx, id, false)
		return err
	})
	return u, err
}

// UserByLogin returns a user by user number or business user id.
func (s *Service) UserByLogin(ctx context.Context, login string) (User, error) {
	var u User
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		u, err = tx.UserByLogin(ctx, login, false)
		return err
	})
	return u, err
}

// UsersOfCustomer lists a customer's users.
func (s *Service) UsersOfCustomer(ctx context.Context, customerID string) ([]User, error) {
	var out []User
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		out, err = tx.UsersOfCustomer(ctx, customerID)
		return err
	})
	return out, err
}

// Staff returns a staff member by id.
func (s *Service) Staff(ctx context.Context, id string) (Staff, error) {
	var st Staff
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		st, err = tx.StaffByID(ctx, id)
		return err
	})
	return st, err
}

// blockUser blocks a user, ends their sessions and audits it.
func (s *Service) blockUser(ctx context.Context, tx Tx, u *User, status UserStatus, reason string, by Actor) error {
	now := s.now()
	u.Status, u.BlockedAt, u.BlockedReason = status, now, reason
	if err := tx.UpdateUser(ctx, *u); err != nil {
		return err
	}
	if _, err := tx.EndSessions(ctx, u.ID, now, EndBlocked); err != nil {
		return err
	}
	return tx.Audit(ctx, now, by.event("user.blocked", u.ID, map[string]string{"status": string(status), "reason": reason}))
}

// loginRefusal says what is wrong with a user's state for a login.
func loginRefusal(u User) error {
	switch u.Status {
	case SignatureBlocked:
		if u.Kind == PrivateUser {
			return netbank.Errorf(netbank.EFORBIDDEN, "Din digitale signatur er spærret efter %d forkerte forsøg. Kontakt banken, så sender vi dig en ny pinkode.", 3)
		}
		return netbank.Errorf(netbank.EFORBIDDEN, "Din adgang er spærret efter for mange forkerte forsøg. Kontakt banken.")
	case SelfBlocked:
		return netbank.Errorf(netbank.EFORBIDDEN, "Du har selv spærret din adgang til netbanken. Kontakt banken for at få den åbnet igen.")
	case Disabled:
		return netbank.Errorf(netbank.EFORBIDDEN, "Din adgang til netbanken er lukket. Kontakt banken.")
	}
	return nil
}

// failedAttempt counts a failed attempt and blocks the user at the limit
// (AUTH-5). It returns the refusal to show.
func (s *Service) failedAttempt(ctx context.Context, tx Tx, u *User, what string, by Actor) (error, error) {
	u.FailedAttempts++
	now := s.now()
	if err := tx.Audit(ctx, now, by.event("login.failed", u.ID, map[string]string{"step": what, "attempt": fmt.Sprint(u.FailedAttempts)})); err != nil {
		return nil, err
	}
	if u.FailedAttempts >= s.cfg.MaxAttempts {
		if err := s.blockUser(ctx, tx, u, SignatureBlocked, "too many failed "+what+" attempts", by); err != nil {
			return nil, err
		}
		return loginRefusal(*u), nil
	}
	if err := tx.UpdateUser(ctx, *u); err != nil {
		return nil, err
	}
	left := s.cfg.MaxAttempts - u.FailedAttempts
	return netbank.Errorf(netbank.EUNAUTHORIZED, "%s Du har %d %s tilbage.", wrongText(u.Kind, what), left, plural(left, "forsøg", "forsøg")), nil
}

func wrongText(k UserKind, what string) string {
	switch what {
	case "pin":
		return "Forkert pinkode."
	case "signature":
		return "Forkert underskriftskode, eller underskriftsfilen passer ikke til dit brugernummer."
	case "password":
		return "Forkert bruger-id eller adgangskode."
	case "keycard":
		return "Forkert kode fra nøglekortet."
	case "keyapp":
		return "Forkert kode fra nøgleappen."
	}
	return "Forkert login."
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// verifySignature checks an Ed25519 signature with a stored key.
func verifySignature(pub []byte, msg, sig []byte) bool {
	return len(pub) == ed25519.PublicKeySize && auth.Verify(ed25519.PublicKey(pub), msg, sig)
}

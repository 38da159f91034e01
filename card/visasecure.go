package card

// Visa Secure (CARD-11): the bank's own access control server (ACS).
//
// A merchant (through the API, a partner key with the role "merchant")
// starts an authentication for a card number, an amount and itself; the
// bank sends the cardholder's registered mobile number a one-time code by
// SMS whose text names the merchant and the amount (dynamic linking, as
// strong customer authentication requires):
//
//	Kode 123456 til køb hos Boghandlen ApS på 1.234,56 kr. Del aldrig koden.
//
// The merchant passes the code the cardholder types on to the bank; the
// right code yields a CAVV (cardholder authentication verification value)
// bound to exactly that card number, amount, currency and merchant. The
// merchant's acquirer sends it in field 48 of the 0100 (CAVV=…), and the
// authorization engine asks Verify (the engine's CAVVVerifier) whether it
// holds: any other card, amount, currency or merchant fails and the
// purchase is answered 1A.
//
// # The rules of the ACS
//
//   - Only an enrolled card (a registered mobile number, Card.VisaSecureEnrolled)
//     that is usable and open for internet use can be authenticated. The
//     enrolment happens at activation when a mobile number is known, never
//     automatically for a holder under 15 (Activate), and when the
//     cardholder registers a number in the net bank (SetMobile).
//   - The code is 6 digits, drawn at random, valid for CodeValidity (5
//     minutes) and MaxCodeTries (3) tries: the third wrong code locks the
//     authentication for good (a new one must be started). The bank keeps
//     only a keyed hash of the code (HMAC-SHA256 under a key derived from
//     the card key, bound to the authentication's id); the SMS outbox keeps
//     the text that was sent, which is what an SMS gateway's log holds too,
//     until the retention job removes the code from it once it expired
//     and the whole SMS after 30 days; the code's and the CAVV's hashes
//     are blanked once the authentication is over (jobs.go,
//     MinimizeVisaSecureData).
//   - The CAVV is HMAC-SHA256, under its own key derived from the card key
//     like the other card keys (HKDF-SHA256 with its own label), over the
//     card number's look-up hash, the amount, the currency, the merchant id
//     and the authentication's id, truncated to 20 bytes as real CAVVs are,
//     and sent base64-encoded (28 characters). The bank records it as
//     issued (its SHA-256) and recomputes it from the stored facts when it
//     comes back, so a changed row cannot make another purchase pass.
//   - A CAVV authorizes one purchase, once: the first authorization that
//     presents it with the right card, amount, currency and merchant
//     within CAVVValidity (30 minutes) of the code uses it up. A second
//     purchase with the same CAVV is 1A. "Once" is per authorization
//     request: the engine recognises a retry of a decided request before
//     any rule runs, so a retry is answered as the first without asking
//     again; a request the engine refuses for a later rule (funds, limits)
//     has used the CAVV too, and the merchant starts a new authentication.
//     A presentation that does not match (another amount, merchant or
//     card) does not use it up: only the purchase the cardholder approved
//     can.
//   - A card gets at most MaxAuthenticationsPerHour authentications an
//     hour, so a merchant key cannot flood a cardholder with SMS.
//
// # SMS
//
// Every SMS the bank sends is first written to the SMS outbox, in the
// transaction that starts the authentication, which staff read in the
// back office (/backoffice/sms) and tests read through the store. An
// SMSSender (a gateway) is pluggable; without one the outbox is all there
// is, as in the demo bank.

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/cardsec"
)

// Limits of Visa Secure (CARD-11).
const (
	// CodeLength is the number of digits of a one-time code.
	CodeLength = 6
	// CodeValidity is how long a one-time code may be used.
	CodeValidity = 5 * time.Minute
	// MaxCodeTries wrong codes lock an authentication.
	MaxCodeTries = 3
	// CAVVValidity is how long after the code a CAVV may authorize the
	// purchase.
	CAVVValidity = 30 * time.Minute
	// CAVVLength is the length in bytes of a CAVV (28 base64 characters).
	CAVVLength = 20
	// MaxAuthenticationsPerHour bounds the authentications of one card in
	// an hour.
	MaxAuthenticationsPerHour = 10
	// MaxMerchantName bounds the merchant's name in the SMS (characters).
	MaxMerchantName = 40
	// MerchantIDLength is the width of a merchant id: ISO 8583 field 42,
	// left-justified and padded with spaces.
	MerchantIDLength = 15
	// maxAuthAmount bounds an amount (minor units) an authentication is for.
	maxAuthAmount = 1_000_000_000_00
)

// AuthenticationStatus is where a Visa Secure authentication stands.
type AuthenticationStatus string

// The states of an authentication.
const (
	// ChallengeSent: the code is on its way to the cardholder.
	ChallengeSent AuthenticationStatus = "challenge_sent"
	// Authenticated: the right code came back and a CAVV was issued.
	Authenticated AuthenticationStatus = "authenticated"
	// CAVVUsed: an authorization used the CAVV.
	CAVVUsed AuthenticationStatus = "used"
	// AuthenticationLocked: MaxCodeTries wrong codes.
	AuthenticationLocked AuthenticationStatus = "locked"
	// AuthenticationExpired is never stored: StatusAt answers it for a
	// challenge whose code expired unanswered, or a CAVV never used in time.
	AuthenticationExpired AuthenticationStatus = "expired"
)

// Challenge is what a merchant asks the cardholder to approve.
type Challenge struct {
	// PAN is the card number.
	PAN string
	// Amount is in minor units of Currency (ISO 4217 alphabetic; "" is DKK).
	Amount   int64
	Currency string
	// MerchantID is the merchant's card acceptor id exactly as field 42 of
	// the 0100 will carry it (up to 15 characters; padded with spaces).
	MerchantID string
	// MerchantName is the name the cardholder knows the shop by; the SMS
	// shows it (1 to MaxMerchantName characters).
	MerchantName string
	// Requester is who starts it (the merchant's API key id): only the same
	// requester can complete it.
	Requester string
}

// Authentication is one Visa Secure authentication. Neither the code nor
// the CAVV is kept: CodeHash is the code's keyed hash, CAVVHash the
// CAVV's SHA-256.
type Authentication struct {
	ID           string // "vsa_…"
	CardID       string
	PANHash      string
	Amount       int64
	Currency     string
	MerchantID   string
	MerchantName string
	Requester    string
	Status       AuthenticationStatus
	CodeHash     string
	// Tries counts wrong codes.
	Tries         int
	CreatedAt     time.Time
	CodeExpiresAt time.Time
	// CompletedAt is when the right code came back (the CAVV was issued).
	CompletedAt   time.Time
	CAVVHash      string
	CAVVExpiresAt time.Time
	// UsedAt is when an authorization used the CAVV.
	UsedAt time.Time
}

// StatusAt is the status at t: a challenge unanswered past its code's
// validity, or a CAVV unused past its own, is AuthenticationExpired.
func (a Authentication) StatusAt(t time.Time) AuthenticationStatus {
	switch {
	case a.Status == ChallengeSent && !t.Before(a.CodeExpiresAt):
		return AuthenticationExpired
	case a.Status == Authenticated && !t.Before(a.CAVVExpiresAt):
		return AuthenticationExpired
	}
	return a.Status
}

// SMSStatus is where an SMS of the outbox stands.
type SMSStatus string

// The states of an SMS.
const (
	// SMSOutbox: in the outbox only (no gateway configured, or not yet
	// handed to it).
	SMSOutbox SMSStatus = "outbox"
	// SMSSent: the gateway took it.
	SMSSent SMSStatus = "sent"
	// SMSFailed: the gateway refused it (Error says why).
	SMSFailed SMSStatus = "failed"
)

// SMS is one text message the bank sends.
type SMS struct {
	ID string // "sms_…"
	// To is the mobile number, "+4512345678".
	To   string
	Text string
	// Purpose says what it is for ("visa_secure"), Reference the thing it
	// belongs to (the authentication's id), CustomerID the cardholder.
	Purpose, Reference, CustomerID string
	Status                         SMSStatus
	CreatedAt                      time.Time
	SentAt                         time.Time
	// Error is why the gateway refused it.
	Error string
}

// SMSPurposeVisaSecure is the purpose of the one-time codes.
const SMSPurposeVisaSecure = "visa_secure"

// SMSSender delivers an SMS (a gateway). The outbox has it already when
// SendSMS is called; an error marks it failed there.
type SMSSender interface {
	SendSMS(ctx context.Context, m SMS) error
}

// VisaSecureStore is what the ACS needs from persistence; package store
// implements it.
type VisaSecureStore interface {
	// Tx runs fn in one read-write transaction (re-run on conflicts).
	Tx(ctx context.Context, fn func(VisaSecureTx) error) error
}

// VisaSecureTx is a transaction of the ACS's store. Look-ups return a
// netbank.ENOTFOUND error when nothing matches; forUpdate locks the row.
type VisaSecureTx interface {
	InsertAuthentication(ctx context.Context, a Authentication) error
	// UpdateAuthentication writes the status, tries, completion, CAVV and use.
	UpdateAuthentication(ctx context.Context, a Authentication) error
	Authentication(ctx context.Context, id string, forUpdate bool) (Authentication, error)
	// AuthenticationByCAVV finds the authentication that issued a CAVV by
	// the CAVV's SHA-256 (hex).
	AuthenticationByCAVV(ctx context.Context, cavvHash string, forUpdate bool) (Authentication, error)
	// CountAuthentications counts a card's authentications created at or
	// after since.
	CountAuthentications(ctx context.Context, cardID string, since time.Time) (int, error)

	InsertSMS(ctx context.Context, m SMS) error
	// UpdateSMS writes an SMS's status, SentAt and Error.
	UpdateSMS(ctx context.Context, m SMS) error
	// Outbox lists the newest SMS first, up to limit.
	Outbox(ctx context.Context, limit int) ([]SMS, error)

	// Audit appends an event to the audit log in this transaction.
	Audit(ctx context.Context, at time.Time, e audit.Event) error
}

// The audit actions of Visa Secure.
const (
	ActionVisaSecureCompleted = "card.visa_secure_completed"
	ActionVisaSecureLocked    = "card.visa_secure_locked"
)

// VisaSecureConfig configures the ACS.
type VisaSecureConfig struct {
	// Clock tells the time; nil is the card service's clock.
	Clock netbank.Clock
	// Sender delivers the SMS; nil keeps them in the outbox only.
	Sender SMSSender
	// Rand draws the codes (crypto/rand if nil).
	Rand io.Reader
	// Logger logs failures of Verify and the sender (never a card number,
	// code or CAVV); nil is slog.Default().
	Logger *slog.Logger
}

// VisaSecure is the bank's access control server (see the top of this
// file). It implements CAVVVerifier.
type VisaSecure struct {
	cards   *Service
	store   VisaSecureStore
	cfg     VisaSecureConfig
	clock   netbank.Clock
	log     *slog.Logger
	cavvKey []byte
	codeKey []byte
}

var _ CAVVVerifier = (*VisaSecure)(nil)

// NewVisaSecure returns the ACS for the cards of a card service. Its keys
// are derived from the card service's PAN key, each under its own label.
func NewVisaSecure(cards *Service, store VisaSecureStore, cfg VisaSecureConfig) (*VisaSecure, error) {
	if cards == nil || store == nil {
		return nil, errors.New("card: Visa Secure needs the card service and its store")
	}
	if cfg.Clock == nil {
		cfg.Clock = cards.clock
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cavvKey, err := hkdf.Key(sha256.New, cards.cfg.Keys.PANKey, nil, "netbank card visa secure cavv key v1", 32)
	if err != nil {
		return nil, err
	}
	codeKey, err := hkdf.Key(sha256.New, cards.cfg.Keys.PANKey, nil, "netbank card visa secure code key v1", 32)
	if err != nil {
		return nil, err
	}
	return &VisaSecure{cards: cards, store: store, cfg: cfg, clock: cfg.Clock, log: cfg.Logger, cavvKey: cavvKey, codeKey: codeKey}, nil
}

func (v *VisaSecure) now() time.Time { return v.clock.Now().UTC().Truncate(time.Microsecond) }

// errNotEnrolled is the answer for a card that cannot be authenticated:
// unknown, not enrolled, or not usable. The merchant learns no more.
func errNotEnrolled() error {
	return netbank.Errorf(netbank.EFORBIDDEN, "Kortet kan ikke godkendes med Visa Secure: det er ikke tilmeldt, eller det kan ikke bruges på internettet.")
}

// normalizeMerchantID checks a merchant id and pads it with spaces to the
// width of field 42.
func normalizeMerchantID(id string) (string, bool) {
	id = strings.TrimRight(id, " ")
	if id == "" || len(id) > MerchantIDLength {
		return "", false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x20 || id[i] > 0x7e {
			return "", false
		}
	}
	return id + strings.Repeat(" ", MerchantIDLength-len(id)), true
}

// checkMerchantName checks the name the SMS shows.
func checkMerchantName(name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	n := utf8.RuneCountInString(name)
	ok := utf8.ValidString(name) && n >= 1 && n <= MaxMerchantName
	for _, r := range name {
		ok = ok && unicode.IsPrint(r)
	}
	if !ok {
		return "", netbank.Errorf(netbank.EINVALID, "Forretningens navn skal være 1 til %d tegn; det står i SMS'en til kortholderen.", MaxMerchantName)
	}
	return name, nil
}

// SMSText is the text of a Visa Secure SMS: the code, the merchant and the
// amount (dynamic linking, CARD-11).
func SMSText(code, merchantName string, amount int64, currency string) string {
	amountText := netbank.NewMoney(amount, currency).String() // "1.234,56 kr." or "12,50 EUR"
	if !strings.HasSuffix(amountText, ".") {
		amountText += "."
	}
	return fmt.Sprintf(smsCodePrefix+"%s til køb hos %s på %s Del aldrig koden.", code, merchantName, amountText)
}

// RedactedCode stands in for the one-time code in the text of a Visa
// Secure SMS once the code has expired (MinimizeVisaSecureData).
const RedactedCode = "******"

// smsCodePrefix is what SMSText puts before the code.
const smsCodePrefix = "Kode "

// RedactSMSCode returns the text of a Visa Secure SMS (SMSText) with the
// one-time code replaced by RedactedCode; the merchant and the amount
// stay. A text without a code where SMSText puts it is returned as it is.
func RedactSMSCode(text string) string {
	rest, ok := strings.CutPrefix(text, smsCodePrefix)
	if !ok || len(rest) < CodeLength || strings.Trim(rest[:CodeLength], "0123456789") != "" {
		return text
	}
	return smsCodePrefix + RedactedCode + rest[CodeLength:]
}

// StartAuthentication starts a Visa Secure authentication: it checks the
// challenge and the card, and sends the cardholder a one-time code by SMS
// whose text names the merchant and the amount. A card that is unknown,
// not enrolled or not usable on the internet is refused (EFORBIDDEN, the
// same answer for each); a card past MaxAuthenticationsPerHour is
// ECONFLICT. The returned authentication is ChallengeSent.
func (v *VisaSecure) StartAuthentication(ctx context.Context, ch Challenge) (Authentication, error) {
	if !cardsec.ValidPAN(ch.PAN) {
		return Authentication{}, netbank.Errorf(netbank.EINVALID, "Kortnummeret er ikke gyldigt.")
	}
	if ch.Amount <= 0 || ch.Amount > maxAuthAmount {
		return Authentication{}, netbank.Errorf(netbank.EINVALID, "Beløbet skal være større end 0 (i øre eller valutaens mindste enhed).")
	}
	if ch.Currency == "" {
		ch.Currency = "DKK"
	}
	cur, err := netbank.LookupCurrency(ch.Currency)
	if err != nil {
		return Authentication{}, err
	}
	merchantID, ok := normalizeMerchantID(ch.MerchantID)
	if !ok {
		return Authentication{}, netbank.Errorf(netbank.EINVALID, "Forretningsnummeret (merchant id) skal være 1 til %d skrivbare tegn, som i felt 42.", MerchantIDLength)
	}
	name, err := checkMerchantName(ch.MerchantName)
	if err != nil {
		return Authentication{}, err
	}
	c, err := v.cards.ByPAN(ctx, ch.PAN)
	switch netbank.ErrorCodeOf(err) {
	case "":
	case netbank.ENOTFOUND:
		return Authentication{}, errNotEnrolled()
	default:
		return Authentication{}, err
	}
	now := v.now()
	if !c.VisaSecureEnrolled || c.MobileNumber == "" || !c.Usable(now) || !v.cards.Rules(c.Type).ECommerce {
		return Authentication{}, errNotEnrolled()
	}
	code, err := v.drawCode()
	if err != nil {
		return Authentication{}, err
	}
	a := Authentication{ID: newID("vsa"), CardID: c.ID, PANHash: c.PANHash, Amount: ch.Amount, Currency: cur.Code,
		MerchantID: merchantID, MerchantName: name, Requester: ch.Requester, Status: ChallengeSent,
		CreatedAt: now, CodeExpiresAt: now.Add(CodeValidity)}
	a.CodeHash = v.codeHash(a.ID, code)
	m := SMS{ID: newID("sms"), To: c.MobileNumber, Text: SMSText(code, name, a.Amount, a.Currency), Purpose: SMSPurposeVisaSecure,
		Reference: a.ID, CustomerID: c.HolderCustomerID, Status: SMSOutbox, CreatedAt: now}
	err = v.store.Tx(ctx, func(tx VisaSecureTx) error {
		n, err := tx.CountAuthentications(ctx, c.ID, now.Add(-time.Hour))
		if err != nil {
			return err
		}
		if n >= MaxAuthenticationsPerHour {
			return netbank.Errorf(netbank.ECONFLICT, "Kortet har fået %d Visa Secure-koder den seneste time. Prøv igen senere.", n)
		}
		if err := tx.InsertAuthentication(ctx, a); err != nil {
			return err
		}
		return tx.InsertSMS(ctx, m)
	})
	if err != nil {
		return Authentication{}, err
	}
	if v.cfg.Sender != nil {
		if err := v.send(ctx, m); err != nil {
			return Authentication{}, err
		}
	}
	return a, nil
}

// send hands an SMS of the outbox to the gateway and records the outcome.
func (v *VisaSecure) send(ctx context.Context, m SMS) error {
	sendErr := v.cfg.Sender.SendSMS(ctx, m)
	m.Status, m.SentAt = SMSSent, v.now()
	if sendErr != nil {
		m.Status, m.SentAt, m.Error = SMSFailed, time.Time{}, clip(sendErr.Error())
		v.log.Error("visa secure: sending the SMS failed", "sms", m.ID, "err", sendErr)
	}
	if err := v.store.Tx(ctx, func(tx VisaSecureTx) error { return tx.UpdateSMS(ctx, m) }); err != nil {
		v.log.Error("visa secure: recording the SMS's delivery", "sms", m.ID, "err", err)
	}
	if sendErr != nil {
		return netbank.Errorf(netbank.EUNAVAILABLE, "SMS'en med koden kunne ikke sendes. Prøv igen om lidt.")
	}
	return nil
}

// drawCode draws a one-time code of CodeLength digits, uniformly.
func (v *VisaSecure) drawCode() (string, error) {
	n, err := rand.Int(v.cfg.Rand, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("card: drawing a one-time code: %w", err)
	}
	return fmt.Sprintf("%0*d", CodeLength, n.Int64()), nil
}

// codeHash is the keyed hash of a code, bound to its authentication.
func (v *VisaSecure) codeHash(id, code string) string {
	m := hmac.New(sha256.New, v.codeKey)
	m.Write([]byte(id))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return hex.EncodeToString(m.Sum(nil))
}

// cavv computes the CAVV of an authentication from its facts.
func (v *VisaSecure) cavv(a Authentication) []byte {
	m := hmac.New(sha256.New, v.cavvKey)
	for i, part := range []string{a.PANHash, strconv.FormatInt(a.Amount, 10), a.Currency, a.MerchantID, a.ID} {
		if i > 0 {
			m.Write([]byte{0})
		}
		m.Write([]byte(part))
	}
	return m.Sum(nil)[:CAVVLength]
}

// cavvHash is how a CAVV is recorded: its SHA-256 in hex.
func cavvHash(raw []byte) string {
	h := sha256.Sum256(raw)
	return hex.EncodeToString(h[:])
}

// CompleteAuthentication checks the code the cardholder typed for an
// authentication requester started, and returns the CAVV (base64) for the
// 0100's field 48. A wrong code counts as a try and the MaxCodeTries-th
// locks the authentication; an expired, locked or used one is refused.
// Those refusals are EFORBIDDEN; an authentication that does not exist or
// that another requester started is ENOTFOUND. Sending the right code
// again for an authenticated, unused authentication gives the same CAVV
// (a retry).
func (v *VisaSecure) CompleteAuthentication(ctx context.Context, requester, id, code string) (string, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		return "", netbank.Errorf(netbank.EINVALID, "Koden mangler.")
	}
	var cavv string
	var refusal error
	var locked bool
	err := v.store.Tx(ctx, func(tx VisaSecureTx) error {
		cavv, refusal, locked = "", nil, false
		a, err := tx.Authentication(ctx, id, true)
		if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND || (err == nil && a.Requester != requester) {
			return netbank.Errorf(netbank.ENOTFOUND, "Godkendelsen findes ikke.")
		}
		if err != nil {
			return err
		}
		now := v.now()
		right := hmac.Equal([]byte(v.codeHash(a.ID, code)), []byte(a.CodeHash))
		switch a.StatusAt(now) {
		case Authenticated:
			if !right {
				refusal = netbank.Errorf(netbank.EFORBIDDEN, "Godkendelsen er allerede gennemført.")
				return nil
			}
			cavv = base64.StdEncoding.EncodeToString(v.cavv(a))
			return nil
		case CAVVUsed:
			refusal = netbank.Errorf(netbank.EFORBIDDEN, "Godkendelsen er allerede brugt til et køb.")
			return nil
		case AuthenticationLocked:
			refusal = netbank.Errorf(netbank.EFORBIDDEN, "Godkendelsen er spærret efter %d forkerte koder. Start en ny.", MaxCodeTries)
			return nil
		case AuthenticationExpired:
			refusal = netbank.Errorf(netbank.EFORBIDDEN, "Koden er udløbet (den gælder i %d minutter). Start en ny godkendelse.", int(CodeValidity/time.Minute))
			return nil
		}
		if !right {
			a.Tries++
			left := MaxCodeTries - a.Tries
			refusal = netbank.Errorf(netbank.EFORBIDDEN, "Forkert kode. Der er %d forsøg tilbage.", left)
			if left == 1 {
				refusal = netbank.Errorf(netbank.EFORBIDDEN, "Forkert kode. Der er 1 forsøg tilbage.")
			}
			if left <= 0 {
				a.Status, locked = AuthenticationLocked, true
				refusal = netbank.Errorf(netbank.EFORBIDDEN, "Forkert kode %d gange: godkendelsen er spærret. Start en ny.", MaxCodeTries)
			}
			if err := tx.UpdateAuthentication(ctx, a); err != nil {
				return err
			}
			if locked {
				return tx.Audit(ctx, now, v.event(ActionVisaSecureLocked, a))
			}
			return nil
		}
		raw := v.cavv(a)
		a.Status, a.CompletedAt, a.CAVVHash, a.CAVVExpiresAt = Authenticated, now, cavvHash(raw), now.Add(CAVVValidity)
		if err := tx.UpdateAuthentication(ctx, a); err != nil {
			return err
		}
		cavv = base64.StdEncoding.EncodeToString(raw)
		return tx.Audit(ctx, now, v.event(ActionVisaSecureCompleted, a))
	})
	if err != nil {
		return "", err
	}
	if refusal != nil {
		return "", refusal
	}
	return cavv, nil
}

// event is the audit event of an authentication: the card, the merchant
// and the amount; never the code or the CAVV.
func (v *VisaSecure) event(action string, a Authentication) audit.Event {
	return audit.Event{Actor: orSystem(a.Requester), ActorKind: audit.ActorSystem, Action: action, Subject: a.CardID,
		Details: map[string]string{"authentication": a.ID, "merchant_id": strings.TrimRight(a.MerchantID, " "),
			"merchant": a.MerchantName, "amount": netbank.NewMoney(a.Amount, a.Currency).String(), "tries": strconv.Itoa(a.Tries)}}
}

func orSystem(id string) string {
	if id == "" {
		return audit.ActorSystem
	}
	return id
}

// Verify reports whether cavv is a Visa Secure result the bank issued for
// exactly this card number, amount (minor units of currency, ISO 4217
// alphabetic) and merchant (field 42), within CAVVValidity, and not used
// before; a true answer uses it up (see the top of this file). It is the
// authorization engine's CAVVVerifier. A failure inside the bank is
// logged and answered false (the engine answers 1A).
func (v *VisaSecure) Verify(ctx context.Context, pan string, amountMinor int64, currency, merchantID, cavv string) bool {
	raw, err := base64.StdEncoding.DecodeString(cavv)
	if err != nil || len(raw) != CAVVLength || !cardsec.ValidPAN(pan) {
		return false
	}
	merchantID, ok := normalizeMerchantID(merchantID)
	if !ok {
		return false
	}
	panHash := v.cards.sealer.LookupHash(pan)
	var valid bool
	err = v.store.Tx(ctx, func(tx VisaSecureTx) error {
		valid = false
		a, err := tx.AuthenticationByCAVV(ctx, cavvHash(raw), true)
		if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		now := v.now()
		if a.StatusAt(now) != Authenticated || a.Amount != amountMinor || a.Currency != currency || a.MerchantID != merchantID ||
			subtle.ConstantTimeCompare([]byte(a.PANHash), []byte(panHash)) != 1 || !hmac.Equal(v.cavv(a), raw) {
			return nil
		}
		a.Status, a.UsedAt = CAVVUsed, now
		if err := tx.UpdateAuthentication(ctx, a); err != nil {
			return err
		}
		valid = true
		return nil
	})
	if err != nil {
		v.log.Error("visa secure: verifying a CAVV", "err", err)
		return false
	}
	return valid
}

// Outbox lists the newest SMS of the outbox first, up to limit (at most
// 500), for staff and tests.
func (v *VisaSecure) Outbox(ctx context.Context, limit int) ([]SMS, error) {
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	var out []SMS
	err := v.store.Tx(ctx, func(tx VisaSecureTx) error {
		var err error
		out, err = tx.Outbox(ctx, limit)
		return err
	})
	return out, err
}

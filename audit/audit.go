// Package audit is the bank's append-only, hash-chained audit log, as plain
// Go: what an event is, how an entry is hashed, and how a chain of entries
// is verified. Every login, failed attempt, block, signature, staff action
// and money movement becomes an Entry; each entry's hash covers its own
// content and the hash of the entry before it, so changing or removing any
// entry breaks the chain at a point the Verifier names. The head (the
// newest sequence number and hash, kept beside the log) catches the removal
// of the newest entries, which no later entry could reveal.
//
// The package imports only the standard library and knows nothing of SQL:
// store persists entries (appending inside the caller's transaction, so an
// action and its audit entry commit or roll back together), and cmd/netbank
// runs the verifier over the stored log ("netbank audit verify").
//
// Secrets are never recorded. Details may not contain passwords, PIN codes,
// one-time codes, signature codes, card numbers (PAN), CVV/CVC or keys;
// Event.Validate refuses detail keys that look like one. The check catches
// the obvious mistake; it cannot make a secret safe to log, so never put one
// in any field.
package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// GenesisHash is the PrevHash of the first entry: 64 zeros.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// The kinds of actor (Event.ActorKind).
const (
	// ActorCustomer is a private customer's user.
	ActorCustomer = "customer"
	// ActorBusiness is a business customer's user.
	ActorBusiness = "business"
	// ActorStaff is a bank employee in the back office.
	ActorStaff = "staff"
	// ActorSystem is the bank itself: scheduled jobs, the ledger, seeding.
	ActorSystem = "system"
	// ActorAnonymous is someone not (yet) identified, e.g. a failed login
	// for an unknown user number.
	ActorAnonymous = "anonymous"
)

// Some actions, so features spell the common ones alike. Features may add
// their own: lower case, dot-separated, subject first ("payment.signed").
const (
	// ActionLoginSuccess: a user logged in.
	ActionLoginSuccess = "login.success"
	// ActionLoginFailed: a login step failed (wrong code, unknown user, …).
	ActionLoginFailed = "login.failed"
	// ActionLogout: a session ended.
	ActionLogout = "logout"
	// ActionUserBlocked: a user was blocked (by failed attempts or by staff).
	ActionUserBlocked = "user.blocked"
	// ActionSignatureBlocked: a signature code or file was blocked.
	ActionSignatureBlocked = "signature.blocked"
	// ActionStaffUnblock: staff lifted a block.
	ActionStaffUnblock = "staff.unblock"
	// ActionPaymentSigned: a customer signed a payment.
	ActionPaymentSigned = "payment.signed"
	// ActionTransferPosted: money moved in the ledger.
	ActionTransferPosted = "transfer.posted"
)

// Limits on an event's size: the log is read by people and kept for years.
const (
	maxFieldLen   = 256  // actor, actor kind, action, subject, ip, detail keys
	maxDetailLen  = 4096 // one detail value
	maxDetails    = 32   // detail pairs per event
	maxActionName = 64
)

// Event is what happened, as a feature reports it: who (Actor, ActorKind),
// did what (Action), to what (Subject), from where (IP), with a few facts
// (Details). Details must never hold a secret (see the package doc).
type Event struct {
	// Actor identifies who acted: a user number, a staff id, "system".
	// It may be empty only for ActorAnonymous.
	Actor string
	// ActorKind is one of ActorCustomer, ActorBusiness, ActorStaff,
	// ActorSystem, ActorAnonymous.
	ActorKind string
	// Action names what happened, e.g. "login.failed" (see the Action… constants).
	Action string
	// Subject is what the event is about, e.g. a user number or an account id.
	Subject string
	// IP is the client's address, empty for the system.
	IP string
	// Details are a few further facts (a reason, an amount, a count). Keys
	// that look like a secret ("password", "code", "pin", "pan", "cvv", …)
	// are refused by Validate; values must not be secrets either.
	Details map[string]string
}

// Entry is an event as the log keeps it: numbered from 1 without gaps,
// timed, and chained to the entry before by PrevHash.
type Entry struct {
	// Seq numbers the entries 1, 2, 3, … without gaps.
	Seq int64
	// At is when it happened, kept to the microsecond in UTC.
	At time.Time
	Event
	// PrevHash is the Hash of entry Seq-1 (GenesisHash for entry 1).
	PrevHash string
	// Hash is Hash(PrevHash, entry): hex SHA-256 of the canonical encoding.
	Hash string
}

// Head is the newest entry's sequence number and hash, stored beside the
// log and updated with every append; {0, GenesisHash} for an empty log.
// Comparing it with the newest entry reveals removed newest entries.
type Head struct {
	Seq  int64
	Hash string
}

// Filter selects entries for reading (the back office); zero fields match
// everything. Entries come newest first.
type Filter struct {
	// Actor, Subject and Action match exactly when set.
	Actor, Subject, Action string
	// From (inclusive) and To (exclusive) bound At when set.
	From, To time.Time
	// BeforeSeq, when positive, returns only entries with Seq < BeforeSeq:
	// pass the last Seq of one page to get the next.
	BeforeSeq int64
	// Limit bounds the number of entries (default 100, at most 1000).
	Limit int
}

// Normalized returns the time as the log keeps it: truncated to the
// microsecond, in UTC. The hash covers exactly this.
func Normalized(t time.Time) time.Time {
	return time.UnixMicro(t.UnixMicro()).UTC()
}

// hashDomain separates this encoding from any other use of SHA-256 and
// versions it: a future encoding gets a new prefix.
const hashDomain = "netbank-audit-v1"

// Hash returns the hex SHA-256 of the canonical encoding of e chained to
// prev: seq, at (Unix microseconds), actor, actor kind, action, subject, ip,
// details sorted by key, and prev. Every field is length-prefixed (a
// netstring, "len:bytes,"), so no two different entries encode alike. e's
// own PrevHash and Hash are ignored; prev is what is chained to.
func Hash(prev string, e Entry) string {
	h := sha256.New()
	var buf []byte
	field := func(s string) {
		buf = strconv.AppendInt(buf[:0], int64(len(s)), 10)
		buf = append(buf, ':')
		buf = append(buf, s...)
		buf = append(buf, ',')
		h.Write(buf)
	}
	field(hashDomain)
	field(strconv.FormatInt(e.Seq, 10))
	field(strconv.FormatInt(e.At.UnixMicro(), 10))
	field(e.Actor)
	field(e.ActorKind)
	field(e.Action)
	field(e.Subject)
	field(e.IP)
	keys := make([]string, 0, len(e.Details))
	for k := range e.Details {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	field(strconv.Itoa(len(keys)))
	for _, k := range keys {
		field(k)
		field(e.Details[k])
	}
	field(prev)
	return hex.EncodeToString(h.Sum(nil))
}

// secretWords are refused anywhere in a detail key (lower-cased, with
// separators removed): "pin_code", "OTPCode", "adgangskode", "cardNumber".
var secretWords = []string{
	"password", "passwd", "passphrase", "passcode", "secret", "code", "kode",
	"cvv", "cvc", "cardnumber", "kortnummer", "pinnumber", "pinnummer",
	"privatekey", "apikey", "token", "otp",
}

// secretTokens are refused as a whole word of a detail key (split at
// separators and camelCase): "pin", "card_pan", "newPin". As substrings they
// would refuse innocent keys such as "company" or "shipping".
var secretTokens = map[string]bool{"pin": true, "pan": true, "pwd": true, "pass": true}

// Validate reports whether the event may be recorded: a known actor kind,
// an actor (unless anonymous), a well-formed action, bounded sizes, valid
// UTF-8 without NUL (so every engine stores exactly what was hashed), and
// no detail key that looks like a secret.
func (e Event) Validate() error {
	switch e.ActorKind {
	case ActorCustomer, ActorBusiness, ActorStaff, ActorSystem:
		if e.Actor == "" {
			return fmt.Errorf("audit: event %q by a %s needs an actor", e.Action, e.ActorKind)
		}
	case ActorAnonymous:
	default:
		return fmt.Errorf("audit: unknown actor kind %q", e.ActorKind)
	}
	if err := checkAction(e.Action); err != nil {
		return err
	}
	for name, v := range map[string]string{"actor": e.Actor, "actor kind": e.ActorKind, "subject": e.Subject, "ip": e.IP} {
		if err := checkText(name, v, maxFieldLen); err != nil {
			return err
		}
	}
	if len(e.Details) > maxDetails {
		return fmt.Errorf("audit: %d details, at most %d", len(e.Details), maxDetails)
	}
	for k, v := range e.Details {
		if k == "" {
			return errors.New("audit: empty detail key")
		}
		if err := checkText("detail key", k, maxFieldLen); err != nil {
			return err
		}
		if err := checkText("detail "+strconv.Quote(k), v, maxDetailLen); err != nil {
			return err
		}
		if looksSecret(k) {
			return fmt.Errorf("audit: detail %q looks like a secret; codes, passwords, PINs, card numbers and keys are never recorded", k)
		}
	}
	return nil
}

func checkAction(a string) error {
	if a == "" || len(a) > maxActionName {
		return fmt.Errorf("audit: action %q must have 1 to %d characters", a, maxActionName)
	}
	for _, r := range a {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Errorf("audit: action %q may only hold a-z, 0-9, '.', '_' and '-'", a)
		}
	}
	return nil
}

func checkText(name, v string, max int) error {
	if len(v) > max {
		return fmt.Errorf("audit: %s is %d bytes, at most %d", name, len(v), max)
	}
	if !utf8.ValidString(v) {
		return fmt.Errorf("audit: %s is not valid UTF-8", name)
	}
	if strings.ContainsRune(v, 0) {
		return fmt.Errorf("audit: %s contains a NUL character", name)
	}
	return nil
}

// looksSecret reports whether a detail key names a secret.
func looksSecret(key string) bool {
	squashed := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, key)
	for _, w := range secretWords {
		if strings.Contains(squashed, w) {
			return true
		}
	}
	for _, tok := range words(key) {
		if secretTokens[tok] {
			return true
		}
	}
	return false
}

// words splits a key into lower-case words at non-alphanumerics and at
// camelCase boundaries: "cardPAN_last4" → card, pan, last4.
func words(key string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(key)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) ||
			unicode.IsUpper(rs[i-1]) && i+1 < len(rs) && unicode.IsLower(rs[i+1])):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return out
}

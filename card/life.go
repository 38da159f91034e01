package card

// A card's life after issue: activation and Visa Secure (CARD-11), PINs,
// the checks the authorization engine asks for, termination (CARD-18) and
// wallet tokens (CARD-13).

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/cardsec"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/pricing"
)

// cardFor reads a card for an action: customerID's (the owner or the
// holder) when customerID is set, any card for the bank (staff, jobs).
func cardFor(ctx context.Context, tx Tx, customerID, cardID string, by Actor, forUpdate bool) (Card, error) {
	if customerID == "" {
		if !by.bank() {
			return Card{}, errNoCard()
		}
		c, err := tx.Card(ctx, cardID, forUpdate)
		if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
			return Card{}, errNoCard()
		}
		return c, err
	}
	return visibleCard(ctx, tx, customerID, cardID, forUpdate)
}

// Activate takes a card the holder has received into use (customerID is
// the holder or the account's owner; "" for staff). It enrols the card in
// Visa Secure when a mobile number is registered, unless the holder is
// under 15 (CARD-11). A renewal or replacement ends the card it succeeds,
// whose wallet tokens die with it (CARD-13).
func (s *Service) Activate(ctx context.Context, customerID, cardID string, by Actor) (Card, error) {
	var out Card
	err := s.store.Tx(ctx, func(tx Tx) error {
		c, err := cardFor(ctx, tx, customerID, cardID, by, true)
		if err != nil {
			return err
		}
		now := s.now()
		switch {
		case c.Status == Active:
			out = c
			return nil // activated already: nothing to do
		case c.Status != Ordered:
			return netbank.Errorf(netbank.EINVALID, "Kortet er %s og kan ikke aktiveres.", strings.ToLower(c.Status.Danish()))
		case !now.Before(c.ExpiresAt):
			return netbank.Errorf(netbank.EINVALID, "Kortet er udløbet og kan ikke aktiveres.")
		}
		c.Status, c.ActivatedAt = Active, now
		if !c.VisaSecureEnrolled && c.MobileNumber != "" && c.HolderAge(now) >= VisaSecureMinAge {
			c.VisaSecureEnrolled = true
		}
		if c.Replaces != "" {
			prev, err := tx.Card(ctx, c.Replaces, true)
			if err != nil && netbank.ErrorCodeOf(err) != netbank.ENOTFOUND {
				return err
			}
			if err == nil && prev.ReplacedBy == c.ID && prev.Live() {
				prev.Status, prev.EndedAt = Replaced, now
				if _, err := tx.EndTokens(ctx, prev.ID, now, "Kortet er afløst af det nye kort"); err != nil {
					return err
				}
				if err := tx.UpdateCard(ctx, prev); err != nil {
					return err
				}
			}
		}
		if err := tx.UpdateCard(ctx, c); err != nil {
			return err
		}
		out = c
		return tx.Audit(ctx, now, by.event(ActionActivated, c.ID, map[string]string{"visa_secure": fmt.Sprint(c.VisaSecureEnrolled)}))
	})
	return out, err
}

// NormalizeMobile checks a Danish mobile number (8 digits, optionally with
// +45 or 0045 in front, spaces and dashes allowed) and returns it as
// "+4512345678".
func NormalizeMobile(m string) (string, error) {
	m = strings.NewReplacer(" ", "", "-", "", "\u00a0", "").Replace(strings.TrimSpace(m))
	if rest, ok := strings.CutPrefix(m, "+45"); ok {
		m = rest
	} else if rest, ok := strings.CutPrefix(m, "0045"); ok {
		m = rest
	}
	if len(m) != 8 || strings.Trim(m, "0123456789") != "" || m[0] == '0' || m[0] == '1' {
		return "", netbank.Errorf(netbank.EINVALID, "Mobilnummeret skal være et dansk mobilnummer på 8 cifre (evt. med +45 foran).")
	}
	return "+45" + m, nil
}

// SetMobile registers or changes the mobile number that receives the card's
// Visa Secure codes, and enrols the card (CARD-11: the cardholder may
// register, change or remove it; a holder's own registration enrols the
// card also under 15, which only the automatic enrolment at activation
// never does). customerID is the holder or the owner ("" for staff). The
// holder is told, so a change they did not make does not go unnoticed.
func (s *Service) SetMobile(ctx context.Context, customerID, cardID, mobile string, by Actor) (Card, error) {
	m, err := NormalizeMobile(mobile)
	if err != nil {
		return Card{}, err
	}
	c, err := s.changeMobile(ctx, customerID, cardID, m, by)
	if err != nil {
		return Card{}, err
	}
	s.notifyHolder(ctx, c, "Visa Secure: nyt mobilnummer",
		fmt.Sprintf("Mobilnummeret til engangskoder for %s er nu %s (ændret %s). Har du ikke selv ændret det, så spær kortet og kontakt banken straks.",
			c.name(), MaskMobile(m), danishTime(s.now())))
	return c, nil
}

// RemoveMobile removes the card's Visa Secure mobile number; the card is
// no longer enrolled, and internet purchases at Visa Secure merchants fail
// until a number is registered again (CARD-11).
func (s *Service) RemoveMobile(ctx context.Context, customerID, cardID string, by Actor) (Card, error) {
	c, err := s.changeMobile(ctx, customerID, cardID, "", by)
	if err != nil {
		return Card{}, err
	}
	s.notifyHolder(ctx, c, "Visa Secure: mobilnummer fjernet",
		fmt.Sprintf("Mobilnummeret til engangskoder for %s er fjernet (%s). Køb på nettet hos forretninger med Visa Secure kræver, at du registrerer et nummer igen.",
			c.name(), danishTime(s.now())))
	return c, nil
}

// changeMobile sets (m != "") or removes the mobile number.
func (s *Service) changeMobile(ctx context.Context, customerID, cardID, m string, by Actor) (Card, error) {
	var out Card
	err := s.store.Tx(ctx, func(tx Tx) error {
		c, err := cardFor(ctx, tx, customerID, cardID, by, true)
		if err != nil {
			return err
		}
		if c.Status.Final() {
			return netbank.Errorf(netbank.EINVALID, "Kortet er %s.", strings.ToLower(c.Status.Danish()))
		}
		action := ActionMobileSet
		if m == "" {
			action = ActionMobileRemove
		}
		c.MobileNumber, c.VisaSecureEnrolled = m, m != ""
		if err := tx.UpdateCard(ctx, c); err != nil {
			return err
		}
		out = c
		return tx.Audit(ctx, s.now(), by.event(action, c.ID, nil))
	})
	return out, err
}

// MaskMobile shows a mobile number with only its last two digits:
// "+45 •• •• •• 89".
func MaskMobile(m string) string {
	if d, ok := strings.CutPrefix(m, "+45"); ok && len(d) == 8 {
		return "+45 •• •• •• " + d[6:]
	}
	if m == "" {
		return ""
	}
	return strings.Repeat("•", utf8.RuneCountInString(m))
}

// SetPIN gives a card a new PIN, for a new PIN letter (staff): pin "" draws
// one. A chosen PIN must be 4 to 12 digits and not easy to guess
// (WeakPIN). Wrong tries are forgotten and a locked PIN opens again. The
// PIN is returned once, for the letter.
func (s *Service) SetPIN(ctx context.Context, cardID, pin string, by Actor) (string, error) {
	if !by.bank() {
		return "", netbank.Errorf(netbank.EFORBIDDEN, "Kun banken kan sende en ny PIN-kode.")
	}
	if pin == "" {
		var err error
		if pin, err = drawPIN(s.cfg.Rand); err != nil {
			return "", err
		}
	} else if err := checkNewPIN(pin); err != nil {
		return "", err
	}
	err := s.store.Tx(ctx, func(tx Tx) error {
		c, err := cardFor(ctx, tx, "", cardID, by, true)
		if err != nil {
			return err
		}
		return s.storePIN(ctx, tx, c, pin, by)
	})
	if err != nil {
		return "", err
	}
	return pin, nil
}

// checkNewPIN checks a PIN someone chose.
func checkNewPIN(pin string) error {
	if err := cardsec.ValidatePIN(pin); err != nil {
		return err
	}
	if WeakPIN(pin) {
		return netbank.Errorf(netbank.EINVALID, "PIN-koden er for let at gætte (samme ciffer eller en række som 1234). Vælg en anden.")
	}
	return nil
}

// storePIN writes a new PIN's verification value into a locked card.
func (s *Service) storePIN(ctx context.Context, tx Tx, c Card, pin string, by Actor) error {
	if c.Status.Final() {
		return netbank.Errorf(netbank.EINVALID, "Kortet er %s.", strings.ToLower(c.Status.Danish()))
	}
	hash, err := s.pins.Hash(c.PANHash, pin)
	if err != nil {
		return err
	}
	c.PINHash, c.PINTries, c.PINLocked = hash, 0, false
	if err := tx.UpdateCard(ctx, c); err != nil {
		return err
	}
	return tx.Audit(ctx, s.now(), by.event(ActionPINSet, c.ID, nil))
}

// ChangePIN changes a card's PIN from old to new (customerID the holder or
// the owner). A wrong old PIN counts as a wrong try, as at a terminal.
func (s *Service) ChangePIN(ctx context.Context, customerID, cardID, oldPIN, newPIN string, by Actor) error {
	if err := checkNewPIN(newPIN); err != nil {
		return err
	}
	var refusal error
	err := s.store.Tx(ctx, func(tx Tx) error {
		refusal = nil
		c, err := cardFor(ctx, tx, customerID, cardID, by, true)
		if err != nil {
			return err
		}
		wasLocked := c.PINLocked
		ok, locked, err := s.checkPIN(ctx, tx, &c, oldPIN)
		if err != nil {
			return err
		}
		if ok {
			return s.storePIN(ctx, tx, c, newPIN, by)
		}
		refusal = netbank.Errorf(netbank.EINVALID, "Den nuværende PIN-kode er forkert.")
		if locked {
			refusal = netbank.Errorf(netbank.EFORBIDDEN, "PIN-koden er spærret efter %d forkerte forsøg. Bestil en ny PIN-kode hos banken.", MaxPINTries)
		}
		return s.saveTry(ctx, tx, c, wasLocked, by) // the wrong try counts
	})
	if err != nil {
		return err
	}
	return refusal
}

// VerifyPIN checks a PIN the cardholder entered (the authorization
// engine, after PINFromBlock). A right PIN forgets earlier wrong tries; a
// wrong one counts, and the MaxPINTries-th wrong PIN in a row locks the
// PIN (the engine answers 55 for a wrong PIN, 75 once locked is true: the
// third wrong PIN and every try after it). A locked PIN opens only with a
// new PIN (SetPIN). The count is stored even though the answer is a
// refusal.
func (s *Service) VerifyPIN(ctx context.Context, cardID, pin string) (ok, locked bool, err error) {
	err = s.store.Tx(ctx, func(tx Tx) error {
		c, err := tx.Card(ctx, cardID, true)
		if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
			return errNoCard()
		}
		if err != nil {
			return err
		}
		wasLocked := c.PINLocked
		ok, locked, err = s.checkPIN(ctx, tx, &c, pin)
		if err != nil {
			return err
		}
		return s.saveTry(ctx, tx, c, wasLocked, System)
	})
	if err != nil {
		return false, false, err
	}
	return ok, locked, nil
}

// checkPIN verifies pin on a locked card and counts the try in c (the
// caller stores c). A renewal without a PIN of its own checks against its
// predecessors' and takes the PIN over on the first right try.
func (s *Service) checkPIN(ctx context.Context, tx Tx, c *Card, pin string) (ok, locked bool, err error) {
	if c.PINLocked {
		return false, true, nil
	}
	hash, panHash := c.PINHash, c.PANHash
	for prev := c.Replaces; hash == "" && prev != ""; {
		p, err := tx.Card(ctx, prev, false)
		if err != nil {
			return false, false, err
		}
		hash, panHash, prev = p.PINHash, p.PANHash, p.Replaces
	}
	if hash != "" && s.pins.Verify(panHash, pin, hash) {
		c.PINTries = 0
		if c.PINHash == "" {
			if c.PINHash, err = s.pins.Hash(c.PANHash, pin); err != nil {
				return false, false, err
			}
		}
		return true, false, nil
	}
	c.PINTries++
	c.PINLocked = c.PINTries >= MaxPINTries
	return false, c.PINLocked, nil
}

// saveTry stores a card after checkPIN, and records in the audit log the
// try that locked the PIN (the audit entry last, as the log wants it).
func (s *Service) saveTry(ctx context.Context, tx Tx, c Card, wasLocked bool, by Actor) error {
	if err := tx.UpdateCard(ctx, c); err != nil {
		return err
	}
	if c.PINLocked && !wasLocked {
		return tx.Audit(ctx, s.now(), by.event(ActionPINLocked, c.ID, map[string]string{"tries": fmt.Sprint(c.PINTries)}))
	}
	return nil
}

// PINFromBlock decrypts the PIN block of ISO 8583 field 52 (16 hex
// characters, ISO 9564 format 0 under the zone PIN key) for the card
// number pan. Any failure is the same EINVALID error, which the engine
// treats as a wrong PIN.
func (s *Service) PINFromBlock(pan, block string) (string, error) {
	return cardsec.DecodePINBlock(block, s.zpk, pan)
}

// VerifyCVV2 reports whether cvv2 is the CVV2 of card c, whose number the
// request carried as pan (the engine's card-not-present check). pan must be
// c's own number; the comparison is constant-time.
func (s *Service) VerifyCVV2(c Card, pan, cvv2 string) bool {
	if c.PANHash == "" || s.sealer.LookupHash(pan) != c.PANHash {
		return false
	}
	return s.cvk.VerifyCVV2(pan, c.Expiry, cvv2)
}

// TerminationTerms are what ending a card agreement now means (CARD-18),
// for the confirmation page before the cardholder confirms, and for
// Terminate itself.
type TerminationTerms struct {
	// ByHolder: the cardholder gives notice (else the bank).
	ByHolder bool
	// NoticeMonths is the notice: HolderNoticeMonths or BankNoticeMonths.
	NoticeMonths int
	// LastDay is the last day the card can be used (midnight at its start,
	// Danish time); TerminatesAt the moment after it, when the card ends.
	LastDay      time.Time
	TerminatesAt time.Time
	// Fee is the early-termination fee of the price list, in øre, when the
	// cardholder ends the agreement within its first
	// EarlyTerminationMonths (0 otherwise); FeeUntil is when that period
	// ends. The fee is charged at once when the account covers it.
	Fee      int64
	FeeUntil time.Time
	// Refund is the part of the prepaid annual fee for the days after the
	// card ends, in øre, paid back when it ends (Refund).
	Refund int64
}

// TerminationTerms returns the terms of terminating a card now, without
// terminating it: for the cardholder (byHolder; customerID the holder or
// the owner, "" for staff) or for the bank (staff). It refuses what
// Terminate would refuse.
func (s *Service) TerminationTerms(ctx context.Context, customerID, cardID string, byHolder bool, by Actor) (TerminationTerms, error) {
	if err := terminator(customerID, byHolder, by); err != nil {
		return TerminationTerms{}, err
	}
	c, err := s.readFor(ctx, customerID, cardID, by)
	if err != nil {
		return TerminationTerms{}, err
	}
	if err := terminable(c); err != nil {
		return TerminationTerms{}, err
	}
	return s.termsOf(ctx, c, byHolder, s.now())
}

// terminator checks who may give which notice: the bank's notice is
// staff's or the system's only.
func terminator(customerID string, byHolder bool, by Actor) error {
	if !byHolder && (customerID != "" || !by.bank()) {
		return netbank.Errorf(netbank.EFORBIDDEN, "Kun banken kan opsige med bankens varsel.")
	}
	return nil
}

// termsOf computes the terms of terminating c at now.
func (s *Service) termsOf(ctx context.Context, c Card, byHolder bool, now time.Time) (TerminationTerms, error) {
	t := TerminationTerms{ByHolder: byHolder, NoticeMonths: BankNoticeMonths}
	if byHolder {
		t.NoticeMonths = HolderNoticeMonths
	}
	t.LastDay = dayIn(now).AddDate(0, t.NoticeMonths, 0)
	t.TerminatesAt = time.Date(t.LastDay.Year(), t.LastDay.Month(), t.LastDay.Day()+1, 0, 0, 0, 0, copenhagen).UTC()
	t.Refund = Refund(c, t.TerminatesAt)
	t.FeeUntil = c.AgreementStart.In(copenhagen).AddDate(0, EarlyTerminationMonths, 0).UTC() // Danish calendar months
	if byHolder && now.Before(t.FeeUntil) {
		fee, err := s.price(ctx, pricing.KeyCardEarlyTerminationFee)
		if err != nil {
			return TerminationTerms{}, err
		}
		t.Fee = fee
	}
	return t, nil
}

// Terminate ends a card agreement with notice (CARD-18): a month when the
// cardholder ends it (byHolder; customerID is then the holder or the owner
// in the net bank, or "" when staff register it), two months when the bank
// does (staff). The card works until TerminatesAt; then the termination
// job ends it and refunds the prepaid annual fee pro rata. A cardholder who
// ends the agreement within its first 6 months pays the early-termination
// fee of the price list (when the account covers it). A renewal or
// replacement on its way ends with the card; it carries the prepaid fee,
// which is then refunded with it alone. The terms are TerminationTerms'.
func (s *Service) Terminate(ctx context.Context, customerID, cardID string, byHolder bool, by Actor) (Card, error) {
	if err := terminator(customerID, byHolder, by); err != nil {
		return Card{}, err
	}
	c, err := s.readFor(ctx, customerID, cardID, by)
	if err != nil {
		return Card{}, err
	}
	if err := terminable(c); err != nil {
		return Card{}, err
	}
	now := s.now()
	terms, err := s.termsOf(ctx, c, byHolder, now)
	if err != nil {
		return Card{}, err
	}
	fee := terms.Fee
	var charged ledger.TransferRequest
	if fee > 0 {
		charged = ledger.TransferRequest{ID: "card:" + c.ID + ":termination", DebitAccountID: c.AccountID, CreditAccountID: feeAccount,
			Amount: fee, Code: "fee", Text: "Gebyr for opsigelse af " + c.Type.Danish() + " " + c.Last4}
		switch _, err := s.ledgerOf().Transfer(ctx, charged); netbank.ErrorCodeOf(err) {
		case "":
		case netbank.EINSUFFICIENT:
			// The fee "may" be charged: a termination is never refused
			// for want of it.
			fee, charged = 0, ledger.TransferRequest{}
		default:
			return Card{}, err
		}
	}
	var out Card
	err = s.store.Tx(ctx, func(tx Tx) error {
		c, err := cardFor(ctx, tx, customerID, cardID, by, true)
		if err != nil {
			return err
		}
		if err := terminable(c); err != nil {
			return err
		}
		c.TerminationRequestedAt, c.TerminatesAt, c.TerminatedByHolder = now, terms.TerminatesAt, byHolder
		if c.ReplacedBy != "" {
			next, err := tx.Card(ctx, c.ReplacedBy, true)
			if err != nil {
				return err
			}
			if next.Live() && next.TerminatesAt.IsZero() {
				next.TerminationRequestedAt, next.TerminatesAt, next.TerminatedByHolder = now, terms.TerminatesAt, byHolder
				if err := tx.UpdateCard(ctx, next); err != nil {
					return err
				}
				// The successor carries the prepaid annual fee: it is
				// refunded once, when the successor ends.
				c.AnnualFee = 0
			}
		}
		if err := tx.UpdateCard(ctx, c); err != nil {
			return err
		}
		out = c
		return tx.Audit(ctx, now, by.event(ActionTerminate, c.ID, map[string]string{"by_holder": fmt.Sprint(byHolder),
			"terminates": terms.TerminatesAt.Format(time.RFC3339), "fee": fmt.Sprint(fee)}))
	})
	if err != nil {
		if charged.ID != "" {
			_, _ = s.ledgerOf().Transfer(ctx, undo(charged))
		}
		return Card{}, err
	}
	s.notifyHolder(ctx, out, "Dit kort er opsagt", terminationText(c, terms, fee))
	return out, nil
}

// terminationText is the message that a card agreement is terminated; fee
// is the early-termination fee charged.
func terminationText(c Card, t TerminationTerms, fee int64) string {
	who := "Du har opsagt"
	if !t.ByHolder {
		who = "Banken har opsagt"
	}
	text := fmt.Sprintf("%s aftalen om %s med %d måneds varsel. Kortet kan bruges til og med %s og ophører derefter.",
		who, c.name(), t.NoticeMonths, danishDate(t.LastDay))
	if t.NoticeMonths > 1 {
		text = strings.Replace(text, "måneds", "måneders", 1)
	}
	if c.AnnualFee > 0 {
		text += " Den del af det forudbetalte årlige kortgebyr, der ligger efter ophøret, bliver betalt tilbage."
	}
	if fee > 0 {
		text += fmt.Sprintf(" Da aftalen opsiges inden for de første %d måneder, er der trukket et gebyr for opsigelse på %s.",
			EarlyTerminationMonths, netbank.NewMoney(fee, "DKK"))
	}
	return text
}

// Terminable reports whether a card's agreement can be terminated: not
// ended, not terminated already.
func Terminable(c Card) bool { return terminable(c) == nil }

// terminable checks that a card's agreement can be terminated.
func terminable(c Card) error {
	switch {
	case c.Status.Final():
		return netbank.Errorf(netbank.EINVALID, "Kortet er allerede %s.", strings.ToLower(c.Status.Danish()))
	case !c.TerminatesAt.IsZero():
		return netbank.Errorf(netbank.ECONFLICT, "Kortet er allerede opsagt; det ophører %s.", danishTime(c.TerminatesAt))
	}
	return nil
}

// readFor reads a card for an action outside a transaction.
func (s *Service) readFor(ctx context.Context, customerID, cardID string, by Actor) (Card, error) {
	var c Card
	err := s.read(ctx, func(tx Tx) error {
		var err error
		c, err = cardFor(ctx, tx, customerID, cardID, by, false)
		return err
	})
	return c, err
}

// dayIn is the Danish date of t at midnight, Danish time.
func dayIn(t time.Time) time.Time {
	y, m, d := t.In(copenhagen).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, copenhagen)
}

// Limits on a wallet registration.
const maxWalletText = 60

// AddToken registers the card in a digital wallet (the wallet provider,
// after its own identification of the cardholder): an active card only.
// The token dies with the card (CARD-13). The holder is told, so a wallet
// they did not add does not go unnoticed.
func (s *Service) AddToken(ctx context.Context, cardID, wallet, device string, by Actor) (Token, error) {
	wallet, device = strings.TrimSpace(wallet), strings.TrimSpace(device)
	if wallet == "" || utf8.RuneCountInString(wallet) > maxWalletText || utf8.RuneCountInString(device) > maxWalletText ||
		!utf8.ValidString(wallet) || !utf8.ValidString(device) {
		return Token{}, netbank.Errorf(netbank.EINVALID, "Wallet og enhed skal være højst %d tegn.", maxWalletText)
	}
	var t Token
	var c Card
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		c, err = cardFor(ctx, tx, "", cardID, System, true)
		if err != nil {
			return err
		}
		now := s.now()
		if !c.Usable(now) {
			return netbank.Errorf(netbank.EINVALID, "Kun et aktivt kort kan tilføjes til en wallet; kortet er %s.", strings.ToLower(c.Status.Danish()))
		}
		t = Token{ID: newID("tok"), CardID: c.ID, Wallet: wallet, Device: device, Status: TokenActive, CreatedAt: now}
		if err := tx.InsertToken(ctx, t); err != nil {
			return err
		}
		return tx.Audit(ctx, now, by.event(ActionTokenAdded, c.ID, map[string]string{"wallet": wallet, "wallet_id": t.ID}))
	})
	if err != nil {
		return Token{}, err
	}
	s.notifyHolder(ctx, c, "Kort tilføjet til en wallet",
		fmt.Sprintf("%s er tilføjet til %s på %s (%s). Har du ikke selv gjort det, så spær kortet og kontakt banken straks.",
			capitalize(c.name()), wallet, orDash(device), danishTime(t.CreatedAt)))
	return t, nil
}

func orDash(s string) string {
	if s == "" {
		return "en ukendt enhed"
	}
	return s
}

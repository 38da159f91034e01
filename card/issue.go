package card

// Issuing: new cards, replacements (CARD-17) and renewals (CARD-13).

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/cardsec"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/ledger"
)

// IssueRequest asks for a new card.
type IssueRequest struct {
	// CustomerID owns AccountID, the kroner account the card draws on.
	CustomerID string
	AccountID  string
	// HolderCustomerID is the person the card is for: "" for the account's
	// owner; another customer for a proxy holder or a child (CARD-12).
	HolderCustomerID string
	// HolderName and HolderBirthDate are taken from the holder's customer
	// record when empty (Config.Customers).
	HolderName      string
	HolderBirthDate time.Time
	Type            Type
	// MobileNumber receives Visa Secure codes (CARD-11); "" takes the
	// holder's mobile number from the customer record, if any.
	MobileNumber string
	// By is who issues the card (staff, or the bank itself).
	By Actor
	// IssuedAt, when set and in the past, books a card the bank issued
	// earlier (taken over from an earlier system, or the demo's history):
	// its expiry counts from then, its fee for the running year counts as
	// paid, no message is sent (that happened then), and a card whose
	// expiry has passed is Expired at once.
	IssuedAt time.Time
}

// Issued is a new card with its secrets in clear, returned once to the
// caller for the card's production and the PIN letter: the bank keeps the
// number only sealed, the CVV2 not at all and the PIN as a verification
// value. PIN is "" when the card keeps its predecessor's PIN (a renewal).
type Issued struct {
	Card Card
	PAN  string
	CVV2 string
	PIN  string
}

// Ledger is what cards need of the ledger; *ledger.Service implements it.
type Ledger interface {
	Transfer(ctx context.Context, r ledger.TransferRequest) (ledger.Transfer, error)
}

// Issue issues a card (CARD-1, CARD-12): it checks the account (the
// owner's, in kroner, open), the holder (a person of the type's age,
// TypeRules), charges the annual fee for the first year in advance
// (CARD-19) and stores the card as Ordered with a new card number, its
// sealed form and look-up hash, and the PIN's verification value. The
// cardholder (and the owner, if another) gets a message that the card is
// on its way; the PIN goes in a letter of its own (Issued.PIN). Only the
// bank issues cards: By must be staff or the system.
func (s *Service) Issue(ctx context.Context, req IssueRequest) (Issued, error) {
	if !req.By.bank() {
		return Issued{}, netbank.Errorf(netbank.EFORBIDDEN, "Kun banken kan udstede kort.")
	}
	if !req.Type.Valid() {
		return Issued{}, netbank.Errorf(netbank.EINVALID, "Ukendt korttype %q.", clip(string(req.Type)))
	}
	if s.cfg.Accounts == nil {
		return Issued{}, fmt.Errorf("card: Issue needs Config.Accounts")
	}
	now := s.now()
	issuedAt := now
	if !req.IssuedAt.IsZero() {
		if req.IssuedAt.After(now) {
			return Issued{}, netbank.Errorf(netbank.EINVALID, "Et kort kan ikke udstedes med en dato i fremtiden.")
		}
		issuedAt = req.IssuedAt.UTC().Truncate(time.Microsecond)
	}
	acc, err := s.cfg.Accounts.Get(ctx, req.CustomerID, req.AccountID)
	switch {
	case netbank.ErrorCodeOf(err) == netbank.ENOTFOUND:
		return Issued{}, netbank.Errorf(netbank.EINVALID, "Kontoen findes ikke hos kunden.")
	case err != nil:
		return Issued{}, err
	case !acc.ClosedAt.IsZero():
		return Issued{}, netbank.Errorf(netbank.EINVALID, "Kontoen er ophævet; der kan ikke udstedes kort til den.")
	case acc.Account.Currency != "DKK":
		return Issued{}, netbank.Errorf(netbank.EINVALID, "Kort trækker altid i danske kroner; vælg en kronekonto (CARD-8).")
	}
	c := Card{ID: newID("crd"), CustomerID: req.CustomerID, AccountID: acc.ID, HolderCustomerID: req.HolderCustomerID,
		HolderName: strings.TrimSpace(req.HolderName), HolderBirthDate: req.HolderBirthDate, Type: req.Type,
		IssuedAt: issuedAt, IssuedBy: req.By.ID, AgreementStart: issuedAt, Status: Ordered}
	if c.HolderCustomerID == "" {
		c.HolderCustomerID = c.CustomerID
	}
	c.Proxy = c.HolderCustomerID != c.CustomerID
	mobile := strings.TrimSpace(req.MobileNumber)
	if s.cfg.Customers != nil {
		h, err := s.cfg.Customers.Customer(ctx, c.HolderCustomerID)
		switch {
		case netbank.ErrorCodeOf(err) == netbank.ENOTFOUND:
			return Issued{}, netbank.Errorf(netbank.EINVALID, "Kortholderen findes ikke som kunde i banken.")
		case err != nil:
			return Issued{}, err
		case h.Kind != identity.PrivateCustomer:
			return Issued{}, netbank.Errorf(netbank.EINVALID, "Et kort udstedes til en person: vælg en kortholder, der er privatkunde.")
		}
		if c.HolderName == "" {
			c.HolderName = h.Name
		}
		if c.HolderBirthDate.IsZero() {
			c.HolderBirthDate = h.BirthDate
		}
		if mobile == "" {
			mobile = h.Mobile
		}
	}
	switch {
	case c.HolderName == "" || utf8.RuneCountInString(c.HolderName) > 100:
		return Issued{}, netbank.Errorf(netbank.EINVALID, "Kortholderens navn skal være mellem 1 og 100 tegn.")
	case c.HolderBirthDate.IsZero():
		return Issued{}, netbank.Errorf(netbank.EINVALID, "Kortholderens fødselsdato mangler.")
	}
	rules := s.Rules(c.Type)
	if age := ageAt(c.HolderBirthDate, issuedAt); !rules.AgeAllowed(age) {
		return Issued{}, netbank.Errorf(netbank.EINVALID, "%s kan kun udstedes til kortholdere på %s; kortholderen er %d år.",
			c.Type.Danish(), ageRange(rules), age)
	}
	if mobile != "" {
		if c.MobileNumber, err = NormalizeMobile(mobile); err != nil {
			return Issued{}, err
		}
	}
	c.Expiry, c.ExpiresAt = expiryOf(issuedAt, s.validity)
	if !c.ExpiresAt.After(now) {
		c.Status, c.EndedAt = Expired, c.ExpiresAt
	}

	// The first year's fee, in advance (CARD-19), before the card exists:
	// an account that cannot pay it gets no card and no half-made one.
	feeKey := AnnualFeeKey(c.Type)
	fee, err := s.price(ctx, feeKey)
	if err != nil {
		return Issued{}, err
	}
	var charged ledger.TransferRequest
	if issuedAt.Equal(now) {
		c.AnnualFeePaidUntil = issuedAt.AddDate(1, 0, 0)
		if fee > 0 {
			if acc.Available < fee {
				return Issued{}, netbank.Errorf(netbank.EINSUFFICIENT, "Kontoen har ikke dækning for det årlige kortgebyr på %s.",
					netbank.NewMoney(fee, "DKK"))
			}
			charged = s.feeRequest(c, issuedAt, fee)
			if _, err := s.ledgerOf().Transfer(ctx, charged); err != nil {
				if netbank.ErrorCodeOf(err) == netbank.EINSUFFICIENT {
					return Issued{}, netbank.Errorf(netbank.EINSUFFICIENT, "Kontoen har ikke dækning for det årlige kortgebyr på %s.",
						netbank.NewMoney(fee, "DKK"))
				}
				return Issued{}, err
			}
			c.AnnualFee = fee
		}
	} else if c.Status != Expired {
		// Taken over from before: the running year was paid then.
		c.AnnualFeePaidUntil = issuedAt
		for !c.AnnualFeePaidUntil.After(now) {
			c.AnnualFeePaidUntil = c.AnnualFeePaidUntil.AddDate(1, 0, 0)
		}
	}

	issued, err := s.insertNew(ctx, c, true, func(ctx context.Context, tx Tx, nc Card) error {
		return tx.Audit(ctx, now, req.By.event(ActionIssued, nc.ID, map[string]string{"type": string(nc.Type),
			"account": nc.AccountID, "holder": nc.HolderCustomerID, "proxy": fmt.Sprint(nc.Proxy), "fee": fmt.Sprint(nc.AnnualFee)}))
	})
	if err != nil {
		if charged.ID != "" {
			// Give the fee back: the card was never made.
			_, _ = s.ledgerOf().Transfer(ctx, undo(charged))
		}
		return Issued{}, err
	}
	if issuedAt.Equal(now) {
		s.notifyHolder(ctx, issued.Card, "Nyt betalingskort på vej", s.newCardText(issued.Card, fee, true))
	}
	return issued, nil
}

// ageRange says a type's age limits in Danish: "18 år eller mere", "12-17 år".
func ageRange(r TypeRules) string {
	if r.MaxAge == 0 {
		return fmt.Sprintf("%d år eller mere", r.MinAge)
	}
	return fmt.Sprintf("%d-%d år", r.MinAge, r.MaxAge)
}

// expiryOf returns the printed expiry (YYMM) of a card issued at t and
// valid for months months, and the moment it stops being valid: midnight,
// Danish time, at the start of the month after the expiry month (CARD-13).
func expiryOf(t time.Time, months int) (string, time.Time) {
	l := t.In(copenhagen)
	m := time.Date(l.Year(), l.Month()+time.Month(months), 1, 0, 0, 0, 0, copenhagen)
	end := time.Date(m.Year(), m.Month()+1, 1, 0, 0, 0, 0, copenhagen)
	return fmt.Sprintf("%02d%02d", m.Year()%100, int(m.Month())), end.UTC()
}

// insertNew stores a new card c (its id, holder, account, type, fees and
// dates set): it draws a card number not in use, seals it, computes the
// CVV2 and, when newPIN, draws a PIN and stores its verification value.
// extra runs in the same transaction (audit, the predecessor's update).
func (s *Service) insertNew(ctx context.Context, c Card, newPIN bool,
	extra func(ctx context.Context, tx Tx, nc Card) error) (Issued, error) {
	var out Issued
	err := s.store.Tx(ctx, func(tx Tx) error {
		nc := c
		pan, err := s.drawPAN(ctx, tx)
		if err != nil {
			return err
		}
		nc.PANHash = s.sealer.LookupHash(pan)
		nc.PANSealed = s.sealer.Seal(pan, nc.ID)
		nc.Last4, nc.BIN = cardsec.LastFour(pan), s.cfg.BIN
		cvv2, err := s.cvk.CVV2(pan, nc.Expiry)
		if err != nil {
			return err
		}
		pin := ""
		if newPIN {
			if pin, err = drawPIN(s.cfg.Rand); err != nil {
				return err
			}
			if nc.PINHash, err = s.pins.Hash(nc.PANHash, pin); err != nil {
				return err
			}
		}
		if err := tx.InsertCard(ctx, nc); err != nil {
			return err
		}
		if extra != nil {
			if err := extra(ctx, tx, nc); err != nil {
				return err
			}
		}
		out = Issued{Card: nc, PAN: pan, CVV2: cvv2, PIN: pin}
		return nil
	})
	return out, err
}

// drawPAN draws card numbers under the BIN until one is not in use.
func (s *Service) drawPAN(ctx context.Context, tx Tx) (string, error) {
	for range 20 {
		pan, err := cardsec.NewPAN(s.cfg.BIN, s.cfg.Rand)
		if err != nil {
			return "", err
		}
		_, err = tx.CardByPANHash(ctx, s.sealer.LookupHash(pan))
		switch netbank.ErrorCodeOf(err) {
		case netbank.ENOTFOUND:
			return pan, nil
		case "":
			continue // in use: draw again
		default:
			return "", err
		}
	}
	return "", fmt.Errorf("card: no free card number under BIN %s after 20 draws", s.cfg.BIN)
}

// drawPIN draws a PIN of PINLength digits that is not easy to guess (see
// WeakPIN).
func drawPIN(random io.Reader) (string, error) {
	b := make([]byte, PINLength)
	for {
		if _, err := io.ReadFull(random, b); err != nil {
			return "", fmt.Errorf("card: drawing a PIN: %w", err)
		}
		pin := make([]byte, PINLength)
		ok := true
		for i, x := range b {
			if x >= 250 { // 250..255 would favour 0..5
				ok = false
				break
			}
			pin[i] = '0' + x%10
		}
		if ok && !WeakPIN(string(pin)) {
			return string(pin), nil
		}
	}
}

// WeakPIN reports whether a PIN is easy to guess: one digit repeated
// ("1111") or a run up or down ("1234", "9876", "8901").
func WeakPIN(pin string) bool {
	if len(pin) < 2 {
		return true
	}
	same, up, down := true, true, true
	for i := 1; i < len(pin); i++ {
		d := (int(pin[i]) - int(pin[i-1]) + 10) % 10
		same = same && d == 0
		up = up && d == 1
		down = down && d == 9
	}
	return same || up || down
}

// newCardText is the message that a new card is on its way.
func (s *Service) newCardText(c Card, fee int64, pinLetter bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Banken har bestilt et %s-kort til %s på konto %s. Kortet ender på %s og er gyldigt til og med %s.\n\n",
		c.Type.Danish(), c.HolderName, displayAccount(c.AccountID), c.Last4, c.ExpiryText())
	if pinLetter {
		b.WriteString("PIN-koden kommer i et brev for sig. Lær den udenad, og opbevar den aldrig sammen med kortet.\n\n")
	} else {
		b.WriteString("Kortet har samme PIN-kode som det kort, det afløser.\n\n")
	}
	b.WriteString("Når du har kortet, skal det skrives under på bagsiden og aktiveres i netbanken under Kort.")
	if fee > 0 {
		fmt.Fprintf(&b, "\n\nDet årlige kortgebyr på %s er trukket forud på kontoen.", netbank.NewMoney(fee, "DKK"))
	}
	return b.String()
}

// displayAccount writes an account id "9070-0004410001" the Danish way.
func displayAccount(id string) string { return strings.Replace(id, "-", " ", 1) }

// ReplaceReason says why a card is replaced (CARD-17), which decides the
// replacement fee.
type ReplaceReason string

// The reasons for a replacement.
const (
	// ReplaceDamaged: the card is worn or damaged; the replacement fee applies.
	ReplaceDamaged ReplaceReason = "damaged"
	// ReplaceBlocked: the card is blocked and gets a successor; the fee
	// applies when it was lost, not when it was stolen or its data or PIN
	// fell into others' hands.
	ReplaceBlocked ReplaceReason = "blocked"
	// ReplaceBank: the bank replaces the card of its own accord (CARD-17):
	// free.
	ReplaceBank ReplaceReason = "bank"
)

// Danish says the reason for pages.
func (r ReplaceReason) Danish() string {
	switch r {
	case ReplaceDamaged:
		return "Kortet er slidt eller beskadiget"
	case ReplaceBlocked:
		return "Kortet er spærret"
	case ReplaceBank:
		return "Banken udskifter kortet"
	}
	return string(r)
}

// ReplaceReasons lists the reasons in the order the back office offers them.
var ReplaceReasons = []ReplaceReason{ReplaceBlocked, ReplaceDamaged, ReplaceBank}

// Replace gives a card a successor with a new number, a new expiry and a
// new PIN (CARD-17), at once: the old card ends (Replaced; a blocked card
// stays Blocked, so a found card is still refused as lost or stolen), its
// wallet tokens die, and the new card is Ordered. The annual fee paid
// carries over; the replacement fee of the price list is charged for a
// damaged or lost card. Staff only; the cardholder orders a new card with
// OrderReplacement.
func (s *Service) Replace(ctx context.Context, cardID string, reason ReplaceReason, by Actor) (Issued, error) {
	if !by.bank() {
		return Issued{}, netbank.Errorf(netbank.EFORBIDDEN, "Kun banken kan udskifte kort.")
	}
	old, err := s.Card(ctx, cardID)
	if err != nil {
		return Issued{}, err
	}
	issued, fee, err := s.replace(ctx, old, reason, false, by, replaceable)
	if err != nil {
		return Issued{}, err
	}
	s.notifyHolder(ctx, issued.Card, "Nyt betalingskort på vej", s.replacedText(old, issued.Card, fee))
	return issued, nil
}

// ReplacementFor returns the reason the cardholder may order a new card
// for in the net bank (OrderReplacement): ReplaceDamaged for a live card
// that is worn or damaged, ReplaceBlocked for a card the holder blocked;
// the error says, in Danish, why they cannot. The new card keeps the PIN,
// so a card blocked because others know the PIN, or whose PIN is locked,
// needs the bank (Replace, with a new PIN letter); a card blocked for the
// bank's reasons gets a successor only from the bank. Ended and terminated
// cards, and cards with a new card on its way, get none.
func ReplacementFor(c Card) (ReplaceReason, error) {
	reason := ReplaceDamaged
	if c.Status == Blocked {
		reason = ReplaceBlocked
	}
	return reason, holderReplaceable(c, reason)
}

// holderReplaceable checks that the cardholder may order a new card for
// reason (ReplacementFor).
func holderReplaceable(c Card, reason ReplaceReason) error {
	switch {
	case reason == ReplaceBank:
		return netbank.Errorf(netbank.EFORBIDDEN, "Kun banken kan udskifte kort af egen drift.")
	case reason == ReplaceDamaged && c.Status == Blocked:
		return netbank.Errorf(netbank.EINVALID, "Kortet er spærret; bestil et nyt kort i stedet for det spærrede.")
	case reason == ReplaceDamaged && !c.Live():
		return netbank.Errorf(netbank.EINVALID, "Kortet er %s og kan ikke udskiftes.", strings.ToLower(c.Status.Danish()))
	case reason == ReplaceBlocked && c.Status == Blocked && !c.BlockReason.ByHolder():
		return netbank.Errorf(netbank.EFORBIDDEN, "Kortet er spærret af banken (%s). Kontakt banken om et nyt kort.",
			strings.ToLower(c.BlockReason.Danish()))
	case reason == ReplaceBlocked && c.BlockReason == ReasonPINKnown:
		return netbank.Errorf(netbank.EINVALID, "Andre kender PIN-koden, så det nye kort skal have en ny PIN-kode. Kontakt banken, som sender kortet og et nyt PIN-brev.")
	case c.PINLocked:
		return netbank.Errorf(netbank.EINVALID, "PIN-koden er spærret efter %d forkerte forsøg, så det nye kort skal have en ny PIN-kode. Kontakt banken.", MaxPINTries)
	}
	return replaceable(c, reason)
}

// OrderReplacement is the cardholder ordering a new card in the net bank
// (CARD-17), in place of a worn or damaged card (ReplaceDamaged) or one
// they blocked (ReplaceBlocked): customerID is the holder or the account's
// owner (ENOTFOUND for anyone else). The new card has a new number and
// expiry and keeps the PIN (checked against the old card's until first
// used, as a renewal's), so nothing secret needs a letter; ReplacementFor
// says when that is not enough. A worn card keeps working until the new
// one is activated (then it ends with its wallet tokens, as at a
// renewal); a blocked card stays blocked. The replacement fee of the
// price list is charged for a damaged or lost card (the account must
// cover it), and the holder (and the owner) get a message.
func (s *Service) OrderReplacement(ctx context.Context, customerID, cardID string, reason ReplaceReason, by Actor) (Card, error) {
	old, err := s.Get(ctx, customerID, cardID)
	if err != nil {
		return Card{}, err
	}
	issued, fee, err := s.replace(ctx, old, reason, true, by, holderReplaceable)
	if err != nil {
		return Card{}, err
	}
	s.notifyHolder(ctx, issued.Card, "Nyt betalingskort bestilt", orderedText(old, issued.Card, reason, fee))
	return issued.Card, nil
}

// ReplacementFee is the replacement fee of the price list for replacing c
// for reason, in øre: a damaged card, or one blocked as lost (CARD-19).
func (s *Service) ReplacementFee(ctx context.Context, c Card, reason ReplaceReason) (int64, error) {
	if reason == ReplaceDamaged || (reason == ReplaceBlocked && c.BlockReason == ReasonLost) {
		return s.price(ctx, KeyReplacementFee)
	}
	return 0, nil
}

// replace makes old's successor for reason after check (before the fee and
// again on the locked card) and charges the replacement fee first, given
// back when the card cannot be made. For the bank (samePIN false) the new
// card has a new PIN and the old one ends at once; for the cardholder
// (samePIN) the new card keeps the PIN, and a worn card ends only when the
// new one is activated.
func (s *Service) replace(ctx context.Context, old Card, reason ReplaceReason, samePIN bool, by Actor,
	check func(Card, ReplaceReason) error) (Issued, int64, error) {
	if err := check(old, reason); err != nil {
		return Issued{}, 0, err
	}
	fee, err := s.ReplacementFee(ctx, old, reason)
	if err != nil {
		return Issued{}, 0, err
	}
	now := s.now()
	var charged ledger.TransferRequest
	if fee > 0 {
		charged = ledger.TransferRequest{ID: "card:" + old.ID + ":replacement", DebitAccountID: old.AccountID,
			CreditAccountID: feeAccount, Amount: fee, Code: "fee",
			Text: "Gebyr for nyt kort " + old.Type.Danish() + " " + old.Last4}
		if _, err := s.ledgerOf().Transfer(ctx, charged); err != nil {
			if netbank.ErrorCodeOf(err) == netbank.EINSUFFICIENT {
				return Issued{}, 0, netbank.Errorf(netbank.EINSUFFICIENT, "Kontoen har ikke dækning for gebyret for nyt kort på %s.",
					netbank.NewMoney(fee, "DKK"))
			}
			return Issued{}, 0, err
		}
	}
	untilActivated := samePIN && reason == ReplaceDamaged
	issued, err := s.successor(ctx, old, now, !samePIN, by, func(ctx context.Context, tx Tx, cur *Card, nc Card) (audit.Event, error) {
		if err := check(*cur, reason); err != nil {
			return audit.Event{}, err
		}
		if !untilActivated {
			if cur.Status != Blocked {
				cur.Status = Replaced
			}
			cur.EndedAt = now
			if _, err := tx.EndTokens(ctx, cur.ID, now, "Kortet er erstattet af et nyt kort"); err != nil {
				return audit.Event{}, err
			}
		}
		return by.event(ActionReplaced, cur.ID, map[string]string{"new_card": nc.ID, "reason": string(reason),
			"fee": fmt.Sprint(fee), "by_holder": fmt.Sprint(samePIN)}), nil
	})
	if err != nil {
		if charged.ID != "" {
			_, _ = s.ledgerOf().Transfer(ctx, undo(charged))
		}
		return Issued{}, 0, err
	}
	return issued, fee, nil
}

// replaceable checks that a card may be replaced for reason.
func replaceable(c Card, reason ReplaceReason) error {
	switch {
	case reason != ReplaceDamaged && reason != ReplaceBlocked && reason != ReplaceBank:
		return netbank.Errorf(netbank.EINVALID, "Vælg, hvorfor kortet udskiftes.")
	case c.Status.Final():
		return netbank.Errorf(netbank.EINVALID, "Kortet er %s og kan ikke udskiftes.", strings.ToLower(c.Status.Danish()))
	case c.ReplacedBy != "":
		return netbank.Errorf(netbank.EINVALID, "Kortet har allerede et nyt kort på vej.")
	case !c.TerminatesAt.IsZero():
		return netbank.Errorf(netbank.EINVALID, "Kortet er opsagt og udskiftes ikke.")
	case reason == ReplaceBlocked && c.Status != Blocked:
		return netbank.Errorf(netbank.EINVALID, "Kortet er ikke spærret; vælg en anden grund.")
	}
	return nil
}

// orderedText is the message about a new card the cardholder ordered.
func orderedText(old, nc Card, reason ReplaceReason, fee int64) string {
	text := fmt.Sprintf("Du har bestilt et nyt kort i stedet for %s. Det nye kort ender på %s og er gyldigt til og med %s. Det har samme PIN-kode som det gamle kort.\n\n",
		old.name(), nc.Last4, nc.ExpiryText())
	if reason == ReplaceDamaged {
		text += "Det gamle kort virker, indtil du aktiverer det nye; derefter kan det ikke bruges længere, heller ikke i en wallet. Klip det over, når det nye kort er aktiveret.\n\n"
	} else {
		text += "Det spærrede kort forbliver spærret.\n\n"
	}
	text += "Aktivér det nye kort i netbanken under Kort, når du har det, og tilmeld det i din wallet og hos forretninger, du har abonnementer hos."
	if fee > 0 {
		text += fmt.Sprintf("\n\nGebyret for et nyt kort på %s er trukket på kontoen.", netbank.NewMoney(fee, "DKK"))
	}
	return text
}

// replacedText is the message about a replacement.
func (s *Service) replacedText(old, nc Card, fee int64) string {
	text := fmt.Sprintf("%s er erstattet af et nyt kort, der ender på %s og er gyldigt til og med %s. Det gamle kort kan ikke bruges længere, heller ikke i en wallet; tilmeld det nye kort i din wallet igen.\n\n",
		capitalize(old.name()), nc.Last4, nc.ExpiryText())
	text += "PIN-koden til det nye kort kommer i et brev for sig. Aktivér kortet i netbanken under Kort, når du har det."
	if fee > 0 {
		text += fmt.Sprintf("\n\nGebyret for et nyt kort på %s er trukket på kontoen.", netbank.NewMoney(fee, "DKK"))
	}
	return text
}

// capitalize upper-cases the first letter.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}

// Renew issues a card's successor before it expires (CARD-13): a new
// number, a new expiry, the same PIN (the successor's PIN is checked
// against its predecessor's until first used), Ordered. The old card keeps
// working until the new one is activated or its own expiry passes. The
// renewal job calls it RenewBefore ahead; staff may renew earlier.
func (s *Service) Renew(ctx context.Context, cardID string, by Actor) (Issued, error) {
	if !by.bank() {
		return Issued{}, netbank.Errorf(netbank.EFORBIDDEN, "Kun banken kan forny kort.")
	}
	old, err := s.Card(ctx, cardID)
	if err != nil {
		return Issued{}, err
	}
	if err := renewable(old); err != nil {
		return Issued{}, err
	}
	now := s.now()
	issued, err := s.successor(ctx, old, now, false, by, func(ctx context.Context, tx Tx, cur *Card, nc Card) (audit.Event, error) {
		if err := renewable(*cur); err != nil {
			return audit.Event{}, err
		}
		return by.event(ActionRenewed, cur.ID, map[string]string{"new_card": nc.ID}), nil
	})
	if err != nil {
		return Issued{}, err
	}
	s.notifyHolder(ctx, issued.Card, "Dit nye betalingskort er på vej",
		fmt.Sprintf("%s udløber med udgangen af %s. Derfor får du et nyt kort med et nyt kortnummer, der ender på %s og er gyldigt til og med %s.\n\n"+
			"Det nye kort har samme PIN-kode som det gamle. Aktivér det i netbanken under Kort, når du har det; så holder det gamle kort op med at virke. "+
			"Husk at give forretninger, du har abonnementer hos, det nye kortnummer, og tilmeld det nye kort i din wallet.",
			capitalize(old.name()), old.ExpiryText(), issued.Card.Last4, issued.Card.ExpiryText()))
	return issued, nil
}

// renewable checks that a card may get a renewal.
func renewable(c Card) error {
	switch {
	case !c.Live():
		return netbank.Errorf(netbank.EINVALID, "Kun aktive og bestilte kort fornyes; kortet er %s.", strings.ToLower(c.Status.Danish()))
	case c.ReplacedBy != "":
		return netbank.Errorf(netbank.EINVALID, "Kortet har allerede et nyt kort på vej.")
	case !c.TerminatesAt.IsZero():
		return netbank.Errorf(netbank.EINVALID, "Kortet er opsagt og fornyes ikke.")
	}
	return nil
}

// successor makes old's successor: same owner, holder, account, type,
// mobile number and fees, a new number and expiry from now; update
// changes the locked old card (its status) in the same transaction, which
// also links the two, and returns the audit event to record.
func (s *Service) successor(ctx context.Context, old Card, now time.Time, newPIN bool, by Actor,
	update func(ctx context.Context, tx Tx, cur *Card, nc Card) (audit.Event, error)) (Issued, error) {
	nc := Card{ID: newID("crd"), CustomerID: old.CustomerID, AccountID: old.AccountID, HolderCustomerID: old.HolderCustomerID,
		HolderName: old.HolderName, HolderBirthDate: old.HolderBirthDate, Proxy: old.Proxy, Type: old.Type,
		MobileNumber: old.MobileNumber, Replaces: old.ID, AnnualFee: old.AnnualFee, AnnualFeePaidUntil: old.AnnualFeePaidUntil,
		AgreementStart: old.AgreementStart, IssuedAt: now, IssuedBy: by.ID, Status: Ordered}
	nc.Expiry, nc.ExpiresAt = expiryOf(now, s.validity)
	if !newPIN {
		// The same PIN: checked against the predecessor until first used.
		nc.PINTries, nc.PINLocked = old.PINTries, old.PINLocked
	}
	return s.insertNew(ctx, nc, newPIN, func(ctx context.Context, tx Tx, c Card) error {
		cur, err := tx.Card(ctx, old.ID, true)
		if err != nil {
			return err
		}
		ev, err := update(ctx, tx, &cur, c)
		if err != nil {
			return err
		}
		cur.ReplacedBy = c.ID
		if err := tx.UpdateCard(ctx, cur); err != nil {
			return err
		}
		return tx.Audit(ctx, now, ev)
	})
}

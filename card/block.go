package card

// Blocks: by the cardholder (CARD-14), by the bank (CARD-15), for a revoked
// proxy (CARD-12), and the shared block register (CARD-16).

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/cardsec"
)

// Block blocks a card at once, at any hour. customerID is the cardholder
// or the account's owner in the net bank, who may give the holder's reasons
// (CARD-14); "" is staff (or the bank's processes), who may also give the
// bank's reasons (CARD-15). The card goes into the block register (CARD-16)
// and the cardholder gets a message with the reason and the time.
//
// Blocking a blocked card again changes nothing, except that a holder's
// reason replaces a bank's: a card the bank blocked for an overdraft and
// the holder then reports stolen is blocked as stolen, for good.
func (s *Service) Block(ctx context.Context, customerID, cardID string, reason BlockReason, by Actor) (Card, error) {
	switch {
	case !reason.Valid() || reason == ReasonProxyRevoked:
		return Card{}, netbank.Errorf(netbank.EINVALID, "Vælg, hvorfor kortet skal spærres.")
	case customerID != "" && !reason.ByHolder():
		return Card{}, netbank.Errorf(netbank.EINVALID, "Vælg en af grundene til at spærre kortet.")
	case customerID == "" && !by.bank():
		return Card{}, errNoCard()
	}
	var out Card
	var changed bool
	err := s.store.Tx(ctx, func(tx Tx) error {
		c, err := cardFor(ctx, tx, customerID, cardID, by, true)
		if err != nil {
			return err
		}
		out, changed, err = s.block(ctx, tx, c, reason, by)
		return err
	})
	if err != nil {
		return Card{}, err
	}
	if changed {
		s.notifyBlocked(ctx, out)
	}
	return out, nil
}

// block blocks a locked card for reason in tx; changed is false when the
// card stays as it was (blocked already, for a reason that stands).
func (s *Service) block(ctx context.Context, tx Tx, c Card, reason BlockReason, by Actor) (Card, bool, error) {
	switch {
	case c.Status.Final():
		return Card{}, false, netbank.Errorf(netbank.EINVALID, "Kortet er %s og kan ikke bruges; det skal ikke spærres.",
			strings.ToLower(c.Status.Danish()))
	case c.Status == Blocked && (c.BlockReason.Final() || !reason.Final()):
		return c, false, nil
	}
	now := s.now()
	c.Status, c.BlockReason, c.BlockedAt, c.BlockedBy = Blocked, reason, now, by.ID
	if err := tx.UpdateCard(ctx, c); err != nil {
		return Card{}, false, err
	}
	// A new reason for a blocked card adds an entry; the register still
	// answers with the first block's time (OpenBlock: the oldest open one).
	if err := tx.InsertBlock(ctx, BlockEntry{ID: newID("blk"), CardID: c.ID, PANHash: c.PANHash, Reason: reason,
		BlockedAt: now, BlockedBy: by.ID}); err != nil {
		return Card{}, false, err
	}
	if err := tx.Audit(ctx, now, by.event(ActionBlocked, c.ID, map[string]string{"reason": string(reason)})); err != nil {
		return Card{}, false, err
	}
	return c, true, nil
}

// notifyBlocked tells the cardholder (and the owner) of a block: the reason
// and the time (CARD-14, CARD-15).
func (s *Service) notifyBlocked(ctx context.Context, c Card) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s er spærret %s.\n\nÅrsag: %s.\n\n", capitalize(c.name()), danishTime(c.BlockedAt), c.BlockReason.Danish())
	if c.BlockReason.Final() {
		b.WriteString("Et spærret kort kan ikke bruges igen, heller ikke i en wallet, og det forbliver spærret, hvis du finder det. ")
		switch c.BlockReason {
		case ReasonProxyRevoked:
		case ReasonPINKnown:
			b.WriteString("Kontakt banken for at få et nyt kort med nyt kortnummer og ny PIN-kode.")
		default:
			b.WriteString("Du kan bestille et nyt kort med nyt kortnummer under Kort i netbanken; det får den samme PIN-kode. Vil du have en ny PIN-kode, så kontakt banken.")
		}
	} else {
		b.WriteString("Kortet kan ikke bruges, heller ikke i en wallet, mens det er spærret. Kontakt banken, hvis du har spørgsmål til spærringen.")
	}
	s.notifyHolder(ctx, c, "Dit kort er spærret", b.String())
}

// Unblock lifts a block the bank made (staff). A block for one of the
// cardholder's reasons, or for a revoked proxy, is never lifted: the card
// is replaced instead (CARD-14, a found card stays blocked). A card blocked
// because the account was closed opens only when the account is open. The
// card returns to Active (Ordered if it was never activated) and leaves
// the block register.
func (s *Service) Unblock(ctx context.Context, cardID string, by Actor) (Card, error) {
	if !by.bank() {
		return Card{}, netbank.Errorf(netbank.EFORBIDDEN, "Kun banken kan ophæve en spærring.")
	}
	c, err := s.Card(ctx, cardID)
	if err != nil {
		return Card{}, err
	}
	if err := unblockable(c); err != nil {
		return Card{}, err
	}
	if c.BlockReason == ReasonAccountClosed && s.cfg.Accounts != nil {
		acc, err := s.cfg.Accounts.Get(ctx, c.CustomerID, c.AccountID)
		if err != nil {
			return Card{}, err
		}
		if !acc.ClosedAt.IsZero() {
			return Card{}, netbank.Errorf(netbank.EINVALID, "Kontoen er stadig ophævet; spærringen kan ikke ophæves.")
		}
	}
	var out Card
	err = s.store.Tx(ctx, func(tx Tx) error {
		c, err := cardFor(ctx, tx, "", cardID, by, true)
		if err != nil {
			return err
		}
		if err := unblockable(c); err != nil {
			return err
		}
		now := s.now()
		reason := c.BlockReason
		c.Status = Active
		if c.ActivatedAt.IsZero() {
			c.Status = Ordered
		}
		c.BlockReason, c.BlockedAt, c.BlockedBy = "", time.Time{}, ""
		if err := tx.UpdateCard(ctx, c); err != nil {
			return err
		}
		if err := tx.LiftBlocks(ctx, c.ID, now, by.ID); err != nil {
			return err
		}
		out = c
		return tx.Audit(ctx, now, by.event(ActionUnblocked, c.ID, map[string]string{"reason": string(reason)}))
	})
	if err != nil {
		return Card{}, err
	}
	s.notifyHolder(ctx, out, "Spærringen af dit kort er ophævet",
		fmt.Sprintf("Banken har ophævet spærringen af %s (%s). Kortet kan bruges igen.", out.name(), danishTime(s.now())))
	return out, nil
}

// unblockable checks that a card's block may be lifted.
func unblockable(c Card) error {
	switch {
	case c.Status != Blocked:
		return netbank.Errorf(netbank.EINVALID, "Kortet er ikke spærret.")
	case c.ReplacedBy != "":
		return netbank.Errorf(netbank.EINVALID, "Kortet er erstattet af et nyt kort; spærringen bliver stående.")
	case c.BlockReason.Final():
		return netbank.Errorf(netbank.EINVALID, "Et kort spærret af kortholderen (%s) forbliver spærret; bestil et nyt kort i stedet.",
			strings.ToLower(c.BlockReason.Danish()))
	}
	return nil
}

// RevokeProxy blocks the cards a proxy holder has on an account when the
// proxy (fuldmagt) is revoked (CARD-12), and returns how many it blocked.
// The holder and the owner are told. By must be staff or the system.
func (s *Service) RevokeProxy(ctx context.Context, accountID, holderCustomerID string, by Actor) (int, error) {
	if !by.bank() {
		return 0, netbank.Errorf(netbank.EFORBIDDEN, "Kun banken registrerer en tilbagekaldt fuldmagt.")
	}
	var blocked []Card
	err := s.store.Tx(ctx, func(tx Tx) error {
		blocked = blocked[:0]
		cards, err := tx.CardsOfAccount(ctx, accountID)
		if err != nil {
			return err
		}
		// Lock every card first, then block: the audit log's lock comes
		// after every row lock, as everywhere else.
		var locked []Card
		for _, c := range cards {
			if c.HolderCustomerID != holderCustomerID || !c.Proxy {
				continue
			}
			c, err := tx.Card(ctx, c.ID, true)
			if err != nil {
				return err
			}
			if !c.Status.Final() {
				locked = append(locked, c)
			}
		}
		for _, c := range locked {
			c, changed, err := s.block(ctx, tx, c, ReasonProxyRevoked, by)
			if err != nil {
				return err
			}
			if changed {
				blocked = append(blocked, c)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, c := range blocked {
		s.notifyBlocked(ctx, c)
	}
	return len(blocked), nil
}

// BlockRegister answers the shared block register's question for a card
// number (CARD-16): is it blocked, and since when. Merchants and other
// banks ask it; a number the bank does not know, or whose block was
// lifted, is not blocked. The answer tells nothing else about the card.
func (s *Service) BlockRegister(ctx context.Context, pan string) (blocked bool, since time.Time, err error) {
	if !cardsec.ValidPAN(pan) {
		return false, time.Time{}, netbank.Errorf(netbank.EINVALID, "Kortnummeret er ikke gyldigt.")
	}
	var e BlockEntry
	err = s.read(ctx, func(tx Tx) error {
		var err error
		e, err = tx.OpenBlock(ctx, s.sealer.LookupHash(pan))
		return err
	})
	switch netbank.ErrorCodeOf(err) {
	case "":
		return true, e.BlockedAt, nil
	case netbank.ENOTFOUND:
		return false, time.Time{}, nil
	}
	return false, time.Time{}, err
}

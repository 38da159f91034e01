package card

// A card's recent use as the cardholder sees it in the net bank (issue 5:
// "cards list with status, limits and recent authorizations and open
// reservations"): the authorization engine's latest decisions on the card,
// approvals and refusals alike, and apart from them the reservations still
// held on the account (CARD-7), each debited transaction with its dispute
// or the offer to dispute it (DISP-1…DISP-3).
//
// History is a method of Disputes, which already reads the engine's stored
// decisions (DisputeAuthorizations) and the disputes made of them: a
// transaction row and its "Gør indsigelse" come from the same place.

import (
	"context"
	"time"
)

// ActivityKind says what kind of request a stored authorization was, for
// pages.
type ActivityKind string

// The kinds of card activity.
const (
	// ActivityPurchase: a purchase, held (0100) or debited at once (0200).
	ActivityPurchase ActivityKind = "purchase"
	// ActivityIncrement: a hotel's or car rental's further reservation
	// (a 0100 naming the first, CARD-10).
	ActivityIncrement ActivityKind = "increment"
	// ActivityCash: a cash withdrawal.
	ActivityCash ActivityKind = "cash"
	// ActivityRefund: the merchant refunded onto the card.
	ActivityRefund ActivityKind = "refund"
	// ActivityBalance: a balance inquiry at a machine.
	ActivityBalance ActivityKind = "balance"
	// ActivityCompletion: the merchant claimed a reservation with the
	// final amount (0220, CARD-7, CARD-9).
	ActivityCompletion ActivityKind = "completion"
	// ActivityReversal: the merchant undid an earlier request (0400).
	ActivityReversal ActivityKind = "reversal"
)

// ActivityKinds lists every kind (pages keep a text for each).
var ActivityKinds = []ActivityKind{ActivityPurchase, ActivityIncrement, ActivityCash, ActivityRefund, ActivityBalance,
	ActivityCompletion, ActivityReversal}

// KindOf says what kind of request a stored authorization was.
func KindOf(a Authorization) ActivityKind {
	switch a.MTI {
	case MsgCompletion:
		return ActivityCompletion
	case MsgReversal:
		return ActivityReversal
	}
	switch txType(a.ProcessingCode) {
	case TxCash:
		return ActivityCash
	case TxRefund:
		return ActivityRefund
	case TxBalanceInquiry:
		return ActivityBalance
	}
	if a.MTI == MsgAuthorization && a.OriginalID != "" {
		return ActivityIncrement
	}
	return ActivityPurchase
}

// ReservedAt reports whether an authorization is an open reservation at
// now: an approved hold (0100) that the merchant has not claimed and that
// has not been reversed or lapsed (7 calendar days + 2 bank days, CARD-7).
// Its amount is held on the account until HoldExpiresAt.
func ReservedAt(a Authorization, now time.Time) bool {
	return a.MTI == MsgAuthorization && a.Approved() && a.Status == AuthApproved && a.TransferID != "" &&
		a.AmountDKK > 0 && now.Before(a.HoldExpiresAt)
}

// CardActivity is one stored decision on a card as the net bank shows it.
type CardActivity struct {
	Authorization
	Kind ActivityKind
	// Reserved: an open reservation (ReservedAt).
	Reserved bool
	// Disputable: a debited transaction (Debited) without a dispute: the
	// net bank offers the dispute form, which checks the deadlines of
	// DISP-1…DISP-3 and names the late ones.
	Disputable bool
	// Dispute is the dispute made of the transaction, if any.
	Dispute *Dispute
}

// CardHistory is a card's recent use.
type CardHistory struct {
	// Recent are the card's latest decisions, newest first: approvals and
	// refusals, completions and reversals.
	Recent []CardActivity
	// Reservations are the open reservations, newest first, also those
	// older than the last of Recent.
	Reservations []CardActivity
	// Reserved is what the open reservations hold, in øre.
	Reserved int64
}

// HistoryScan is how many of a card's latest decisions History reads to
// find the open reservations: a hold lapses after at most 7 calendar
// days + 2 bank days (CARD-7), so a card would need more than 500 requests
// in 11 days for a reservation to fall outside.
const HistoryScan = 500

// DefaultHistory is how many recent decisions History returns when asked
// for 0.
const DefaultHistory = 20

// History returns the recent use of a card customerID may see (the
// holder or the account's owner; ENOTFOUND otherwise, as for a card that
// does not exist): at most limit recent decisions (0: DefaultHistory) and
// the open reservations, each with its dispute. Completions and reversals
// that name no merchant show the merchant of the request they refer to.
func (s *Disputes) History(ctx context.Context, customerID, cardID string, limit int) (CardHistory, error) {
	if limit <= 0 || limit > HistoryScan {
		limit = DefaultHistory
	}
	if _, err := s.cards.Get(ctx, customerID, cardID); err != nil {
		return CardHistory{}, err
	}
	all, err := s.auths.CardAuthorizations(ctx, cardID, HistoryScan)
	if err != nil {
		return CardHistory{}, err
	}
	now := s.now()
	var shown []Authorization
	for i, a := range all {
		if i < limit || ReservedAt(a, now) {
			shown = append(shown, a)
		}
	}
	if err := s.fillMerchants(ctx, shown); err != nil {
		return CardHistory{}, err
	}
	byAuth, err := s.disputesOfCard(ctx, cardID)
	if err != nil {
		return CardHistory{}, err
	}
	var h CardHistory
	for i, a := range shown {
		act := CardActivity{Authorization: a, Kind: KindOf(a), Reserved: ReservedAt(a, now), Dispute: byAuth[a.ID]}
		act.Disputable = act.Dispute == nil && Debited(a)
		if act.Reserved {
			h.Reservations = append(h.Reservations, act)
			h.Reserved += a.AmountDKK
		}
		if i < limit {
			h.Recent = append(h.Recent, act)
		}
	}
	return h, nil
}

// disputesOfCard returns the disputes of a card's transactions by the
// authorization disputed.
func (s *Disputes) disputesOfCard(ctx context.Context, cardID string) (map[string]*Dispute, error) {
	var list []Dispute
	err := s.store.DisputeTx(ctx, func(tx DisputeTx) error {
		var err error
		list, err = tx.Disputes(ctx, DisputeFilter{CardID: cardID, Limit: 1000})
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Dispute, len(list))
	for i := range list {
		out[list[i].AuthorizationID] = &list[i]
	}
	return out, nil
}

package web

// The cardholder's own card actions in the net bank, each confirmed on a
// page that states what will happen before anything does:
//
//	GET  /netbank/kort/{id}/nytkort   a new card for a worn or blocked one (CARD-17): the reason, the fee of the
//	                                  price list, the same PIN; or why the bank must do it
//	POST /netbank/kort/{id}/nytkort   card.OrderReplacement → the new card's page (?besked=bestilt)
//	GET  /netbank/kort/{id}/opsig     the terms of a termination (CARD-18): the last day after the month's
//	                                  notice, the early-termination fee, the refund of the prepaid annual fee
//	POST /netbank/kort/{id}/opsig     card.Terminate by the holder → the card's page (?besked=opsagt)
//
// The card service sends the message to the inbox; a refusal (a card
// already terminated, an account that cannot pay the fee) is drawn on the
// card's page.

import (
	"net/http"
	"net/url"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/identity"
)

// needCardCreate answers 403 for a business user whose profile may not
// create (BIZ-5): ordering and terminating cost fees, and activating a card
// or changing its Visa Secure number changes what the card can do.
func (s *Server) needCardCreate(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := mayChangeCards(PrincipalOf(r)); err != nil {
			s.Error(w, r, err)
			return
		}
		h(w, r)
	}
}

// mayChangeCards refuses a business user whose profile may not create.
func mayChangeCards(p *Principal) error {
	if p.User.Kind == identity.BusinessUser && !p.User.Can(identity.PermCreate) {
		return netbank.Errorf(netbank.EFORBIDDEN, "the user's profile does not allow changing cards")
	}
	return nil
}

// terminableByHolder reports whether the net bank offers to terminate the
// card: its agreement can be terminated (card.Terminable), and
// holderMayTerminate.
func terminableByHolder(c card.Card) bool { return card.Terminable(c) && holderMayTerminate(c) == nil }

// holderMayTerminate refuses a blocked card whose new card carries the
// agreement on: the new card is the one to terminate.
func holderMayTerminate(c card.Card) error {
	if c.Status == card.Blocked && c.ReplacedBy != "" {
		return netbank.Errorf(netbank.EINVALID, "Kortet er spærret og afløst af et nyt kort; opsig det nye kort i stedet.")
	}
	return nil
}

// nbCardReplaceView is the Data of nb_card_replace.
type nbCardReplaceView struct {
	Card cardRow
	// Reason is the card.ReplaceReason the holder orders for; Fee the
	// replacement fee ("" when free).
	Reason string
	Fee    string
	// Keeps: the worn card works until the new one is activated.
	Keeps bool
}

// handleCardReplacePage draws the order of a new card, or the card's page
// with the reason the bank must make it.
func (s *Server) handleCardReplacePage(w http.ResponseWriter, r *http.Request) {
	c, err := s.loadCard(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	reason, err := card.ReplacementFor(c)
	if err != nil {
		s.cardActionRefusal(w, r, c, err)
		return
	}
	fee, err := s.cards.ReplacementFee(r.Context(), c, reason)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := nbCardReplaceView{Card: s.cardRow(c, PrincipalOf(r).Customer.ID), Reason: string(reason), Keeps: reason == card.ReplaceDamaged}
	if fee > 0 {
		v.Fee = disputeMoney(fee)
	}
	s.Render(w, r, http.StatusOK, "nb_card_replace", v)
}

// handleCardReplace orders the new card (CARD-17).
func (s *Server) handleCardReplace(w http.ResponseWriter, r *http.Request) {
	c, err := s.loadCard(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	p := PrincipalOf(r)
	nc, err := s.cards.OrderReplacement(r.Context(), p.Customer.ID, c.ID, card.ReplaceReason(r.PostFormValue("reason")), cardActor(r, p))
	if err != nil {
		s.cardActionRefusal(w, r, c, err)
		return
	}
	http.Redirect(w, r, "/netbank/kort/"+url.PathEscape(nc.ID)+"?besked=bestilt", http.StatusSeeOther)
}

// cardActionStatus is the status a refusal of an order or a termination
// is drawn with on the card's page: the service's own words for a card
// that cannot (EINVALID, EFORBIDDEN: a card only the bank may replace), no
// cover for the fee (EINSUFFICIENT) or a termination made already
// (ECONFLICT).
var cardActionStatus = map[netbank.ErrorCode]int{
	netbank.EINVALID:      http.StatusBadRequest,
	netbank.EFORBIDDEN:    http.StatusForbidden,
	netbank.EINSUFFICIENT: http.StatusUnprocessableEntity,
	netbank.ECONFLICT:     http.StatusConflict,
}

// cardActionRefusal draws the card's page with the refusal of an order or
// a termination, or the error page for anything else.
func (s *Server) cardActionRefusal(w http.ResponseWriter, r *http.Request, c card.Card, err error) {
	status, ok := cardActionStatus[netbank.ErrorCodeOf(err)]
	if !ok {
		s.Error(w, r, err)
		return
	}
	if fresh, err2 := s.cards.Get(r.Context(), PrincipalOf(r).Customer.ID, c.ID); err2 == nil {
		c = fresh
	}
	s.renderCard(w, r, status, c, netbank.ErrorMessageOf(err), "")
}

// nbCardTerminateView is the Data of nb_card_terminate.
type nbCardTerminateView struct {
	Card cardRow
	// LastDay is the last day the card can be used; Months the notice.
	LastDay string
	Months  int
	// Fee is the early-termination fee ("" for none) and FeeUntil the
	// end of the first 6 months; Refund the prepaid annual fee paid back
	// ("" for none); Successor: a new card on its way ends too.
	Fee, FeeUntil, Refund string
	Successor             bool
}

// handleCardTerminatePage draws the terms of a termination by the holder.
func (s *Server) handleCardTerminatePage(w http.ResponseWriter, r *http.Request) {
	c, err := s.loadCard(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	p := PrincipalOf(r)
	terms, err := s.cards.TerminationTerms(r.Context(), p.Customer.ID, c.ID, true, cardActor(r, p))
	if err == nil {
		err = holderMayTerminate(c)
	}
	if err != nil {
		s.cardActionRefusal(w, r, c, err)
		return
	}
	v := nbCardTerminateView{Card: s.cardRow(c, p.Customer.ID), LastDay: s.nbDate(terms.LastDay), Months: terms.NoticeMonths,
		FeeUntil: s.nbDate(terms.FeeUntil), Successor: c.ReplacedBy != ""}
	if terms.Fee > 0 {
		v.Fee = disputeMoney(terms.Fee)
	}
	if terms.Refund > 0 {
		v.Refund = disputeMoney(terms.Refund)
	}
	s.Render(w, r, http.StatusOK, "nb_card_terminate", v)
}

// handleCardTerminate terminates the card with the holder's notice
// (CARD-18).
func (s *Server) handleCardTerminate(w http.ResponseWriter, r *http.Request) {
	c, err := s.loadCard(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	p := PrincipalOf(r)
	if err := holderMayTerminate(c); err != nil {
		s.cardActionRefusal(w, r, c, err)
		return
	}
	if _, err := s.cards.Terminate(r.Context(), p.Customer.ID, c.ID, true, cardActor(r, p)); err != nil {
		s.cardActionRefusal(w, r, c, err)
		return
	}
	http.Redirect(w, r, "/netbank/kort/"+url.PathEscape(c.ID)+"?besked=opsagt", http.StatusSeeOther)
}

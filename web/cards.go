package web

// Cards in the net bank ("Kort", package card):
//
//	GET  /netbank/kort                      the customer's cards: type, masked number, holder, account, expiry,
//	                                        status, what is reserved, and the limits of the price list (CARD-5, CARD-6)
//	GET  /netbank/kort/{id}                 one card: facts, open reservations and recent authorizations
//	                                        (cards_history.go), activation, Visa Secure, wallets, new card,
//	                                        termination, block
//	POST /netbank/kort/{id}/aktiver         card.Activate (CARD-11: Visa Secure enrolment)
//	POST /netbank/kort/{id}/mobil           register or change the Visa Secure number: signed first (kind card_mobile)
//	POST /netbank/kort/{id}/mobil/fjern     card.RemoveMobile
//	GET  /netbank/kort/{id}/nytkort         order a new card: reason, fee, same PIN (cards_selfservice.go)
//	POST /netbank/kort/{id}/nytkort         card.OrderReplacement (CARD-17) → the new card's page
//	GET  /netbank/kort/{id}/opsig           the terms of a termination: last day, fee, refund (CARD-18)
//	POST /netbank/kort/{id}/opsig           card.Terminate by the holder → the card's page
//	GET  /netbank/kort/pinkodehusker        the PIN memoriser, made in the browser (CARD-21, pinhusker.go)
//	GET  /netbank/spaerring/kort            "Spær kort": the cards that can be blocked, with the holder's reasons
//	POST /netbank/spaerring/kort/{id}       card.Block (CARD-14), then the confirmation with reason and time
//
// Who sees what: the cards the customer holds and the cards on the
// customer's accounts (a proxy's or a child's card too); any other card id
// is "not found" (404), exactly like one that does not exist. A business
// user needs the profile's "see" permission (BIZ-5).
//
// Blocking is not signed. A block only protects the customer, it must work
// at any hour and at once (CARD-14), and the signature file may well have
// been lost with the phone and the card; a block for one of the holder's
// reasons cannot be undone by anyone, so a session that is not the
// customer's gains nothing from it. The block pages live under
// /netbank/spaerring, which stays open while a contract awaits approval
// (CONTR-1's gate), like the block of the net bank access itself.
//
// Registering or changing the Visa Secure number is signed (the rules have
// it done with NemID): whoever controls that number receives the one-time
// codes for internet purchases, so a taken-over session must not be able
// to redirect them. Removing the number only takes protection away from
// purchases and is not signed.
//
// Ordering a new card and terminating are confirmed on a page of their
// own that states what happens (the fee, the last day), not signed: they
// act only on the customer's own card and account, with fees of the
// public price list, and the customer gets a message of each. A business
// user needs the profile's "create" permission for them (BIZ-5).

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/pricing"
)

// signKindCardMobile is the signed document that registers a Visa Secure
// mobile number.
const signKindCardMobile = "card_mobile"

func init() {
	registerSignKind(signKindCardMobile, signKind{
		Title:  "card.sign.title",
		Lead:   "card.sign.lead",
		Submit: "card.sign.submit",
		Back:   "/netbank/kort",
		Signed: (*Server).cardMobileSigned,
	})
}

// registerCards adds the card pages of the net bank and the back office.
func (s *Server) registerCards(log AuditLog) {
	user := func(h http.HandlerFunc) http.Handler { return s.RequireUser(s.needCards(h)) }
	s.Handle("GET /netbank/kort", user(s.handleCards))
	s.Handle("GET /netbank/kort/{id}", user(s.handleCard))
	s.Handle("POST /netbank/kort/{id}/aktiver", user(s.needCardCreate(s.handleCardActivate)))
	s.Handle("POST /netbank/kort/{id}/mobil", user(s.needCardCreate(s.handleCardMobile)))
	s.Handle("POST /netbank/kort/{id}/mobil/fjern", user(s.needCardCreate(s.handleCardMobileRemove)))
	s.Handle("GET /netbank/kort/{id}/nytkort", user(s.handleCardReplacePage))
	s.Handle("POST /netbank/kort/{id}/nytkort", user(s.needCardCreate(s.handleCardReplace)))
	s.Handle("GET /netbank/kort/{id}/opsig", user(s.handleCardTerminatePage))
	s.Handle("POST /netbank/kort/{id}/opsig", user(s.needCardCreate(s.handleCardTerminate)))
	s.Handle("GET /netbank/kort/pinkodehusker", user(s.handlePINMemoriser))
	s.Handle("GET /netbank/spaerring/kort", user(s.handleCardBlockPage))
	s.Handle("POST /netbank/spaerring/kort/{id}", user(s.handleCardBlock))
	(&backoffice{s: s, audit: log}).registerCards()
}

// needCards answers 404 without the card service and 403 for a business
// user whose profile may not see the accounts (BIZ-5).
func (s *Server) needCards(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.cards == nil {
			s.NotFound(w, r)
			return
		}
		if p := PrincipalOf(r); p.User.Kind == identity.BusinessUser && !p.User.Can(identity.PermView) {
			s.Error(w, r, netbank.Errorf(netbank.EFORBIDDEN, "the user's profile does not allow seeing cards"))
			return
		}
		h(w, r)
	}
}

// cardActor is the logged-in user as the card service names them.
func cardActor(r *http.Request, p *Principal) card.Actor {
	return card.Actor{ID: p.User.ID, Kind: actorKind(p.User.Kind), IP: remoteIP(r)}
}

// cardRow is one card as the net bank's pages show it.
type cardRow struct {
	ID, URL  string
	TypeName string
	Masked   string
	Last4    string
	Expiry   string
	Holder   string
	// Own is set when the logged-in customer is the holder; Proxy when the
	// holder is not the account's owner.
	Own, Proxy bool
	Account    string
	// Status is the card.Status; StatusKey its catalog key and Tone the
	// pill's colour (ok, wait, off, new).
	Status    string
	StatusKey string
	Tone      string
	// BlockReasonKey and BlockedAt describe a block.
	BlockReasonKey string
	BlockedAt      string
	// Terminates is the last day of a terminated card ("" if none).
	Terminates string
	Live       bool
	// Reserved is what the card's open reservations hold (CARD-7), ""
	// when nothing is reserved or the pages have no history.
	Reserved string
}

// cardStatusTone is the pill colour of a status.
func cardStatusTone(st card.Status) string {
	switch st {
	case card.Active:
		return "ok"
	case card.Ordered:
		return "wait"
	case card.Blocked:
		return "new"
	}
	return "off"
}

func (s *Server) cardRow(c card.Card, customerID string) cardRow {
	row := cardRow{ID: c.ID, URL: "/netbank/kort/" + url.PathEscape(c.ID), TypeName: c.Type.Danish(), Masked: c.Masked(),
		Last4: c.Last4, Expiry: c.ExpiryText(), Holder: c.HolderName, Own: c.HolderCustomerID == customerID, Proxy: c.Proxy,
		Account: strings.Replace(c.AccountID, "-", " ", 1), Status: string(c.Status), StatusKey: "card.status." + string(c.Status),
		Tone: cardStatusTone(c.Status), Live: c.Live()}
	if c.Status == card.Blocked {
		row.BlockReasonKey, row.BlockedAt = "card.reason."+string(c.BlockReason), s.nbMinute(c.BlockedAt)
	}
	if !c.TerminatesAt.IsZero() && !c.Status.Final() {
		row.Terminates = s.nbDate(c.TerminatesAt.Add(-1))
	}
	return row
}

// cardLimit is one limit of the price list, as the pages show it.
type cardLimit struct {
	Key   string // catalog key of the label
	Value string
}

// cardLimits are the card limits of the price list (CARD-5, CARD-6); nil
// without a price list.
func (s *Server) cardLimits(ctx context.Context) []cardLimit {
	if s.pricing == nil {
		return nil
	}
	var out []cardLimit
	for _, k := range []struct{ price, label string }{
		{pricing.KeyCardCashDailyLimit, "card.limit.cash"},
		{pricing.KeyCardTotal30DayLimit, "card.limit.total"},
		{pricing.KeyCardContactlessLimit, "card.limit.contactless"},
	} {
		p, err := s.pricing.Price(ctx, k.price)
		if err != nil {
			s.log.WarnContext(ctx, "card limit unavailable", "key", k.price, "error", err)
			continue
		}
		out = append(out, cardLimit{Key: k.label, Value: p.Text()})
	}
	return out
}

// nbCardsView is the Data of nb_cards.
type nbCardsView struct {
	Current, Former []cardRow
	Limits          []cardLimit
	// Reserved: some current card has an open reservation (the column).
	Reserved bool
}

// handleCards lists the customer's cards: those in use first, ended ones
// after them.
func (s *Server) handleCards(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	cards, err := s.cards.List(r.Context(), p.Customer.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := nbCardsView{Limits: s.cardLimits(r.Context())}
	for _, c := range cards {
		row := s.cardRow(c, p.Customer.ID)
		if c.Status.Final() {
			v.Former = append(v.Former, row)
			continue
		}
		if row.Reserved, err = s.cardReserved(r.Context(), p.Customer.ID, c); err != nil {
			s.Error(w, r, err)
			return
		}
		v.Reserved = v.Reserved || row.Reserved != ""
		v.Current = append(v.Current, row)
	}
	s.Render(w, r, http.StatusOK, "nb_cards", v)
}

// cardTokenRow is a wallet registration on the card page.
type cardTokenRow struct {
	Wallet, Device, Created, Ended, EndReason string
	Active                                    bool
}

// cardReasonOption is one reason of the block form.
type cardReasonOption struct {
	Value, Key string
	Checked    bool
}

// nbCardView is the Data of nb_card.
type nbCardView struct {
	cardRow
	HolderAge int
	IssuedAt  string
	FeePaid   string
	// CanActivate: the card is ordered. CanBlock: the holder's reasons
	// would change it (not blocked for good, not ended).
	CanActivate, CanBlock bool
	// Visa Secure (CARD-11): the masked number and whether enrolled.
	Mobile   string
	Enrolled bool
	Under15  bool
	// MobileInput is what was typed into the number field.
	MobileInput string
	Tokens      []cardTokenRow
	Limits      []cardLimit
	// Rules of the type: what it may be used for.
	ATM, Contactless, ECommerce, BalanceOnly, YouthMCCs bool
	Reasons                                             []cardReasonOption
	// History is the open reservations and recent authorizations (nil
	// without the dispute service, which reads them).
	History *cardHistoryView
	// ReplaceReason is the reason the holder may order a new card for
	// ("" when they cannot: ReplaceRefusal says why, if the card is not
	// ended); CanTerminate: the agreement can be terminated (CARD-18).
	ReplaceReason  string
	ReplaceRefusal string
	CanTerminate   bool
	// Notice is the catalog key of a flash after an action, NoticeArg its
	// argument; Error a refusal (Danish, from the card service).
	Notice    string
	NoticeArg string
	Error     string
}

// cardNotices are the flashes ?besked= may ask for.
var cardNotices = map[string]string{
	"aktiveret":    "card.notice.activated",
	"mobil":        "card.notice.mobile",
	"mobilfjernet": "card.notice.mobile.removed",
	"opsagt":       "card.notice.terminated",
	"bestilt":      "card.notice.ordered",
}

// loadCard reads the card of the path, if the customer may see it.
func (s *Server) loadCard(r *http.Request) (card.Card, error) {
	id := r.PathValue("id")
	if len(id) > 64 || !strings.HasPrefix(id, "crd_") {
		return card.Card{}, netbank.Errorf(netbank.ENOTFOUND, "Kortet findes ikke.")
	}
	return s.cards.Get(r.Context(), PrincipalOf(r).Customer.ID, id)
}

// canBlock reports whether the holder's block would change the card.
func canBlock(c card.Card) bool {
	return c.Live() || (c.Status == card.Blocked && !c.BlockReason.Final())
}

// cardView builds the card page.
func (s *Server) cardView(r *http.Request, c card.Card) (nbCardView, error) {
	p := PrincipalOf(r)
	now := s.clock.Now()
	rules := s.cards.Rules(c.Type)
	v := nbCardView{cardRow: s.cardRow(c, p.Customer.ID), HolderAge: c.HolderAge(now), IssuedAt: s.nbDate(c.IssuedAt),
		CanActivate: c.Status == card.Ordered && now.Before(c.ExpiresAt), CanBlock: canBlock(c),
		Mobile: card.MaskMobile(c.MobileNumber), Enrolled: c.VisaSecureEnrolled, Under15: c.HolderAge(now) < card.VisaSecureMinAge,
		Limits: s.cardLimits(r.Context()), ATM: rules.ATM, Contactless: rules.Contactless, ECommerce: rules.ECommerce,
		BalanceOnly: rules.BalanceOnly, YouthMCCs: len(rules.BlockedMCCs) > 0, Notice: cardNotices[r.URL.Query().Get("besked")]}
	if !c.AnnualFeePaidUntil.IsZero() {
		v.FeePaid = s.nbDate(c.AnnualFeePaidUntil.AddDate(0, 0, -1)) // the paid year's last day
	}
	for _, reason := range card.HolderReasons {
		v.Reasons = append(v.Reasons, cardReasonOption{Value: string(reason), Key: "card.reason." + string(reason)})
	}
	if v.Notice == "card.notice.terminated" {
		v.NoticeArg = v.Terminates
	}
	v.CanTerminate = terminableByHolder(c)
	if reason, err := card.ReplacementFor(c); err == nil {
		v.ReplaceReason = string(reason)
	} else if !c.Status.Final() && c.ReplacedBy == "" && c.TerminatesAt.IsZero() {
		v.ReplaceRefusal = netbank.ErrorMessageOf(err)
	}
	history, err := s.cardHistory(r, c, now)
	if err != nil {
		return nbCardView{}, err
	}
	v.History = history
	tokens, err := s.cards.Tokens(r.Context(), p.Customer.ID, c.ID)
	if err != nil {
		return nbCardView{}, err
	}
	for _, t := range tokens {
		v.Tokens = append(v.Tokens, cardTokenRow{Wallet: t.Wallet, Device: t.Device, Created: s.nbDate(t.CreatedAt),
			Ended: s.nbDate(t.EndedAt), EndReason: t.EndReason, Active: t.Status == card.TokenActive})
	}
	return v, nil
}

// handleCard draws one card.
func (s *Server) handleCard(w http.ResponseWriter, r *http.Request) {
	c, err := s.loadCard(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.renderCard(w, r, http.StatusOK, c, "", "")
}

// renderCard draws the card page with a refusal and the typed number.
func (s *Server) renderCard(w http.ResponseWriter, r *http.Request, status int, c card.Card, errMsg, mobile string) {
	v, err := s.cardView(r, c)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v.Error, v.MobileInput = errMsg, mobile
	s.Render(w, r, status, "nb_card", v)
}

// cardRefusal draws the card page with the service's refusal, or the
// error page for anything else.
func (s *Server) cardRefusal(w http.ResponseWriter, r *http.Request, c card.Card, err error, mobile string) {
	if status, msg, ok := userError(err); ok && netbank.ErrorCodeOf(err) != netbank.EFORBIDDEN {
		if fresh, err2 := s.cards.Get(r.Context(), PrincipalOf(r).Customer.ID, c.ID); err2 == nil {
			c = fresh
		}
		s.renderCard(w, r, status, c, msg, mobile)
		return
	}
	s.Error(w, r, err)
}

// handleCardActivate activates a card the holder has received.
func (s *Server) handleCardActivate(w http.ResponseWriter, r *http.Request) {
	c, err := s.loadCard(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	p := PrincipalOf(r)
	if _, err := s.cards.Activate(r.Context(), p.Customer.ID, c.ID, cardActor(r, p)); err != nil {
		s.cardRefusal(w, r, c, err, "")
		return
	}
	http.Redirect(w, r, "/netbank/kort/"+url.PathEscape(c.ID)+"?besked=aktiveret", http.StatusSeeOther)
}

// cardMobileDocument is the signed text that registers a Visa Secure
// number: everything the action needs is in it.
func cardMobileDocument(c card.Card, mobile string) string {
	return "Visa Secure: mobilnummer til engangskoder\nKort: " + c.ID + "\nKortnummer: " + c.Masked() +
		"\nKortholder: " + c.HolderName + "\nMobilnummer: " + mobile +
		"\n\nEngangskoder til køb på nettet hos forretninger med Visa Secure sendes til dette nummer."
}

// handleCardMobile checks the number and asks the user to sign it.
func (s *Server) handleCardMobile(w http.ResponseWriter, r *http.Request) {
	c, err := s.loadCard(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	typed := cleanField(r.PostFormValue("mobile"), 30)
	m, err := card.NormalizeMobile(typed)
	if err == nil && c.Status.Final() {
		err = netbank.Errorf(netbank.EINVALID, "Kortet kan ikke bruges længere.")
	}
	if err != nil {
		s.cardRefusal(w, r, c, err, typed)
		return
	}
	s.beginSigning(w, r, signKindCardMobile, cardMobileDocument(c, m))
}

// cardMobileOf reads card id and number from a signed registration.
func cardMobileOf(document string) (cardID, mobile string, ok bool) {
	_, body, found := strings.Cut(document, "\n\n")
	if !found || !strings.HasPrefix(body, "Visa Secure: mobilnummer til engangskoder\n") {
		return "", "", false
	}
	for line := range strings.SplitSeq(body, "\n") {
		if v, ok := strings.CutPrefix(line, "Kort: "); ok {
			cardID = v
		}
		if v, ok := strings.CutPrefix(line, "Mobilnummer: "); ok {
			mobile = v
		}
	}
	return cardID, mobile, cardID != "" && mobile != ""
}

// cardMobileSigned registers the number a signed document names, after
// checking that the card is the customer's and the document exactly the
// bank's text for it.
func (s *Server) cardMobileSigned(w http.ResponseWriter, r *http.Request, doc identity.SignedDocument) (string, error) {
	p := PrincipalOf(r)
	if s.cards == nil {
		return "", netbank.Errorf(netbank.EUNAVAILABLE, "web: net bank without cards")
	}
	// The profile is checked again: the signing step is its own request.
	if err := mayChangeCards(p); err != nil {
		return "", err
	}
	id, mobile, ok := cardMobileOf(doc.Document)
	if !ok {
		return "", netbank.Errorf(netbank.EINVALID, "web: signed document %s names no card and number", doc.ID)
	}
	c, err := s.cards.Get(r.Context(), p.Customer.ID, id)
	if err != nil {
		return "", err
	}
	if _, body, _ := strings.Cut(doc.Document, "\n\n"); body != signCanonical(cardMobileDocument(c, mobile)) {
		return "", netbank.Errorf(netbank.ECONFLICT, "web: signed document %s is not the registration text of card %s", doc.ID, c.ID)
	}
	if _, err := s.cards.SetMobile(r.Context(), p.Customer.ID, c.ID, mobile, cardActor(r, p)); err != nil {
		return "", err
	}
	return "/netbank/kort/" + url.PathEscape(c.ID) + "?besked=mobil", nil
}

// handleCardMobileRemove removes the Visa Secure number.
func (s *Server) handleCardMobileRemove(w http.ResponseWriter, r *http.Request) {
	c, err := s.loadCard(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	p := PrincipalOf(r)
	if _, err := s.cards.RemoveMobile(r.Context(), p.Customer.ID, c.ID, cardActor(r, p)); err != nil {
		s.cardRefusal(w, r, c, err, "")
		return
	}
	http.Redirect(w, r, "/netbank/kort/"+url.PathEscape(c.ID)+"?besked=mobilfjernet", http.StatusSeeOther)
}

// nbCardBlockView is the Data of nb_card_block.
type nbCardBlockView struct {
	Cards   []cardRow
	Reasons []cardReasonOption
	// Blocked is the card just blocked, for the confirmation (reason and
	// time, CARD-14); ReplaceURL orders its new card, when the holder can
	// (CARD-17).
	Blocked    *cardRow
	ReplaceURL string
	Error      string
}

// cardBlockView lists the cards the customer can block.
func (s *Server) cardBlockView(r *http.Request) (nbCardBlockView, error) {
	p := PrincipalOf(r)
	cards, err := s.cards.List(r.Context(), p.Customer.ID)
	if err != nil {
		return nbCardBlockView{}, err
	}
	var v nbCardBlockView
	for _, c := range cards {
		if canBlock(c) {
			v.Cards = append(v.Cards, s.cardRow(c, p.Customer.ID))
		}
	}
	for _, reason := range card.HolderReasons {
		v.Reasons = append(v.Reasons, cardReasonOption{Value: string(reason), Key: "card.reason." + string(reason)})
	}
	return v, nil
}

// handleCardBlockPage draws "Spær kort", or the confirmation of a block
// just made (?spaerret=<card>).
func (s *Server) handleCardBlockPage(w http.ResponseWriter, r *http.Request) {
	v, err := s.cardBlockView(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if id := r.URL.Query().Get("spaerret"); id != "" {
		p := PrincipalOf(r)
		c, err := s.cards.Get(r.Context(), p.Customer.ID, id)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		if c.Status == card.Blocked {
			row := s.cardRow(c, p.Customer.ID)
			v.Blocked = &row
			if _, err := card.ReplacementFor(c); err == nil {
				v.ReplaceURL = row.URL + "/nytkort"
			}
		}
	}
	s.Render(w, r, http.StatusOK, "nb_card_block", v)
}

// handleCardBlock blocks a card at once for the holder's reason (CARD-14).
func (s *Server) handleCardBlock(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	c, err := s.loadCard(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	reason := card.BlockReason(r.PostFormValue("reason"))
	if !reason.ByHolder() {
		v, err := s.cardBlockView(r)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		v.Error = T(LangOf(r), "card.block.err.reason")
		s.Render(w, r, http.StatusUnprocessableEntity, "nb_card_block", v)
		return
	}
	if _, err := s.cards.Block(r.Context(), p.Customer.ID, c.ID, reason, cardActor(r, p)); err != nil {
		if _, msg, ok := userError(err); ok {
			v, err2 := s.cardBlockView(r)
			if err2 != nil {
				s.Error(w, r, err2)
				return
			}
			v.Error = msg
			s.Render(w, r, http.StatusUnprocessableEntity, "nb_card_block", v)
			return
		}
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/netbank/spaerring/kort?spaerret="+url.QueryEscape(c.ID), http.StatusSeeOther)
}

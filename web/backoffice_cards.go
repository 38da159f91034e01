package web

// Cards in the back office (package card), for support:
//
//	GET|POST /backoffice/kort                  find a customer (name, CPR, CVR, id) or a card by its full number;
//	                                           the search posts, so CPR and card numbers stay out of URLs and logs
//	GET  /backoffice/kunder/{id}/kort          the customer's cards (owned and held) with their actions,
//	                                           and the form to issue a card on one of the customer's accounts
//	POST /backoffice/kort/udsted               card.Issue → the PIN letter and the card's production data, once
//	POST /backoffice/kort/{id}/spaer           card.Block, for the holder's reasons (a call) or the bank's (CARD-15)
//	POST /backoffice/kort/{id}/ophaev          card.Unblock (the bank's reasons only)
//	POST /backoffice/kort/{id}/erstat          card.Replace (CARD-17) → the letter
//	POST /backoffice/kort/{id}/forny           card.Renew (CARD-13): same PIN → the production data
//	POST /backoffice/kort/{id}/opsig           card.Terminate: the cardholder's notice or the bank's (CARD-18)
//	POST /backoffice/kort/{id}/pinkode         card.SetPIN → a new PIN letter
//	POST /backoffice/kort/{id}/fuldmagt        card.RevokeProxy: the proxy holder's cards on the account (CARD-12)
//
// Every action is audited by the card service with the staff member as the
// actor; a look-up by card number is recorded here.

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/cardsec"
	"github.com/netbank/netbank/identity"
)

// registerCards adds the card pages to the back office.
func (b *backoffice) registerCards() {
	s := b.s
	support := func(h http.HandlerFunc) http.Handler { return s.RequireStaff(identity.RoleSupport, b.needCards(h)) }
	s.Handle("GET /backoffice/kort", support(b.cardSearch))
	s.Handle("POST /backoffice/kort", support(b.cardSearch))
	s.Handle("GET /backoffice/kunder/{id}/kort", support(b.customerCards))
	s.Handle("POST /backoffice/kort/udsted", support(b.issueCard))
	s.Handle("POST /backoffice/kort/{id}/spaer", support(b.blockCard))
	s.Handle("POST /backoffice/kort/{id}/ophaev", support(b.unblockCard))
	s.Handle("POST /backoffice/kort/{id}/erstat", support(b.replaceCard))
	s.Handle("POST /backoffice/kort/{id}/forny", support(b.renewCard))
	s.Handle("POST /backoffice/kort/{id}/opsig", support(b.terminateCard))
	s.Handle("POST /backoffice/kort/{id}/pinkode", support(b.newCardPIN))
	s.Handle("POST /backoffice/kort/{id}/fuldmagt", support(b.revokeProxy))
}

// needCards answers 404 when the server has no card service.
func (b *backoffice) needCards(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if b.s.cards == nil || b.s.identity == nil {
			b.s.NotFound(w, r)
			return
		}
		h(w, r)
	}
}

// cardActor is the staff member of the request as the card service names them.
func (b *backoffice) cardActor(r *http.Request) card.Actor {
	a := b.actor(r)
	return card.Actor{ID: a.ID, Kind: audit.ActorStaff, IP: a.IP}
}

// boOption is one option of a select.
type boOption struct{ Value, Label string }

// boCardRow is one card on the customer's card page.
type boCardRow struct {
	ID, TypeName, Masked, Expiry         string
	Holder, HolderID, OwnerID, Account   string
	Status, StatusKey, Tone              string
	BlockReasonKey, BlockedAt, BlockedBy string
	Issued, Activated, FeePaidUntil      string
	Terminates, TerminatesBy             string
	ReplacedBy, Replaces                 string
	Mobile                               string
	Proxy, Enrolled, PINLocked           bool
	// ReplaceReasons are the replacement reasons that fit the card.
	ReplaceReasons []boOption
	// What staff may do with it now.
	CanBlock, CanUnblock, CanReplace, CanRenew, CanTerminate, CanPIN, CanRevokeProxy bool
}

// boCardsView is the Data of bo_cards: the search, or one customer's cards.
type boCardsView struct {
	boBase
	Query    string
	Searched bool
	Results  []boCustomerRow
	More     bool
	// Customer is the customer whose cards are shown (nil: the search).
	Customer *boCustomerRow
	Cards    []boCardRow
	// The issue form: the customer's kroner accounts, the card types.
	Accounts []boOption
	Types    []boOption
	Form     boIssueForm
	// The reasons staff may give.
	HolderReasons, BankReasons []boOption
	// Notice is the catalog key of a flash (?besked=); Error a refusal
	// (Danish, from the card service).
	Notice string
	Error  string
}

// boIssueForm is the issue form as typed.
type boIssueForm struct{ Account, Holder, Type, Mobile string }

// boCardNotices are the flashes ?besked= may ask for.
var boCardNotices = map[string]string{
	"spaerret":   "bo.cards.notice.blocked",
	"ophaevet":   "bo.cards.notice.unblocked",
	"opsagt":     "bo.cards.notice.terminated",
	"fuldmagt":   "bo.cards.notice.proxy",
	"fuldmagt-0": "bo.cards.notice.proxy.none",
}

// cardSearch draws the search, and finds a card by number or customers by
// name, CPR, CVR or id.
func (b *backoffice) cardSearch(w http.ResponseWriter, r *http.Request) {
	v := boCardsView{boBase: b.base(r, "cards"), Query: strings.TrimSpace(r.FormValue("q"))}
	if v.Query != "" {
		if digits := strings.ReplaceAll(v.Query, " ", ""); cardsec.ValidPAN(digits) {
			c, err := b.s.cards.ByPAN(r.Context(), digits)
			switch netbank.ErrorCodeOf(err) {
			case "":
				if err := b.record(r, "backoffice.card_lookup", c.ID, nil); err != nil {
					b.s.Error(w, r, err)
					return
				}
				http.Redirect(w, r, boCustomerCardsPath(c.CustomerID)+"#kort-"+c.ID, http.StatusSeeOther)
				return
			case netbank.ENOTFOUND:
				v.Searched = true
				b.s.Render(w, r, http.StatusOK, "bo_cards", v)
				return
			default:
				b.s.Error(w, r, err)
				return
			}
		}
		found, err := b.search(r.Context(), v.Query)
		if err != nil {
			b.s.Error(w, r, err)
			return
		}
		v.Searched = true
		if len(found) > boSearchLimit {
			found, v.More = found[:boSearchLimit], true
		}
		for _, c := range found {
			v.Results = append(v.Results, boRow(c, false))
		}
	}
	b.s.Render(w, r, http.StatusOK, "bo_cards", v)
}

// boCustomerCardsPath is a customer's card page.
func boCustomerCardsPath(customerID string) string {
	return boPath + "/kunder/" + url.PathEscape(customerID) + "/kort"
}

// customerCards draws a customer's cards.
func (b *backoffice) customerCards(w http.ResponseWriter, r *http.Request) {
	b.renderCustomerCards(w, r, http.StatusOK, r.PathValue("id"), boCardsView{Notice: boCardNotices[r.URL.Query().Get("besked")]})
}

// renderCustomerCards draws customerID's card page with v's notice, error
// and form.
func (b *backoffice) renderCustomerCards(w http.ResponseWriter, r *http.Request, status int, customerID string, v boCardsView) {
	ctx := r.Context()
	cust, err := b.s.identity.Customer(ctx, customerID)
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	v.boBase = b.base(r, "cards")
	row := boRow(cust, false)
	v.Customer = &row
	cards, err := b.s.cards.List(ctx, cust.ID)
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	now, lang := b.s.clock.Now(), LangOf(r)
	for _, c := range cards {
		row := b.cardRow(c, now)
		for _, reason := range card.ReplaceReasons {
			if (reason == card.ReplaceBlocked) == (c.Status == card.Blocked) {
				row.ReplaceReasons = append(row.ReplaceReasons, boOption{Value: string(reason), Label: T(lang, "bo.cards.replace."+string(reason))})
			}
		}
		v.Cards = append(v.Cards, row)
	}
	if b.s.accounts != nil {
		accounts, err := b.s.accounts.List(ctx, cust.ID)
		if err != nil {
			b.s.Error(w, r, err)
			return
		}
		for _, a := range accounts {
			if a.Account.Currency == "DKK" && a.ClosedAt.IsZero() {
				v.Accounts = append(v.Accounts, boOption{Value: a.Account.ID, Label: a.Display() + " – " + a.Name})
			}
		}
	}
	for _, t := range card.Types {
		v.Types = append(v.Types, boOption{Value: string(t), Label: t.Danish()})
	}
	for _, reason := range card.HolderReasons {
		v.HolderReasons = append(v.HolderReasons, boOption{Value: string(reason), Label: T(lang, "card.reason."+string(reason))})
	}
	for _, reason := range card.BankReasons {
		v.BankReasons = append(v.BankReasons, boOption{Value: string(reason), Label: T(lang, "card.reason."+string(reason))})
	}
	b.s.Render(w, r, status, "bo_cards", v)
}

// cardRow is a card as the back office lists it, with what staff may do.
func (b *backoffice) cardRow(c card.Card, now time.Time) boCardRow {
	row := boCardRow{ID: c.ID, TypeName: c.Type.Danish(), Masked: c.Masked(), Expiry: c.ExpiryText(), Holder: c.HolderName,
		HolderID: c.HolderCustomerID, OwnerID: c.CustomerID, Account: strings.Replace(c.AccountID, "-", " ", 1),
		Status: string(c.Status), StatusKey: "card.status." + string(c.Status), Tone: boCardTone(c.Status),
		Issued: b.date(c.IssuedAt), Activated: b.date(c.ActivatedAt), ReplacedBy: c.ReplacedBy, Replaces: c.Replaces,
		Mobile: card.MaskMobile(c.MobileNumber), Proxy: c.Proxy, Enrolled: c.VisaSecureEnrolled, PINLocked: c.PINLocked}
	if !c.AnnualFeePaidUntil.IsZero() {
		row.FeePaidUntil = b.date(c.AnnualFeePaidUntil.AddDate(0, 0, -1)) // the paid year's last day
	}
	if c.Status == card.Blocked {
		row.BlockReasonKey, row.BlockedAt, row.BlockedBy = "card.reason."+string(c.BlockReason), b.dateTime(c.BlockedAt), c.BlockedBy
	}
	if !c.TerminatesAt.IsZero() {
		row.Terminates = b.date(c.TerminatesAt.Add(-1))
		row.TerminatesBy = "bo.cards.terminate.bank"
		if c.TerminatedByHolder {
			row.TerminatesBy = "bo.cards.terminate.holder"
		}
	}
	final := c.Status.Final()
	row.CanBlock = !final && (c.Status != card.Blocked || !c.BlockReason.Final())
	row.CanUnblock = c.Status == card.Blocked && !c.BlockReason.Final() && c.ReplacedBy == ""
	row.CanReplace = !final && c.ReplacedBy == "" && c.TerminatesAt.IsZero()
	row.CanRenew = c.Live() && c.ReplacedBy == "" && c.TerminatesAt.IsZero() && now.Before(c.ExpiresAt)
	row.CanTerminate = !final && c.TerminatesAt.IsZero()
	row.CanPIN = !final
	row.CanRevokeProxy = c.Proxy && !final && c.BlockReason != card.ReasonProxyRevoked
	return row
}

// boCardTone is the back office's status colour of a card.
func boCardTone(st card.Status) string {
	switch st {
	case card.Active:
		return "ok"
	case card.Ordered:
		return "wait"
	case card.Blocked:
		return "bad"
	}
	return "off"
}

// formCustomer is the customer page to return to after an action on c: the
// page's customer (form field "kunde") when it is the card's owner or
// holder, else the owner.
func formCustomer(r *http.Request, c card.Card) string {
	if k := r.PostFormValue("kunde"); k != "" && (k == c.CustomerID || k == c.HolderCustomerID) {
		return k
	}
	return c.CustomerID
}

// actionCard reads the card of an action's path.
func (b *backoffice) actionCard(w http.ResponseWriter, r *http.Request) (card.Card, bool) {
	id := r.PathValue("id")
	if len(id) > 64 || !strings.HasPrefix(id, "crd_") {
		b.s.NotFound(w, r)
		return card.Card{}, false
	}
	c, err := b.s.cards.Card(r.Context(), id)
	if err != nil {
		b.s.Error(w, r, err)
		return card.Card{}, false
	}
	return c, true
}

// cardDone ends an action: back to the customer's card page with a flash,
// or the page again with the refusal of the card service.
func (b *backoffice) cardDone(w http.ResponseWriter, r *http.Request, c card.Card, err error, notice string) {
	customer := formCustomer(r, c)
	if err != nil {
		if status, msg, ok := userError(err); ok && netbank.ErrorCodeOf(err) != netbank.EFORBIDDEN {
			b.renderCustomerCards(w, r, status, customer, boCardsView{Error: msg})
			return
		}
		if netbank.ErrorCodeOf(err) == netbank.ECONFLICT || netbank.ErrorCodeOf(err) == netbank.EINSUFFICIENT {
			b.renderCustomerCards(w, r, http.StatusConflict, customer, boCardsView{Error: netbank.ErrorMessageOf(err)})
			return
		}
		b.s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, boCustomerCardsPath(customer)+"?besked="+url.QueryEscape(notice)+"#kort-"+c.ID, http.StatusSeeOther)
}

// issueCard issues a card on one of the customer's accounts. The holder is
// the customer, or another customer named by customer id or CPR number (a
// proxy holder, a child).
func (b *backoffice) issueCard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	customerID := r.PostFormValue("kunde")
	f := boIssueForm{Account: r.PostFormValue("account"), Holder: cleanField(r.PostFormValue("holder"), 40),
		Type: r.PostFormValue("type"), Mobile: cleanField(r.PostFormValue("mobile"), 30)}
	fail := func(status int, msg string) {
		b.renderCustomerCards(w, r, status, customerID, boCardsView{Form: f, Error: msg})
	}
	if _, err := b.s.identity.Customer(ctx, customerID); err != nil {
		b.s.Error(w, r, err)
		return
	}
	holderID := customerID
	if f.Holder != "" {
		if _, err := identity.ParseCPR(f.Holder); err == nil {
			h, err := b.s.identity.CustomerByCPR(ctx, f.Holder)
			if err != nil {
				if netbank.ErrorCodeOf(err) == netbank.ENOTFOUND {
					fail(http.StatusUnprocessableEntity, T(LangOf(r), "bo.cards.err.holder"))
					return
				}
				b.s.Error(w, r, err)
				return
			}
			holderID = h.ID
		} else {
			holderID = f.Holder
		}
	}
	iss, err := b.s.cards.Issue(ctx, card.IssueRequest{CustomerID: customerID, AccountID: f.Account, HolderCustomerID: holderID,
		Type: card.Type(f.Type), MobileNumber: f.Mobile, By: b.cardActor(r)})
	if err != nil {
		if _, msg, ok := userError(err); ok && netbank.ErrorCodeOf(err) != netbank.EFORBIDDEN {
			fail(http.StatusUnprocessableEntity, msg)
			return
		}
		if netbank.ErrorCodeOf(err) == netbank.EINSUFFICIENT {
			fail(http.StatusConflict, netbank.ErrorMessageOf(err))
			return
		}
		b.s.Error(w, r, err)
		return
	}
	b.cardLetter(w, r, customerID, iss, "issued")
}

// blockCard blocks a card for the reason chosen (the holder's, told on the
// phone, or the bank's).
func (b *backoffice) blockCard(w http.ResponseWriter, r *http.Request) {
	c, ok := b.actionCard(w, r)
	if !ok {
		return
	}
	_, err := b.s.cards.Block(r.Context(), "", c.ID, card.BlockReason(r.PostFormValue("reason")), b.cardActor(r))
	b.cardDone(w, r, c, err, "spaerret")
}

// unblockCard lifts a block the bank made.
func (b *backoffice) unblockCard(w http.ResponseWriter, r *http.Request) {
	c, ok := b.actionCard(w, r)
	if !ok {
		return
	}
	_, err := b.s.cards.Unblock(r.Context(), c.ID, b.cardActor(r))
	b.cardDone(w, r, c, err, "ophaevet")
}

// replaceCard replaces a card (CARD-17) and shows the new card's letter.
func (b *backoffice) replaceCard(w http.ResponseWriter, r *http.Request) {
	c, ok := b.actionCard(w, r)
	if !ok {
		return
	}
	iss, err := b.s.cards.Replace(r.Context(), c.ID, card.ReplaceReason(r.PostFormValue("reason")), b.cardActor(r))
	if err != nil {
		b.cardDone(w, r, c, err, "")
		return
	}
	b.cardLetter(w, r, formCustomer(r, c), iss, "replaced")
}

// renewCard issues a card's renewal now (CARD-13); it keeps the PIN, so
// only the production data is shown.
func (b *backoffice) renewCard(w http.ResponseWriter, r *http.Request) {
	c, ok := b.actionCard(w, r)
	if !ok {
		return
	}
	iss, err := b.s.cards.Renew(r.Context(), c.ID, b.cardActor(r))
	if err != nil {
		b.cardDone(w, r, c, err, "")
		return
	}
	b.cardLetter(w, r, formCustomer(r, c), iss, "renewed")
}

// terminateCard terminates a card agreement: the cardholder's notice
// (by=holder, a month) or the bank's (two months), CARD-18.
func (b *backoffice) terminateCard(w http.ResponseWriter, r *http.Request) {
	c, ok := b.actionCard(w, r)
	if !ok {
		return
	}
	by := r.PostFormValue("by")
	if by != "holder" && by != "bank" {
		b.cardDone(w, r, c, netbank.Errorf(netbank.EINVALID, "%s", T(LangOf(r), "bo.cards.err.terminate")), "")
		return
	}
	_, err := b.s.cards.Terminate(r.Context(), "", c.ID, by == "holder", b.cardActor(r))
	b.cardDone(w, r, c, err, "opsagt")
}

// newCardPIN gives a card a new PIN and shows the PIN letter.
func (b *backoffice) newCardPIN(w http.ResponseWriter, r *http.Request) {
	c, ok := b.actionCard(w, r)
	if !ok {
		return
	}
	pin, err := b.s.cards.SetPIN(r.Context(), c.ID, "", b.cardActor(r))
	if err != nil {
		b.cardDone(w, r, c, err, "")
		return
	}
	if c, err = b.s.cards.Card(r.Context(), c.ID); err != nil {
		b.s.Error(w, r, err)
		return
	}
	b.cardLetter(w, r, formCustomer(r, c), card.Issued{Card: c, PIN: pin}, "pin")
}

// revokeProxy registers that the owner revoked the proxy of a card's
// holder on the card's account: the holder's cards there are blocked.
func (b *backoffice) revokeProxy(w http.ResponseWriter, r *http.Request) {
	c, ok := b.actionCard(w, r)
	if !ok {
		return
	}
	if !c.Proxy {
		b.cardDone(w, r, c, netbank.Errorf(netbank.EINVALID, "%s", T(LangOf(r), "bo.cards.err.notproxy")), "")
		return
	}
	n, err := b.s.cards.RevokeProxy(r.Context(), c.AccountID, c.HolderCustomerID, b.cardActor(r))
	notice := "fuldmagt"
	if n == 0 {
		notice = "fuldmagt-0"
	}
	b.cardDone(w, r, c, err, notice)
}

// boCardLetterView is the Data of bo_card_letter: the PIN letter to the
// holder and, on screen only, the card's production data.
type boCardLetterView struct {
	boBase
	CustomerID string
	CardID     string
	// Kind is issued, replaced, renewed or pin.
	Kind                    string
	To                      boRecipient
	TypeName, Masked, Last4 string
	Expiry                  string
	PIN                     string
	// PAN and CVV2 are for the card's production (not printed in the letter).
	PAN, CVV2, HolderName string
	Date                  string
}

// cardLetter draws the letter of a new card or PIN. The PIN, the number
// and the CVV2 are on it once: the bank keeps none of them in clear.
func (b *backoffice) cardLetter(w http.ResponseWriter, r *http.Request, customerID string, iss card.Issued, kind string) {
	holder, err := b.s.identity.Customer(r.Context(), iss.Card.HolderCustomerID)
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	c := iss.Card
	v := boCardLetterView{boBase: b.base(r, "cards"), CustomerID: customerID, CardID: c.ID, Kind: kind,
		To:       boRecipient{Name: c.HolderName, Address: holder.Address, Postcode: holder.Postcode, City: holder.City},
		TypeName: c.Type.Danish(), Masked: c.Masked(), Last4: c.Last4, Expiry: c.ExpiryText(), PIN: iss.PIN,
		PAN: groupPAN(iss.PAN), CVV2: iss.CVV2, HolderName: c.HolderName, Date: b.date(b.s.clock.Now())}
	b.s.Render(w, r, http.StatusOK, "bo_card_letter", v)
}

// groupPAN writes a card number in groups of four, as it is embossed.
func groupPAN(pan string) string {
	var sb strings.Builder
	for i := 0; i < len(pan); i++ {
		if i > 0 && i%4 == 0 {
			sb.WriteByte(' ')
		}
		sb.WriteByte(pan[i])
	}
	return sb.String()
}

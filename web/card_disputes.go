package web

// Disputes of card transactions in the net bank (package card,
// dispute.go; RULES DISP-1…DISP-4):
//
//	GET  /netbank/kort/{id}/indsigelse          the card's debited transactions, each with "Gør indsigelse"
//	                                            or the dispute made of it
//	GET  /netbank/kort/{id}/indsigelse/{auth}   the dispute form: the three cases, each with its deadline
//	POST /netbank/kort/{id}/indsigelse/{auth}   card.Disputes.OpenDispute → "Mine indsigelser"
//	GET  /netbank/indsigelser                   "Mine indsigelser": status of each dispute
//	GET  /netbank/indsigelser/{id}              one dispute: what was filed, credited and decided
//
// Who sees what: the cardholder and the account's owner, as for the card
// (cards.go); any other card, transaction or dispute is "not found" (404).
// A business user needs the profile's "see" permission to see, and
// "create" to file a dispute (BIZ-5).
//
// Filing is not signed: a dispute moves money only onto the customer's own
// account, and the bank decides it; the customer's statement is the
// description. A late dispute is refused on the form with the rule's
// reason (liability.CheckDeadline).

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/liability"
)

// registerDisputes adds the dispute pages of the net bank and the back
// office.
func (s *Server) registerDisputes(log AuditLog) {
	user := func(h http.HandlerFunc) http.Handler { return s.RequireUser(s.needCards(s.needDisputes(h))) }
	s.Handle("GET /netbank/kort/{id}/indsigelse", user(s.handleCardDisputeTransactions))
	s.Handle("GET /netbank/kort/{id}/indsigelse/{auth}", user(s.handleCardDisputeForm))
	s.Handle("POST /netbank/kort/{id}/indsigelse/{auth}", user(s.handleCardDisputeOpen))
	s.Handle("GET /netbank/indsigelser", user(s.handleDisputes))
	s.Handle("GET /netbank/indsigelser/{id}", user(s.handleDispute))
	(&backoffice{s: s, audit: log}).registerDisputes()
}

// needDisputes answers 404 without the dispute service.
func (s *Server) needDisputes(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.disputes == nil {
			s.NotFound(w, r)
			return
		}
		h(w, r)
	}
}

// disputeCases are the cases in the order the form offers them.
var disputeCases = []liability.Case{liability.UnknownAmount, liability.DistancePurchase, liability.NotApproved}

// disputeStatusTone is the pill colour of a dispute's status.
func disputeStatusTone(st card.DisputeStatus) string {
	switch st {
	case card.DisputeFounded:
		return "ok"
	case card.DisputeUnfounded:
		return "off"
	}
	return "wait"
}

// disputeMoney formats øre as kroner.
func disputeMoney(ore int64) string { return netbank.NewMoney(ore, "DKK").String() }

// disputeTxRow is one debited transaction on the card's dispute page.
type disputeTxRow struct {
	ID, Date, Merchant, Amount string
	// Original is the foreign amount ("" for kroner); Cash marks a
	// withdrawal.
	Original string
	Cash     bool
	// FormURL files a dispute; DisputeURL and StatusKey name the one
	// made already.
	FormURL, DisputeURL, StatusKey, Tone string
}

// disputeTxRow builds a transaction's row.
func (s *Server) disputeTxRow(c card.Card, t card.CardTransaction) disputeTxRow {
	row := disputeTxRow{ID: t.ID, Date: s.nbMinute(t.CreatedAt), Merchant: disputeMerchant(t.MerchantName, t.MerchantCity),
		Amount: disputeMoney(t.AmountDKK), Cash: t.Cash,
		FormURL: "/netbank/kort/" + url.PathEscape(c.ID) + "/indsigelse/" + url.PathEscape(t.ID)}
	if t.Currency != "" && t.Currency != "DKK" {
		row.Original = netbank.NewMoney(t.Amount, t.Currency).String()
	}
	if d := t.Dispute; d != nil {
		row.DisputeURL, row.StatusKey, row.Tone = disputeURL(d.ID), "disp.status."+string(d.Status), disputeStatusTone(d.Status)
	}
	return row
}

// disputeMerchant is a merchant's name and city as the pages show them.
func disputeMerchant(name, city string) string {
	return card.Dispute{MerchantName: name, MerchantCity: city}.Merchant()
}

// disputeURL is a dispute's page in the net bank.
func disputeURL(id string) string { return "/netbank/indsigelser/" + url.PathEscape(id) }

// nbCardDisputeTxView is the Data of nb_card_dispute_tx.
type nbCardDisputeTxView struct {
	Card cardRow
	Rows []disputeTxRow
}

// handleCardDisputeTransactions lists the card's debited transactions.
func (s *Server) handleCardDisputeTransactions(w http.ResponseWriter, r *http.Request) {
	c, err := s.loadCard(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	p := PrincipalOf(r)
	txs, err := s.disputes.Transactions(r.Context(), p.Customer.ID, c.ID, 100)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := nbCardDisputeTxView{Card: s.cardRow(c, p.Customer.ID)}
	for _, t := range txs {
		v.Rows = append(v.Rows, s.disputeTxRow(c, t))
	}
	s.Render(w, r, http.StatusOK, "nb_card_dispute_tx", v)
}

// disputeCaseOption is one case of the dispute form with its deadline.
type disputeCaseOption struct {
	Value    string
	Rule     string
	TitleKey string
	HintKey  string
	// LastDay is the case's last day counted from the debit (for DISP-2,
	// the earliest it can be); Late is set when that day has passed (for
	// DISP-2 only a later awareness can still make it in time).
	LastDay string
	Late    bool
	Checked bool
}

// disputeForm is the dispute form as typed.
type disputeForm struct {
	Case, Aware, Description string
	Contacted                bool
}

// nbCardDisputeView is the Data of nb_card_dispute.
type nbCardDisputeView struct {
	Card  cardRow
	Tx    disputeTxRow
	Cases []disputeCaseOption
	Form  disputeForm
	// Max is the longest description.
	Max int
	// Error is a refusal (Danish, from the dispute service).
	Error string
}

// loadDisputeTransaction reads the card and the transaction of the path,
// if the customer may see them and the transaction is the card's.
func (s *Server) loadDisputeTransaction(r *http.Request) (card.Card, card.CardTransaction, error) {
	c, err := s.loadCard(r)
	if err != nil {
		return card.Card{}, card.CardTransaction{}, err
	}
	id := r.PathValue("auth")
	if len(id) > 64 || !strings.HasPrefix(id, "aut_") {
		return card.Card{}, card.CardTransaction{}, netbank.Errorf(netbank.ENOTFOUND, "Betalingen findes ikke.")
	}
	t, tc, err := s.disputes.Transaction(r.Context(), PrincipalOf(r).Customer.ID, id)
	if err != nil {
		return card.Card{}, card.CardTransaction{}, err
	}
	if tc.ID != c.ID {
		return card.Card{}, card.CardTransaction{}, netbank.Errorf(netbank.ENOTFOUND, "Betalingen findes ikke.")
	}
	return c, t, nil
}

// disputeView builds the dispute form.
func (s *Server) disputeView(r *http.Request, c card.Card, t card.CardTransaction, f disputeForm) nbCardDisputeView {
	now := s.clock.Now()
	v := nbCardDisputeView{Card: s.cardRow(c, PrincipalOf(r).Customer.ID), Tx: s.disputeTxRow(c, t), Form: f, Max: card.MaxDisputeText}
	for _, k := range disputeCases {
		deadline := liability.DisputeDeadline(k, t.CreatedAt, time.Time{})
		v.Cases = append(v.Cases, disputeCaseOption{Value: string(k), Rule: k.Rule(), TitleKey: "disp.case." + string(k),
			HintKey: "disp.case." + string(k) + ".hint", LastDay: liability.DisputeLastDay(k, t.CreatedAt, time.Time{}).Format("02.01.2006"),
			Late: !now.Before(deadline), Checked: f.Case == string(k)})
	}
	return v
}

// handleCardDisputeForm draws the dispute form, or the dispute made of
// the transaction already.
func (s *Server) handleCardDisputeForm(w http.ResponseWriter, r *http.Request) {
	c, t, err := s.loadDisputeTransaction(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if t.Dispute != nil {
		http.Redirect(w, r, disputeURL(t.Dispute.ID), http.StatusSeeOther)
		return
	}
	s.Render(w, r, http.StatusOK, "nb_card_dispute", s.disputeView(r, c, t, disputeForm{}))
}

// handleCardDisputeOpen files the dispute (DISP-1…DISP-3) and credits the
// amount while the bank investigates (DISP-4).
func (s *Server) handleCardDisputeOpen(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if p.User.Kind == identity.BusinessUser && !p.User.Can(identity.PermCreate) {
		s.Error(w, r, netbank.Errorf(netbank.EFORBIDDEN, "the user's profile does not allow disputes"))
		return
	}
	c, t, err := s.loadDisputeTransaction(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	f := disputeForm{Case: r.PostFormValue("case"), Aware: cleanField(r.PostFormValue("aware"), 20),
		Description: canonicalText(r.PostFormValue("description")), Contacted: r.PostFormValue("contacted") == "1"}
	refuse := func(status int, msg string) {
		v := s.disputeView(r, c, t, f)
		v.Error = msg
		s.Render(w, r, status, "nb_card_dispute", v)
	}
	req := card.DisputeRequest{AuthorizationID: t.ID, Case: liability.Case(f.Case), MerchantContacted: f.Contacted,
		Description: f.Description, By: cardActor(r, p)}
	if req.Case == liability.DistancePurchase && f.Aware != "" {
		d, ok := parseDanishDate(f.Aware)
		if !ok {
			refuse(http.StatusBadRequest, T(LangOf(r), "disp.form.err.aware"))
			return
		}
		req.AwareAt = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, s.zone)
	}
	d, err := s.disputes.OpenDispute(r.Context(), p.Customer.ID, req)
	if err != nil {
		if status, msg, ok := userError(err); ok && netbank.ErrorCodeOf(err) == netbank.EINVALID {
			refuse(status, msg)
			return
		}
		if netbank.ErrorCodeOf(err) == netbank.ECONFLICT {
			refuse(http.StatusConflict, netbank.ErrorMessageOf(err))
			return
		}
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, disputeURL(d.ID)+"?besked=oprettet", http.StatusSeeOther)
}

// disputeRow is one dispute as the net bank shows it.
type disputeRow struct {
	ID, URL, Opened, Debited, Merchant, Amount string
	CaseKey, Rule                              string
	Status, StatusKey, Tone                    string
	Card                                       string
}

func (s *Server) disputeRow(d card.Dispute) disputeRow {
	return disputeRow{ID: d.ID, URL: disputeURL(d.ID), Opened: s.nbDate(d.OpenedAt), Debited: s.nbDate(d.DebitedAt),
		Merchant: d.Merchant(), Amount: disputeMoney(d.Amount), CaseKey: "disp.case." + string(d.Case), Rule: d.Case.Rule(),
		Status: string(d.Status), StatusKey: "disp.status." + string(d.Status), Tone: disputeStatusTone(d.Status),
		Card: d.CardType.Danish() + " •• " + d.CardLast4}
}

// nbDisputesView is the Data of nb_card_disputes.
type nbDisputesView struct {
	Rows []disputeRow
}

// handleDisputes lists the customer's disputes ("Mine indsigelser").
func (s *Server) handleDisputes(w http.ResponseWriter, r *http.Request) {
	list, err := s.disputes.List(r.Context(), PrincipalOf(r).Customer.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var v nbDisputesView
	for _, d := range list {
		v.Rows = append(v.Rows, s.disputeRow(d))
	}
	s.Render(w, r, http.StatusOK, "nb_card_disputes", v)
}

// nbDisputeView is the Data of nb_card_dispute_case.
type nbDisputeView struct {
	disputeRow
	Description, Original, LastDay, Aware, Credited string
	Contacted                                       bool
	// The decision, once made.
	Decided, Founded                        bool
	DecidedAt, Note                         string
	LiabilityClause, LiabilityReason        string
	Debit, Interest, Fee, InterestRate      string
	InterestDays                            int
	HasDebit, HasInterest, HasFee, IsMisuse bool
	Notice                                  string
}

// handleDispute draws one dispute.
func (s *Server) handleDispute(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	d, err := s.disputes.Get(r.Context(), PrincipalOf(r).Customer.ID, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := nbDisputeView{disputeRow: s.disputeRow(d), Description: d.Description, LastDay: d.LastDay.Format("02.01.2006"),
		Aware: s.nbDate(d.AwareAt), Credited: s.nbDate(d.CreditedAt), Contacted: d.MerchantContacted, Decided: d.Status.Decided(),
		Founded: d.Status == card.DisputeFounded, DecidedAt: s.nbDate(d.BookedAt), Note: d.Note,
		LiabilityClause: d.LiabilityClause, LiabilityReason: d.LiabilityReason, Debit: disputeMoney(d.Debit),
		Interest: disputeMoney(d.Interest), Fee: disputeMoney(d.Fee), InterestRate: netbank.FormatAmount(int64(d.InterestBP), 2),
		InterestDays: d.InterestDays, HasDebit: d.Debit > 0, HasInterest: d.Interest > 0, HasFee: d.Fee > 0,
		IsMisuse: d.LiabilityClause != ""}
	if d.OriginalCurrency != "" && d.OriginalCurrency != "DKK" {
		v.Original = netbank.NewMoney(d.OriginalAmount, d.OriginalCurrency).String()
	}
	if r.URL.Query().Get("besked") == "oprettet" {
		v.Notice = "disp.notice.opened"
	}
	s.Render(w, r, http.StatusOK, "nb_card_dispute_case", v)
}

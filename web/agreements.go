package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/agreement"
	"github.com/netbank/netbank/calendar"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/payment"
)

// Betalingsaftaler (RULES PAY-8, PAY-3, CAL-1): the two tabs of the source's
// "Betalingsaftaler", and the Betalingsservice collections under
// "Kommende betalinger" (handleUpcoming in payments.go):
//
//	GET  /netbank/regninger                        "Ikke godkendte": bills received, not yet approved
//	GET  /netbank/regninger/{id}                   one bill: approve (account, amount, date) or reject
//	POST /netbank/regninger/{id}/godkend           agreement.ApproveInvoice → the signing page (kind "payment") → receipt
//	POST /netbank/regninger/{id}/afvis             agreement.RejectInvoice (reason optional)
//	GET  /netbank/aftaler                          "Aftaleoversigt": the agreements, "Tilmeld Betalingsservice", e-invoice sign-up
//	POST /netbank/aftaler                          agreement.Create → Betalingsservice: the signing page (kind "agreement"); e-invoice: active
//	POST /netbank/aftaler/{id}/opsig               agreement.Cancel
//	POST /netbank/aftaler/eindbetaling             e-invoice sign-up from a paid slip's receipt (nb_pay_receipt.html)
//	POST /netbank/aftaler/betalinger/{id}/afvis    agreement.RejectCollection (from Kommende betalinger)
//
// Seeing the pages takes what seeing payments takes; everything that
// changes something takes the profile's "create" permission (BIZ-5).

const (
	signKindAgreement = "agreement"
	// agreementIDLine ends every signed sign-up: the agreement it is about.
	agreementIDLine = "\nAftale: "
)

func init() {
	registerSignKind(signKindAgreement, signKind{
		Title: "agr.sign.title", Lead: "agr.sign.lead", Submit: "agr.sign.submit",
		Back:   "/netbank/aftaler",
		Signed: (*Server).agreementSigned,
	})
}

// registerAgreements adds the agreement pages (called from registerNetbank).
func (s *Server) registerAgreements() {
	user := func(h http.HandlerFunc) http.Handler { return s.RequireUser(s.needAgreements(h)) }
	s.Handle("GET /netbank/regninger", user(s.handleInvoices))
	s.Handle("GET /netbank/regninger/{id}", user(s.handleInvoice))
	s.Handle("POST /netbank/regninger/{id}/godkend", user(s.handleInvoiceApprove))
	s.Handle("POST /netbank/regninger/{id}/afvis", user(s.handleInvoiceReject))
	s.Handle("GET /netbank/aftaler", user(s.handleAgreements))
	s.Handle("POST /netbank/aftaler", user(s.handleAgreementCreate))
	s.Handle("POST /netbank/aftaler/{id}/opsig", user(s.handleAgreementCancel))
	s.Handle("POST /netbank/aftaler/eindbetaling", user(s.handleEInvoiceFromSlip))
	s.Handle("POST /netbank/aftaler/betalinger/{id}/afvis", user(s.handleCollectionReject))
}

// needAgreements answers "unavailable" when the server has no agreements.
func (s *Server) needAgreements(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.agreements == nil || s.payments == nil || s.accounts == nil {
			s.Error(w, r, netbank.Errorf(netbank.EUNAVAILABLE, "web: net bank without payment agreements"))
			return
		}
		h(w, r)
	}
}

// menuBills counts the customer's bills not yet approved, for the menu's
// badge (0 when the user may not handle payments or on a failure, which
// is logged: the menu must not fail a page).
func (s *Server) menuBills(r *http.Request, p *Principal, payments bool) int {
	if s.agreements == nil || !payments {
		return 0
	}
	list, err := s.agreements.Invoices(r.Context(), p.Customer.ID)
	if err != nil {
		s.log.WarnContext(r.Context(), "counting bills failed", "error", err)
		return 0
	}
	return len(list)
}

// ---- Ikke godkendte ----

// invoiceView is one bill on the pages.
type invoiceView struct {
	ID, URL        string
	Creditor       string
	CreditorNumber string
	CustomerNumber string
	Slip           string // "+71 000123456000527 +81234567"
	Text           string
	Amount         amountView
	Due            string // 26.05.2026
	Status         string
}

func invoiceViewOf(inv agreement.Invoice) invoiceView {
	slip := "+" + inv.SlipType
	if inv.PaymentID != "" {
		slip += " " + inv.PaymentID
	}
	slip += " +" + inv.CreditorNumber
	return invoiceView{ID: inv.ID, URL: "/netbank/regninger/" + url.PathEscape(inv.ID), Creditor: inv.Creditor(),
		CreditorNumber: inv.CreditorNumber, CustomerNumber: inv.CustomerNumber, Slip: slip, Text: inv.Text,
		Amount: money(inv.Amount, inv.Currency), Due: inv.DueDate.Format("02.01.2006"), Status: inv.Status.Danish()}
}

// invoicesView is the Data of nb_invoices.
type invoicesView struct {
	Invoices []invoiceView
	CanAct   bool
	Notice   string
}

// Tab names the page among the tabs of "Betalingsaftaler" (nb_agree_head).
func (invoicesView) Tab() string { return "invoices" }

// handleInvoices draws "Ikke godkendte" (PAY-8): the bills received and
// not yet approved, soonest due first.
func (s *Server) handleInvoices(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if !canSeePayments(p) {
		forbidPayments(w, r, s, "seeing")
		return
	}
	list, err := s.agreements.Invoices(r.Context(), p.Customer.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := invoicesView{CanAct: canCreatePayments(p)}
	switch r.URL.Query().Get("besked") {
	case "afvist":
		v.Notice = T(LangOf(r), "agr.notice.invoice.rejected")
	}
	for _, inv := range list {
		v.Invoices = append(v.Invoices, invoiceViewOf(inv))
	}
	s.Render(w, r, http.StatusOK, "nb_invoices", v)
}

// invoiceForm is what the user typed on a bill's page (kept on a redraw).
type invoiceForm struct {
	ClientID, From, Amount, Date, Reason string
}

// invoicePageView is the Data of nb_invoice.
type invoicePageView struct {
	Invoice  invoiceView
	Form     invoiceForm
	Accounts []payAccountOption
	Today    string
	Error    string
	CanAct   bool
}

func (s *Server) renderInvoice(w http.ResponseWriter, r *http.Request, status int, inv agreement.Invoice, f invoiceForm, errMsg string) {
	p := PrincipalOf(r)
	list, err := s.accounts.List(r.Context(), p.Customer.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := invoicePageView{Invoice: invoiceViewOf(inv), Form: f, Error: errMsg, CanAct: canCreatePayments(p),
		Today: calendar.Day(s.clock.Now()).Format(time.DateOnly)}
	if v.Form.From == "" {
		v.Form.From = inv.AccountID
	}
	v.Accounts = dkkOptions(list, v.Form.From)
	s.Render(w, r, status, "nb_invoice", v)
}

// handleInvoice draws one bill with the approval form: the account, the
// amount and the date prefilled with the bill's (the due date, or today if
// it has passed), each of which the customer may change.
func (s *Server) handleInvoice(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if !canSeePayments(p) {
		forbidPayments(w, r, s, "seeing")
		return
	}
	inv, err := s.agreements.Invoice(r.Context(), p.Customer.ID, r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if inv.Status != agreement.InvoicePending {
		if inv.ApprovedPayment != "" {
			http.Redirect(w, r, paymentPathOf(inv.ApprovedPayment)+"/kvittering", http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, "/netbank/regninger", http.StatusSeeOther)
		return
	}
	date := inv.DueDate
	if today := calendar.Day(s.clock.Now()); date.Before(today) {
		date = today
	}
	s.renderInvoice(w, r, http.StatusOK, inv, invoiceForm{ClientID: newClientID(), Amount: plainKroner(inv.Amount),
		Date: date.Format(time.DateOnly)}, "")
}

// plainKroner formats øre for an input field: "1.234,56".
func plainKroner(minor int64) string {
	return strings.TrimSuffix(netbank.NewMoney(minor, "DKK").String(), " kr.")
}

// handleInvoiceApprove makes the bill's payment with the chosen account,
// amount and date and shows the signing page (SIGN-2): the bill is
// approved once the payment is signed (paymentSigned then shows the
// receipt). A refusal redraws the bill's page with the bank's message.
func (s *Server) handleInvoiceApprove(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if !canCreatePayments(p) {
		forbidPayments(w, r, s, "approving bills as")
		return
	}
	ctx := r.Context()
	inv, err := s.agreements.Invoice(ctx, p.Customer.ID, r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := invoiceForm{ClientID: v("client_id"), From: v("from"), Amount: v("amount"), Date: v("date")}
	if f.ClientID == "" {
		f.ClientID = newClientID()
	}
	fail := func(msg string) { s.renderInvoice(w, r, http.StatusBadRequest, inv, f, msg) }
	req := agreement.InvoiceApproval{CustomerID: p.Customer.ID, UserID: p.User.ID, InvoiceID: inv.ID, ClientID: f.ClientID, FromAccount: f.From}
	if f.Amount != "" {
		m, err := netbank.ParseAmount(f.Amount, "DKK")
		if err != nil {
			fail(netbank.ErrorMessageOf(err))
			return
		}
		if m.Amount <= 0 {
			fail(T(LangOf(r), "agr.err.amount"))
			return
		}
		req.Amount = m.Amount
	}
	if f.Date != "" {
		d, ok := parseDanishDate(f.Date)
		if !ok {
			fail(T(LangOf(r), "pay.err.date"))
			return
		}
		req.Date = d
	}
	pay, err := s.agreements.ApproveInvoice(ctx, req)
	if err != nil {
		switch netbank.ErrorCodeOf(err) {
		case netbank.EINVALID, netbank.EINSUFFICIENT:
			fail(netbank.ErrorMessageOf(err))
		case netbank.ECONFLICT:
			f.ClientID = newClientID()
			s.renderInvoice(w, r, http.StatusConflict, inv, f, netbank.ErrorMessageOf(err))
		default:
			s.Error(w, r, err)
		}
		return
	}
	if pay.Status != payment.AwaitingSignature {
		// The same form again after it was signed: its receipt.
		http.Redirect(w, r, paymentPathOf(pay.ID)+"/kvittering", http.StatusSeeOther)
		return
	}
	s.beginSigning(w, r, signKindPayment, paymentDocument(pay))
}

// handleInvoiceReject rejects a bill, with the customer's reason if given.
func (s *Server) handleInvoiceReject(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if !canCreatePayments(p) {
		forbidPayments(w, r, s, "rejecting bills as")
		return
	}
	ctx := r.Context()
	_, err := s.agreements.RejectInvoice(ctx, p.Customer.ID, r.PathValue("id"), p.User.ID, r.PostFormValue("reason"))
	if netbank.ErrorCodeOf(err) == netbank.EINVALID {
		inv, err2 := s.agreements.Invoice(ctx, p.Customer.ID, r.PathValue("id"))
		if err2 != nil {
			s.Error(w, r, err2)
			return
		}
		s.renderInvoice(w, r, http.StatusBadRequest, inv, invoiceForm{ClientID: newClientID(), Reason: r.PostFormValue("reason")},
			netbank.ErrorMessageOf(err))
		return
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/netbank/regninger?besked=afvist", http.StatusSeeOther)
}

// ---- Aftaleoversigt ----

// agreementView is one agreement in "Aftaleoversigt".
type agreementView struct {
	ID             string
	Kind           string
	Creditor       string
	CreditorNumber string
	DebtorGroup    string
	CustomerNumber string
	Account        string
	Status         string
	Active         bool
	Since          string
	Ended          string
}

// agreementForm is a sign-up as typed (kept on a redraw).
type agreementForm struct {
	Kind, ClientID, From, Creditor, DebtorGroup, CustomerNumber, Name string
}

// agreementsView is the Data of nb_agreements.
type agreementsView struct {
	Agreements []agreementView
	Accounts   []payAccountOption
	// BS and EInv are the two sign-up forms; Error belongs to the one in ErrorKind.
	BS, EInv  agreementForm
	Error     string
	ErrorKind string
	Notice    string
	CanAct    bool
}

// Tab names the page among the tabs of "Betalingsaftaler" (nb_agree_head).
func (agreementsView) Tab() string { return "agreements" }

func (s *Server) renderAgreements(w http.ResponseWriter, r *http.Request, status int, f agreementForm, errMsg string) {
	p := PrincipalOf(r)
	ctx := r.Context()
	list, err := s.agreements.List(ctx, p.Customer.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	accounts, err := s.accounts.List(ctx, p.Customer.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	lang := LangOf(r)
	v := agreementsView{CanAct: canCreatePayments(p), Error: errMsg, ErrorKind: f.Kind,
		BS:   agreementForm{Kind: string(agreement.Betalingsservice), ClientID: newClientID()},
		EInv: agreementForm{Kind: string(agreement.EInvoice), ClientID: newClientID()}}
	switch agreement.Kind(f.Kind) {
	case agreement.Betalingsservice:
		v.BS = f
	case agreement.EInvoice:
		v.EInv = f
	}
	switch r.URL.Query().Get("besked") {
	case "tilmeldt":
		v.Notice = T(lang, "agr.notice.signed")
	case "oprettet":
		v.Notice = T(lang, "agr.notice.created")
	case "opsagt":
		v.Notice = T(lang, "agr.notice.cancelled")
	case "findes":
		v.Notice = T(lang, "agr.notice.exists")
	}
	labels := accountNames(accounts)
	v.Accounts = dkkOptions(accounts, f.From)
	for _, a := range list {
		av := agreementView{ID: a.ID, Kind: a.Kind.Danish(), Creditor: a.Creditor(),
			CreditorNumber: a.CreditorNumber, DebtorGroup: a.DebtorGroup, CustomerNumber: a.CustomerNumber,
			Account: strings.Replace(a.AccountID, "-", " ", 1), Status: a.Status.Danish(), Active: a.Status == agreement.Active,
			Since: s.nbDate(a.ActivatedAt), Ended: s.nbDate(a.CancelledAt)}
		if l, ok := labels[a.AccountID]; ok {
			av.Account = l
		}
		v.Agreements = append(v.Agreements, av)
	}
	s.Render(w, r, status, "nb_agreements", v)
}

// handleAgreements draws "Aftaleoversigt" (PAY-8): every agreement with
// creditor, numbers, account and status, the sign-up to Betalingsservice
// and to electronic payment slips.
func (s *Server) handleAgreements(w http.ResponseWriter, r *http.Request) {
	if !canSeePayments(PrincipalOf(r)) {
		forbidPayments(w, r, s, "seeing")
		return
	}
	s.renderAgreements(w, r, http.StatusOK, agreementForm{}, "")
}

// handleAgreementCreate signs the customer up: to Betalingsservice through
// the signing page (a binding instruction, SIGN-2), to electronic payment
// slips at once. A refusal redraws the page with the bank's message.
func (s *Server) handleAgreementCreate(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if !canCreatePayments(p) {
		forbidPayments(w, r, s, "making agreements as")
		return
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := agreementForm{Kind: v("kind"), ClientID: v("client_id"), From: v("from"), Creditor: v("creditor"),
		DebtorGroup: v("debtor_group"), CustomerNumber: v("customer_number"), Name: v("name")}
	if agreement.Kind(f.Kind) != agreement.EInvoice {
		f.Kind = string(agreement.Betalingsservice)
	}
	if f.ClientID == "" {
		f.ClientID = newClientID()
	}
	a, err := s.agreements.Create(r.Context(), agreement.Request{CustomerID: p.Customer.ID, UserID: p.User.ID, ClientID: f.ClientID,
		Kind: agreement.Kind(f.Kind), AccountID: f.From, CreditorNumber: f.Creditor, DebtorGroup: f.DebtorGroup,
		CustomerNumber: f.CustomerNumber, CreditorName: f.Name})
	if err != nil {
		switch netbank.ErrorCodeOf(err) {
		case netbank.EINVALID:
			s.renderAgreements(w, r, http.StatusBadRequest, f, netbank.ErrorMessageOf(err))
		case netbank.ECONFLICT:
			f.ClientID = newClientID()
			s.renderAgreements(w, r, http.StatusConflict, f, netbank.ErrorMessageOf(err))
		default:
			s.Error(w, r, err)
		}
		return
	}
	switch a.Status {
	case agreement.AwaitingSignature:
		if a.CreatedBy != p.User.ID {
			s.Error(w, r, netbank.Errorf(netbank.EFORBIDDEN, "web: agreement %s made by another user", a.ID))
			return
		}
		s.beginSigning(w, r, signKindAgreement, agreementDocument(a))
	case agreement.Active:
		besked := "oprettet"
		if a.Kind == agreement.Betalingsservice {
			besked = "tilmeldt" // the same form again after it was signed
		}
		http.Redirect(w, r, "/netbank/aftaler?besked="+besked, http.StatusSeeOther)
	default:
		s.renderAgreements(w, r, http.StatusConflict, agreementForm{}, T(LangOf(r), "agr.err.lapsed"))
	}
}

// handleAgreementCancel ends an agreement (opsigelse); its collections not
// yet paid are cancelled with it.
func (s *Server) handleAgreementCancel(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if !canCreatePayments(p) {
		forbidPayments(w, r, s, "cancelling agreements as")
		return
	}
	if _, err := s.agreements.Cancel(r.Context(), p.Customer.ID, r.PathValue("id"), p.User.ID); err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/netbank/aftaler?besked=opsagt", http.StatusSeeOther)
}

// handleEInvoiceFromSlip signs the customer up to electronic payment slips
// from the creditor of a +71/+73/+75 slip they paid (the box on the
// receipt, nb_pay_receipt.html): the creditor and the account come from
// the payment, the customer number from the form.
func (s *Server) handleEInvoiceFromSlip(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if !canCreatePayments(p) {
		forbidPayments(w, r, s, "making agreements as")
		return
	}
	ctx := r.Context()
	pay, err := s.payments.Get(ctx, p.Customer.ID, r.PostFormValue("payment"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if pay.Kind != payment.SlipPayment || pay.Slip.Creditor == "" {
		s.Error(w, r, netbank.Errorf(netbank.EINVALID, "web: payment %s is no FI slip", pay.ID))
		return
	}
	f := agreementForm{Kind: string(agreement.EInvoice), ClientID: "slip-" + pay.ID, From: pay.FromAccount, Creditor: pay.Slip.Creditor,
		CustomerNumber: strings.TrimSpace(r.PostFormValue("customer_number")), Name: pay.ToName}
	if r.PostFormValue("confirm") != "yes" {
		s.renderAgreements(w, r, http.StatusBadRequest, f, T(LangOf(r), "agr.err.confirm"))
		return
	}
	_, err = s.agreements.Create(ctx, agreement.Request{CustomerID: p.Customer.ID, UserID: p.User.ID, ClientID: f.ClientID,
		Kind: agreement.EInvoice, AccountID: f.From, CreditorNumber: f.Creditor, CustomerNumber: f.CustomerNumber, CreditorName: f.Name})
	switch netbank.ErrorCodeOf(err) {
	case "":
		http.Redirect(w, r, "/netbank/aftaler?besked=oprettet", http.StatusSeeOther)
	case netbank.EINVALID:
		f.ClientID = newClientID()
		s.renderAgreements(w, r, http.StatusBadRequest, f, netbank.ErrorMessageOf(err))
	case netbank.ECONFLICT:
		http.Redirect(w, r, "/netbank/aftaler?besked=findes", http.StatusSeeOther)
	default:
		s.Error(w, r, err)
	}
}

// agreementDocument is the body the user signs to sign up to Betalingsservice.
func agreementDocument(a agreement.Agreement) string {
	return agreement.Document(a) + agreementIDLine + a.ID
}

// agreementSigned activates a Betalingsservice sign-up once its creator
// has signed it: the signed body must be exactly the bank's text of that
// agreement (SIGN-2).
func (s *Server) agreementSigned(w http.ResponseWriter, r *http.Request, doc identity.SignedDocument) (string, error) {
	p := PrincipalOf(r)
	if !canCreatePayments(p) {
		return "", netbank.Errorf(netbank.EFORBIDDEN, "web: the user's profile does not allow making agreements")
	}
	if s.agreements == nil {
		return "", netbank.Errorf(netbank.EUNAVAILABLE, "web: net bank without payment agreements")
	}
	body, id, ok := signedBody(doc, agreementIDLine)
	if !ok {
		return "", netbank.Errorf(netbank.EINVALID, "web: signed document %s names no agreement", doc.ID)
	}
	a, err := s.agreements.Get(r.Context(), p.Customer.ID, id)
	if err != nil {
		return "", err
	}
	if body != signCanonical(agreementDocument(a)) {
		return "", netbank.Errorf(netbank.ECONFLICT, "web: signed document %s is not the text of agreement %s", doc.ID, a.ID)
	}
	if _, err := s.agreements.Confirm(r.Context(), p.Customer.ID, a.ID, doc.ID, p.User.ID); err != nil {
		return "", err
	}
	return "/netbank/aftaler?besked=tilmeldt", nil
}

// ---- Kommende betalinger: Betalingsservice ----

// collectionView is an announced Betalingsservice collection under
// "Kommende betalinger".
type collectionView struct {
	ID         string
	Date       string
	Creditor   string
	Text       string
	From       string
	Amount     amountView
	Status     string
	Rejectable bool
	// Deadline is the last day it can be rejected ("08.05.2026").
	Deadline  string
	RejectURL string
}

// upcomingCollections lists the customer's announced collections for
// "Kommende betalinger" (nil without agreements).
func (s *Server) upcomingCollections(r *http.Request, p *Principal) ([]collectionView, error) {
	if s.agreements == nil {
		return nil, nil
	}
	list, err := s.agreements.Upcoming(r.Context(), p.Customer.ID)
	if err != nil {
		return nil, err
	}
	lang := LangOf(r)
	now := s.clock.Now()
	var out []collectionView
	for _, c := range list {
		cv := collectionView{ID: c.ID, Date: c.DueDate.Format("02.01.2006"), Creditor: c.CreditorName, Text: c.Text,
			From: strings.Replace(c.AccountID, "-", " ", 1), Amount: money(c.Amount, c.Currency), Rejectable: c.Rejectable(now),
			Deadline:  agreement.LastRejectDay(c.DueDate).Format("02.01.2006"),
			RejectURL: "/netbank/aftaler/betalinger/" + url.PathEscape(c.ID) + "/afvis"}
		if a, err := s.accounts.Get(r.Context(), p.Customer.ID, c.AccountID); err == nil {
			cv.From = accountName(a)
		}
		switch {
		case cv.Rejectable:
			cv.Status = T(lang, "agr.bs.rejectable", cv.Deadline)
		case c.Status == agreement.Collecting:
			cv.Status = c.Status.Danish()
		default:
			cv.Status = T(lang, "agr.bs.scheduled", cv.Date)
		}
		out = append(out, cv)
	}
	return out, nil
}

// handleCollectionReject rejects an announced collection ("Afvis") until
// the end of the bank day before its due date (PAY-8, CAL-1); later the
// bank's Danish refusal is shown on Kommende betalinger.
func (s *Server) handleCollectionReject(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if !canCreatePayments(p) {
		forbidPayments(w, r, s, "rejecting")
		return
	}
	_, err := s.agreements.RejectCollection(r.Context(), p.Customer.ID, r.PathValue("id"), p.User.ID)
	switch netbank.ErrorCodeOf(err) {
	case "":
		http.Redirect(w, r, "/netbank/betalinger/kommende?besked=afvist", http.StatusSeeOther)
	case netbank.EINVALID, netbank.ECONFLICT:
		http.Redirect(w, r, "/netbank/betalinger/kommende?besked=frist", http.StatusSeeOther)
	default:
		s.Error(w, r, err)
	}
}

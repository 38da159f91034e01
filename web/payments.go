package web

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/calendar"
	"github.com/netbank/netbank/dk"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/payment"
)

// Betalinger (RULES PAY-1..PAY-4, BIZ-3, BIZ-5):
//
//	GET  /netbank/betalinger                    "Ny betaling": transfer form and "Indbetalingskort"
//	POST /netbank/betalinger                    payment.Create → the review page (or the form again with a message)
//	POST /netbank/betalinger/{id}/underskriv    the signing page (kind "payment") → payment.Confirm
//	GET  /netbank/betalinger/{id}/kvittering    the receipt: the payment's status in Danish
//	GET  /netbank/betalinger/kommende           upcoming payments (PAY-3) and, for approvers, the four-eyes queue
//	POST /netbank/betalinger/{id}/slet          payment.Cancel (PAY-3)
//	POST /netbank/betalinger/{id}/godkend       the signing page (kind "payment-approval") → payment.Approve (BIZ-3)
//
// Business users need the profile's "create" permission to create, sign
// and cancel payments and "approve" to approve another user's payment
// (BIZ-5); the others get 403.

const (
	signKindPayment         = "payment"
	signKindPaymentApproval = "payment-approval"
	// paymentIDLine ends every signed payment document: the payment it is about.
	paymentIDLine = "\nBetaling: "
	// approvalHeading starts the body of a signed approval.
	approvalHeading = "Godkendelse af betaling\n"
)

func init() {
	registerSignKind(signKindPayment, signKind{
		Title: "pay.sign.title", Lead: "pay.sign.lead", Submit: "pay.sign.submit",
		Back:   "/netbank/betalinger",
		Signed: (*Server).paymentSigned,
	})
	registerSignKind(signKindPaymentApproval, signKind{
		Title: "pay.approve.sign.title", Lead: "pay.approve.sign.lead", Submit: "pay.approve.sign.submit",
		Back:   "/netbank/betalinger/kommende",
		Signed: (*Server).paymentApprovalSigned,
	})
}

// registerPayments adds the payment pages (called from registerNetbank).
func (s *Server) registerPayments() {
	user := func(h http.HandlerFunc) http.Handler { return s.RequireUser(s.needPayments(h)) }
	s.Handle("GET /netbank/betalinger", user(s.handlePaymentForm))
	s.Handle("POST /netbank/betalinger", user(s.handlePaymentCreate))
	s.Handle("GET /netbank/betalinger/kommende", user(s.handleUpcoming))
	s.Handle("POST /netbank/betalinger/{id}/underskriv", user(s.handlePaymentSign))
	s.Handle("GET /netbank/betalinger/{id}/kvittering", user(s.handleReceipt))
	s.Handle("POST /netbank/betalinger/{id}/slet", user(s.handlePaymentCancel))
	s.Handle("POST /netbank/betalinger/{id}/godkend", user(s.handlePaymentApprove))
}

// needPayments answers "unavailable" when the server has no payments.
func (s *Server) needPayments(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.payments == nil || s.accounts == nil {
			s.Error(w, r, netbank.Errorf(netbank.EUNAVAILABLE, "web: net bank without payments"))
			return
		}
		h(w, r)
	}
}

func canCreatePayments(p *Principal) bool { return p.User.Can(identity.PermCreate) }

func canApprovePayments(p *Principal) bool {
	return p.User.Kind == identity.BusinessUser && p.User.Can(identity.PermApprove)
}

func canSeePayments(p *Principal) bool {
	return p.User.Can(identity.PermView) || p.User.Can(identity.PermCreate) || p.User.Can(identity.PermApprove)
}

func forbidPayments(w http.ResponseWriter, r *http.Request, s *Server, what string) {
	s.Error(w, r, netbank.Errorf(netbank.EFORBIDDEN, "web: the user's profile does not allow %s payments", what))
}

func newClientID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return "web-" + hex.EncodeToString(b)
}

func paymentPathOf(id string) string { return "/netbank/betalinger/" + url.PathEscape(id) }

// ---- the form ----

// payAccountOption is one of the customer's accounts in a select.
type payAccountOption struct {
	ID, Label string
	Available amountView
	Selected  bool
	// ToSelected marks the "to" select's choice.
	ToSelected bool
}

// payForm is what the user typed (kept on a redraw).
type payForm struct {
	Mode                        string // "transfer" or "slip"
	ClientID                    string
	From                        string
	ToKind                      string // "own" or "other"
	ToOwn                       string
	Reg, Account, Name          string
	BankName                    string
	Amount, Date                string
	TextToSelf, TextToRecipient string
	CodeLine                    string
}

// payFormView is the Data of nb_pay.
type payFormView struct {
	Form     payForm
	Accounts []payAccountOption
	Error    string
	Today    string
	Business bool
}

func (s *Server) payFormView(r *http.Request, f payForm, errMsg string) (payFormView, error) {
	p := PrincipalOf(r)
	list, err := s.accounts.List(r.Context(), p.Customer.ID)
	if err != nil {
		return payFormView{}, err
	}
	v := payFormView{Form: f, Error: errMsg, Today: calendar.Day(s.clock.Now()).Format(time.DateOnly),
		Business: p.User.Kind == identity.BusinessUser}
	for _, a := range list {
		if !a.ClosedAt.IsZero() {
			continue
		}
		name := a.Account.Name
		if name == "" {
			name = a.Product.Danish()
		}
		v.Accounts = append(v.Accounts, payAccountOption{ID: a.Account.ID, Label: name + " (" + a.Display() + ")",
			Available: money(a.Available, a.Account.Currency), Selected: a.Account.ID == f.From, ToSelected: a.Account.ID == f.ToOwn})
	}
	if v.Form.Date == "" {
		v.Form.Date = v.Today
	}
	if v.Form.Mode == "" {
		v.Form.Mode = "transfer"
	}
	if v.Form.ToKind == "" {
		v.Form.ToKind = "other"
	}
	if name, ok := dk.BankName(f.Reg); ok {
		v.Form.BankName = name
	}
	return v, nil
}

func (s *Server) renderPayForm(w http.ResponseWriter, r *http.Request, status int, f payForm, errMsg string) {
	v, err := s.payFormView(r, f, errMsg)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.Render(w, r, status, "nb_pay", v)
}

// handlePaymentForm draws "Ny betaling" with a fresh client id.
func (s *Server) handlePaymentForm(w http.ResponseWriter, r *http.Request) {
	if !canCreatePayments(PrincipalOf(r)) {
		forbidPayments(w, r, s, "creating")
		return
	}
	mode := "transfer"
	if r.URL.Query().Get("type") == "kort" {
		mode = "slip"
	}
	s.renderPayForm(w, r, http.StatusOK, payForm{Mode: mode, ClientID: newClientID()}, "")
}

func readPayForm(r *http.Request) payForm {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := payForm{Mode: v("mode"), ClientID: v("client_id"), From: v("from"), ToKind: v("to_kind"), ToOwn: v("to_own"),
		Reg: v("reg"), Account: v("account"), Name: v("name"), Amount: v("amount"), Date: v("date"),
		TextToSelf: r.PostFormValue("text_self"), TextToRecipient: r.PostFormValue("text_recipient"), CodeLine: v("codeline")}
	if f.Mode != "slip" {
		f.Mode = "transfer"
	}
	if f.ToKind != "own" {
		f.ToKind = "other"
	}
	return f
}

// handlePaymentCreate creates the payment (awaiting signature) and shows
// the review page; a refusal redraws the form with the bank's message.
func (s *Server) handlePaymentCreate(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if !canCreatePayments(p) {
		forbidPayments(w, r, s, "creating")
		return
	}
	ctx := r.Context()
	f := readPayForm(r)
	fail := func(msg string) { s.renderPayForm(w, r, http.StatusBadRequest, f, msg) }
	if f.ClientID == "" {
		f.ClientID = newClientID()
	}
	req := payment.Request{CustomerID: p.Customer.ID, UserID: p.User.ID, ClientID: f.ClientID, FromAccount: f.From,
		ToName: f.Name, TextToSelf: f.TextToSelf, TextToRecipient: f.TextToRecipient}
	if f.Amount == "" {
		fail(T(LangOf(r), "pay.err.amount"))
		return
	}
	m, err := netbank.ParseAmount(f.Amount, "DKK")
	if err != nil {
		fail(netbank.ErrorMessageOf(err))
		return
	}
	req.Amount = m.Amount
	if f.Date != "" {
		d, ok := parseDanishDate(f.Date)
		if !ok {
			fail(T(LangOf(r), "pay.err.date"))
			return
		}
		req.Date = d
	}
	switch {
	case f.Mode == "slip":
		req.CodeLine = f.CodeLine
		req.ToName = ""
		if strings.TrimSpace(req.CodeLine) == "" {
			fail(T(LangOf(r), "pay.err.codeline"))
			return
		}
	case f.ToKind == "own":
		to, err := s.accounts.Get(ctx, p.Customer.ID, f.ToOwn)
		if err != nil {
			fail(T(LangOf(r), "pay.err.own"))
			return
		}
		req.ToReg, req.ToAccount = to.Account.Reg, to.Account.Number
	default:
		req.ToReg, req.ToAccount = f.Reg, f.Account
	}
	pay, err := s.payments.Create(ctx, req)
	if err != nil {
		switch netbank.ErrorCodeOf(err) {
		case netbank.EINVALID, netbank.EINSUFFICIENT:
			fail(netbank.ErrorMessageOf(err))
		case netbank.ECONFLICT:
			f.ClientID = newClientID()
			s.renderPayForm(w, r, http.StatusConflict, f, netbank.ErrorMessageOf(err))
		default:
			s.Error(w, r, err)
		}
		return
	}
	if pay.Status != payment.AwaitingSignature {
		// A double submit of a payment already signed: its receipt.
		http.Redirect(w, r, paymentPathOf(pay.ID)+"/kvittering", http.StatusSeeOther)
		return
	}
	v, err := s.paymentView(r, pay)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.Render(w, r, http.StatusOK, "nb_pay_review", v)
}

// ---- review, receipt and the lists ----

// paymentView is one payment as the review, the receipt and the lists show it.
type paymentView struct {
	ID, URL    string
	Kind       string
	Amount     amountView
	Payee      string // "9070 0004410001 (Netbank)" or "+71 000100017156728 +81234567"
	Name       string
	From       string
	Date       string
	Moved      bool   // the chosen date was not a bank day
	Requested  string // the chosen date, when moved
	TextSelf   string
	TextRecip  string
	Status     string // in Danish
	StatusCode string
	Reason     string
	// NeedsApproval: a second user must approve it (business, above the limit).
	NeedsApproval bool
	Limit         string
	Cancellable   bool
	Mine          bool
}

func (s *Server) paymentView(r *http.Request, p payment.Payment) (paymentView, error) {
	pr := PrincipalOf(r)
	lang := LangOf(r)
	v := paymentView{ID: p.ID, URL: paymentPathOf(p.ID), Kind: p.Kind.Danish(), Amount: money(p.Amount, p.Currency),
		Name: p.ToName, Date: p.ExecutionDate.Format("02.01.2006"), TextSelf: p.TextToSelf, TextRecip: p.TextToRecipient,
		StatusCode: string(p.Status), Reason: p.FailureReason, Cancellable: p.Status.Cancellable(), Mine: p.CreatedBy == pr.User.ID}
	if !p.RequestedDate.IsZero() && !p.RequestedDate.Equal(p.ExecutionDate) {
		v.Moved, v.Requested = true, p.RequestedDate.Format("02.01.2006")
	}
	if p.Kind == payment.SlipPayment {
		v.Payee = "+" + p.Slip.Type + " " + p.Slip.PaymentID
		if p.Slip.Creditor != "" {
			v.Payee += " +" + p.Slip.Creditor
		}
		if p.Slip.GiroAccount != "" {
			v.Payee += " " + p.Slip.GiroAccount
		}
	} else {
		v.Payee = p.ToReg + " " + p.ToAccount
		if name, ok := dk.BankName(p.ToReg); ok {
			v.Payee += " (" + name + ")"
		}
	}
	v.From = strings.Replace(p.FromAccount, "-", " ", 1)
	if a, err := s.accounts.Get(r.Context(), p.CustomerID, p.FromAccount); err == nil {
		v.From = accountLabel(a) + " (" + a.Display() + ")"
	}
	switch p.Status {
	case payment.Settled:
		v.Status = T(lang, "pay.status.settled")
	case payment.Scheduled:
		v.Status = T(lang, "pay.status.scheduled", v.Date)
	case payment.AwaitingApproval:
		v.Status = T(lang, "pay.status.approval")
	case payment.InClearing:
		v.Status = T(lang, "pay.status.clearing")
	case payment.Rejected:
		v.Status = T(lang, "pay.status.rejected")
	default:
		v.Status = p.Status.Danish()
	}
	if p.Status == payment.AwaitingSignature && pr.User.Kind == identity.BusinessUser {
		limit, ok, err := s.payments.ApprovalLimit(r.Context(), p.CustomerID)
		if err != nil {
			return v, err
		}
		if ok && p.Amount > limit {
			v.NeedsApproval, v.Limit = true, money(limit, "DKK").Text
		}
	}
	return v, nil
}

func accountLabel(a account.WithBalance) string {
	if a.Account.Name != "" {
		return a.Account.Name
	}
	return a.Product.Danish()
}

// handleReceipt draws the receipt of a payment.
func (s *Server) handleReceipt(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if !canSeePayments(p) {
		forbidPayments(w, r, s, "seeing")
		return
	}
	pay, err := s.payments.Get(r.Context(), p.Customer.ID, r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v, err := s.paymentView(r, pay)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.Render(w, r, http.StatusOK, "nb_pay_receipt", v)
}

// upcomingView is the Data of nb_pay_upcoming.
type upcomingView struct {
	Upcoming  []paymentView
	Approvals []paymentView
	CanCancel bool
	Approver  bool
	Notice    string
}

// handleUpcoming draws "Kommende betalinger" (PAY-3) and, for approvers,
// the payments of others that await approval (BIZ-3).
func (s *Server) handleUpcoming(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if !canSeePayments(p) {
		forbidPayments(w, r, s, "seeing")
		return
	}
	list, err := s.payments.Upcoming(r.Context(), p.Customer.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := upcomingView{CanCancel: canCreatePayments(p), Approver: canApprovePayments(p)}
	switch r.URL.Query().Get("besked") {
	case "slettet":
		v.Notice = T(LangOf(r), "pay.notice.cancelled")
	case "godkendt":
		v.Notice = T(LangOf(r), "pay.notice.approved")
	}
	for _, pay := range list {
		pv, err := s.paymentView(r, pay)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		v.Upcoming = append(v.Upcoming, pv)
		if v.Approver && pay.Status == payment.AwaitingApproval && pay.CreatedBy != p.User.ID && pay.SignedBy != p.User.ID {
			v.Approvals = append(v.Approvals, pv)
		}
	}
	s.Render(w, r, http.StatusOK, "nb_pay_upcoming", v)
}

// handlePaymentCancel deletes an upcoming payment (PAY-3).
func (s *Server) handlePaymentCancel(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if !canCreatePayments(p) {
		forbidPayments(w, r, s, "cancelling")
		return
	}
	if _, err := s.payments.Cancel(r.Context(), p.Customer.ID, r.PathValue("id"), p.User.ID); err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/netbank/betalinger/kommende?besked=slettet", http.StatusSeeOther)
}

// ---- signing ----

// paymentDocument is the body the user signs to confirm a payment.
func paymentDocument(p payment.Payment) string {
	return payment.Document(p) + paymentIDLine + p.ID
}

// approvalDocument is the body a second user signs to approve a payment.
func approvalDocument(p payment.Payment) string {
	return approvalHeading + paymentDocument(p)
}

// handlePaymentSign ("Godkend og underskriv") draws the signing page for
// a payment awaiting its creator's signature.
func (s *Server) handlePaymentSign(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if !canCreatePayments(p) {
		forbidPayments(w, r, s, "signing")
		return
	}
	pay, err := s.payments.Get(r.Context(), p.Customer.ID, r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if pay.Status != payment.AwaitingSignature {
		http.Redirect(w, r, paymentPathOf(pay.ID)+"/kvittering", http.StatusSeeOther)
		return
	}
	if pay.CreatedBy != p.User.ID {
		s.Error(w, r, netbank.Errorf(netbank.EFORBIDDEN, "Betalingen skal underskrives af den bruger, der har oprettet den."))
		return
	}
	s.beginSigning(w, r, signKindPayment, paymentDocument(pay))
}

// handlePaymentApprove ("Godkend") draws the signing page of a second
// user's approval (BIZ-3).
func (s *Server) handlePaymentApprove(w http.ResponseWriter, r *http.Request) {
	p := PrincipalOf(r)
	if !canApprovePayments(p) {
		forbidPayments(w, r, s, "approving")
		return
	}
	pay, err := s.payments.Get(r.Context(), p.Customer.ID, r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if pay.Status != payment.AwaitingApproval {
		http.Redirect(w, r, paymentPathOf(pay.ID)+"/kvittering", http.StatusSeeOther)
		return
	}
	if pay.CreatedBy == p.User.ID || pay.SignedBy == p.User.ID {
		s.Error(w, r, netbank.Errorf(netbank.EFORBIDDEN, "Betalingen skal godkendes af en anden bruger end den, der oprettede den."))
		return
	}
	s.beginSigning(w, r, signKindPaymentApproval, approvalDocument(pay))
}

// signedPayment reads the payment a signed document names (the last line,
// "Betaling: <id>") and checks that the signed body is exactly the text
// the bank makes of that payment (SIGN-2).
func (s *Server) signedPayment(r *http.Request, doc identity.SignedDocument, text func(payment.Payment) string) (payment.Payment, error) {
	p := PrincipalOf(r)
	_, body, found := strings.Cut(doc.Document, "\n\n")
	i := strings.LastIndex(body, paymentIDLine)
	if !found || i < 0 {
		return payment.Payment{}, netbank.Errorf(netbank.EINVALID, "web: signed document %s names no payment", doc.ID)
	}
	id := strings.TrimSpace(body[i+len(paymentIDLine):])
	pay, err := s.payments.Get(r.Context(), p.Customer.ID, id)
	if err != nil {
		return payment.Payment{}, err
	}
	if body != signCanonical(text(pay)) {
		return payment.Payment{}, netbank.Errorf(netbank.ECONFLICT, "web: signed document %s is not the text of payment %s", doc.ID, pay.ID)
	}
	return pay, nil
}

// paymentSigned confirms a payment once its creator has signed it; a
// payment for today is executed at once.
func (s *Server) paymentSigned(w http.ResponseWriter, r *http.Request, doc identity.SignedDocument) (string, error) {
	p := PrincipalOf(r)
	if !canCreatePayments(p) {
		return "", netbank.Errorf(netbank.EFORBIDDEN, "web: the user's profile does not allow signing payments")
	}
	pay, err := s.signedPayment(r, doc, paymentDocument)
	if err != nil {
		return "", err
	}
	if pay, err = s.payments.Confirm(r.Context(), p.Customer.ID, pay.ID, doc.ID, p.User.ID); err != nil {
		return "", err
	}
	return paymentPathOf(pay.ID) + "/kvittering", nil
}

// paymentApprovalSigned approves a payment once a second user has signed
// the approval (BIZ-3).
func (s *Server) paymentApprovalSigned(w http.ResponseWriter, r *http.Request, doc identity.SignedDocument) (string, error) {
	p := PrincipalOf(r)
	if !canApprovePayments(p) {
		return "", netbank.Errorf(netbank.EFORBIDDEN, "web: the user's profile does not allow approving payments")
	}
	pay, err := s.signedPayment(r, doc, approvalDocument)
	if err != nil {
		return "", err
	}
	if pay, err = s.payments.Approve(r.Context(), p.Customer.ID, pay.ID, p.User.ID, doc.ID); err != nil {
		return "", err
	}
	return paymentPathOf(pay.ID) + "/kvittering", nil
}
